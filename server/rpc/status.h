// absl::Status <-> grpc::Status, and the caller's identity from request metadata.
#ifndef MERIDIAN_SERVER_RPC_STATUS_H_
#define MERIDIAN_SERVER_RPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "server/core/auth_service.h"

namespace meridian::rpc {

grpc::Status ToGrpc(const absl::Status& s);

// The token from "authorization: Bearer <token>"; empty when absent or malformed.
std::string BearerToken(const grpc::ServerContextBase& ctx);

// Authenticates the call; UNAUTHENTICATED with a hint when it carries no valid session.
absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& ctx, const AuthService& auth);

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_STATUS_H_
