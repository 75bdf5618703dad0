#include "clients/cli/connection.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace meridian::cli {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TransportSecurity& security) {
  if (!security.tls && security.ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!security.ca_file.empty()) {
    std::ifstream in(security.ca_file);
    if (!in) {
      return UsageError(
          absl::StrCat("cannot read the CA file ", security.ca_file, ": ", std::strerror(errno)));
    }
    std::stringstream pem;
    pem << in.rdbuf();
    if (pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return UsageError(absl::StrCat("the CA file ", security.ca_file,
                                     " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    options.pem_root_certs = pem.str();
  }
  return grpc::SslCredentials(options);
}

Connection::Connection(std::string target, std::string token,
                       std::shared_ptr<grpc::ChannelCredentials> credentials)
    : target_(std::move(target)), token_(std::move(token)) {
  grpc::ChannelArguments args;
  // gRPC's own reconnect backoff grows to two minutes by default; `tail` must notice a restarted
  // server within seconds, and it has its own backoff on top.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 4000);
  // Detects a silently vanished server on a long-lived stream. Five minutes is what a default
  // gRPC server permits without answering GOAWAY "too_many_pings".
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5 * 60 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  channel_ = grpc::CreateCustomChannel(target_, std::move(credentials), args);
  auth_ = meridian::v1::AuthService::NewStub(channel_);
  users_ = meridian::v1::UserService::NewStub(channel_);
  channels_ = meridian::v1::ChannelService::NewStub(channel_);
  messages_ = meridian::v1::MessageService::NewStub(channel_);
  events_ = meridian::v1::EventService::NewStub(channel_);
  plugins_ = meridian::v1::PluginService::NewStub(channel_);
  search_ = meridian::v1::SearchService::NewStub(channel_);
  schedule_ = meridian::v1::ScheduleService::NewStub(channel_);
  notifications_ = meridian::v1::NotificationService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext(absl::Duration timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  if (timeout != absl::InfiniteDuration()) {
    context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  }
  return context;
}

}  // namespace meridian::cli
