// Cursors over posting lists for query evaluation: each walks the matching documents of one
// segment in DocKey order (channel, time, seq), restricted to the searcher's channels and date
// range (out-of-scope channels and dates are skipped by seeking, never read). A search builds
// its cursors once and runs them over each segment in turn: EvalContext names the segment, and
// Reset() moves a cursor tree to it.
#ifndef MERIDIAN_SERVER_SEARCH_CURSORS_H_
#define MERIDIAN_SERVER_SEARCH_CURSORS_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "server/search/index_keys.h"
#include "server/search/postings.h"
#include "server/search/segments.h"
#include "storage/kv_store.h"

namespace meridian::search {

// What every cursor of one search shares. Borrowed by the cursors for the search's duration.
struct EvalContext {
  const storage::KvStore* store = nullptr;
  std::vector<uint64_t> channels;  // sorted, unique: the only channels ever visited
  uint64_t time_lo = 0;            // time keys in [time_lo, time_hi)
  uint64_t time_hi = std::numeric_limits<uint64_t>::max();
  double avg_doc_length = 1;
  double k1 = 1.2;
  double b = 0.75;
  // The segment being searched: a flushed one, or (when segment is null) the memory segment.
  const Segment* segment = nullptr;
  const MemSegment* memory = nullptr;
  absl::Status status;  // the first storage error met by any cursor
};

// Not safe for concurrent use. Targets passed to SeekGeq never decrease.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Rewinds to the start of the segment the context now names.
  virtual void Reset() = 0;
  // Positions on the first match >= target; false when there is none (then stays exhausted).
  virtual bool SeekGeq(const DocKey& target) = 0;
  // The BM25 contribution at the current match.
  virtual double Score() = 0;
  // Estimated number of matches; AND evaluates its cheapest child first.
  virtual double Cost() const = 0;
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
  // Word positions of the term in the current document, encoded (see PositionReader).
  std::string_view positions() const { return cur_.positions; }

  // For a query that is this one term, over a flushed segment, when the scope is a contiguous
  // range of channels and no date range (BlocksApply): adds the matches to *count and passes
  // (doc, score) to `offer` for each posting of the blocks that `wanted` says may hold a result,
  // given the block's newest time and best possible score. Other blocks are counted from their
  // headers without being decoded. Dead documents are skipped (`dead` is sorted).
  bool BlocksApply() const;
  void CollectBlocks(const std::vector<DocKey>& dead,
                     const std::function<bool(uint64_t max_time, double max_score)>& wanted,
                     const std::function<void(const DocKey& doc, double score)>& offer,
                     uint64_t* count);

  double idf() const { return idf_; }
  bool is_text() const { return idf_ > 0; }

 private:
  struct Current {
    DocKey doc;
    uint32_t doc_length = 0;
    uint32_t tf = 0;
    std::string_view positions;  // encoded
  };
  // Positions on the first posting >= target, in scope or not.
  bool RawSeek(const DocKey& target);
  bool LoadBlock();
  bool NextInBlock();
  void SetFromBlock();
  void SetFromList();
  void Fail();
  double Bm25(double tf, double doc_length) const;
  void EnsureIterator();

  EvalContext* ctx_;
  const std::string term_;
  std::string prefix_;  // of this term's blocks in the current segment
  std::string seek_key_;
  double idf_;
  double cost_;
  std::unique_ptr<storage::Iterator> it_;  // over every block; kept across segments
  // A flushed segment: the block under it_, decoded up to cur_.
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

// The union of many children, drained into one sorted list per segment (prefix expansions
// with many terms); duplicate documents' scores add up.
class ListCursor final : public Cursor {
 public:
  explicit ListCursor(std::vector<std::unique_ptr<Cursor>> children);
  void Reset() override;
  bool SeekGeq(const DocKey& target) override;
  double Score() override { return entries_[i_].score; }
  double Cost() const override { return cost_; }

 private:
  struct Entry {
    DocKey doc;
    double score;
  };
  std::vector<std::unique_ptr<Cursor>> children_;
  double cost_ = 0;
  std::vector<Entry> entries_;
  size_t i_ = 0;
};

// Adjacency bonus for consecutive query words found next to each other, in order.
double ProximityBonus(const std::vector<TermCursor*>& words);

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_CURSORS_H_
