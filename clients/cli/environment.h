#ifndef MERIDIAN_CLIENTS_CLI_ENVIRONMENT_H_
#define MERIDIAN_CLIENTS_CLI_ENVIRONMENT_H_

#include <map>
#include <string>

#include "absl/types/optional.h"

namespace meridian::cli {

// Read access to environment variables, injected so tests never touch the real environment.
// Implementations are safe for concurrent reads.
class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when it is unset.
  virtual absl::optional<std::string> Get(const std::string& name) const = 0;
};

// The process environment (getenv).
class SystemEnvironment : public Environment {
 public:
  absl::optional<std::string> Get(const std::string& name) const override;
};

// A fixed map, for tests.
class MapEnvironment : public Environment {
 public:
  explicit MapEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  absl::optional<std::string> Get(const std::string& name) const override;

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_ENVIRONMENT_H_
