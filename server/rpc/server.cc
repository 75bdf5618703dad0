#include "server/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "server/rpc/async_handlers.h"
#include "server/rpc/handlers.h"
#include "server/rpc/plugin_handlers.h"
#include "server/rpc/search_handler.h"
#include "server/rpc/subscribe_reactor.h"

namespace meridian::rpc {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GrpcServer final : public RunningServer {
 public:
  explicit GrpcServer(Core& core)
      : auth_(core),
        users_(core),
        channels_(core),
        messages_(core),
        events_(core),
        plugins_(core),
        schedule_(core),
        notifications_(core),
        search_(core) {}
  ~GrpcServer() override { Shutdown(); }

  absl::Status Start(const ServerOptions& options) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
      if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
        return absl::InvalidArgumentError("TLS needs both tls.cert_file and tls.key_file");
      }
      auto cert = ReadFile(options.tls_cert_file);
      if (!cert.ok()) return cert.status();
      auto key = ReadFile(options.tls_key_file);
      if (!key.ok()) return key.status();
      grpc::SslServerCredentialsOptions ssl;
      ssl.pem_key_cert_pairs.push_back({*key, *cert});
      creds = grpc::SslServerCredentials(ssl);
    }
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.listen, creds, &port_);
    builder.RegisterService(&auth_);
    builder.RegisterService(&users_);
    builder.RegisterService(&channels_);
    builder.RegisterService(&messages_);
    builder.RegisterService(&events_);
    builder.RegisterService(&plugins_);
    builder.RegisterService(&schedule_);
    builder.RegisterService(&notifications_);
    builder.RegisterService(&search_);
    builder.SetMaxReceiveMessageSize(4 << 20);
    // The unary handlers are synchronous and a write blocks its thread for a group commit. With
    // gRPC's default of at most 2 idle pollers, the sync thread manager then creates and joins a
    // thread for nearly every concurrent request: under 256 posters perf showed about a quarter
    // of meridiand's CPU in clone3, munmap of thread stacks and CleanupCompletedThreads. Keeping
    // finished threads parked as pollers (up to 256) removes that churn.
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 256);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.listen, " (in use, or not a local address?)"));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  void Wait() override { server_->Wait(); }
  void Shutdown() override {
    if (server_ && !shut_down_) {
      shut_down_ = true;
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    }
  }

 private:
  AuthHandler auth_;
  UserHandler users_;
  ChannelHandler channels_;
  MessageHandler messages_;
  EventHandler events_;
  PluginHandler plugins_;
  ScheduleHandler schedule_;
  NotificationHandler notifications_;
  SearchHandler search_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(Core& core,
                                                           const ServerOptions& options) {
  auto server = std::make_unique<GrpcServer>(core);
  if (auto s = server->Start(options); !s.ok()) return s;
  return std::unique_ptr<RunningServer>(std::move(server));
}

}  // namespace meridian::rpc
