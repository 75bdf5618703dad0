#ifndef MERIDIAN_CLIENTS_CLI_CLI_STATUS_H_
#define MERIDIAN_CLIENTS_CLI_CLI_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace meridian::cli {

// Process exit codes of `meridian`; scripts may rely on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitServerError = 1,      // the server (or a local file) rejected the request
  kExitUsage = 2,            // bad command line or bad local input
  kExitUnreachable = 3,      // the server could not be reached
  kExitUnauthenticated = 4,  // not logged in, or the session is no longer valid
};

// An INVALID_ARGUMENT status marked as the user's own mistake, so it exits with kExitUsage.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

// Converts a gRPC status into an absl::Status with the same code and message.
absl::Status FromGrpc(const grpc::Status& status);

// The exit code for a failed command.
ExitCode ExitCodeFor(const absl::Status& status);

// The text printed on stderr for a failed command: "meridian: error: <message>", plus a hint line
// for the unreachable and unauthenticated cases. `server` names the address that was tried.
std::string ErrorText(const absl::Status& status, absl::string_view server);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_CLI_STATUS_H_
