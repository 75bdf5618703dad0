#include "server/search/cursors.h"

#include <algorithm>
#include <optional>

#include "server/common/status_macros.h"

namespace meridian::search {
namespace {

// A Next() onto the following key costs a quarter to a third of a seek (profiled on the
// benchmark's index: most keys start a new RocksDB data block). A follower's hop past its block
// goes either to the adjacent block (a dense follower) or several blocks ahead (a rare leader
// over a common term, where every Next tried first is wasted), so one Next is tried.
constexpr int kNextsBeforeSeek = 1;
// Looking up one document in a term's blocks (a seek, then at most a quarter of a block)
// costs about as much as reading this many block headers in a row; and a block holding a dead
// document is decoded whole.
constexpr uint64_t kBlocksPerLookup = 8;
// The (tf, length) pairs whose scores TermCursor keeps: 2 KiB.
constexpr uint32_t kImpactTfs = 4, kImpactLengths = 64;

bool IsBlockOf(std::string_view prefix, std::string_view key) {
  return key.size() == prefix.size() + 24 && key.substr(0, prefix.size()) == prefix;
}

// Seeks `it` to the first key of `prefix` (BlockPrefix of a segment and a term) and says in
// *entry what the segment holds of the term. *at_first: `it` is still on that first key (the
// summary, or the only block). A term without a stored summary has one block, whose header
// says as much, or was written before summaries (in blocks of kOldBlockPostings); only a
// term's last block is ever short, so a first one shorter than that is the only one, and a
// longer one is followed by another of the term or by none. *error gets a storage error or a
// malformed key.
void SeekSegmentTerm(storage::Iterator& it, std::string_view prefix, SegmentTerm* entry,
                     bool* at_first, absl::Status* error) {
  *at_first = false;
  entry->state = SegmentTerm::State::kAbsent;
  entry->blocks.reset();
  it.Seek(prefix);
  if (!it.Valid() || it.key().substr(0, prefix.size()) != prefix) {
    if (!it.status().ok()) *error = it.status();
    return;
  }
  if (it.key().size() == prefix.size()) {
    if (!DecodeTermSummary(it.value(), &entry->summary)) {
      *error = absl::DataLossError("search: malformed term summary");
      return;
    }
    *at_first = true;
    entry->state = SegmentTerm::State::kFound;
    return;
  }
  if (!IsBlockOf(prefix, it.key()) ||
      !SummarizeBlock(ParseDocKey(it.key()), it.value(), &entry->summary)) {
    *error = absl::DataLossError("search: malformed posting block");
    return;
  }
  entry->state = SegmentTerm::State::kFound;
  std::shared_ptr<TermBlocks> block;
  if (it.value().size() <= SegmentTerm::kMaxBlockBytes) {
    block = std::make_shared<TermBlocks>();
    block->Add(ParseDocKey(it.key()), it.value());
  }
  if (entry->summary.count < kOldBlockPostings) {
    *at_first = true;
    entry->blocks = std::move(block);
    return;
  }
  // At least as long as a block of the segments written before summaries: the term's only
  // block unless another one follows.
  it.Next();
  if (it.Valid() && IsBlockOf(prefix, it.key())) {
    entry->state = SegmentTerm::State::kMissing;
  } else {
    entry->blocks = std::move(block);
  }
  if (!it.status().ok()) *error = it.status();
}

}  // namespace

TermCursor::TermCursor(EvalContext* ctx, std::string_view term, double idf, double cost)
    : ctx_(ctx), term_(term), idf_(idf), cost_(cost) {}

void TermCursor::Reset() {
  started_ = false;
  exhausted_ = false;
  positioned_ = false;
  checked_valid_ = false;
  channel_index_ = 0;
  in_block_ = false;
  at_term_ = false;
  blocks_.reset();
  list_.postings.clear();
  list_.positions.clear();
  i_ = 0;
  if (ctx_->segment != nullptr) prefix_ = BlockPrefix(ctx_->segment->file->id, term_);
}

void TermCursor::Fail() {
  if (ctx_->status.ok()) ctx_->status = absl::DataLossError("search: malformed posting block");
}

inline double TermCursor::Impact(uint32_t tf, uint32_t doc_length) {
  if (!ctx_->ranked || idf_ <= 0) return 0;
  if (tf < kImpactTfs && doc_length < kImpactLengths && !impacts_.empty()) {
    const double impact = impacts_[tf * kImpactLengths + doc_length];
    if (impact != 0) return impact;
  }
  return NewImpact(tf, doc_length);
}

double TermCursor::NewImpact(uint32_t tf, uint32_t doc_length) {
  const double impact = Bm25(tf, doc_length);
  if (tf < kImpactTfs && doc_length < kImpactLengths) {
    if (impacts_.empty()) impacts_.assign(kImpactTfs * kImpactLengths, 0);
    impacts_[tf * kImpactLengths + doc_length] = impact;
  }
  return impact;
}

bool TermCursor::IsTermBlock(std::string_view key) const { return IsBlockOf(prefix_, key); }

// Starts decoding the block under the iterator; false past this term's blocks. The decoder
// reads the iterator's own bytes, so the iterator does not move while the block is in use.
bool TermCursor::LoadBlock() {
  in_block_ = false;
  if (!it_->Valid()) {
    absl::Status st = it_->status();
    if (!st.ok() && ctx_->status.ok()) ctx_->status = st;
    return false;
  }
  std::string_view key = it_->key();
  if (!IsTermBlock(key)) return false;
  block_last_ = ParseDocKey(key);
  if (!dec_.Reset(it_->value()) || !NextInBlock()) {
    Fail();
    return false;
  }
  in_block_ = true;
  return true;
}

bool TermCursor::NextInBlock() {
  if (!dec_.Next()) return false;
  SetFromBlock();
  return true;
}

void TermCursor::SetFromBlock() {
  cur_ = Current{dec_.doc(), dec_.doc_length(), dec_.tf(), dec_.positions()};
}

void TermCursor::SetFromList() {
  const Posting& p = list_.postings[i_];
  cur_ = Current{p.doc, p.doc_length, p.tf,
                 std::string_view(list_.positions).substr(p.pos_begin, p.pos_bytes)};
}

bool TermCursor::RawSeek(const DocKey& target) {
  if (ctx_->segment == nullptr) {
    // The memory segment: one sorted array.
    if (!started_) {
      started_ = true;
      list_ = ctx_->memory->Postings(term_);
      i_ = 0;
    }
    const auto& p = list_.postings;
    if (i_ < p.size() && p[i_].doc < target) {
      if (i_ + 1 < p.size() && p[i_ + 1].doc >= target) {
        ++i_;
      } else {
        i_ = static_cast<size_t>(
            std::lower_bound(p.begin() + static_cast<ptrdiff_t>(i_), p.end(), target,
                             [](const Posting& a, const DocKey& k) { return a.doc < k; }) -
            p.begin());
      }
    }
    if (i_ >= p.size()) return false;
    SetFromList();
    return true;
  }
  if (!started_) {
    started_ = true;
    if (!StartFromCache(target)) {
      EnsureIterator();
      seek_key_.assign(prefix_);
      AppendDocKey(&seek_key_, target);
      it_->Seek(seek_key_);
      if (!LoadBlock()) return false;
    } else if (!in_block_) {
      return false;  // the segment has no posting of the term at or after target
    }
  }
  for (;;) {
    if (in_block_ && block_last_ >= target) {
      if (cur_.doc < target) {
        if (!dec_.NextAtLeast(target)) {
          Fail();  // the key promised a posting >= target in this block
          return false;
        }
        SetFromBlock();
      }
      return true;
    }
    if (blocks_ != nullptr) {
      // The term's blocks are in memory: the next one, or else the first that reaches target.
      const std::vector<DocKey>& last = blocks_->last;
      size_t next = block_index_ + 1;
      if (next < last.size() && last[next] < target) {
        next = static_cast<size_t>(
            std::lower_bound(last.begin() + static_cast<ptrdiff_t>(next) + 1, last.end(), target) -
            last.begin());
      }
      if (!LoadCachedBlock(next)) return false;
      continue;
    }
    // A later block: each key names its block's last DocKey, so the hop needs no decoding.
    in_block_ = false;
    bool found = false;
    for (int n = 0; n < kNextsBeforeSeek && !found; ++n) {
      it_->Next();
      if (!it_->Valid()) return LoadBlock();
      std::string_view key = it_->key();
      if (!IsTermBlock(key)) return false;
      found = ParseDocKey(key) >= target;
    }
    if (!found) {
      seek_key_.assign(prefix_);
      AppendDocKey(&seek_key_, target);
      it_->Seek(seek_key_);
    }
    if (!LoadBlock()) return false;
  }
}

bool TermCursor::SeekGeq(const DocKey& target) {
  if (exhausted_) return false;
  if (positioned_ && doc_ >= target) return true;
  const std::vector<uint64_t>& channels = ctx_->channels;
  const bool contiguous = ctx_->ChannelsContiguous();
  DocKey t = target;
  if (!started_ && !channels.empty() && t.channel < channels.front()) {
    t = DocKey{channels.front(), ctx_->time_lo, 0};
  }
  // Moves forward to the first posting inside the scope: a channel of ctx_->channels and a time
  // in [time_lo, time_hi). Everything outside is jumped over with one seek per gap.
  for (;;) {
    if (!RawSeek(t)) break;
    const DocKey& d = cur_.doc;
    if (!checked_valid_ || d.channel != checked_channel_) {
      if (contiguous) {
        // Every channel from the first to the last.
        if (d.channel > channels.back()) break;
        if (d.channel < channels.front()) {
          t = DocKey{channels.front(), ctx_->time_lo, 0};
          continue;
        }
        checked_channel_ = d.channel;
        checked_valid_ = true;
      } else {
        // Channels only grow while the cursor moves forward: resume after the last one
        // checked, where the next channel of a dense scope is usually the very next entry.
        auto next = channels.begin() + static_cast<ptrdiff_t>(channel_index_);
        if (next != channels.end() && *next < d.channel) {
          ++next;
          if (next != channels.end() && *next < d.channel) {
            next = std::lower_bound(next, channels.end(), d.channel);
          }
        }
        channel_index_ = static_cast<size_t>(next - channels.begin());
        if (next == channels.end()) break;
        if (*next != d.channel) {
          t = DocKey{*next, ctx_->time_lo, 0};
          continue;
        }
        checked_channel_ = d.channel;
        checked_valid_ = true;
      }
    }
    if (d.time < ctx_->time_lo) {
      t = DocKey{d.channel, ctx_->time_lo, 0};
      continue;
    }
    if (d.time >= ctx_->time_hi) {
      if (contiguous) {
        if (d.channel >= channels.back()) break;
        t = DocKey{d.channel + 1, ctx_->time_lo, 0};
        continue;
      }
      auto next = std::upper_bound(channels.begin(), channels.end(), d.channel);
      if (next == channels.end()) break;
      t = DocKey{*next, ctx_->time_lo, 0};
      continue;
    }
    doc_ = d;
    positioned_ = true;
    return true;
  }
  exhausted_ = true;
  positioned_ = false;
  return false;
}

void TermCursor::EnsureIterator() {
  if (it_ != nullptr) return;
  it_ = ctx_->store->NewIterator(kBlocksCf, TagBounds(kBlockTag));
}

double TermCursor::Bm25(double tf, double doc_length) const {
  const double norm = ctx_->k1 * (1 - ctx_->b + ctx_->b * doc_length / ctx_->avg_doc_length);
  return idf_ * tf * (ctx_->k1 + 1) / (tf + norm);
}

double TermCursor::Score() { return Impact(cur_.tf, cur_.doc_length); }

bool TermCursor::CollectSegment(TopHits* hits, uint64_t* count) {
  const Segment* segment = ctx_->segment;
  if (segment == nullptr) {
    CollectMemory(hits, count);
    return true;
  }
  if (CountFromSummary(*segment->dead, *hits, count)) return true;
  if (!BlocksApply()) return false;
  CollectBlocks(*segment->dead, hits, count);
  return true;
}

bool TermCursor::BlocksApply() const {
  return ctx_->segment != nullptr && ctx_->ChannelsContiguous() && ctx_->time_lo == 0 &&
         ctx_->time_hi == std::numeric_limits<uint64_t>::max();
}

void TermCursor::CollectBlocks(const std::vector<DocKey>& dead, TopHits* hits, uint64_t* count) {
  const uint64_t lo = ctx_->channels.front(), hi = ctx_->channels.back();
  EnsureIterator();
  // Already at the term (SeekSummary), its first block will do unless it ends below the scope.
  if (at_term_ && it_->key().size() == prefix_.size()) it_->Next();  // the summary
  if (!at_term_ || !it_->Valid() || !IsTermBlock(it_->key()) ||
      ParseDocKey(it_->key()).channel < lo) {
    seek_key_.assign(prefix_);
    AppendDocKey(&seek_key_, DocKey{lo, 0, 0});
    it_->Seek(seek_key_);
  }
  at_term_ = false;
  BlockDecoder dec;
  for (; it_->Valid(); it_->Next()) {
    std::string_view key = it_->key();
    if (!IsTermBlock(key)) break;
    const DocKey last = ParseDocKey(key);
    if (!dec.Reset(it_->value())) {
      Fail();
      return;
    }
    if (!dec.Next()) {
      Fail();
      return;
    }
    const DocKey first = dec.doc();
    if (first.channel > hi) break;
    auto dead_from = std::lower_bound(dead.begin(), dead.end(), first);
    const bool clean = dead_from == dead.end() || *dead_from > last;
    const bool useful = hits->Wanted(dec.max_time(), Impact(dec.max_tf(), dec.min_length()));
    if (!useful && clean && first.channel >= lo && last.channel <= hi) {
      *count += dec.count();
      continue;
    }
    // Decoded: for its candidates, or (when it holds none) only to count around dead documents
    // and channels out of scope.
    do {
      const DocKey& d = dec.doc();
      if (d.channel < lo || d.channel > hi) continue;
      if (!clean && std::binary_search(dead_from, dead.end(), d)) continue;
      ++*count;
      if (useful) hits->Offer(d, Impact(dec.tf(), dec.doc_length()));
    } while (dec.Next());
    if (!dec.ok()) {
      Fail();
      return;
    }
  }
  if (!it_->status().ok() && ctx_->status.ok()) ctx_->status = it_->status();
}

SegmentTerm::State TermCursor::ReadSummary() {
  SegmentTerm entry;
  if (ctx_->summaries != nullptr && ctx_->summaries->Lookup(prefix_, &entry)) {
    summary_ = entry.summary;
    return entry.state;
  }
  EnsureIterator();
  absl::Status error;
  SeekSegmentTerm(*it_, prefix_, &entry, &at_term_, &error);
  summary_ = entry.summary;
  if (!error.ok()) {
    if (ctx_->status.ok()) ctx_->status = error;
    return SegmentTerm::State::kAbsent;
  }
  if (ctx_->summaries != nullptr) ctx_->summaries->Insert(prefix_, entry);
  return entry.state;
}

bool TermCursor::StartFromCache(const DocKey& target) {
  SegmentTerm entry;
  if (ctx_->summaries == nullptr || !ctx_->summaries->Lookup(prefix_, &entry)) return false;
  if (entry.state == SegmentTerm::State::kAbsent) return true;
  if (entry.blocks == nullptr) {
    if (entry.state != SegmentTerm::State::kFound || once_in_order_ || ctx_->lists == nullptr ||
        entry.summary.count > SegmentTerm::kMaxListPostings) {
      return false;
    }
    if (!ctx_->lists->Lookup(prefix_, &entry.blocks) && !ReadWholeTerm(&entry.blocks)) {
      return false;
    }
  }
  blocks_ = std::move(entry.blocks);
  const std::vector<DocKey>& last = blocks_->last;
  LoadCachedBlock(
      static_cast<size_t>(std::lower_bound(last.begin(), last.end(), target) - last.begin()));
  return true;
}

bool TermCursor::ReadWholeTerm(std::shared_ptr<const TermBlocks>* out) {
  // Past RocksDB's block cache: the copy kept in ctx_->lists serves the later searches, so the
  // block cache need not hold these blocks as well.
  storage::IteratorOptions options = TagBounds(kBlockTag);
  options.fill_cache = false;
  std::unique_ptr<storage::Iterator> it = ctx_->store->NewIterator(kBlocksCf, options);
  auto blocks = std::make_shared<TermBlocks>();
  it->Seek(prefix_);
  if (it->Valid() && it->key() == prefix_) it->Next();  // the summary
  for (; it->Valid() && IsTermBlock(it->key()); it->Next()) {
    blocks->Add(ParseDocKey(it->key()), it->value());
  }
  if (!it->status().ok()) {
    if (ctx_->status.ok()) ctx_->status = it->status();
    return false;
  }
  if (blocks->last.empty()) return false;  // the cursor's own seek then finds the damage
  ctx_->lists->Insert(prefix_, blocks);
  *out = std::move(blocks);
  return true;
}

bool TermCursor::LoadCachedBlock(size_t i) {
  in_block_ = false;
  block_index_ = i;
  if (i >= blocks_->last.size()) return false;
  block_last_ = blocks_->last[i];
  if (!dec_.Reset(blocks_->values[i]) || !NextInBlock()) {
    Fail();
    return false;
  }
  in_block_ = true;
  return true;
}

bool TermCursor::CoversChannels(uint64_t lo, uint64_t hi) const {
  const std::vector<uint64_t>& ch = ctx_->channels;
  auto first = std::lower_bound(ch.begin(), ch.end(), lo);
  if (first == ch.end() || *first != lo) return false;
  const uint64_t span = hi - lo;
  return static_cast<uint64_t>(ch.end() - first) > span &&
         first[static_cast<ptrdiff_t>(span)] == hi;
}

bool TermCursor::InScope(const DocKey& d) const {
  const std::vector<uint64_t>& ch = ctx_->channels;
  if (d.time < ctx_->time_lo || d.time >= ctx_->time_hi || ch.empty()) return false;
  if (ctx_->ChannelsContiguous()) {
    return d.channel >= ch.front() && d.channel <= ch.back();
  }
  return std::binary_search(ch.begin(), ch.end(), d.channel);
}

bool TermCursor::CountPostingsOf(std::vector<DocKey>::const_iterator from,
                                 std::vector<DocKey>::const_iterator to, uint64_t* n) {
  if (from == to) return true;
  EnsureIterator();
  at_term_ = false;
  BlockDecoder dec;
  for (; from != to; ++from) {
    seek_key_.assign(prefix_);
    AppendDocKey(&seek_key_, *from);
    it_->Seek(seek_key_);
    if (!it_->Valid()) break;
    std::string_view key = it_->key();
    if (!IsTermBlock(key)) break;
    if (ParseDocKey(key) == *from) {  // the block's last posting
      ++*n;
      continue;
    }
    // The block holds a posting after *from: decoding stops at the first one >= *from.
    if (!dec.Reset(it_->value())) return false;
    const bool found = dec.NextAtLeast(*from);
    if (!dec.ok()) return false;
    *n += found && dec.doc() == *from;
  }
  if (!it_->status().ok() && ctx_->status.ok()) ctx_->status = it_->status();
  return true;
}

bool TermCursor::CountFromSummary(const std::vector<DocKey>& dead, const TopHits& hits,
                                  uint64_t* count) {
  if (ctx_->time_lo != 0 || ctx_->time_hi != std::numeric_limits<uint64_t>::max()) return false;
  switch (ReadSummary()) {
    case SegmentTerm::State::kAbsent:
      return true;
    case SegmentTerm::State::kMissing:
      return false;
    case SegmentTerm::State::kFound:
      break;
  }
  const TermSummary& s = summary_;
  if (!CoversChannels(s.min_channel, s.max_channel) ||
      hits.Wanted(s.max_time, Impact(s.max_tf, s.min_length))) {
    return false;
  }
  // Only dead documents in the term's channels can be among its postings.
  auto from = std::lower_bound(dead.begin(), dead.end(), DocKey{s.min_channel, 0, 0});
  auto to = std::upper_bound(from, dead.end(), s.max_channel,
                             [](uint64_t ch, const DocKey& d) { return ch < d.channel; });
  const uint64_t blocks = (s.count + kBlockPostings - 1) / kBlockPostings;
  if (static_cast<uint64_t>(to - from) > 1 + blocks / kBlocksPerLookup) return false;
  uint64_t gone = 0;
  if (!CountPostingsOf(from, to, &gone)) {
    Fail();
    return true;
  }
  *count += s.count - std::min(gone, s.count);
  return true;
}

void TermCursor::CollectMemory(TopHits* hits, uint64_t* count) {
  ctx_->memory->VisitPostings(term_, [&](const DocKey& d, uint32_t doc_length, uint32_t tf) {
    if (!InScope(d)) return;
    ++*count;
    hits->Offer(d, Impact(tf, doc_length));
  });
}

AndCursor::AndCursor(std::vector<std::unique_ptr<Cursor>> must,
                     std::vector<std::unique_ptr<Cursor>> must_not)
    : must_(std::move(must)), must_not_(std::move(must_not)) {
  SortByCost();
}

void AndCursor::SortByCost() {
  std::stable_sort(must_.begin(), must_.end(),
                   [](const auto& a, const auto& b) { return a->Cost() < b->Cost(); });
}

void AndCursor::Reset() {
  for (auto& c : must_) c->Reset();
  for (auto& c : must_not_) c->Reset();
}

bool AndCursor::SeekGeq(const DocKey& target) {
  DocKey candidate = target;
  for (;;) {
    if (!must_[0]->SeekGeq(candidate)) return false;
    candidate = must_[0]->doc();
    bool agreed = true;
    for (size_t i = 1; i < must_.size(); ++i) {
      if (!must_[i]->SeekGeq(candidate)) return false;
      if (must_[i]->doc() != candidate) {
        candidate = must_[i]->doc();
        agreed = false;
        break;
      }
    }
    if (!agreed) continue;
    if (!Accept(candidate)) {
      candidate = Successor(candidate);
      continue;
    }
    doc_ = candidate;
    return true;
  }
}

bool AndCursor::Accept(const DocKey& doc) {
  for (auto& c : must_not_) {
    if (c->SeekGeq(doc) && c->doc() == doc) return false;
  }
  return true;
}

double AndCursor::Score() {
  double s = 0;
  for (auto& c : must_) s += c->Score();
  return s;
}

namespace {
std::vector<std::unique_ptr<Cursor>> Upcast(std::vector<std::unique_ptr<TermCursor>> terms,
                                            std::vector<TermCursor*>* raw) {
  std::vector<std::unique_ptr<Cursor>> out;
  for (auto& t : terms) {
    raw->push_back(t.get());
    out.push_back(std::move(t));
  }
  return out;
}
}  // namespace

PhraseCursor::PhraseCursor(std::vector<std::unique_ptr<TermCursor>> terms,
                           std::vector<uint32_t> offsets)
    : AndCursor({}, {}), offsets_(std::move(offsets)) {
  must_ = Upcast(std::move(terms), &terms_);
  readers_.resize(terms_.size());
  SortByCost();
}

bool PhraseCursor::Accept(const DocKey&) {
  for (size_t i = 0; i < terms_.size(); ++i) readers_[i] = PositionReader(terms_[i]->positions());
  return FindPhrase(readers_, offsets_);
}

OrCursor::OrCursor(std::vector<std::unique_ptr<Cursor>> children)
    : children_(std::move(children)), live_(children_.size(), true) {}

void OrCursor::Reset() {
  for (auto& c : children_) c->Reset();
  live_.assign(children_.size(), true);
}

bool OrCursor::SeekGeq(const DocKey& target) {
  bool any = false;
  DocKey best;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!live_[i]) continue;
    if (!children_[i]->SeekGeq(target)) {
      live_[i] = false;
      continue;
    }
    if (!any || children_[i]->doc() < best) best = children_[i]->doc();
    any = true;
  }
  if (any) doc_ = best;
  return any;
}

double OrCursor::Cost() const {
  double c = 0;
  for (const auto& child : children_) c += child->Cost();
  return c;
}

double OrCursor::Score() {
  double s = 0;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (live_[i] && children_[i]->doc() == doc_) s += children_[i]->Score();
  }
  return s;
}

absl::StatusOr<uint64_t> FlushedFrequency(const storage::KvStore& store, SummaryCache* summaries,
                                          const std::vector<Segment>& segments,
                                          std::string_view term) {
  std::unique_ptr<storage::Iterator> it;  // opened at the first cache miss
  uint64_t df = 0;
  for (const Segment& segment : segments) {
    const std::string prefix = BlockPrefix(segment.file->id, term);
    SegmentTerm entry;
    if (summaries != nullptr && summaries->Lookup(prefix, &entry) &&
        entry.state != SegmentTerm::State::kMissing) {
      if (entry.state == SegmentTerm::State::kFound) df += entry.summary.count;
      continue;
    }
    if (it == nullptr) it = store.NewIterator(kBlocksCf, TagBounds(kBlockTag));
    absl::Status error;
    bool at_first = false;
    SeekSegmentTerm(*it, prefix, &entry, &at_first, &error);
    RETURN_IF_ERROR(error);
    if (entry.state != SegmentTerm::State::kMissing) {
      if (entry.state == SegmentTerm::State::kFound) df += entry.summary.count;
      if (summaries != nullptr) summaries->Insert(prefix, entry);
      continue;
    }
    // Blocks written before summaries: their headers hold their counts.
    for (it->Seek(prefix); it->Valid() && IsBlockOf(prefix, it->key()); it->Next()) {
      BlockDecoder dec;
      if (!dec.Reset(it->value())) return absl::DataLossError("search: malformed posting block");
      df += dec.count();
    }
    RETURN_IF_ERROR(it->status());
  }
  return df;
}

double ProximityBonus(const std::vector<TermCursor*>& words) {
  static constexpr uint32_t kAdjacent[] = {0, 1};
  double bonus = 0;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    PositionReader pair[] = {PositionReader(words[i]->positions()),
                             PositionReader(words[i + 1]->positions())};
    if (FindPhrase(pair, kAdjacent)) bonus += 0.5 * (words[i]->idf() + words[i + 1]->idf());
  }
  return bonus;
}

}  // namespace meridian::search
