#include "tests/integration/test_client.h"

#include <chrono>
#include <utility>

namespace meridian::testing {

namespace v1 = ::meridian::v1;

TestClient::TestClient(const std::string& address, std::string session)
    : channel(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
      token(std::move(session)),
      auth(v1::AuthService::NewStub(channel)),
      channels(v1::ChannelService::NewStub(channel)),
      messages(v1::MessageService::NewStub(channel)),
      events(v1::EventService::NewStub(channel)),
      users(v1::UserService::NewStub(channel)),
      search(v1::SearchService::NewStub(channel)),
      plugins(v1::PluginService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> TestClient::Ctx() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

namespace {

// Register and Login share their request and response shapes: name and password in, token out.
template <typename Request, typename Response>
grpc::Status SignIn(TestClient& client, const std::string& name,
                    grpc::Status (v1::AuthService::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                               Response*)) {
  Request req;
  req.set_name(name);
  req.set_password(kTestPassword);
  Response resp;
  auto ctx = client.Ctx();
  grpc::Status s = (client.auth.get()->*rpc)(ctx.get(), req, &resp);
  client.token = resp.token();  // empty after a failure
  return s;
}

}  // namespace

grpc::Status TestClient::Register(const std::string& name) {
  return SignIn(*this, name, &v1::AuthService::Stub::Register);
}

grpc::Status TestClient::Login(const std::string& name) {
  return SignIn(*this, name, &v1::AuthService::Stub::Login);
}

}  // namespace meridian::testing
