#include "clients/cli/credentials_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace meridian::cli {
namespace {

constexpr char kFileName[] = "credentials.json";

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  int saved = errno;
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(saved)));
}

// mkdir -p with mode 0700 for the last component; an existing leaf is tightened to 0700 since
// it only ever holds our secrets.
absl::Status EnsurePrivateDir(const std::string& dir) {
  for (size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    std::string parent = dir.substr(0, slash);
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("create directory", parent);
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoError("create directory", dir);
  }
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoError("set permissions of", dir);
  return absl::OkStatus();
}

bool GetString(const nlohmann::json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

absl::StatusOr<std::string> ResolveConfigDir(const Environment& env) {
  if (auto dir = env.Get("MERIDIAN_CONFIG_DIR"); dir && !dir->empty()) return *dir;
  if (auto xdg = env.Get("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    return absl::StrCat(*xdg, "/meridian");
  }
  if (auto home = env.Get("HOME"); home && !home->empty()) {
    return absl::StrCat(*home, "/.config/meridian");
  }
  return absl::FailedPreconditionError(
      "cannot find a configuration directory: set HOME, XDG_CONFIG_HOME or MERIDIAN_CONFIG_DIR");
}

CredentialsStore::CredentialsStore(std::string dir) : dir_(std::move(dir)) {}

std::string CredentialsStore::path() const { return absl::StrCat(dir_, "/", kFileName); }

absl::StatusOr<Credentials> CredentialsStore::Load() const {
  const std::string file = path();
  std::ifstream in(file);
  if (!in) {
    if (errno == ENOENT) return Credentials{};
    return ErrnoError("read", file);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json root = nlohmann::json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  auto corrupt = [&] {
    return absl::FailedPreconditionError(
        absl::StrCat("credentials file ", file, " is damaged; delete it and log in again"));
  };
  if (root.is_discarded() || !root.is_object()) return corrupt();
  Credentials credentials;
  if (!GetString(root, "current_server", credentials.current_server)) return corrupt();
  if (auto sessions = root.find("sessions"); sessions != root.end()) {
    if (!sessions->is_object()) return corrupt();
    for (const auto& [server, value] : sessions->items()) {
      if (!value.is_object()) return corrupt();
      Session session;
      if (!GetString(value, "token", session.token) ||
          !GetString(value, "user_id", session.user_id) ||
          !GetString(value, "user_name", session.user_name) ||
          !GetString(value, "ca_file", session.ca_file)) {
        return corrupt();
      }
      if (auto tls = value.find("tls"); tls != value.end()) {
        if (!tls->is_boolean()) return corrupt();
        session.tls = tls->get<bool>();
      }
      credentials.sessions[server] = std::move(session);
    }
  }
  return credentials;
}

absl::Status CredentialsStore::Save(const Credentials& credentials) const {
  if (absl::Status s = EnsurePrivateDir(dir_); !s.ok()) return s;
  nlohmann::json root = nlohmann::json::object();
  root["current_server"] = credentials.current_server;
  nlohmann::json sessions = nlohmann::json::object();
  for (const auto& [server, session] : credentials.sessions) {
    nlohmann::json entry = {
        {"token", session.token}, {"user_id", session.user_id}, {"user_name", session.user_name}};
    if (session.tls) entry["tls"] = true;
    if (!session.ca_file.empty()) entry["ca_file"] = session.ca_file;
    sessions[server] = std::move(entry);
  }
  root["sessions"] = std::move(sessions);
  const std::string text =
      root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  // The temp file is created 0600 from the start, so the token is never readable by others.
  const std::string final_path = path();
  const std::string temp_path = absl::StrCat(final_path, ".tmp.", ::getpid());
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("create", temp_path);
  absl::Status status = absl::OkStatus();
  if (::fchmod(fd, 0600) != 0) status = ErrnoError("set permissions of", temp_path);
  size_t written = 0;
  while (status.ok() && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoError("write", temp_path);
    } else {
      written += static_cast<size_t>(n);
    }
  }
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoError("sync", temp_path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoError("close", temp_path);
  if (status.ok() && ::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    status = ErrnoError("replace", final_path);
  }
  if (!status.ok()) ::unlink(temp_path.c_str());
  return status;
}

}  // namespace meridian::cli
