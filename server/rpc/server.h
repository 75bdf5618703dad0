// Assembles meridiand's gRPC server: every service, health checking and reflection.
#ifndef MERIDIAN_SERVER_RPC_SERVER_H_
#define MERIDIAN_SERVER_RPC_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/core/core.h"

namespace meridian::rpc {

struct ServerOptions {
  // "host:port"; port 0 picks a free one (see RunningServer::port).
  std::string listen = "127.0.0.1:7800";
  // PEM files; when both are set the listener speaks TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
};

// A started server. Destroying it shuts it down (in-flight calls get a short grace period).
class RunningServer {
 public:
  virtual ~RunningServer() = default;
  virtual int port() const = 0;
  virtual void Wait() = 0;
  virtual void Shutdown() = 0;
};

// Starts serving `core` (borrowed; must outlive the returned server).
absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(Core& core,
                                                           const ServerOptions& options);

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_SERVER_H_
