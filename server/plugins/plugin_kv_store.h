// Per-plugin persistent state in storage::Cf::kPlugins: each plugin's key-value namespace (with
// TTLs checked against the injected Clock), the administrator's setting overrides, whether the
// administrator disabled the plugin, and why the host disabled it automatically.
//
// Keys: a kind byte ('k' value, 'c' setting, 'e' enabled, 'f' failed), the plugin id as a u32
// length plus bytes, then the plugin's own key (settings: the setting's name; 'e' and 'f': none).
// The length makes namespaces disjoint: plugin "a" scanning its own keys can never reach plugin
// "ab"'s. Values of 'k' are a u64 expiry (UTC micros, 0 = none) followed by the plugin's bytes.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_KV_STORE_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_KV_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "storage/kv_store.h"

namespace meridian::plugins {

inline constexpr size_t kMaxPluginKeyBytes = 1024;
inline constexpr size_t kMaxPluginValueBytes = 1 << 20;
inline constexpr uint32_t kMaxPluginListLimit = 1000;

struct KvListResult {
  std::vector<std::string> keys;
  std::string next_cursor;  // empty when the listing is complete
};

// Safe for concurrent use. `store` and `clock` must outlive it.
class PluginKvStore {
 public:
  PluginKvStore(storage::KvStore* store, const Clock* clock) : store_(store), clock_(clock) {}

  // NOT_FOUND when absent or expired.
  absl::StatusOr<std::string> Get(const std::string& plugin, const std::string& key) const;
  // ttl <= 0: no expiry.
  absl::Status Set(const std::string& plugin, const std::string& key, const std::string& value,
                   absl::Duration ttl);
  // FAILED_PRECONDITION when the current value is not `expected` (absent when `expected` is
  // nullopt).
  absl::Status CompareAndSet(const std::string& plugin, const std::string& key,
                             const std::optional<std::string>& expected, const std::string& value,
                             absl::Duration ttl);
  absl::Status Delete(const std::string& plugin, const std::string& key);
  // Live keys starting with `prefix`, strictly after `cursor`, at most `limit` (0 = 100).
  absl::StatusOr<KvListResult> List(const std::string& plugin, const std::string& prefix,
                                    const std::string& cursor, uint32_t limit) const;

  // Administrator overrides of manifest settings.
  absl::StatusOr<std::map<std::string, std::string>> SettingOverrides(
      const std::string& plugin) const;
  absl::Status SetSettingOverrides(const std::string& plugin,
                                   const std::map<std::string, std::string>& values);
  // nullopt when the administrator never enabled or disabled it.
  absl::StatusOr<std::optional<bool>> Enabled(const std::string& plugin) const;
  absl::Status SetEnabled(const std::string& plugin, bool enabled);
  // Why the host disabled the plugin after repeated failures, nullopt when it did not; the
  // plugin stays disabled across restarts until ClearAutoDisabled (an administrator enabled it).
  absl::StatusOr<std::optional<std::string>> AutoDisabled(const std::string& plugin) const;
  absl::Status SetAutoDisabled(const std::string& plugin, const std::string& reason);
  absl::Status ClearAutoDisabled(const std::string& plugin);

 private:
  absl::Status CheckKey(const std::string& key) const;
  absl::Status PutLocked(const std::string& plugin, const std::string& key,
                         const std::string& value, absl::Duration ttl)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The live value of `key`, nullopt when absent or expired.
  absl::StatusOr<std::optional<std::string>> Live(const std::string& plugin,
                                                  const std::string& key) const;

  storage::KvStore* store_;
  const Clock* clock_;
  // Serializes read-modify-write (compare-and-set) against other writes; reads do not take it.
  absl::Mutex mu_;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_KV_STORE_H_
