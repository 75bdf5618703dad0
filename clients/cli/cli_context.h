#ifndef MERIDIAN_CLIENTS_CLI_CLI_CONTEXT_H_
#define MERIDIAN_CLIENTS_CLI_CLI_CONTEXT_H_

#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "clients/cli/connection.h"
#include "clients/cli/credentials_store.h"
#include "clients/cli/environment.h"
#include "clients/cli/text_formatter.h"
#include "google/protobuf/message.h"
#include "meridian/v1/users.pb.h"

namespace meridian::cli {

// Options every command accepts.
struct GlobalOptions {
  std::string server;   // --server; empty when not given
  bool json = false;    // --json
  bool tls = false;     // --tls
  std::string ca_file;  // --ca-file
};

inline constexpr char kDefaultServer[] = "127.0.0.1:7800";

// What one run of `meridian` shares between commands: options, streams, environment, the saved
// credentials and a lazily opened connection. Borrows env and the streams for its lifetime.
// Not safe for concurrent use.
class CliContext {
 public:
  CliContext(const Environment& env, std::istream& in, std::ostream& out, std::ostream& err);

  GlobalOptions& options() { return options_; }
  const Environment& env() const { return env_; }
  std::istream& in() { return in_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // --server, else $MERIDIAN_SERVER, else the server of the last login, else 127.0.0.1:7800.
  std::string ServerAddress();

  absl::StatusOr<CredentialsStore> Store();
  absl::StatusOr<Credentials> LoadCredentials();

  // How to reach ServerAddress(): --tls/--ca-file, else $MERIDIAN_CA_FILE/$MERIDIAN_TLS, else
  // what `saved` (that server's saved session, or null) used, else plaintext.
  TransportSecurity Security(const Session* saved);
  // The same, reading the saved session from the credentials file.
  TransportSecurity Security();

  // A connection without a token (Register, Login); a usage error for an unreadable CA file.
  absl::StatusOr<Connection*> Anonymous();
  // A connection with the saved token for ServerAddress(); UNAUTHENTICATED when not logged in.
  absl::StatusOr<Connection*> Authenticated();

  // The caller, from WhoAmI (cached for the run).
  absl::StatusOr<meridian::v1::User> Me();

  // A formatter in the caller's time zone that knows the caller's name.
  absl::StatusOr<TextFormatter> Formatter();
  // Looks up the names of `user_ids` the book does not know yet (GetUser; unknown ids stay ids).
  absl::Status AddUserNames(const std::set<std::string>& user_ids, NameBook& book);
  // Adds every channel the caller belongs to (ListMyChannels), after naming DM members.
  absl::Status AddMyChannels(NameBook& book);

  // Writes `message` as pretty JSON plus a newline to out().
  absl::Status PrintJson(const google::protobuf::Message& message);

 private:
  const Environment& env_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  GlobalOptions options_;
  std::unique_ptr<Connection> anonymous_;
  std::unique_ptr<Connection> authenticated_;
  absl::optional<meridian::v1::User> me_;
  std::map<std::string, std::string> user_name_cache_;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_CLI_CONTEXT_H_
