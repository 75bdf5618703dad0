#include "server/rpc/status.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace meridian::rpc {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

std::string BearerToken(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || !absl::StartsWithIgnoreCase(value, kBearer)) return "";
  return std::string(value.substr(kBearer.size()));
}

absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& ctx, const AuthService& auth) {
  return auth.Authenticate(BearerToken(ctx));
}

}  // namespace meridian::rpc
