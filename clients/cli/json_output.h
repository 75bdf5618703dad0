#ifndef MERIDIAN_CLIENTS_CLI_JSON_OUTPUT_H_
#define MERIDIAN_CLIENTS_CLI_JSON_OUTPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace meridian::cli {

// The proto3 JSON form of `message` for scripts: snake_case field names as in the .proto files,
// fields at their default value included, enums by name, int64 as strings (per the proto3 JSON
// mapping). `pretty` indents; otherwise one line (as `tail --json` needs). INTERNAL on failure.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message, bool pretty);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_JSON_OUTPUT_H_
