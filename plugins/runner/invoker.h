// Runs one kHookCall frame against a loaded plugin and produces its kHookResult frame. Shared by
// the runner and the host's in-process mode. C++ exceptions escaping a hook are caught here, the
// boundary, and reported as HookOutcome::kException.
#ifndef MERIDIAN_PLUGINS_RUNNER_INVOKER_H_
#define MERIDIAN_PLUGINS_RUNNER_INVOKER_H_

#include "meridian/plugin.h"
#include "plugins/runner/wire.h"

namespace meridian::plugin_runtime {

// Never throws. A hook the plugin does not implement yields HookOutcome::kNotImplemented.
plugin_wire::Frame InvokeHook(const meridian_plugin& plugin, const meridian_host* host,
                              const plugin_wire::Frame& call);

}  // namespace meridian::plugin_runtime

#endif  // MERIDIAN_PLUGINS_RUNNER_INVOKER_H_
