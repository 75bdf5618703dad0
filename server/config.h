// meridiand's settings: defaults, then the TOML config file, then command-line flags.
#ifndef MERIDIAN_SERVER_CONFIG_H_
#define MERIDIAN_SERVER_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/core/core.h"
#include "server/rpc/server.h"

namespace meridian {

struct ServerConfig {
  std::string log_level = "info";
  CoreOptions core;
  rpc::ServerOptions server;
};

// Applies the TOML file at `path` over *config. INVALID_ARGUMENT names the bad key or value and
// where it is; unknown keys are errors, because a typo must not silently keep a default.
absl::Status ApplyConfigFile(const std::string& path, ServerConfig* config);

// Parses "sync" or "relaxed".
absl::StatusOr<storage::Durability> ParseDurability(const std::string& s);

// meridian-plugin-runner beside the running executable (where the install puts it).
std::string DefaultPluginRunnerPath();

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CONFIG_H_
