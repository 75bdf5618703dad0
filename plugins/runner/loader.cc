#include "plugins/runner/loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include "plugins/runner/wire.h"

namespace meridian::plugin_runtime {

using plugin_wire::HookBit;
using plugin_wire::HookOp;

LoadedPlugin::~LoadedPlugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

uint32_t LoadedPlugin::hook_mask() const {
  uint32_t mask = 0;
  if (plugin_.activate) mask |= HookBit(HookOp::kActivate);
  if (plugin_.deactivate) mask |= HookBit(HookOp::kDeactivate);
  if (plugin_.configuration_changed) mask |= HookBit(HookOp::kConfigurationChanged);
  if (plugin_.message_will_be_posted) mask |= HookBit(HookOp::kMessageWillBePosted);
  if (plugin_.message_posted) mask |= HookBit(HookOp::kMessagePosted);
  if (plugin_.slash_command) mask |= HookBit(HookOp::kSlashCommand);
  if (plugin_.timer_fired) mask |= HookBit(HookOp::kTimerFired);
  if (plugin_.endpoint_invoked) mask |= HookBit(HookOp::kEndpointInvoked);
  if (plugin_.notification_will_be_sent) mask |= HookBit(HookOp::kNotificationWillBeSent);
  return mask;
}

std::string ValidateDescriptor(const meridian_plugin* p, int32_t* code) {
  *code = MERIDIAN_ERR_VERSION_MISMATCH;
  if (p == nullptr) {
    *code = MERIDIAN_ERR_INVALID_ARGUMENT;
    return "meridian_plugin_entry returned OK but no descriptor";
  }
  if (p->struct_size < kPluginStructSizeV1_0) {
    return "descriptor struct_size " + std::to_string(p->struct_size) +
           " is smaller than ABI 1.0's " + std::to_string(kPluginStructSizeV1_0) +
           "; the plugin is corrupt or was not built with meridian/plugin.h";
  }
  if (p->abi_major != MERIDIAN_PLUGIN_ABI_MAJOR) {
    return "plugin was built for plugin ABI major version " + std::to_string(p->abi_major) +
           " but this server speaks major version " + std::to_string(MERIDIAN_PLUGIN_ABI_MAJOR) +
           "; rebuild the plugin against this server's meridian/plugin.h";
  }
  if (p->min_host_minor > p->abi_minor) {
    *code = MERIDIAN_ERR_INVALID_ARGUMENT;
    return "descriptor min_host_minor " + std::to_string(p->min_host_minor) +
           " is newer than its own abi_minor " + std::to_string(p->abi_minor);
  }
  if (p->min_host_minor > MERIDIAN_PLUGIN_ABI_MINOR) {
    return "plugin requires plugin ABI " + std::to_string(p->abi_major) + "." +
           std::to_string(p->min_host_minor) + " or newer but this server offers " +
           std::to_string(MERIDIAN_PLUGIN_ABI_MAJOR) + "." +
           std::to_string(MERIDIAN_PLUGIN_ABI_MINOR) + "; upgrade the server";
  }
  *code = MERIDIAN_OK;
  return "";
}

std::unique_ptr<LoadedPlugin> LoadedPlugin::Load(const std::string& path, const meridian_host* host,
                                                 std::string* error, int32_t* code) {
  // RTLD_LOCAL keeps one plugin's symbols from resolving another's.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    *error = "cannot load " + path + ": " + (why ? why : "unknown error");
    *code = MERIDIAN_ERR_NOT_FOUND;
    return nullptr;
  }
  void* sym = dlsym(handle, MERIDIAN_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    dlclose(handle);
    *error = path + " does not export " MERIDIAN_PLUGIN_ENTRY_SYMBOL
                    "; it is not a Meridian plugin (define the entry with MERIDIAN_PLUGIN_EXPORT)";
    *code = MERIDIAN_ERR_NOT_FOUND;
    return nullptr;
  }
  auto entry = reinterpret_cast<meridian_plugin_entry_fn>(sym);
  const meridian_plugin* descriptor = nullptr;
  int32_t rc = MERIDIAN_ERR_INTERNAL;
  try {
    rc = entry(host, &descriptor);
  } catch (...) {
    dlclose(handle);
    *error = "meridian_plugin_entry threw a C++ exception";
    *code = MERIDIAN_ERR_INTERNAL;
    return nullptr;
  }
  if (rc != MERIDIAN_OK) {
    dlclose(handle);
    *error = "meridian_plugin_entry refused to load (status " + std::to_string(rc) + ")";
    *code = rc;
    return nullptr;
  }
  *error = ValidateDescriptor(descriptor, code);
  if (!error->empty()) {
    dlclose(handle);
    return nullptr;
  }
  meridian_plugin copy;
  std::memset(&copy, 0, sizeof(copy));
  std::memcpy(&copy, descriptor, std::min<size_t>(descriptor->struct_size, sizeof(copy)));
  return std::unique_ptr<LoadedPlugin>(new LoadedPlugin(handle, copy));
}

}  // namespace meridian::plugin_runtime
