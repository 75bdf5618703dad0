// The page a search fills: the best `keep` matches offered so far, by score or by time. Inline,
// because a one-word search over a common term offers hundreds of thousands of postings.
#ifndef MERIDIAN_SERVER_SEARCH_TOP_HITS_H_
#define MERIDIAN_SERVER_SEARCH_TOP_HITS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "server/search/index_keys.h"

namespace meridian::search {

struct RankedHit {
  double score;  // 0 when sorted by time
  uint64_t time;
  DocKey doc;
};

// Strict "a ranks before b": higher score, then newer, then a fixed tie-break.
inline bool RanksBefore(const RankedHit& a, const RankedHit& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.time != b.time) return a.time > b.time;
  return a.doc > b.doc;
}

// Not safe for concurrent use.
class TopHits {
 public:
  TopHits(size_t keep, bool by_relevance) : keep_(keep), by_relevance_(by_relevance) {
    heap_.reserve(keep);
  }

  // Whether a match, or a run of matches none newer nor better than this, might still enter.
  bool Wanted(uint64_t max_time, double max_score) const {
    if (heap_.size() < keep_) return true;
    if (keep_ == 0) return false;
    return by_relevance_ ? max_score >= heap_.front().score : max_time >= heap_.front().time;
  }

  // Small enough to inline: most offers are turned away by the first comparison.
  void Offer(const DocKey& doc, double score) {
    const RankedHit hit{by_relevance_ ? score : 0, doc.time, doc};
    if (heap_.size() < keep_ || (keep_ > 0 && RanksBefore(hit, heap_.front()))) Keep(hit);
  }

  // The kept matches, best first; leaves this empty.
  std::vector<RankedHit> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), RanksBefore);
    return std::move(heap_);
  }

 private:
  ABSL_ATTRIBUTE_NOINLINE void Keep(const RankedHit& hit) {
    // A max-heap on "ranks before": the worst kept match is on top.
    if (heap_.size() == keep_) {
      std::pop_heap(heap_.begin(), heap_.end(), RanksBefore);
      heap_.pop_back();
    }
    heap_.push_back(hit);
    std::push_heap(heap_.begin(), heap_.end(), RanksBefore);
  }

  const size_t keep_;
  const bool by_relevance_;
  std::vector<RankedHit> heap_;
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_TOP_HITS_H_
