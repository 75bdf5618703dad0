#include "clients/cli/environment.h"

#include <cstdlib>

namespace meridian::cli {

absl::optional<std::string> SystemEnvironment::Get(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return absl::nullopt;
  return std::string(value);
}

absl::optional<std::string> MapEnvironment::Get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return absl::nullopt;
  return it->second;
}

}  // namespace meridian::cli
