#ifndef MERIDIAN_CLIENTS_CLI_CONNECTION_H_
#define MERIDIAN_CLIENTS_CLI_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cli/cli_status.h"
#include "grpcpp/grpcpp.h"
#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/events.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/notifications.grpc.pb.h"
#include "meridian/v1/plugins.grpc.pb.h"
#include "meridian/v1/schedule.grpc.pb.h"
#include "meridian/v1/search.grpc.pb.h"
#include "meridian/v1/users.grpc.pb.h"

namespace meridian::cli {

// How the channel is secured: plaintext, or TLS that checks the server's certificate against the
// system's trusted roots or, when ca_file is set, against that PEM file only.
struct TransportSecurity {
  bool tls = false;
  std::string ca_file;  // non-empty implies tls
};

// Channel credentials for `security`; a usage error naming the file when the CA file cannot be
// read or holds no PEM certificate.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TransportSecurity& security);

// A gRPC channel to one Meridian server plus the session token sent as
// "authorization: Bearer <token>" on every call. Safe for concurrent use once constructed.
class Connection {
 public:
  // `target` is "host:port". An empty token sends no authorization (Register, Login).
  Connection(std::string target, std::string token,
             std::shared_ptr<grpc::ChannelCredentials> credentials);

  const std::string& target() const { return target_; }
  bool has_token() const { return !token_.empty(); }

  // A context carrying the token; `timeout` bounds the whole call (InfiniteDuration for streams).
  std::unique_ptr<grpc::ClientContext> NewContext(absl::Duration timeout) const;

  meridian::v1::AuthService::Stub& auth() { return *auth_; }
  meridian::v1::UserService::Stub& users() { return *users_; }
  meridian::v1::ChannelService::Stub& channels() { return *channels_; }
  meridian::v1::MessageService::Stub& messages() { return *messages_; }
  meridian::v1::EventService::Stub& events() { return *events_; }
  meridian::v1::PluginService::Stub& plugins() { return *plugins_; }
  meridian::v1::SearchService::Stub& search() { return *search_; }
  meridian::v1::ScheduleService::Stub& schedule() { return *schedule_; }
  meridian::v1::NotificationService::Stub& notifications() { return *notifications_; }

  // Runs one unary RPC with the default deadline and converts its status:
  //   ASSIGN_OR... auto resp = conn.Call(&MessageService::Stub::PostMessage, conn.messages(), req);
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                Stub& stub, const Request& request) const {
    std::unique_ptr<grpc::ClientContext> context = NewContext(kUnaryTimeout);
    Response response;
    grpc::Status status = (stub.*method)(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    return response;
  }

  static constexpr absl::Duration kUnaryTimeout = absl::Seconds(30);

 private:
  std::string target_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<meridian::v1::AuthService::Stub> auth_;
  std::unique_ptr<meridian::v1::UserService::Stub> users_;
  std::unique_ptr<meridian::v1::ChannelService::Stub> channels_;
  std::unique_ptr<meridian::v1::MessageService::Stub> messages_;
  std::unique_ptr<meridian::v1::EventService::Stub> events_;
  std::unique_ptr<meridian::v1::PluginService::Stub> plugins_;
  std::unique_ptr<meridian::v1::SearchService::Stub> search_;
  std::unique_ptr<meridian::v1::ScheduleService::Stub> schedule_;
  std::unique_ptr<meridian::v1::NotificationService::Stub> notifications_;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_CONNECTION_H_
