#ifndef MERIDIAN_CLIENTS_CLI_CREDENTIALS_STORE_H_
#define MERIDIAN_CLIENTS_CLI_CREDENTIALS_STORE_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cli/environment.h"

namespace meridian::cli {

// One logged-in session on one server.
struct Session {
  std::string token;
  std::string user_id;
  std::string user_name;
  // How the server was reached at login; later commands reach it the same way.
  bool tls = false;
  std::string ca_file;
};

// Everything `meridian` remembers between runs: one session per server address, and the server
// used last (the default when neither --server nor MERIDIAN_SERVER is given).
struct Credentials {
  std::string current_server;
  std::map<std::string, Session> sessions;  // by server address "host:port"
};

// The directory holding credentials.json: $MERIDIAN_CONFIG_DIR, else $XDG_CONFIG_HOME/meridian,
// else $HOME/.config/meridian. FAILED_PRECONDITION when none of these variables is set.
absl::StatusOr<std::string> ResolveConfigDir(const Environment& env);

// Reads and writes <dir>/credentials.json. The directory is created with mode 0700 and the file
// is written atomically (temp file + rename) with mode 0600, since it holds bearer tokens.
// Not safe for concurrent use by several processes beyond what the atomic rename gives.
class CredentialsStore {
 public:
  explicit CredentialsStore(std::string dir);

  // Empty Credentials when the file does not exist; FAILED_PRECONDITION when it is not ours
  // (bad JSON or wrong shape), naming the file.
  absl::StatusOr<Credentials> Load() const;
  absl::Status Save(const Credentials& credentials) const;

  std::string path() const;

 private:
  std::string dir_;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_CREDENTIALS_STORE_H_
