// The pieces a search reads: immutable flushed segments (posting blocks in the store) and one
// in-memory segment holding the postings of the most recently indexed messages.
#ifndef MERIDIAN_SERVER_SEARCH_SEGMENTS_H_
#define MERIDIAN_SERVER_SEARCH_SEGMENTS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "server/search/postings.h"

namespace meridian::search {

// One term of one document, as the analyzer produced it. Filter terms have no positions.
struct TermOccurrences {
  std::string term;
  std::vector<uint32_t> positions;  // sorted, unique
};

// A flushed segment: the postings of the documents indexed with serials in [serial_lo,
// serial_hi), stored as blocks under BlockPrefix(id, term). Shared by every version of its
// Segment; once no search holds it, a merged-away segment's blocks may be deleted.
struct SegmentFile {
  uint64_t id = 0;
  uint64_t serial_lo = 0;
  uint64_t serial_hi = 0;
  uint64_t docs = 0;
  uint32_t level = 0;  // 0 when flushed from memory, n + 1 when merged from segments of level n
};

std::string EncodeSegmentFile(const SegmentFile& f);
bool DecodeSegmentFile(uint64_t id, std::string_view value, SegmentFile* f);

// A segment as one search sees it: its postings, minus the documents that were edited or
// deleted after it was written (their current version, if any, lives in a newer segment).
struct Segment {
  std::shared_ptr<const SegmentFile> file;
  std::shared_ptr<const std::vector<DocKey>> dead;  // sorted; never null
  bool IsDead(const DocKey& d) const;
};

// Postings of recently indexed documents, before they are flushed into a segment. Written by
// the index's writer thread; read by any number of searches. A document added or removed by
// the writer becomes visible to searches only at Publish(), which the writer calls once the
// batch describing the change is committed.
class MemSegment {
 public:
  explicit MemSegment(uint64_t serial_lo) : serial_lo_(serial_lo) {}

  uint64_t serial_lo() const { return serial_lo_; }

  // Writer thread.
  void Add(uint64_t serial, const DocKey& doc, uint32_t length,
           const std::vector<TermOccurrences>& terms);
  // Removes `doc` if this segment holds it (added and not removed) and returns its serial.
  // `terms` are the terms it was added with.
  bool Remove(const DocKey& doc, const std::vector<TermOccurrences>& terms, uint64_t* serial);
  size_t docs() const { return live_docs_.load(std::memory_order_relaxed); }
  // Everything added and not removed, by term in DocKey order, as the writer sees it.
  std::vector<std::pair<std::string, PostingList>> Drain() const;
  void Publish(uint64_t serial_hi);

  // Any thread: the published postings of `term` in DocKey order.
  PostingList Postings(std::string_view term) const;
  // Any thread: calls `visit` with each published posting of `term` (positions aside), the
  // most recently indexed first, without copying the list. Runs under the segment's reader
  // lock: `visit` must be quick and must not call into this segment.
  void VisitPostings(
      std::string_view term,
      absl::FunctionRef<void(const DocKey& doc, uint32_t doc_length, uint32_t tf)> visit) const;
  // Any thread: the number of documents here that contain `term`, as the writer sees it (for
  // statistics, which may run ahead of what searches see by one uncommitted batch).
  uint64_t Count(std::string_view term) const;

 private:
  struct Entry {
    DocKey doc;
    uint64_t serial;
    uint32_t doc_length;
    uint32_t tf;
    uint32_t pos_begin;  // into Term::positions
    uint32_t pos_bytes;
  };
  struct Term {
    std::vector<Entry> entries;  // in serial order
    std::string positions;       // encoded (EncodePositions), one run per entry
    uint64_t live = 0;           // entries not removed
  };
  struct DocKeyHash {
    size_t operator()(const DocKey& d) const {
      return std::hash<uint64_t>()(d.channel * 0x9e3779b97f4a7c15ull ^ d.seq);
    }
  };
  PostingList Collect(const Term& t, uint64_t serial_hi,
                      const std::unordered_set<uint64_t>& removed) const;

  const uint64_t serial_lo_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Term> terms_ ABSL_GUARDED_BY(mu_);
  std::unordered_set<uint64_t> removed_ ABSL_GUARDED_BY(mu_);            // the writer's view
  std::unordered_set<uint64_t> published_removed_ ABSL_GUARDED_BY(mu_);  // searches' view
  uint64_t published_hi_ ABSL_GUARDED_BY(mu_) = 0;
  // Writer thread only.
  absl::flat_hash_map<DocKey, uint64_t, DocKeyHash> docs_;
  std::atomic<size_t> live_docs_{0};
};

// What one search reads: a consistent set of segments, oldest first, the memory segment, and
// the memory segment before it while it is being flushed (null otherwise), and the collection
// statistics for BM25 as of the same commit (exact, see SearchIndex).
struct IndexView {
  std::vector<Segment> segments;
  std::shared_ptr<const MemSegment> memory;
  std::shared_ptr<const MemSegment> frozen;
  uint64_t docs = 0;
  uint64_t total_length = 0;  // of all documents, in positions
  // The number of documents in memory that contain `term` (see MemSegment::Count).
  uint64_t MemoryCount(std::string_view term) const {
    return memory->Count(term) + (frozen != nullptr ? frozen->Count(term) : 0);
  }
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEGMENTS_H_
