// The plugin host's public surface: discovers plugins in a directory, runs each (isolated in a
// meridian-plugin-runner process by default), restarts failing ones with backoff, and fans the
// server's hooks out to them.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_H_

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/common/clock.h"
#include "server/plugins/host_registry.h"
#include "server/plugins/plugin_info.h"
#include "server/plugins/plugin_kv_store.h"
#include "server/plugins/plugin_manager_options.h"
#include "server/plugins/plugin_services.h"
#include "storage/kv_store.h"

namespace meridian::plugins {

class PluginSlot;

// Safe for concurrent use. `store`, `services` and `clock` must outlive it. Hooks never throw
// and never wait longer than their deadline (PluginManagerOptions).
class PluginManager {
 public:
  PluginManager(PluginManagerOptions options, storage::KvStore* store, PluginServices* services,
                const Clock* clock);
  ~PluginManager();  // Stop()s

  // Discovers the plugins and starts those not disabled. A plugin that fails to start does not
  // fail Start (it shows in List()); NOT_FOUND when the plugin directory does not exist.
  absl::Status Start();
  // Deactivates and unloads every plugin, and stops the background threads.
  void Stop();

  std::vector<PluginInfo> List() const;
  // NOT_FOUND for an unknown id.
  absl::StatusOr<PluginInfo> Get(const std::string& plugin_id) const;
  // Enabling also forgets past failures and starts it; both are remembered across restarts, and
  // so is the automatic disable after repeated failures (until Enable or Reload).
  absl::Status Enable(const std::string& plugin_id);
  absl::Status Disable(const std::string& plugin_id);
  // Re-reads the manifest and restarts the plugin (picking up a new library file).
  // FAILED_PRECONDITION when disabled.
  absl::Status Reload(const std::string& plugin_id);
  // Overrides manifest settings (remembered) and calls configuration_changed.
  absl::Status UpdateSettings(const std::string& plugin_id,
                              const std::map<std::string, std::string>& values);
  // Checks liveness and performs due restarts; the supervisor thread calls it periodically.
  void Poll();

  // ---- Hooks, called by the server. ----

  // Runs every plugin's message_will_be_posted in id order, each seeing the text as modified by
  // the ones before; the first rejection wins. Fails open: a plugin that crashes, throws or is
  // still busy at the deadline is skipped.
  HookDecision MessageWillBePosted(const PluginMessage& draft);
  // Queues message_posted for every plugin and returns at once; a worker thread delivers it.
  void MessagePosted(const PluginMessage& message);
  // "/trigger args": the owning plugin's response text, shown only to the caller. "/help" lists
  // every registered command with its help. INVALID_ARGUMENT when not a command line, NOT_FOUND
  // for an unknown command, UNAVAILABLE/DEADLINE_EXCEEDED when the plugin fails.
  absl::StatusOr<std::string> SlashCommand(const std::string& user_id,
                                           const std::string& channel_id,
                                           const std::string& command_line);
  std::vector<CommandInfo> Commands() const;
  // Calls an endpoint the plugin registered; NOT_FOUND for an unknown plugin or method.
  absl::StatusOr<std::string> InvokeEndpoint(const std::string& plugin_id,
                                             const std::string& method, const std::string& payload);
  // Delivers a durable timer the plugin scheduled through PluginServices::ScheduleTimer.
  // UNAVAILABLE when the plugin is not running (the caller may retry later).
  absl::Status TimerFired(const std::string& plugin_id, const std::string& timer_id);
  // kReject suppresses the notification; kModify replaces its body. Fails open.
  HookDecision NotificationWillBeSent(const PluginNotification& notification);

  // Waits until every queued message_posted has been delivered (tests, clean shutdown).
  bool WaitForIdle(absl::Duration timeout);

 private:
  std::shared_ptr<PluginSlot> Find(const std::string& plugin_id) const;
  std::vector<std::shared_ptr<PluginSlot>> Slots() const;
  void PostedWorker();
  void Supervisor();
  // How long the supervisor may sleep: its interval, or less when a restart falls due sooner.
  absl::Duration NextSupervision() const;
  void WakeSupervisor();

  const PluginManagerOptions options_;
  PluginServices* services_;
  const Clock* clock_;
  PluginKvStore kv_;
  HostRegistry registry_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<PluginSlot>> slots_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<PluginMessage> posted_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
  std::thread posted_thread_;
  std::thread supervisor_thread_;
  // A leaf lock: slots take it (through WakeSupervisor) while holding their own.
  absl::Mutex supervisor_mu_;
  bool supervisor_wake_ ABSL_GUARDED_BY(supervisor_mu_) = false;
  bool supervisor_stop_ ABSL_GUARDED_BY(supervisor_mu_) = false;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_MANAGER_H_
