#include "storage/memory_cache.h"

#include <algorithm>
#include <bit>

#include "rocksdb/cache.h"

namespace meridian::storage {
namespace {

void DeleteValue(const rocksdb::Slice& /*key*/, void* value) {
  delete static_cast<MemoryCache::Value*>(value);
}

int ShardBits(size_t capacity_bytes) {
  const size_t shards = std::max<size_t>(capacity_bytes / MemoryCache::kMinShardBytes, 1);
  return std::min(static_cast<int>(std::bit_width(shards)) - 1, MemoryCache::kMaxShardBits);
}

}  // namespace

MemoryCache::MemoryCache(size_t capacity_bytes) {
  rocksdb::LRUCacheOptions options;
  options.capacity = capacity_bytes;
  options.num_shard_bits = ShardBits(capacity_bytes);
  // Plain LRU. A search looks up again, within itself, every entry it inserts, so "has been
  // hit" would not tell a prefix's one-off terms from what searches keep asking for.
  options.high_pri_pool_ratio = 0;
  options.metadata_charge_policy = rocksdb::kFullChargeCacheMetadata;
  cache_ = rocksdb::NewLRUCache(options);
  max_charge_ = (capacity_bytes >> options.num_shard_bits) / 4;
}

MemoryCache::~MemoryCache() = default;

void MemoryCache::Insert(std::string_view key, std::unique_ptr<Value> value, size_t charge) {
  if (charge > max_charge_) return;
  // Without a handle asked for, RocksDB frees the value itself if it cannot keep it.
  (void)cache_->Insert(rocksdb::Slice(key.data(), key.size()), value.release(), charge,
                       &DeleteValue);
}

bool MemoryCache::Lookup(std::string_view key, absl::FunctionRef<void(const Value&)> read) const {
  rocksdb::Cache::Handle* handle = cache_->Lookup(rocksdb::Slice(key.data(), key.size()));
  if (handle == nullptr) return false;
  read(*static_cast<const Value*>(cache_->Value(handle)));
  cache_->Release(handle);
  return true;
}

size_t MemoryCache::entries() const {
  // RocksDB 7.8's LRU cache does not count its entries (GetOccupancyCount is 0).
  size_t n = 0;
  cache_->ApplyToAllEntries(
      [&n](const rocksdb::Slice&, void*, size_t, rocksdb::Cache::DeleterFn) { ++n; }, {});
  return n;
}

size_t MemoryCache::usage() const { return cache_->GetUsage(); }

}  // namespace meridian::storage
