// A plugin isolated in its own meridian-plugin-runner process, reached over a socketpair.
#ifndef MERIDIAN_SERVER_PLUGINS_RUNNER_CONNECTION_H_
#define MERIDIAN_SERVER_PLUGINS_RUNNER_CONNECTION_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "server/plugins/host_call_handler.h"
#include "server/plugins/plugin_connection.h"

namespace meridian::plugins {

// Not safe for concurrent use (see PluginConnection).
class RunnerConnection final : public PluginConnection {
 public:
  RunnerConnection(std::string runner_path, std::string plugin_id, std::string library_path,
                   std::shared_ptr<HostCallHandler> handler);
  // Closes the socket (the runner exits on EOF), waits briefly, then SIGKILLs it.
  ~RunnerConnection() override;

  absl::StatusOr<PluginHello> Start(plugin_wire::Deadline deadline) override;
  absl::StatusOr<plugin_wire::Frame> Call(const plugin_wire::Frame& hook,
                                          plugin_wire::Deadline deadline) override;
  absl::Status CheckAlive() override;
  bool Restartable() const override { return true; }

  pid_t pid() const { return pid_; }

 private:
  // Reads frames until one of type `want`, serving host calls meanwhile.
  absl::StatusOr<plugin_wire::Frame> Await(plugin_wire::FrameType want,
                                           plugin_wire::Deadline deadline);
  // Kills and reaps the child; returns how it ended ("killed by signal 11 (...)").
  std::string Terminate(bool kill_now);

  const std::string runner_path_;
  const std::string plugin_id_;
  const std::string library_path_;
  std::shared_ptr<HostCallHandler> handler_;
  int fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_RUNNER_CONNECTION_H_
