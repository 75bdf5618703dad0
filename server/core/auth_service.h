// Accounts and sessions: Argon2id password hashes, 256-bit random session tokens of which only
// a SHA-256 hash is stored, revocation that takes effect on the next call.
#ifndef MERIDIAN_SERVER_CORE_AUTH_SERVICE_H_
#define MERIDIAN_SERVER_CORE_AUTH_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "meridian/v1/auth.pb.h"
#include "server/core/service_env.h"

namespace meridian {

// Safe for concurrent use.
class AuthService {
 public:
  explicit AuthService(ServiceEnv env) : env_(env) {}

  absl::StatusOr<v1::RegisterResponse> Register(const v1::RegisterRequest& req);
  absl::StatusOr<v1::LoginResponse> Login(const v1::LoginRequest& req);
  absl::Status Logout(absl::string_view token);
  // UNAUTHENTICATED for a missing, unknown or revoked token or a deactivated user.
  absl::StatusOr<Caller> Authenticate(absl::string_view token) const;

  // Creates a session for `user` inside `txn`; returns the token (plugins' bots use it too).
  std::string CreateSession(Txn& txn, uint64_t user);

 private:
  std::string HashPassword(absl::string_view password) const;
  ServiceEnv env_;
};

// Name rules shared by users: 1..32 of [a-z0-9._-], starting with a letter or digit.
absl::Status ValidateUserName(absl::string_view name);
// OK for "" (UTC) or a zone the system tzdata knows.
absl::Status ValidateTimeZone(absl::string_view tz);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_AUTH_SERVICE_H_
