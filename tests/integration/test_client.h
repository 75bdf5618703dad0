// A user's connection to a meridiand under test: one gRPC channel, every service's stub and the
// session token, sent as "authorization: Bearer <token>" by Ctx().
#ifndef MERIDIAN_TESTS_INTEGRATION_TEST_CLIENT_H_
#define MERIDIAN_TESTS_INTEGRATION_TEST_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/events.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/plugins.grpc.pb.h"
#include "meridian/v1/search.grpc.pb.h"
#include "meridian/v1/users.grpc.pb.h"

namespace meridian::testing {

// The password every test account gets.
inline constexpr char kTestPassword[] = "correct horse battery";

struct TestClient {
  // `token` resumes a session (empty: not signed in yet).
  explicit TestClient(const std::string& address, std::string token = "");

  // A context with the token (when there is one) and a 30 s deadline.
  std::unique_ptr<grpc::ClientContext> Ctx() const;

  // Register / Login with kTestPassword; the token they return (empty on failure) is kept for
  // later calls.
  grpc::Status Register(const std::string& name);
  grpc::Status Login(const std::string& name);

  std::shared_ptr<grpc::Channel> channel;
  std::string token;
  std::unique_ptr<meridian::v1::AuthService::Stub> auth;
  std::unique_ptr<meridian::v1::ChannelService::Stub> channels;
  std::unique_ptr<meridian::v1::MessageService::Stub> messages;
  std::unique_ptr<meridian::v1::EventService::Stub> events;
  std::unique_ptr<meridian::v1::UserService::Stub> users;
  std::unique_ptr<meridian::v1::SearchService::Stub> search;
  std::unique_ptr<meridian::v1::PluginService::Stub> plugins;
};

}  // namespace meridian::testing

#endif  // MERIDIAN_TESTS_INTEGRATION_TEST_CLIENT_H_
