// What searches keep in memory between them, to spare store reads on the path of every query:
// what flushed segments hold of the terms searched lately, and those terms' stored document
// frequencies. Both are bounded.
#ifndef MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
#define MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/search/postings.h"

namespace meridian::search {

// A map from strings to values, bounded in entries and in bytes, that forgets in two
// generations: when the newer one is full it becomes the older and the one before is dropped.
// A lookup that finds an entry only in the older generation brings it back into the newer, so
// what searches keep asking for survives a rotation, while a burst of one-off keys (a prefix
// expanding to thousands of terms) can push out at most half of the cache. What is asked for
// again after being dropped costs one store read. Safe for concurrent use.
//
// `Cost(value)` is the bytes a value holds beyond its key (sizeof counted by the cache).
template <typename Value, size_t (*Cost)(const Value&) = nullptr>
class BoundedCache {
 public:
  explicit BoundedCache(size_t max_entries, size_t max_bytes = SIZE_MAX)
      : generation_entries_(std::max<size_t>(max_entries / 2, 1)),
        generation_bytes_(max_bytes / 2) {}

  // False when `key` is not cached.
  bool Lookup(std::string_view key, Value* out) {
    const absl::string_view k(key.data(), key.size());
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = newer_.find(k);
      if (it != newer_.end()) {
        *out = it->second;
        return true;
      }
      it = older_.find(k);
      if (it == older_.end()) return false;
      *out = it->second;
    }
    Insert(key, *out);
    return true;
  }

  void Insert(std::string_view key, const Value& value) {
    const size_t bytes = EntryBytes(key, value);
    absl::MutexLock lock(&mu_);
    auto it = newer_.find(absl::string_view(key.data(), key.size()));
    if (it != newer_.end()) {
      newer_bytes_ -= EntryBytes(key, it->second);
      newer_.erase(it);
    }
    if (newer_.size() >= generation_entries_ || newer_bytes_ + bytes > generation_bytes_) {
      older_ = std::move(newer_);
      newer_.clear();
      newer_bytes_ = 0;
    }
    if (bytes > generation_bytes_) return;  // would not fit even alone
    newer_.emplace(std::string(key), value);
    newer_bytes_ += bytes;
  }

  // What both generations hold (tests).
  size_t entries() const {
    absl::ReaderMutexLock lock(&mu_);
    return newer_.size() + older_.size();
  }

 private:
  static size_t EntryBytes(std::string_view key, const Value& value) {
    size_t bytes = key.size() + sizeof(std::string) + sizeof(Value);
    if constexpr (Cost != nullptr) bytes += Cost(value);
    return bytes;
  }

  const size_t generation_entries_;
  const size_t generation_bytes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Value> newer_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Value> older_ ABSL_GUARDED_BY(mu_);
  size_t newer_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

// A term's blocks in one flushed segment as the store holds them, in key order: each block's
// value and the last DocKey its key names.
struct TermBlocks {
  std::vector<DocKey> last;
  std::vector<std::string> values;
  size_t bytes = 0;  // of the values

  void Add(const DocKey& last_doc, std::string_view value) {
    last.push_back(last_doc);
    values.emplace_back(value);
    bytes += value.size();
  }
};

// What a flushed segment's blocks say of one term. A segment never changes once written and
// its id is never reused, so this never goes stale.
struct SegmentTerm {
  enum class State : uint8_t {
    kFound,    // `summary` is the term's summary (stored, or its one block's)
    kAbsent,   // the segment has no posting of the term
    kMissing,  // it has, in blocks written before summaries
  };
  // A term's only block in a segment (fewer than kBlockPostings postings) is kept when it is
  // at most this large, which an ordinary one always is, so that a search reads the term there
  // without a seek. Most words of most queries are rare, and a small segment (a flushed memory
  // segment holds segment_docs messages) holds even a mid-frequency word in one block.
  static constexpr size_t kMaxBlockBytes = 8 << 10;
  // A term's blocks in a segment are read whole at a search's first seek in them, if they
  // hold at most this many postings (about 400 KiB), and kept in a ListCache: a follower of a
  // phrase or an AND then hops from block to block in memory, in that search and later ones.
  // Through a RocksDB iterator, those hops took nearly half of a median two-word phrase's time
  // (search_bench, 1M messages); the first search of a sparse word over a frequent one reads
  // more than it needs.
  static constexpr uint64_t kMaxListPostings = 128 * kBlockPostings;
  State state = State::kAbsent;
  TermSummary summary;
  std::shared_ptr<const TermBlocks> blocks;  // the only block, when it is small
};

inline size_t TermBlocksCost(const std::shared_ptr<const TermBlocks>& b) {
  return b != nullptr ? b->bytes + b->last.size() * (sizeof(DocKey) + sizeof(std::string)) : 0;
}
inline size_t SegmentTermCost(const SegmentTerm& t) { return TermBlocksCost(t.blocks); }
using SummaryCache = BoundedCache<SegmentTerm, SegmentTermCost>;  // by BlockPrefix
// Terms' blocks read whole, by BlockPrefix: apart from the summaries, so that a prefix search's
// thousands of summaries and these few large entries do not push each other out.
using ListCache = BoundedCache<std::shared_ptr<const TermBlocks>, TermBlocksCost>;

// A term's stored document frequency as read by a search whose view had `epoch`
// (IndexView::df_epoch): current for every view of that epoch.
struct StoredFrequency {
  uint64_t epoch = 0;
  uint64_t df = 0;
};

// Summaries hold up to one block each (8 KiB at most, about 1.7 KiB for a full one of one
// position a posting), so their cache is bounded in bytes: 32 MiB. The lists' is bounded by
// SearchOptions::cache_bytes.
struct SearchCaches {
  explicit SearchCaches(size_t list_bytes) : lists(1 << 14, list_bytes) {}
  SummaryCache summaries{1 << 16, 32 << 20};
  ListCache lists;
  BoundedCache<StoredFrequency> frequencies{1 << 15};  // by term
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
