// Cursors over posting lists for query evaluation: each walks the matching documents of one
// segment in DocKey order (channel, time, seq), restricted to the searcher's channels and date
// range (out-of-scope channels and dates are skipped by seeking, never read). A search builds
// its cursors once and runs them over each segment in turn: EvalContext names the segment, and
// Reset() moves a cursor tree to it.
#ifndef MERIDIAN_SERVER_SEARCH_CURSORS_H_
#define MERIDIAN_SERVER_SEARCH_CURSORS_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/search/index_keys.h"
#include "server/search/postings.h"
#include "server/search/search_caches.h"
#include "server/search/segments.h"
#include "server/search/top_hits.h"
#include "storage/kv_store.h"

namespace meridian::search {

// What every cursor of one search shares. Borrowed by the cursors for the search's duration.
struct EvalContext {
  const storage::KvStore* store = nullptr;
  std::vector<uint64_t> channels;  // sorted, unique: the only channels ever visited
  uint64_t time_lo = 0;            // time keys in [time_lo, time_hi)
  uint64_t time_hi = std::numeric_limits<uint64_t>::max();
  bool ranked = true;  // false (newest first): no cursor computes a score
  double avg_doc_length = 1;
  double k1 = 1.2;
  double b = 0.75;
  // The segment being searched: a flushed one, or (when segment is null) the memory segment.
  const Segment* segment = nullptr;
  const MemSegment* memory = nullptr;
  SummaryCache* summaries = nullptr;  // null: every summary is read from the store
  ListCache* lists = nullptr;         // null: no term's blocks are read whole
  absl::Status status;                // the first storage error met by any cursor

  // The channels are every one from the first to the last (then no search is needed).
  bool ChannelsContiguous() const {
    return !channels.empty() && channels.back() - channels.front() + 1 == channels.size();
  }
};

// Not safe for concurrent use. Targets passed to SeekGeq never decrease.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Rewinds to the start of the segment the context now names.
  virtual void Reset() = 0;
  // Positions on the first match >= target; false when there is none (then stays exhausted).
  virtual bool SeekGeq(const DocKey& target) = 0;
  // The BM25 contribution at the current match (0 when the search is not ranked).
  virtual double Score() = 0;
  // Estimated number of matches; AND evaluates its cheapest child first.
  virtual double Cost() const = 0;
  // Says that every match will be read once, in order (a ListCursor drains its children): no
  // seek skips ahead, and nothing read need be kept for a later search.
  virtual void ReadOnceInOrder() {}
  const DocKey& doc() const { return doc_; }

 protected:
  DocKey doc_;
};

class TermCursor final : public Cursor {
 public:
  // idf 0 makes a filter: it matches without scoring. `cost` estimates the postings (df).
  TermCursor(EvalContext* ctx, std::string_view term, double idf, double cost);
  void Reset() override;
  bool SeekGeq(const DocKey& target) override;
  double Score() override;
  double Cost() const override { return cost_; }
  void ReadOnceInOrder() override { once_in_order_ = true; }
  // Word positions of the term in the current document, encoded (see PositionReader).
  std::string_view positions() const { return cur_.positions; }

  // For a query that is this one term: adds its matches in the current segment to *count and
  // offers to *hits those that may make the page, reading as little as it can (see below).
  // False when the segment must be walked with SeekGeq instead (then nothing was added).
  bool CollectSegment(TopHits* hits, uint64_t* count);

  double idf() const { return idf_; }
  bool is_text() const { return idf_ > 0; }

 private:
  struct Current {
    DocKey doc;
    uint32_t doc_length = 0;
    uint32_t tf = 0;
    std::string_view positions;  // encoded
  };
  // The ways CollectSegment reads, cheapest first. The memory segment: its list in place.
  void CollectMemory(TopHits* hits, uint64_t* count);
  // A flushed segment, with no date range: true when nothing else of it need be read, having
  // added its live postings to *count. That is when it lacks the term, or when the term's
  // summary shows every posting in scope and none that `hits` may take, and the segment's
  // dead documents in the term's channels are few enough to look up one by one. False when
  // the blocks must be read, as for segments written before summaries.
  bool CountFromSummary(const std::vector<DocKey>& dead, const TopHits& hits, uint64_t* count);
  // A flushed segment, when the scope is a contiguous range of channels and no date range
  // (BlocksApply): decodes only the blocks that hits->Wanted() may take, given their newest
  // time and best possible score, and counts the others from their headers. `dead` is sorted.
  bool BlocksApply() const;
  void CollectBlocks(const std::vector<DocKey>& dead, TopHits* hits, uint64_t* count);
  // What the current segment holds of the term (the summary into summary_), from the cache
  // or else from the store.
  SegmentTerm::State ReadSummary();
  // At a segment's first seek: true when the cache says the segment lacks the term, or holds
  // its blocks, or they are few enough to be read whole and kept there, for a cursor that
  // seeks (then blocks_ holds them, the first that reaches target is loaded unless none does,
  // and no iterator is needed again); false when the blocks must be sought.
  bool StartFromCache(const DocKey& target);
  // Reads all of the term's blocks in the current segment into *blocks and ctx_->lists; false
  // (nothing kept) on a storage error or when there are none.
  bool ReadWholeTerm(std::shared_ptr<const TermBlocks>* blocks);
  // Loads blocks_ block i; false past the last (or when it is malformed).
  bool LoadCachedBlock(size_t i);
  bool CoversChannels(uint64_t lo, uint64_t hi) const;
  bool InScope(const DocKey& d) const;
  // Adds to *n the documents of [from, to) (sorted) that have a posting of the term in the
  // current segment; false on a malformed block.
  bool CountPostingsOf(std::vector<DocKey>::const_iterator from,
                       std::vector<DocKey>::const_iterator to, uint64_t* n);
  // Whether `key` is one of the term's blocks in the current segment.
  bool IsTermBlock(std::string_view key) const;
  // Positions on the first posting >= target, in scope or not.
  bool RawSeek(const DocKey& target);
  bool LoadBlock();
  bool NextInBlock();
  void SetFromBlock();
  void SetFromList();
  void Fail();
  double Bm25(double tf, double doc_length) const;
  // The score of a posting: 0 for a filter, or when the search is not ranked.
  double Impact(uint32_t tf, uint32_t doc_length);
  double NewImpact(uint32_t tf, uint32_t doc_length);
  void EnsureIterator();

  EvalContext* ctx_;
  const std::string term_;
  std::string prefix_;  // of this term's blocks in the current segment
  std::string seek_key_;
  double idf_;
  double cost_;
  bool once_in_order_ = false;  // see ReadOnceInOrder: its blocks are never read whole
  // Scores of small (tf, length) pairs, each computed once a search: BM25 costs two divisions,
  // and a common term meets the same few pairs hundreds of thousands of times. 0: not yet.
  std::vector<double> impacts_;
  std::unique_ptr<storage::Iterator> it_;  // over every block; kept across segments
  TermSummary summary_;                    // of the current segment, after ReadSummary
  bool at_term_ = false;  // it_ is on the term's first key: its summary, or its first block
  // A flushed segment: the block under it_, or blocks_ block block_index_, decoded up to cur_.
  std::shared_ptr<const TermBlocks> blocks_;  // the term's blocks there, from the cache
  size_t block_index_ = 0;
  BlockDecoder dec_;
  DocKey block_last_;
  bool in_block_ = false;
  // The memory segment: its whole list, at i_.
  PostingList list_;
  size_t i_ = 0;
  Current cur_;
  bool started_ = false;
  bool exhausted_ = false;
  bool positioned_ = false;
  uint64_t checked_channel_ = 0;
  bool checked_valid_ = false;
  size_t channel_index_ = 0;  // into ctx_->channels: none before it is >= the current channel
};

// Matches the documents every `must` cursor matches and no `must_not` cursor does. The cheapest
// `must` cursor leads.
class AndCursor : public Cursor {
 public:
  AndCursor(std::vector<std::unique_ptr<Cursor>> must,
            std::vector<std::unique_ptr<Cursor>> must_not);
  void Reset() override;
  bool SeekGeq(const DocKey& target) override;
  double Score() override;
  double Cost() const override { return must_.empty() ? 0 : must_[0]->Cost(); }

 protected:
  virtual bool Accept(const DocKey& doc);
  void SortByCost();
  std::vector<std::unique_ptr<Cursor>> must_;
  std::vector<std::unique_ptr<Cursor>> must_not_;
};

// Matches documents where term i occurs at p + offset[i] for some p.
class PhraseCursor final : public AndCursor {
 public:
  PhraseCursor(std::vector<std::unique_ptr<TermCursor>> terms, std::vector<uint32_t> offsets);

 private:
  bool Accept(const DocKey& doc) override;
  std::vector<TermCursor*> terms_;  // in query order, as offsets_
  std::vector<uint32_t> offsets_;
  std::vector<PositionReader> readers_;
};

// Matches documents any child matches; scores the sum of the children that match.
class OrCursor final : public Cursor {
 public:
  explicit OrCursor(std::vector<std::unique_ptr<Cursor>> children);
  void Reset() override;
  bool SeekGeq(const DocKey& target) override;
  double Score() override;
  double Cost() const override;

 private:
  std::vector<std::unique_ptr<Cursor>> children_;
  std::vector<bool> live_;
};

// The number of documents of `segments` that hold `term`: the sum of its summaries' counts, so
// documents edited or deleted after their segment was written count until a merge drops them
// (as in Lucene); blocks written before summaries are counted from their headers. Summaries are
// taken from and added to `summaries` (may be null).
absl::StatusOr<uint64_t> FlushedFrequency(const storage::KvStore& store, SummaryCache* summaries,
                                          const std::vector<Segment>& segments,
                                          std::string_view term);

// Adjacency bonus for consecutive query words found next to each other, in order.
double ProximityBonus(const std::vector<TermCursor*>& words);

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_CURSORS_H_
