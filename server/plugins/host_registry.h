// Slash commands and endpoints that plugins registered. Entries live while their plugin runs:
// the manager removes a plugin's entries when it stops, and activate registers them again.
#ifndef MERIDIAN_SERVER_PLUGINS_HOST_REGISTRY_H_
#define MERIDIAN_SERVER_PLUGINS_HOST_REGISTRY_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace meridian::plugins {

struct CommandInfo {
  std::string trigger;  // without the slash
  std::string help;
  std::string plugin_id;
};

// Safe for concurrent use.
class HostRegistry {
 public:
  // INVALID_ARGUMENT for a trigger that is not 1..32 of [a-z0-9_-] or is reserved ("help");
  // ALREADY_EXISTS when another plugin holds it. Re-registering one's own updates the help.
  absl::Status RegisterCommand(const std::string& plugin_id, const std::string& trigger,
                               const std::string& help);
  // INVALID_ARGUMENT for a method that is not 1..64 printable ASCII characters.
  absl::Status RegisterEndpoint(const std::string& plugin_id, const std::string& method);

  std::optional<CommandInfo> FindCommand(const std::string& trigger) const;
  bool HasEndpoint(const std::string& plugin_id, const std::string& method) const;
  // Sorted by trigger.
  std::vector<CommandInfo> Commands() const;
  void RemovePlugin(const std::string& plugin_id);

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, CommandInfo> commands_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<std::string, std::string>> endpoints_ ABSL_GUARDED_BY(mu_);
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_HOST_REGISTRY_H_
