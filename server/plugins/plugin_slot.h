// One configured plugin and its lifecycle: start (load, handshake, activate), hook calls one at
// a time, failure handling with restart backoff, stop. PluginManager holds one per plugin.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_SLOT_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_SLOT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "plugins/runner/wire.h"
#include "server/common/clock.h"
#include "server/plugins/host_call_handler.h"
#include "server/plugins/manifest.h"
#include "server/plugins/plugin_connection.h"
#include "server/plugins/plugin_info.h"
#include "server/plugins/plugin_manager_options.h"
#include "server/plugins/restart_policy.h"

namespace meridian::plugins {

struct PluginSlotDeps {
  const PluginManagerOptions* options;
  PluginKvStore* kv;
  PluginServices* services;
  HostRegistry* registry;
  const Clock* clock;
  // Called (with the slot's lock held, so it must only take leaf locks) when a failure schedules
  // a restart, so that the supervisor restarts it when its backoff ends rather than a tick later.
  std::function<void()> restart_scheduled;
};

// Safe for concurrent use; hook calls are serialized. `deps` must outlive it.
class PluginSlot {
 public:
  PluginSlot(PluginManifest manifest, PluginSlotDeps deps);
  // A slot for a manifest that failed to parse: listed as refused, never started.
  PluginSlot(std::string id, std::string manifest_path, std::string error, PluginSlotDeps deps);
  ~PluginSlot();

  const std::string& id() const { return id_; }

  // Starts the plugin unless it runs already. A refusal (bad ABI...) leaves it kRefused and
  // returns FAILED_PRECONDITION; a crash during start counts as a failure (kBackoff/kFailed).
  absl::Status Start();
  // Deactivates and unloads it, leaving `final_state` (kStopped or kDisabled).
  void Stop(PluginState final_state);
  // Re-reads the manifest from disk, forgets past failures and restarts (unless disabled).
  absl::Status Reload();
  // Forgets past failures, in memory and in storage (an administrator enabled it).
  absl::Status ResetFailures();
  // Marks it kFailed with `reason`: it was disabled automatically before the server restarted.
  void RestoreAutoDisabled(const std::string& reason);

  // Runs one hook. UNAVAILABLE when not running or re-entered from its own hook,
  // DEADLINE_EXCEEDED when it did not answer by `deadline` (it is then restarted with backoff),
  // INTERNAL when it crashed or threw. The kHookResult frame otherwise.
  absl::StatusOr<plugin_wire::Frame> Call(plugin_wire::HookOp op, plugin_wire::Frame args,
                                          plugin_wire::Deadline deadline);
  // True when running and the plugin implements `op`.
  bool Serves(plugin_wire::HookOp op) const;

  // Detects a runner that died while idle, and performs a restart whose backoff has expired.
  void Poll();

  // Validates names against the manifest, stores the overrides and tells the plugin.
  absl::Status UpdateSettings(const std::map<std::string, std::string>& values);

  PluginInfo Info() const;

 private:
  std::map<std::string, std::string> EffectiveSettings() const;
  // Waits for the connection to be free (until `deadline`) and claims it.
  bool ClaimLocked(plugin_wire::Deadline deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a crash/hang/exception: drops the connection and schedules a restart or disables.
  std::unique_ptr<PluginConnection> FailLocked(const absl::Status& why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StartClaimed() ABSL_LOCKS_EXCLUDED(mu_);
  std::unique_ptr<PluginConnection> NewConnection(std::shared_ptr<HostCallHandler> handler) const;

  const std::string id_;
  const PluginSlotDeps deps_;
  mutable absl::Mutex mu_;
  PluginManifest manifest_ ABSL_GUARDED_BY(mu_);
  PluginState state_ ABSL_GUARDED_BY(mu_) = PluginState::kStopped;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<PluginConnection> connection_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<HostCallHandler> handler_ ABSL_GUARDED_BY(mu_);
  PluginHello hello_ ABSL_GUARDED_BY(mu_);
  RestartPolicy policy_ ABSL_GUARDED_BY(mu_);
  absl::Time next_restart_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int restarts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_SLOT_H_
