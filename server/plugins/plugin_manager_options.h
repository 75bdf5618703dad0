// Configuration of the plugin host, normally read from meridiand's config file.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_OPTIONS_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_OPTIONS_H_

#include <map>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "server/plugins/restart_policy.h"

namespace meridian::plugins {

struct PluginManagerOptions {
  // Where plugins live: one subdirectory per plugin holding plugin.toml and its library.
  std::string plugin_dir;
  // The meridian-plugin-runner executable (installed beside meridiand).
  std::string runner_path;
  // Trusted plugins loaded into the server process instead of a runner; "*" means all.
  std::set<std::string> in_process;
  // Plugins start unless an administrator disabled them (remembered in the database).
  bool enable_by_default = true;
  // Administrator values for manifest settings, by plugin id; runtime UpdateSettings wins.
  std::map<std::string, std::map<std::string, std::string>> settings;

  // message_will_be_posted and notification_will_be_sent, across all plugins together: past it
  // the host fails open (allows / delivers).
  absl::Duration hook_deadline = absl::Milliseconds(500);
  // Every other hook (slash command, endpoint, timer, message_posted, activate, deactivate).
  absl::Duration call_deadline = absl::Seconds(5);
  // Spawning the runner, loading the library and the handshake.
  absl::Duration start_deadline = absl::Seconds(10);
  RestartPolicyOptions restart;
  // How often the supervisor thread checks liveness and due restarts; zero disables the thread
  // (tests then call PluginManager::Poll()).
  absl::Duration supervise_interval = absl::Seconds(1);
  // message_posted events waiting for plugins; beyond it the oldest are dropped with a warning.
  size_t max_queued_posts = 10000;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_OPTIONS_H_
