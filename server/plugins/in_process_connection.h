// A trusted plugin loaded into the server process: no isolation from crashes, but no process
// hop either. Hooks run on a worker thread owned by the connection so that the caller still
// waits no longer than the deadline; C++ exceptions are caught at the boundary (InvokeHook).
// A hook that hangs cannot be interrupted: the connection is abandoned (its thread and library
// leak until the hook returns) and Restartable() turns false.
#ifndef MERIDIAN_SERVER_PLUGINS_IN_PROCESS_CONNECTION_H_
#define MERIDIAN_SERVER_PLUGINS_IN_PROCESS_CONNECTION_H_

#include <memory>
#include <string>
#include <thread>

#include "server/plugins/host_call_handler.h"
#include "server/plugins/plugin_connection.h"

namespace meridian::plugins {

// Not safe for concurrent use (see PluginConnection).
class InProcessConnection final : public PluginConnection {
 public:
  InProcessConnection(std::string plugin_id, std::string library_path,
                      std::shared_ptr<HostCallHandler> handler);
  ~InProcessConnection() override;

  absl::StatusOr<PluginHello> Start(plugin_wire::Deadline deadline) override;
  absl::StatusOr<plugin_wire::Frame> Call(const plugin_wire::Frame& hook,
                                          plugin_wire::Deadline deadline) override;
  absl::Status CheckAlive() override;
  bool Restartable() const override { return !wedged_; }

  struct Worker;  // shared with the worker thread, which may outlive this object

 private:
  const std::string plugin_id_;
  const std::string library_path_;
  std::shared_ptr<Worker> worker_;
  std::thread thread_;
  bool wedged_ = false;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_IN_PROCESS_CONNECTION_H_
