#ifndef MERIDIAN_CLIENTS_CLI_COMMAND_REGISTRY_H_
#define MERIDIAN_CLIENTS_CLI_COMMAND_REGISTRY_H_

#include <functional>
#include <map>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "clients/cli/cli_context.h"

namespace meridian::cli {

// What a command does once its arguments are parsed. Errors are values; the caller maps them
// to the message on stderr and the exit code.
using Action = std::function<absl::Status(CliContext&)>;

// Maps each CLI11 (sub)command to its action. Parsing only records the arguments; the action of
// the deepest command given runs afterwards, so actions never run inside CLI11's callbacks.
// Not safe for concurrent use.
class CommandRegistry {
 public:
  // Adds subcommand `name` to `parent`; the returned App (owned by `parent`) takes options.
  // A null `action` makes a pure group that prints its help when given alone.
  CLI::App* Add(CLI::App& parent, const std::string& name, const std::string& description,
                Action action);
  // Sets or replaces the action of an existing (group) command, e.g. `channels` alone = list.
  void SetAction(const CLI::App* app, Action action);
  // The action for `app`, or nullptr.
  const Action* Find(const CLI::App* app) const;

 private:
  std::map<const CLI::App*, Action> actions_;
};

// Each adds one family of commands to the root app.
void RegisterAuthCommands(CLI::App& app, CommandRegistry& registry);
void RegisterChannelCommands(CLI::App& app, CommandRegistry& registry);
void RegisterMessageCommands(CLI::App& app, CommandRegistry& registry);
void RegisterReadStateCommands(CLI::App& app, CommandRegistry& registry);
void RegisterUserCommands(CLI::App& app, CommandRegistry& registry);
void RegisterTailCommand(CLI::App& app, CommandRegistry& registry);
void RegisterPluginCommands(CLI::App& app, CommandRegistry& registry);
void RegisterSearchCommands(CLI::App& app, CommandRegistry& registry);
void RegisterScheduleCommands(CLI::App& app, CommandRegistry& registry);
void RegisterNotificationCommands(CLI::App& app, CommandRegistry& registry);
void RegisterCatchUpCommand(CLI::App& app, CommandRegistry& registry);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_COMMAND_REGISTRY_H_
