// Loads a plugin library and performs the ABI handshake. Shared by meridian-plugin-runner and the
// host's in-process mode so that both accept and refuse exactly the same plugins.
#ifndef MERIDIAN_PLUGINS_RUNNER_LOADER_H_
#define MERIDIAN_PLUGINS_RUNNER_LOADER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "meridian/plugin.h"

namespace meridian::plugin_runtime {

// Size of meridian_plugin as first released (ABI 1.0); smaller descriptors are refused.
inline constexpr uint32_t kPluginStructSizeV1_0 =
    offsetof(meridian_plugin, notification_will_be_sent) + sizeof(void*);

// A loaded plugin library. Not safe for concurrent use. Closing it (destruction) unloads the
// library; the caller calls deactivate first.
class LoadedPlugin {
 public:
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // The descriptor, copied into this host's layout: fields the plugin's (older, smaller) struct
  // lacks are zero, fields its (newer, larger) struct adds beyond ours are ignored.
  const meridian_plugin& plugin() const { return plugin_; }
  // Bit HookBit(op) set for each hook the plugin implements.
  uint32_t hook_mask() const;

  // Opens `path`, calls its entry with `host` and validates the descriptor. On refusal returns
  // null and sets *error to a sentence an administrator can act on; *code to a MERIDIAN_ERR_*.
  static std::unique_ptr<LoadedPlugin> Load(const std::string& path, const meridian_host* host,
                                            std::string* error, int32_t* code);

 private:
  LoadedPlugin(void* handle, const meridian_plugin& plugin) : handle_(handle), plugin_(plugin) {}
  void* handle_;
  meridian_plugin plugin_;
};

// Checks a descriptor against this host's ABI; empty when acceptable, else the reason.
std::string ValidateDescriptor(const meridian_plugin* plugin, int32_t* code);

}  // namespace meridian::plugin_runtime

#endif  // MERIDIAN_PLUGINS_RUNNER_LOADER_H_
