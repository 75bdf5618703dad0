#include "clients/cli/cli_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace meridian::cli {
namespace {

// Payload key that tells a local usage mistake apart from a server's INVALID_ARGUMENT.
constexpr char kUsagePayload[] = "type.meridian.dev/cli.usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

ExitCode ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) return kExitUsage;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return kExitUnreachable;
    case absl::StatusCode::kUnauthenticated:
      return kExitUnauthenticated;
    default:
      return kExitServerError;
  }
}

std::string ErrorText(const absl::Status& status, absl::string_view server) {
  switch (ExitCodeFor(status)) {
    case kExitUnreachable:
      return absl::StrCat("meridian: error: cannot reach the Meridian server at ", server, ": ",
                          status.message(),
                          "\nhint: start it with `meridiand`, or point the client at a running "
                          "server with --server HOST:PORT or MERIDIAN_SERVER\n");
    case kExitUnauthenticated:
      return absl::StrCat("meridian: error: ", status.message(),
                          "\nhint: log in with `meridian login <name>`\n");
    default:
      return absl::StrCat("meridian: error: ", status.message(), "\n");
  }
}

}  // namespace meridian::cli
