#include "server/core/auth_service.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/proto_time.h"
#include "storage/keys.h"

namespace meridian {
namespace {

constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;
constexpr absl::string_view kTokenPrefix = "mrd_";

std::string Sha256(absl::string_view in) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // OpenSSL's CSPRNG failing means the process cannot issue secrets at all.
    std::abort();
  }
  return out;
}

bool VerifyPassword(const std::string& encoded, absl::string_view password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

absl::Status ValidatePassword(absl::string_view password) {
  if (password.size() < kMinPassword) {
    return absl::InvalidArgumentError(
        absl::StrCat("password is too short: use at least ", kMinPassword, " characters"));
  }
  if (password.size() > kMaxPassword) {
    return absl::InvalidArgumentError("password is longer than 1024 bytes");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateUserName(absl::string_view name) {
  if (name.empty() || name.size() > 32) {
    return absl::InvalidArgumentError("name must be 1 to 32 characters");
  }
  if (!absl::ascii_isalnum(name[0])) {
    return absl::InvalidArgumentError("name must start with a letter or digit");
  }
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "name \"", name, "\" may contain only lowercase letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

std::string BotUserName(absl::string_view plugin_id) {
  return absl::StrCat(plugin_id, kBotNameSuffix);
}

uint64_t AddUser(Txn& txn, Directory& dir, internal::UserRecord* rec) {
  const uint64_t id = dir.AllocateUserId();
  v1::User* u = rec->mutable_user();
  u->set_id(UserIdString(id));
  SetTimestamp(u->mutable_create_time(), txn.now());
  txn.batch().Put(storage::Cf::kUsers, storage::keys::User(id), rec->SerializeAsString());
  std::string id_bytes;
  storage::AppendU64(&id_bytes, id);
  txn.batch().Put(storage::Cf::kUsers, storage::keys::UserName(u->name()), id_bytes);
  internal::EventRecord ev;
  ev.mutable_event()->set_type(v1::EVENT_TYPE_USER_CREATED);
  ev.mutable_event()->set_actor_id(u->id());
  *ev.mutable_event()->mutable_user() = *u;
  txn.Emit(std::move(ev));
  txn.OnApplied([&dir, id, stored = *rec] { dir.PutUser(id, stored); });
  return id;
}

absl::Status ValidateTimeZone(absl::string_view tz) {
  if (tz.empty()) return absl::OkStatus();
  absl::TimeZone zone;
  if (tz.size() > 64 || !absl::LoadTimeZone(std::string(tz), &zone)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown time zone \"", tz.substr(0, 64),
                                                   "\"; use an IANA name like Europe/Berlin"));
  }
  return absl::OkStatus();
}

std::string AuthService::HashPassword(absl::string_view password) const {
  std::string salt = RandomBytes(16);
  const uint32_t t = env_.limits.argon2_passes, m = env_.limits.argon2_memory_kib, p = 1;
  size_t len = argon2_encodedlen(t, m, p, salt.size(), 32, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(t, m, p, password.data(), password.size(), salt.data(),
                                 salt.size(), 32, encoded.data(), len);
  if (rc != ARGON2_OK) std::abort();  // only fails on invalid parameters, which are ours
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

std::string AuthService::CreateSession(Txn& txn, uint64_t user) {
  std::string token = absl::StrCat(kTokenPrefix, absl::WebSafeBase64Escape(RandomBytes(32)));
  std::string hash = Sha256(token);
  internal::SessionRecord rec;
  rec.set_user_id(user);
  rec.set_create_us(ToMicros(txn.now()));
  txn.batch().Put(storage::Cf::kSessions, storage::keys::Session(hash), rec.SerializeAsString());
  txn.OnApplied([dir = &env_.dir, hash, user] { dir->PutSession(hash, user); });
  return token;
}

absl::StatusOr<v1::RegisterResponse> AuthService::Register(const v1::RegisterRequest& req) {
  std::string name = absl::AsciiStrToLower(req.name());
  if (!name.empty() && name[0] == '@') name.erase(0, 1);
  RETURN_IF_ERROR(ValidateUserName(name));
  if (absl::EndsWith(name, kBotNameSuffix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("name \"", name, "\" ends in \"", kBotNameSuffix,
                     "\", which is reserved for plugins' bot users; choose another name"));
  }
  RETURN_IF_ERROR(ValidatePassword(req.password()));
  RETURN_IF_ERROR(ValidateText(req.display_name(), "display_name", 128, /*allow_empty=*/true));
  RETURN_IF_ERROR(ValidateTimeZone(req.time_zone()));
  // Hashing is deliberately slow, so it happens before the writer thread is involved.
  std::string password_hash = HashPassword(req.password());

  return env_.committer.Run<v1::RegisterResponse>(
      [&](Txn& txn) -> absl::StatusOr<v1::RegisterResponse> {
        if (env_.dir.UserIdByName(name)) {
          return absl::AlreadyExistsError(absl::StrCat("the name @", name, " is taken"));
        }
        internal::UserRecord rec;
        v1::User* u = rec.mutable_user();
        u->set_name(name);
        u->set_display_name(req.display_name().empty() ? name : req.display_name());
        u->set_time_zone(req.time_zone());
        u->set_is_admin(env_.dir.user_count() == 0);  // the first account administers the server
        rec.set_password_hash(password_hash);
        const uint64_t id = AddUser(txn, env_.dir, &rec);
        v1::RegisterResponse resp;
        *resp.mutable_user() = rec.user();
        resp.set_token(CreateSession(txn, id));
        return resp;
      });
}

absl::StatusOr<v1::LoginResponse> AuthService::Login(const v1::LoginRequest& req) {
  const auto denied = absl::UnauthenticatedError("wrong name or password");
  std::string name = absl::AsciiStrToLower(req.name());
  if (!name.empty() && name[0] == '@') name.erase(0, 1);
  auto id = env_.dir.UserIdByName(name);
  if (!id) return denied;
  auto rec = env_.dir.User(*id);
  if (!rec || !VerifyPassword(rec->password_hash(), req.password())) return denied;
  if (rec->user().deactivated()) return absl::PermissionDeniedError("this account is deactivated");
  return env_.committer.Run<v1::LoginResponse>([&](Txn& txn) -> absl::StatusOr<v1::LoginResponse> {
    v1::LoginResponse resp;
    *resp.mutable_user() = rec->user();
    resp.set_token(CreateSession(txn, *id));
    return resp;
  });
}

absl::Status AuthService::Logout(absl::string_view token) {
  std::string hash = Sha256(token);
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    if (!env_.dir.SessionUser(hash)) return absl::UnauthenticatedError("not logged in");
    txn.batch().Delete(storage::Cf::kSessions, storage::keys::Session(hash));
    txn.OnApplied([dir = &env_.dir, hash] { dir->RemoveSession(hash); });
    return absl::OkStatus();
  });
}

absl::StatusOr<Caller> AuthService::Authenticate(absl::string_view token) const {
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "missing credentials: send \"authorization: Bearer <token>\" (run `meridian login`)");
  }
  auto user = env_.dir.SessionUser(Sha256(token));
  if (!user) {
    return absl::UnauthenticatedError("session token is invalid or revoked; log in again");
  }
  auto rec = env_.dir.User(*user);
  if (!rec || rec->user().deactivated()) {
    return absl::UnauthenticatedError("this account is deactivated");
  }
  return Caller{*user, rec->user().is_admin()};
}

}  // namespace meridian
