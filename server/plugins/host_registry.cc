#include "server/plugins/host_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace meridian::plugins {

absl::Status HostRegistry::RegisterCommand(const std::string& plugin_id, const std::string& trigger,
                                           const std::string& help) {
  bool valid = !trigger.empty() && trigger.size() <= 32 &&
               std::all_of(trigger.begin(), trigger.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
               });
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "command \"", trigger, "\" must be 1..32 characters of [a-z0-9_-], without the slash"));
  }
  if (trigger == "help") {
    return absl::InvalidArgumentError("/help is reserved for the host's command list");
  }
  absl::MutexLock lock(&mu_);
  auto it = commands_.find(trigger);
  if (it != commands_.end() && it->second.plugin_id != plugin_id) {
    return absl::AlreadyExistsError(
        absl::StrCat("/", trigger, " is already registered by plugin ", it->second.plugin_id));
  }
  commands_[trigger] = CommandInfo{trigger, help, plugin_id};
  return absl::OkStatus();
}

absl::Status HostRegistry::RegisterEndpoint(const std::string& plugin_id,
                                            const std::string& method) {
  bool valid = !method.empty() && method.size() <= 64 &&
               std::all_of(method.begin(), method.end(), [](char c) { return c > ' ' && c < 127; });
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint \"", method, "\" must be 1..64 printable ASCII characters"));
  }
  absl::MutexLock lock(&mu_);
  endpoints_.emplace(plugin_id, method);
  return absl::OkStatus();
}

std::optional<CommandInfo> HostRegistry::FindCommand(const std::string& trigger) const {
  absl::MutexLock lock(&mu_);
  auto it = commands_.find(trigger);
  if (it == commands_.end()) return std::nullopt;
  return it->second;
}

bool HostRegistry::HasEndpoint(const std::string& plugin_id, const std::string& method) const {
  absl::MutexLock lock(&mu_);
  return endpoints_.count({plugin_id, method}) > 0;
}

std::vector<CommandInfo> HostRegistry::Commands() const {
  absl::MutexLock lock(&mu_);
  std::vector<CommandInfo> out;
  for (const auto& [trigger, info] : commands_) out.push_back(info);
  return out;
}

void HostRegistry::RemovePlugin(const std::string& plugin_id) {
  absl::MutexLock lock(&mu_);
  for (auto it = commands_.begin(); it != commands_.end();) {
    it = it->second.plugin_id == plugin_id ? commands_.erase(it) : std::next(it);
  }
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    it = it->first == plugin_id ? endpoints_.erase(it) : std::next(it);
  }
}

}  // namespace meridian::plugins
