// What searches keep in memory between them, to spare store reads on the path of every query:
// what flushed segments hold of the terms searched lately, and those terms' stored document
// frequencies. Both are bounded.
#ifndef MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
#define MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/search/postings.h"

namespace meridian::search {

// A map from strings to small values that forgets everything when it is full: what is still
// asked for comes back at the cost of one read each, and lookups keep no order of use. Safe
// for concurrent use.
template <typename Value>
class BoundedCache {
 public:
  explicit BoundedCache(size_t max_entries) : max_entries_(max_entries) {}

  // False when `key` is not cached.
  bool Lookup(std::string_view key, Value* out) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = entries_.find(absl::string_view(key.data(), key.size()));
    if (it == entries_.end()) return false;
    *out = it->second;
    return true;
  }

  void Insert(std::string_view key, const Value& value) {
    absl::MutexLock lock(&mu_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(std::string(key), value);
  }

 private:
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Value> entries_ ABSL_GUARDED_BY(mu_);
};

// What a flushed segment's blocks say of one term. A segment never changes once written and
// its id is never reused, so this never goes stale.
struct SegmentTerm {
  enum class State : uint8_t {
    kFound,    // `summary` is the term's summary (stored, or its one block's)
    kAbsent,   // the segment has no posting of the term
    kMissing,  // it has, in blocks written before summaries
  };
  // A term's only block in a segment is kept when it is this small (about 80 postings), so
  // that a search reads a rare term there without a seek: most words of most queries are rare.
  static constexpr size_t kMaxBlockBytes = 1024;
  State state = State::kAbsent;
  TermSummary summary;
  std::shared_ptr<const std::string> block;  // the only block, when it is small
  DocKey last;                               // and its last posting (from its key)
};

// A term's stored document frequency as read by a search whose view had `epoch`
// (IndexView::df_epoch): current for every view of that epoch.
struct StoredFrequency {
  uint64_t epoch = 0;
  uint64_t df = 0;
};

// Entries are about 100 bytes (summaries: up to 1 KiB more with a block), so the bounds keep
// the caches within a few MiB, and the summaries' within 32 MiB at worst.
struct SearchCaches {
  BoundedCache<SegmentTerm> summaries{1 << 15};        // by BlockPrefix(segment, term)
  BoundedCache<StoredFrequency> frequencies{1 << 15};  // by term
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEARCH_CACHES_H_
