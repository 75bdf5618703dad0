// A cache in memory of values by key, on RocksDB's sharded LRU cache. It is bounded by the
// bytes its entries are charged (their metadata included) and drops the least recently used
// entries first, as many as each insert needs room for: the cost of forgetting is spread over
// the inserts, never paid in one go by whichever caller happens to fill it. Lookups of keys in
// different shards never wait for each other. Safe for concurrent use.
#ifndef MERIDIAN_STORAGE_MEMORY_CACHE_H_
#define MERIDIAN_STORAGE_MEMORY_CACHE_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace rocksdb {
class Cache;
}

namespace meridian::storage {

class MemoryCache {
 public:
  // What an entry holds; deleted when the entry is dropped, replaced or the cache destroyed.
  struct Value {
    virtual ~Value() = default;
  };

  // Shards of at least kMinShardBytes, at most kMaxShards of them.
  static constexpr size_t kMinShardBytes = size_t{2} << 20;
  static constexpr int kMaxShardBits = 6;

  explicit MemoryCache(size_t capacity_bytes);
  ~MemoryCache();
  MemoryCache(const MemoryCache&) = delete;
  MemoryCache& operator=(const MemoryCache&) = delete;

  // Keeps `value` under `key`, replacing what the key held. `charge` is the bytes the entry
  // holds beyond the cache's own metadata for it. An entry charged more than max_charge() is
  // not kept: making room for it would push out a large part of its shard.
  void Insert(std::string_view key, std::unique_ptr<Value> value, size_t charge);

  // Calls `read` with the value kept under `key`, which stays valid for the call only (even if
  // another thread replaces it meanwhile). False, without a call, when the key is not kept.
  bool Lookup(std::string_view key, absl::FunctionRef<void(const Value&)> read) const;

  size_t entries() const;  // walks the whole cache: for tests
  size_t usage() const;    // bytes charged, metadata included; at most the capacity
  size_t max_charge() const { return max_charge_; }

 private:
  std::shared_ptr<rocksdb::Cache> cache_;
  size_t max_charge_ = 0;
};

}  // namespace meridian::storage

#endif  // MERIDIAN_STORAGE_MEMORY_CACHE_H_
