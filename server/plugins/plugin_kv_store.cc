#include "server/plugins/plugin_kv_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "storage/key_codec.h"
#include "storage/write_batch.h"

namespace meridian::plugins {
namespace {

using storage::Cf;

constexpr char kValueKind = 'k';
constexpr char kSettingKind = 'c';
constexpr char kEnabledKind = 'e';
constexpr char kFailedKind = 'f';

std::string Prefix(char kind, const std::string& plugin) {
  return storage::KeyBuilder()
      .Byte(kind)
      .U32(static_cast<uint32_t>(plugin.size()))
      .Bytes(plugin)
      .Take();
}

std::string Key(char kind, const std::string& plugin, const std::string& key) {
  return Prefix(kind, plugin) + key;
}

}  // namespace

absl::Status PluginKvStore::CheckKey(const std::string& key) const {
  if (key.empty()) return absl::InvalidArgumentError("plugin KV key must not be empty");
  if (key.size() > kMaxPluginKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugin KV key is ", key.size(), " bytes; the limit is ", kMaxPluginKeyBytes));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> PluginKvStore::Live(const std::string& plugin,
                                                               const std::string& key) const {
  absl::StatusOr<std::optional<std::string>> raw =
      store_->Get(Cf::kPlugins, Key(kValueKind, plugin, key));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<std::string>();
  const std::string& stored = **raw;
  std::optional<uint64_t> expiry = storage::ReadU64(stored);
  if (!expiry) return absl::DataLossError("corrupt plugin KV value: shorter than its header");
  if (*expiry != 0 && static_cast<int64_t>(*expiry) <= ToMicros(clock_->Now())) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(stored.substr(8));
}

absl::StatusOr<std::string> PluginKvStore::Get(const std::string& plugin,
                                               const std::string& key) const {
  RETURN_IF_ERROR(CheckKey(key));
  ASSIGN_OR_RETURN(std::optional<std::string> value, Live(plugin, key));
  if (!value) return absl::NotFoundError(absl::StrCat("no key \"", key, "\""));
  return *std::move(value);
}

absl::Status PluginKvStore::PutLocked(const std::string& plugin, const std::string& key,
                                      const std::string& value, absl::Duration ttl) {
  if (value.size() > kMaxPluginValueBytes) {
    return absl::InvalidArgumentError(absl::StrCat("plugin KV value is ", value.size(),
                                                   " bytes; the limit is ", kMaxPluginValueBytes));
  }
  uint64_t expiry = ttl > absl::ZeroDuration() ? ToMicros(clock_->Now() + ttl) : 0;
  std::string stored;
  storage::AppendU64(&stored, expiry);
  stored += value;
  storage::WriteBatch batch;
  batch.Put(Cf::kPlugins, Key(kValueKind, plugin, key), stored);
  // Plugin state is not worth an fsync per write; the WAL still survives a process crash.
  return store_->Write(batch, storage::Durability::kBuffered);
}

absl::Status PluginKvStore::Set(const std::string& plugin, const std::string& key,
                                const std::string& value, absl::Duration ttl) {
  RETURN_IF_ERROR(CheckKey(key));
  absl::MutexLock lock(&mu_);
  return PutLocked(plugin, key, value, ttl);
}

absl::Status PluginKvStore::CompareAndSet(const std::string& plugin, const std::string& key,
                                          const std::optional<std::string>& expected,
                                          const std::string& value, absl::Duration ttl) {
  RETURN_IF_ERROR(CheckKey(key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> current, Live(plugin, key));
  if (current != expected) {
    return absl::FailedPreconditionError(
        absl::StrCat("key \"", key, "\" does not hold the expected value"));
  }
  return PutLocked(plugin, key, value, ttl);
}

absl::Status PluginKvStore::Delete(const std::string& plugin, const std::string& key) {
  RETURN_IF_ERROR(CheckKey(key));
  absl::MutexLock lock(&mu_);
  storage::WriteBatch batch;
  batch.Delete(Cf::kPlugins, Key(kValueKind, plugin, key));
  return store_->Write(batch, storage::Durability::kBuffered);
}

absl::StatusOr<KvListResult> PluginKvStore::List(const std::string& plugin,
                                                 const std::string& prefix,
                                                 const std::string& cursor, uint32_t limit) const {
  if (limit == 0) limit = 100;
  if (limit > kMaxPluginListLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("list limit ", limit, " exceeds ", kMaxPluginListLimit));
  }
  const std::string ns = Prefix(kValueKind, plugin);
  storage::IteratorOptions options;
  options.lower_bound = ns + prefix;
  options.upper_bound = storage::PrefixSuccessor(options.lower_bound);
  options.fill_cache = false;
  std::unique_ptr<storage::Iterator> it = store_->NewIterator(Cf::kPlugins, options);
  if (cursor.empty()) {
    it->Seek(options.lower_bound);
  } else {
    // Resume strictly after the cursor key.
    it->Seek(std::max(options.lower_bound, ns + cursor + std::string(1, '\0')));
  }
  const int64_t now = ToMicros(clock_->Now());
  KvListResult result;
  for (; it->Valid(); it->Next()) {
    std::optional<uint64_t> expiry = storage::ReadU64(it->value());
    if (expiry && *expiry != 0 && static_cast<int64_t>(*expiry) <= now) continue;
    if (result.keys.size() == limit) {
      result.next_cursor = result.keys.back();
      break;
    }
    result.keys.emplace_back(it->key().substr(ns.size()));
  }
  RETURN_IF_ERROR(it->status());
  return result;
}

absl::StatusOr<std::map<std::string, std::string>> PluginKvStore::SettingOverrides(
    const std::string& plugin) const {
  const std::string ns = Prefix(kSettingKind, plugin);
  storage::IteratorOptions options;
  options.lower_bound = ns;
  options.upper_bound = storage::PrefixSuccessor(ns);
  std::unique_ptr<storage::Iterator> it = store_->NewIterator(Cf::kPlugins, options);
  std::map<std::string, std::string> out;
  for (it->Seek(ns); it->Valid(); it->Next()) {
    out[std::string(it->key().substr(ns.size()))] = std::string(it->value());
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

absl::Status PluginKvStore::SetSettingOverrides(const std::string& plugin,
                                                const std::map<std::string, std::string>& values) {
  absl::MutexLock lock(&mu_);
  storage::WriteBatch batch;
  for (const auto& [name, value] : values)
    batch.Put(Cf::kPlugins, Key(kSettingKind, plugin, name), value);
  return store_->Write(batch, storage::Durability::kSync);
}

absl::StatusOr<std::optional<bool>> PluginKvStore::Enabled(const std::string& plugin) const {
  absl::StatusOr<std::optional<std::string>> raw =
      store_->Get(Cf::kPlugins, Prefix(kEnabledKind, plugin));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<bool>();
  return std::optional<bool>(**raw == "1");
}

absl::Status PluginKvStore::SetEnabled(const std::string& plugin, bool enabled) {
  storage::WriteBatch batch;
  batch.Put(Cf::kPlugins, Prefix(kEnabledKind, plugin), enabled ? "1" : "0");
  return store_->Write(batch, storage::Durability::kSync);
}

absl::StatusOr<std::optional<std::string>> PluginKvStore::AutoDisabled(
    const std::string& plugin) const {
  return store_->Get(Cf::kPlugins, Prefix(kFailedKind, plugin));
}

absl::Status PluginKvStore::SetAutoDisabled(const std::string& plugin, const std::string& reason) {
  storage::WriteBatch batch;
  batch.Put(Cf::kPlugins, Prefix(kFailedKind, plugin), reason);
  return store_->Write(batch, storage::Durability::kSync);
}

absl::Status PluginKvStore::ClearAutoDisabled(const std::string& plugin) {
  storage::WriteBatch batch;
  batch.Delete(Cf::kPlugins, Prefix(kFailedKind, plugin));
  return store_->Write(batch, storage::Durability::kSync);
}

}  // namespace meridian::plugins
