// absl::Status <-> grpc::Status, and the caller's identity from request metadata.
#ifndef MERIDIAN_SERVER_RPC_STATUS_H_
#define MERIDIAN_SERVER_RPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "server/core/auth_service.h"
#include "server/core/core.h"

namespace meridian::rpc {

grpc::Status ToGrpc(const absl::Status& s);

// The token from "authorization: Bearer <token>"; empty when absent or malformed.
std::string BearerToken(const grpc::ServerContextBase& ctx);

// Authenticates the call; UNAUTHENTICATED with a hint when it carries no valid session.
absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& ctx, const AuthService& auth);

// Runs `fn(caller)` for an authenticated call and maps its absl::Status: the whole body of a
// unary handler.
template <typename Fn>
grpc::Status Authed(grpc::ServerContext* ctx, Core& core, Fn&& fn) {
  auto caller = Authenticate(*ctx, core.auth());
  if (!caller.ok()) return ToGrpc(caller.status());
  return ToGrpc(fn(*caller));
}

// Moves a StatusOr's value into *out.
template <typename T>
absl::Status Into(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_STATUS_H_
