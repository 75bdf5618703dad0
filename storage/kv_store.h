// The ordered key-value store underneath Meridian. Only storage/ knows it is RocksDB.
#ifndef MERIDIAN_STORAGE_KV_STORE_H_
#define MERIDIAN_STORAGE_KV_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/column_families.h"
#include "storage/write_batch.h"

namespace meridian::storage {

// A cursor over one column family, ordered bytewise by key. Not safe for concurrent use; it
// must not outlive the KvStore that made it. key() and value() stay valid until the next move.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual void Seek(std::string_view target) = 0;
  // Positions at the last key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK when iteration stopped on an error rather than at the end.
  virtual absl::Status status() const = 0;
};

struct IteratorOptions {
  // Keys outside [lower_bound, upper_bound) are invisible; empty means unbounded.
  std::string lower_bound;
  std::string upper_bound;
  // Hint that the scan is short-lived and should not pollute the block cache.
  bool fill_cache = true;
  // Bytes to read ahead of a long sequential scan; 0 leaves it to the store (which reads
  // nothing ahead in Cf::kSearchBlocks, where reads are seeks).
  size_t readahead_bytes = 0;
};

// Sorted keys written straight into a table file of the store and added to it in one step, past
// the memtable and the write-ahead log: for large runs of keys that are written once and never
// overwritten (search segments). Not safe for concurrent use.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // Keys in strictly ascending order (also across Ingest calls), none of them already stored.
  virtual absl::Status Put(std::string_view key, std::string_view value) = 0;
  // Adds every key Put since the last Ingest to the store, atomically and durably; none of
  // them is visible before. Does nothing when there are none.
  virtual absl::Status Ingest() = 0;
  // Bytes Put since the last Ingest.
  virtual uint64_t pending_bytes() const = 0;
};

enum class Durability {
  // Write() returns once the batch is in the write-ahead log and fsynced.
  kSync,
  // Write() returns once the batch is in the OS page cache: survives a process crash, not a
  // power loss. Pair with SyncWal() to make a group of such writes durable with one fsync.
  kBuffered,
};

// Safe for concurrent use.
class KvStore {
 public:
  virtual ~KvStore() = default;

  // std::nullopt when the key is absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const = 0;
  // Applies every op of `batch` atomically.
  virtual absl::Status Write(const WriteBatch& batch, Durability durability) = 0;
  // Makes every earlier kBuffered write durable.
  virtual absl::Status SyncWal() = 0;
  virtual std::unique_ptr<Iterator> NewIterator(Cf cf,
                                                const IteratorOptions& options = {}) const = 0;
  // Writes a consistent, openable copy of the whole database into `dir` (which must not exist),
  // hard-linking immutable files where it can.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;
  // Flushes memtables to disk files (tests and clean shutdown).
  virtual absl::Status Flush() = 0;
  // Rewrites one column family's files now, dropping deleted data (benchmarks, maintenance).
  virtual absl::Status Compact(Cf cf) = 0;
  // A TableWriter for one column family.
  virtual absl::StatusOr<std::unique_ptr<TableWriter>> NewTableWriter(Cf cf) = 0;
  // Frees at once the disk space of the keys in [begin, end), which a written DeleteRange
  // has already removed: files holding nothing else are dropped (so it is cheap for keys that
  // a TableWriter wrote), the rest waits for compaction.
  virtual absl::Status ReclaimRange(Cf cf, std::string_view begin, std::string_view end) = 0;
  // Approximate bytes on disk of one column family.
  virtual uint64_t ApproximateSize(Cf cf) const = 0;
  // A property of one column family such as "rocksdb.stats" or "rocksdb.num-range-deletes"
  // (RocksDB's names), for diagnostics and tests; empty when unknown.
  virtual std::string Property(Cf cf, std::string_view name) const = 0;
};

struct OpenOptions {
  std::string path;
  bool create_if_missing = true;
  // Shared block cache for every column family.
  size_t block_cache_bytes = 256 << 20;
  // Background threads for flush and compaction.
  int background_threads = 2;
};

// Opens (creating if allowed) the database at options.path with every column family of Cf.
absl::StatusOr<std::unique_ptr<KvStore>> OpenRocksDbStore(const OpenOptions& options);

}  // namespace meridian::storage

#endif  // MERIDIAN_STORAGE_KV_STORE_H_
