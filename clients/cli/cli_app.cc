#include "clients/cli/cli_app.h"

#include "CLI/CLI.hpp"
#include "clients/cli/cli_context.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"

namespace meridian::cli {
namespace {

constexpr char kDescription[] =
    "meridian: the command-line client of a Meridian team-messaging server.\n"
    "Channels are written c3, general or #general (quote '#' in a shell), or @user for a direct\n"
    "conversation; users u12, bob or @bob. Exit codes: 0 ok, 1 rejected by the server, 2 usage\n"
    "error, 3 server unreachable, 4 not logged in.";

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--server", options.server,
                 "server address HOST:PORT (default: $MERIDIAN_SERVER, else the last server "
                 "logged in to, else 127.0.0.1:7800)");
  app.add_flag("--json", options.json, "print the API response as JSON (for scripts)");
  app.add_flag("--tls", options.tls,
               "connect with TLS, checking the server against the system's trusted roots "
               "(default: $MERIDIAN_TLS=1, else as at login)");
  app.add_option("--ca-file", options.ca_file,
                 "connect with TLS, trusting only this PEM CA certificate, e.g. a self-signed "
                 "server's own (default: $MERIDIAN_CA_FILE, else as at login)");
  app.set_version_flag("--version", "meridian 0.1.0");
}

}  // namespace

int RunCli(int argc, const char* const* argv, const Environment& env, std::istream& in,
           std::ostream& out, std::ostream& err) {
  CliContext ctx(env, in, out, err);
  CLI::App app(kDescription, "meridian");
  app.fallthrough();  // global options may follow the command: `meridian history general --json`
  app.require_subcommand(0, 1);
  AddGlobalOptions(app, ctx.options());

  CommandRegistry registry;
  RegisterAuthCommands(app, registry);
  RegisterChannelCommands(app, registry);
  RegisterMessageCommands(app, registry);
  RegisterReadStateCommands(app, registry);
  RegisterUserCommands(app, registry);
  RegisterTailCommand(app, registry);
  RegisterPluginCommands(app, registry);
  RegisterSearchCommands(app, registry);
  RegisterScheduleCommands(app, registry);
  RegisterNotificationCommands(app, registry);
  RegisterCatchUpCommand(app, registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "meridian: error: " << e.what() << "\n(run with --help for usage)\n";
    return kExitUsage;
  }

  // The deepest command given decides what runs.
  CLI::App* command = &app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  const Action* action = registry.Find(command);
  if (action == nullptr) {
    err << command->help();
    return kExitUsage;
  }
  absl::Status status = (*action)(ctx);
  out.flush();
  if (status.ok()) return kExitOk;
  err << ErrorText(status, ctx.ServerAddress());
  return ExitCodeFor(status);
}

}  // namespace meridian::cli
