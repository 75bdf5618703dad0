#include "clients/cli/command_registry.h"

namespace meridian::cli {

CLI::App* CommandRegistry::Add(CLI::App& parent, const std::string& name,
                               const std::string& description, Action action) {
  CLI::App* sub = parent.add_subcommand(name, description);
  if (action) actions_[sub] = std::move(action);
  return sub;
}

void CommandRegistry::SetAction(const CLI::App* app, Action action) {
  actions_[app] = std::move(action);
}

const Action* CommandRegistry::Find(const CLI::App* app) const {
  auto it = actions_.find(app);
  return it == actions_.end() ? nullptr : &it->second;
}

}  // namespace meridian::cli
