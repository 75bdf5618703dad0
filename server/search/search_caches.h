// What searches keep in memory between them, to spare store reads on the path of every query:
// what flushed segments hold of the terms searched lately, those terms' stored document
// frequencies, and buffers for prefix unions. All are bounded.
#ifndef MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
#define MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/search/postings.h"
#include "storage/memory_cache.h"

namespace meridian::search {

// Values by string key, bounded in bytes: a typed storage::MemoryCache, which drops the least
// recently used entries a few at each insert. Each entry is charged its key, its value and,
// through `Cost(value)`, what the value holds beyond itself. Safe for concurrent use.
template <typename T, size_t (*Cost)(const T&) = nullptr>
class BoundedCache {
 public:
  explicit BoundedCache(size_t max_bytes) : cache_(max_bytes) {}

  // False when `key` is not cached.
  bool Lookup(std::string_view key, T* out) const {
    return cache_.Lookup(key, [out](const storage::MemoryCache::Value& v) {
      *out = static_cast<const Entry&>(v).value;
    });
  }

  void Insert(std::string_view key, const T& value) {
    size_t charge = key.size() + sizeof(Entry);
    if constexpr (Cost != nullptr) charge += Cost(value);
    cache_.Insert(key, std::make_unique<Entry>(value), charge);
  }

  size_t entries() const { return cache_.entries(); }
  size_t bytes() const { return cache_.usage(); }

 private:
  struct Entry final : storage::MemoryCache::Value {
    explicit Entry(const T& v) : value(v) {}
    T value;
  };
  storage::MemoryCache cache_;
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
  return b != nullptr ? sizeof(TermBlocks) + b->bytes +
                            b->last.size() * (sizeof(DocKey) + sizeof(std::string))
                      : 0;
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

// A document and a score, as a union of many words' postings holds them (ListCursor).
struct ScoredDoc {
  DocKey doc;
  double score = 0;
};

// Objects given back for reuse, at most `max_kept` of them (more are dropped). Safe for
// concurrent use.
template <typename T>
class FreeList {
 public:
  explicit FreeList(size_t max_kept = SIZE_MAX) : max_kept_(max_kept) {}

  // Moves a kept object into *out; false, leaving *out alone, when none is kept.
  bool Take(T* out) {
    absl::MutexLock lock(&mu_);
    if (kept_.empty()) return false;
    *out = std::move(kept_.back());
    kept_.pop_back();
    return true;
  }

  void Give(T object) {
    absl::MutexLock lock(&mu_);
    if (kept_.size() < max_kept_) kept_.push_back(std::move(object));
  }

  size_t kept() const {
    absl::MutexLock lock(&mu_);
    return kept_.size();
  }

 private:
  const size_t max_kept_;
  mutable absl::Mutex mu_;
  std::vector<T> kept_ ABSL_GUARDED_BY(mu_);
};

// Vectors that searches fill and empty, kept between them with their capacity, so that a
// search does not page-fault its way through fresh memory: at most `kKept` vectors of at most
// `kMaxBytes` capacity each. Safe for concurrent use.
template <typename T>
class VectorPool {
 public:
  static constexpr size_t kKept = 8;
  static constexpr size_t kMaxBytes = 8 << 20;

  // An empty vector, with the capacity one of the vectors given back had.
  std::vector<T> Take() {
    std::vector<T> v;
    free_.Take(&v);
    return v;
  }

  void Give(std::vector<T> v) {
    if (v.capacity() == 0 || v.capacity() * sizeof(T) > kMaxBytes) return;
    v.clear();
    free_.Give(std::move(v));
  }

  size_t kept() const { return free_.kept(); }  // tests

 private:
  FreeList<std::vector<T>> free_{kKept};
};

// Summaries hold up to one block each (8 KiB at most, about 1.7 KiB for a full one of one
// position a posting), so their cache is bounded in bytes: 32 MiB, about 150,000 summaries
// without a block. The lists' is bounded by SearchOptions::cache_bytes. Frequencies: 4 MiB,
// about 30,000 terms.
struct SearchCaches {
  explicit SearchCaches(size_t list_bytes) : lists(list_bytes) {}
  SummaryCache summaries{32 << 20};
  ListCache lists;
  BoundedCache<StoredFrequency> frequencies{4 << 20};  // by term
  VectorPool<ScoredDoc> scored_docs;
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
