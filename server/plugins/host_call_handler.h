// Serves one plugin's host calls (kHostCall frames, whichever mode the plugin runs in) against
// the plugin's KV namespace, its settings, the registry and the server's PluginServices.
#ifndef MERIDIAN_SERVER_PLUGINS_HOST_CALL_HANDLER_H_
#define MERIDIAN_SERVER_PLUGINS_HOST_CALL_HANDLER_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "plugins/runner/wire.h"
#include "server/common/clock.h"
#include "server/plugins/host_registry.h"
#include "server/plugins/plugin_kv_store.h"
#include "server/plugins/plugin_services.h"

namespace meridian::plugins {

// The MERIDIAN_ERR_* code for an absl status.
int32_t ToPluginCode(const absl::Status& status);

// Safe for concurrent use. Every pointer must outlive it.
class HostCallHandler {
 public:
  HostCallHandler(std::string plugin_id, PluginKvStore* kv, PluginServices* services,
                  HostRegistry* registry, const Clock* clock)
      : plugin_id_(std::move(plugin_id)),
        kv_(kv),
        services_(services),
        registry_(registry),
        clock_(clock) {}

  // The plugin's effective settings (manifest defaults with overrides applied).
  void SetSettings(std::map<std::string, std::string> settings);

  // Answers one kHostCall with its kHostReply; unknown ops get MERIDIAN_ERR_UNIMPLEMENTED.
  plugin_wire::Frame Handle(const plugin_wire::Frame& call);

 private:
  const std::string plugin_id_;
  PluginKvStore* kv_;
  PluginServices* services_;
  HostRegistry* registry_;
  const Clock* clock_;
  absl::Mutex mu_;
  std::map<std::string, std::string> settings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_HOST_CALL_HANDLER_H_
