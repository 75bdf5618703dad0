// One running instance of a plugin, as the manager talks to it: a meridian-plugin-runner child
// process (RunnerConnection) or the library loaded into the server (InProcessConnection). Both
// carry hook calls as plugins/runner/wire.h frames and serve the plugin's host calls through a
// HostCallHandler on the calling thread while a call is outstanding.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_CONNECTION_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_CONNECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/runner/wire.h"

namespace meridian::plugins {

// What the plugin declared in the handshake.
struct PluginHello {
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  uint32_t min_host_minor = 0;
  uint32_t hook_mask = 0;  // plugin_wire::HookBit(op) per implemented hook
};

// Not safe for concurrent use: the manager issues one call at a time. Destruction stops the
// plugin (the caller sends kDeactivate first for a clean stop).
class PluginConnection {
 public:
  virtual ~PluginConnection() = default;

  // Loads the plugin and performs the handshake. FAILED_PRECONDITION carries the loader's
  // refusal (wrong ABI, no entry symbol...) and is permanent; UNAVAILABLE or DEADLINE_EXCEEDED
  // mean it crashed or hung while loading.
  virtual absl::StatusOr<PluginHello> Start(plugin_wire::Deadline deadline) = 0;

  // Runs one kHookCall and returns its kHookResult. DEADLINE_EXCEEDED when the plugin did not
  // answer in time, UNAVAILABLE when it died; after either the connection is unusable.
  virtual absl::StatusOr<plugin_wire::Frame> Call(const plugin_wire::Frame& hook,
                                                  plugin_wire::Deadline deadline) = 0;

  // Non-OK (UNAVAILABLE, with the reason) when the plugin died while idle.
  virtual absl::Status CheckAlive() = 0;

  // False when a hung call cannot be interrupted (in-process), so restarting is unsafe.
  virtual bool Restartable() const = 0;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_CONNECTION_H_
