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
// Names ending in this are reserved for plugins' bot users; people cannot register them.
inline constexpr absl::string_view kBotNameSuffix = "-bot";
// The name of plugin `plugin_id`'s bot user: "<plugin_id>-bot".
std::string BotUserName(absl::string_view plugin_id);

// Writes a new account inside `txn`: allocates its id, sets it and the creation time in `*rec`,
// stores the record, indexes its name and emits USER_CREATED; `dir` learns of it when the change
// applies. The caller has checked, in the same txn, that rec->user().name() is valid and free.
// Returns the new id.
uint64_t AddUser(Txn& txn, Directory& dir, internal::UserRecord* rec);
// OK for "" (UTC) or a zone the system tzdata knows.
absl::Status ValidateTimeZone(absl::string_view tz);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_AUTH_SERVICE_H_
