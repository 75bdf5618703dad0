// The meridian_host function table handed to a plugin, implemented by turning every call into a
// kHostCall frame for a HostTransport. The runner's transport writes the frame to the host's
// socket; the host's in-process mode dispatches it directly. Either way one code path marshals
// the C ABI, so both modes behave identically.
#ifndef MERIDIAN_PLUGINS_RUNNER_HOST_TABLE_H_
#define MERIDIAN_PLUGINS_RUNNER_HOST_TABLE_H_

#include <string>

#include "meridian/plugin.h"
#include "plugins/runner/wire.h"

// Defined here (the ABI leaves it opaque): what a hook returns through host->reply_set.
struct meridian_reply {
  std::string data;
  bool set = false;
};

namespace meridian::plugin_runtime {

// Carries one host call to the host and brings back its kHostReply frame.
class HostTransport {
 public:
  virtual ~HostTransport() = default;
  // False when the host cannot be reached; the plugin then sees MERIDIAN_ERR_UNAVAILABLE.
  virtual bool Call(const plugin_wire::Frame& request, plugin_wire::Frame* reply) = 0;
};

// Owns one meridian_host table. Not safe for concurrent use (the ABI allows host calls only on
// the thread running a hook). `transport` must outlive it.
class HostTable {
 public:
  HostTable(std::string plugin_id, HostTransport* transport);
  HostTable(const HostTable&) = delete;
  HostTable& operator=(const HostTable&) = delete;

  const meridian_host* host() const { return &table_; }

 private:
  friend struct HostTableFns;
  std::string plugin_id_;
  HostTransport* transport_;
  meridian_host table_;
};

}  // namespace meridian::plugin_runtime

#endif  // MERIDIAN_PLUGINS_RUNNER_HOST_TABLE_H_
