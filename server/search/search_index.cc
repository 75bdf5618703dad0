#include "server/search/search_index.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/search/index_keys.h"
#include "server/search/query_parser.h"
#include "server/search/query_plan.h"
#include "server/search/snippet.h"

namespace meridian::search {
namespace {

constexpr uint8_t kFlagReaction = 1, kFlagPinned = 2, kFlagThread = 4, kFlagDirect = 8;
// Bounds the writer's memory for "lexicon entry already written" (a re-Put is harmless).
constexpr size_t kMaxLexiconCache = 4 << 20;
constexpr char kFormat[] = "4";
// Format 3 differs only in its blocks' skip entries, which every block describes itself
// (postings.h): opening such an index just records format 4.
constexpr char kFormatSkipsEvery32[] = "3";
// Format 2 kept the posting blocks in Cf::kSearch, without summaries, and stored document
// frequencies; opening such an index upgrades it.
constexpr char kFormatBlocksInSearchCf[] = "2";
// A merge writes its blocks in table files of about this size.
constexpr size_t kMergeFileBytes = 64 << 20;

TokenizerOptions TokenizerOptionsFor(const SearchOptions& o) {
  TokenizerOptions t;
  t.stemming_language = o.stemming ? o.stemming_language : "";
  return t;
}

std::unique_ptr<Tokenizer> MakeTokenizer(const SearchOptions& o) {
  auto t = Tokenizer::Create(TokenizerOptionsFor(o));
  if (t.ok()) return *std::move(t);
  MLOG_ERROR("search: {}; indexing without stemming", std::string(t.status().message()));
  return *Tokenizer::Create(TokenizerOptions{""});
}

bool HasLink(std::string_view text) {
  return text.find("://") != std::string_view::npos || text.find("www.") != std::string_view::npos;
}

// Everything a message puts into the index: its terms with positions (sorted by term), and
// lexicon entries.
struct DocTerms {
  std::vector<TermOccurrences> terms;
  std::vector<std::pair<std::string, std::string>> lexicon;  // surface -> term
  uint32_t length = 0;
  bool Has(const std::string& term) const {
    auto it =
        std::lower_bound(terms.begin(), terms.end(), term,
                         [](const TermOccurrences& a, const std::string& b) { return a.term < b; });
    return it != terms.end() && it->term == term;
  }
};

DocTerms Analyze(Tokenizer& tokenizer, const IndexedMessage& m) {
  DocTerms out;
  std::vector<Token> tokens = tokenizer.Tokenize(m.text, &out.length);
  for (const Token& t : tokens) {
    if (t.surface != t.term || t.kind != Token::Kind::kCjkUnigram) {
      out.lexicon.emplace_back(t.surface, t.term);
    }
  }
  // Group the tokens by term: sort (term, position) pairs, no map.
  std::vector<std::pair<std::string_view, uint32_t>> order;
  order.reserve(tokens.size() + 8);
  for (const Token& t : tokens) order.emplace_back(t.term, t.position);
  std::string from = FromTerm(m.author);
  std::vector<std::string> with;
  auto filter = [&](std::string_view term) { order.emplace_back(term, UINT32_MAX); };
  filter(kAllTerm);
  filter(from);
  if (HasLink(m.text)) filter(kLinkTerm);
  if (m.has_reaction) filter(kReactionTerm);
  if (m.in_thread) filter(kThreadTerm);
  if (m.pinned) filter(kPinnedTerm);
  if (m.is_direct) {
    with.reserve(m.direct_members.size());
    for (uint64_t u : m.direct_members) with.push_back(WithTerm(u));
    for (const std::string& w : with) filter(w);
  }
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < order.size();) {
    TermOccurrences& t = out.terms.emplace_back();
    t.term.assign(order[i].first);
    for (; i < order.size() && order[i].first == t.term; ++i) {
      const uint32_t p = order[i].second;
      if (p != UINT32_MAX && (t.positions.empty() || t.positions.back() != p)) {
        t.positions.push_back(p);
      }
    }
  }
  return out;
}

DocKey KeyOf(const IndexedMessage& m) { return DocKey{m.channel, TimeToKey(m.time_us), m.seq}; }

// The document record: serial, time, author, flags, DM members (when direct), text.
std::string DocRecord(uint64_t serial, const IndexedMessage& m) {
  std::string v;
  storage::AppendU64(&v, serial);
  storage::AppendU64(&v, static_cast<uint64_t>(m.time_us));
  AppendVarint(&v, m.author);
  v.push_back(static_cast<char>((m.has_reaction ? kFlagReaction : 0) |
                                (m.pinned ? kFlagPinned : 0) | (m.in_thread ? kFlagThread : 0) |
                                (m.is_direct ? kFlagDirect : 0)));
  if (m.is_direct) {
    AppendVarint(&v, m.direct_members.size());
    for (uint64_t u : m.direct_members) AppendVarint(&v, u);
  }
  v.append(m.text);
  return v;
}

// Parses a document record into *m (channel and seq are not in it) and its serial.
bool ParseDocRecord(std::string_view v, uint64_t* serial, IndexedMessage* m) {
  if (v.size() < 16) return false;
  *serial = *storage::ReadU64(v);
  m->time_us = static_cast<int64_t>(*storage::ReadU64(v.substr(8)));
  v.remove_prefix(16);
  if (!ReadVarint(&v, &m->author) || v.empty()) return false;
  const uint8_t flags = static_cast<uint8_t>(v[0]);
  v.remove_prefix(1);
  m->has_reaction = flags & kFlagReaction;
  m->pinned = flags & kFlagPinned;
  m->in_thread = flags & kFlagThread;
  m->is_direct = flags & kFlagDirect;
  m->direct_members.clear();
  if (m->is_direct) {
    uint64_t n = 0;
    if (!ReadVarint(&v, &n) || n > v.size()) return false;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t u = 0;
      if (!ReadVarint(&v, &u)) return false;
      m->direct_members.push_back(u);
    }
  }
  m->text.assign(v);
  return true;
}

std::string LogValue(const IndexedMessage& m) {
  return storage::KeyBuilder().U64(m.channel).U64(m.seq).Take();
}

uint64_t QueryHash(const SearchQuery& q) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: page tokens survive restarts
  auto mix = [&h](std::string_view s) {
    for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  };
  mix(q.text);
  mix(q.sort == SearchSort::kNewest ? "n" : "r");
  mix(q.time_zone.name());
  return h;
}

absl::StatusOr<int> ParsePageToken(const SearchQuery& q, int max_offset) {
  if (q.page_token.empty()) return 0;
  absl::Status bad = absl::InvalidArgumentError(
      "malformed page_token; expected a next_page_token returned by the same query");
  size_t dot = q.page_token.find('.');
  int offset = 0;
  uint64_t hash = 0;
  if (dot == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(q.page_token).substr(0, dot), &offset) ||
      !absl::SimpleHexAtoi(absl::string_view(q.page_token).substr(dot + 1), &hash) ||
      hash != QueryHash(q) || offset < 0 || offset > max_offset) {
    return bad;
  }
  return offset;
}

// Writes the summary of one term's blocks of a format-2 segment (they had none) and the blocks
// after it.
absl::Status PutWithSummary(std::string_view prefix,
                            const std::vector<std::pair<std::string, std::string>>& blocks,
                            storage::TableWriter& out) {
  TermSummary summary;
  summary.min_length = UINT32_MAX;
  for (const auto& [key, value] : blocks) {
    BlockDecoder dec;
    if (!dec.Reset(value)) return absl::DataLossError("search: malformed posting block");
    summary.count += dec.count();
    summary.max_time = std::max(summary.max_time, dec.max_time());
    summary.max_tf = std::max(summary.max_tf, dec.max_tf());
    summary.min_length = std::min(summary.min_length, dec.min_length());
    if (&value == &blocks.front().second) {
      if (!dec.Next()) return absl::DataLossError("search: malformed posting block");
      summary.min_channel = dec.doc().channel;
    }
  }
  summary.max_channel = ParseDocKey(blocks.back().first).channel;
  std::string value;
  EncodeTermSummary(summary, &value);
  RETURN_IF_ERROR(out.Put(prefix, value));
  for (const auto& [key, block] : blocks) RETURN_IF_ERROR(out.Put(key, block));
  return absl::OkStatus();
}

// Whether any key of `cf` lies in [begin, end).
absl::StatusOr<bool> HoldsKeys(const storage::KvStore& store, storage::Cf cf, std::string begin,
                               std::string end) {
  storage::IteratorOptions opts;
  opts.lower_bound = std::move(begin);
  opts.upper_bound = std::move(end);
  auto it = store.NewIterator(cf, opts);
  it->SeekToFirst();
  RETURN_IF_ERROR(it->status());
  return it->Valid();
}

// Deletes every block in [begin, end) of kBlocksCf, which no segment record names, by dropping
// the table files that hold them (ReclaimRange): a segment's blocks never share a file with
// another segment's. Range deletions are written only for blocks that outlive that, since
// RocksDB never compacts kBlocksCf and every later seek there would pay for them.
absl::Status DropBlocks(storage::KvStore& store, const std::string& begin, const std::string& end) {
  RETURN_IF_ERROR(store.ReclaimRange(kBlocksCf, begin, end));
  ASSIGN_OR_RETURN(bool left, HoldsKeys(store, kBlocksCf, begin, end));
  if (!left) return absl::OkStatus();
  storage::WriteBatch batch;
  batch.DeleteRange(kBlocksCf, begin, end);
  return store.Write(batch, storage::Durability::kSync);
}

// Upgrades a format-2 index: copies its blocks (already in key order) into table files of
// kBlocksCf, a segment's to files of their own, with a summary before each term's blocks; then
// deletes them and the stored document frequencies from Cf::kSearch and records the new format
// in one batch. A crash in between leaves format 2, and the copy is made again.
absl::Status UpgradeFromFormat2(storage::KvStore& store) {
  storage::IteratorOptions opts = TagBounds(kBlockTag);
  opts.fill_cache = false;
  opts.readahead_bytes = 1 << 20;
  // An earlier, interrupted upgrade may have left a copy: cleared first.
  RETURN_IF_ERROR(DropBlocks(store, opts.lower_bound, opts.upper_bound));
  ASSIGN_OR_RETURN(std::unique_ptr<storage::TableWriter> out, store.NewTableWriter(kBlocksCf));
  auto it = store.NewIterator(storage::Cf::kSearch, opts);
  uint64_t blocks = 0;
  std::string prefix;  // segment and term of `run`
  std::vector<std::pair<std::string, std::string>> run;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++blocks) {
    std::string_view key = it->key();
    if (IsTermSummaryKey(key)) continue;  // none in format 2; made anew below in any case
    if (key.size() < 9 + 1 + 24) return absl::DataLossError("search: malformed block key");
    std::string_view key_prefix = key.substr(0, key.size() - 24);
    if (key_prefix != prefix && !run.empty()) {
      RETURN_IF_ERROR(PutWithSummary(prefix, run, *out));
      run.clear();
      // Tag and segment id: the next segment starts a file of its own.
      if (key_prefix.substr(0, 9) != std::string_view(prefix).substr(0, 9)) {
        RETURN_IF_ERROR(out->Ingest());
      }
    }
    prefix.assign(key_prefix);
    run.emplace_back(std::string(key), std::string(it->value()));
  }
  RETURN_IF_ERROR(it->status());
  if (!run.empty()) RETURN_IF_ERROR(PutWithSummary(prefix, run, *out));
  RETURN_IF_ERROR(out->Ingest());
  storage::WriteBatch batch;
  if (blocks > 0) batch.DeleteRange(storage::Cf::kSearch, opts.lower_bound, opts.upper_bound);
  const storage::IteratorOptions df = TagBounds(kDfTag);
  batch.DeleteRange(storage::Cf::kSearch, df.lower_bound, df.upper_bound);
  batch.Put(storage::Cf::kSearch, FormatKey(), kFormat);
  RETURN_IF_ERROR(store.Write(batch, storage::Durability::kSync));
  MLOG_INFO("search: moved {} posting blocks to their own column family (index format {})", blocks,
            kFormat);
  return absl::OkStatus();
}

}  // namespace

class SearchIndex::TokenizerPool {
 public:
  explicit TokenizerPool(const SearchOptions& options) : options_(options) {}
  std::unique_ptr<Tokenizer> Acquire() {
    std::unique_ptr<Tokenizer> t;
    if (!free_.Take(&t)) t = MakeTokenizer(options_);
    return t;
  }
  void Release(std::unique_ptr<Tokenizer> t) { free_.Give(std::move(t)); }

 private:
  const SearchOptions& options_;
  FreeList<std::unique_ptr<Tokenizer>> free_;
};

SearchIndex::SearchIndex(storage::KvStore& store, SearchOptions options)
    : store_(store),
      options_(std::move(options)),
      writer_tokenizer_(MakeTokenizer(options_)),
      pool_(std::make_unique<TokenizerPool>(options_)) {}

SearchIndex::~SearchIndex() {
  merge_stopping_ = true;
  {
    absl::MutexLock lock(&merge_mu_);
    merge_stop_ = true;
  }
  if (merger_.joinable()) merger_.join();
  // A merge that was not installed left blocks without a record; the next Open deletes them.
}

absl::StatusOr<std::unique_ptr<SearchIndex>> SearchIndex::Open(storage::KvStore& store,
                                                               SearchOptions options) {
  RETURN_IF_ERROR(CheckAnalyzer(store, options));
  ASSIGN_OR_RETURN(std::optional<std::string> format, store.Get(storage::Cf::kSearch, FormatKey()));
  if (!format.has_value()) {
    auto it = store.NewIterator(storage::Cf::kSearch, TagBounds(kLegacyPostingTag));
    it->SeekToFirst();
    RETURN_IF_ERROR(it->status());
    if (it->Valid()) {
      return absl::FailedPreconditionError(
          "the search index in this data directory was written by a pre-release build of "
          "meridiand (one key per posting) and cannot be read by this one; start from a new "
          "data directory");
    }
    storage::WriteBatch batch;
    batch.Put(storage::Cf::kSearch, FormatKey(), kFormat);
    RETURN_IF_ERROR(store.Write(batch, storage::Durability::kSync));
  } else if (*format == kFormatBlocksInSearchCf) {
    RETURN_IF_ERROR(UpgradeFromFormat2(store));
  } else if (*format == kFormatSkipsEvery32) {
    storage::WriteBatch batch;
    batch.Put(storage::Cf::kSearch, FormatKey(), kFormat);
    RETURN_IF_ERROR(store.Write(batch, storage::Durability::kSync));
  } else if (*format != kFormat) {
    return absl::FailedPreconditionError(
        absl::StrCat("the search index in this data directory has format '", *format,
                     "', which this build of meridiand cannot read (it reads '", kFormat, "')"));
  }
  auto index = std::unique_ptr<SearchIndex>(new SearchIndex(store, std::move(options)));
  RETURN_IF_ERROR(index->Load(/*clean_up=*/true));
  index->merger_ = std::thread([raw = index.get()] { raw->MergeLoop(); });
  return index;
}

absl::Status SearchIndex::Validate(const SearchOptions& options) {
  if (options.default_page_size < 1 || options.max_page_size < options.default_page_size) {
    return absl::InvalidArgumentError("search page sizes must satisfy 1 <= default <= max");
  }
  if (options.segment_docs < 1 || options.merge_fan_in < 2) {
    return absl::InvalidArgumentError("search segment_docs must be >= 1 and merge_fan_in >= 2");
  }
  return Tokenizer::Create(TokenizerOptionsFor(options)).status();
}

// Rebuilds the writer's state from the store: segments and their dead documents, then the
// memory segment from the log. With clean_up (at open, when no search runs), also deletes what
// an interrupted flush or merge left behind.
absl::Status SearchIndex::Load(bool clean_up) {
  ++generation_;
  frozen_.reset();
  frozen_removed_.clear();
  flush_queued_ = false;
  // After a failed batch, segments it retired may still be live: forget them all (blocks of
  // segments that really were retired are deleted by the next Open).
  retired_.clear();
  segments_.clear();
  stats_.clear();
  lexicon_written_.clear();
  uncommitted_.clear();
  storage::WriteBatch cleanup;
  {
    auto it = store_.NewIterator(storage::Cf::kSearch, TagBounds(kSegmentTag));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key = it->key();
      auto id = storage::ReadU64(key.substr(1));
      auto file = std::make_shared<SegmentFile>();
      if (key.size() != 9 || !id || !DecodeSegmentFile(*id, it->value(), file.get())) {
        return absl::DataLossError("search: malformed segment record");
      }
      segments_.push_back(Segment{std::move(file), std::make_shared<std::vector<DocKey>>()});
    }
    RETURN_IF_ERROR(it->status());
  }
  std::sort(segments_.begin(), segments_.end(), [](const Segment& a, const Segment& b) {
    return a.file->serial_lo < b.file->serial_lo;
  });
  // Dead documents, by segment.
  for (Segment& seg : segments_) {
    storage::IteratorOptions opts;
    opts.lower_bound = SegmentDeadBegin(seg.file->id);
    opts.upper_bound = SegmentDeadBegin(seg.file->id + 1);
    auto it = store_.NewIterator(storage::Cf::kSearch, opts);
    auto dead = std::make_shared<std::vector<DocKey>>();
    for (it->SeekToFirst(); it->Valid(); it->Next()) dead->push_back(ParseDocKey(it->key()));
    RETURN_IF_ERROR(it->status());
    seg.dead = std::move(dead);
  }
  // Segment ids are never reused: blocks of a merge that was never installed may still exist.
  uint64_t max_id = 0;
  for (const Segment& seg : segments_) max_id = std::max(max_id, seg.file->id);
  {
    auto it = store_.NewIterator(kBlocksCf, TagBounds(kBlockTag));
    it->SeekToLast();
    RETURN_IF_ERROR(it->status());
    if (it->Valid() && it->key().size() >= 9) {
      max_id = std::max(max_id, storage::ReadU64(it->key().substr(1)).value_or(0));
    }
  }
  if (clean_up) {
    // Blocks and dead marks of segments without a record: merged away, or never installed.
    std::vector<uint64_t> live;
    for (const Segment& seg : segments_) live.push_back(seg.file->id);
    std::sort(live.begin(), live.end());
    uint64_t from = 0;
    for (size_t i = 0; i <= live.size(); ++i) {
      const uint64_t to = i < live.size() ? live[i] : max_id + 1;
      // Only gaps that still hold keys: a range deletion per gap at every open would pile up
      // and slow every later seek.
      if (from < to) {
        ASSIGN_OR_RETURN(bool blocks, HoldsKeys(store_, kBlocksCf, SegmentBlocksBegin(from),
                                                SegmentBlocksBegin(to)));
        if (blocks) {
          RETURN_IF_ERROR(DropBlocks(store_, SegmentBlocksBegin(from), SegmentBlocksBegin(to)));
        }
        ASSIGN_OR_RETURN(bool marks, HoldsKeys(store_, storage::Cf::kSearch, SegmentDeadBegin(from),
                                               SegmentDeadBegin(to)));
        if (marks) {
          cleanup.DeleteRange(storage::Cf::kSearch, SegmentDeadBegin(from), SegmentDeadBegin(to));
        }
      }
      if (i < live.size()) from = live[i] + 1;
    }
  }
  // Never below what this process already handed out (a merge may be writing that id now).
  next_segment_ = std::max(next_segment_, max_id + 1);

  // The memory segment: every logged message whose current version was not flushed.
  const uint64_t lo = segments_.empty() ? 1 : segments_.back().file->serial_hi;
  memory_ = std::make_shared<MemSegment>(lo);
  next_serial_ = lo;
  {
    auto it = store_.NewIterator(storage::Cf::kSearch, TagBounds(kLogTag));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key = it->key();
      std::string_view value = it->value();
      const uint64_t serial = storage::ReadU64(key.substr(1)).value_or(0);
      bool current = false;
      if (serial >= lo && value.size() == 16) {
        const uint64_t channel = *storage::ReadU64(value);
        const uint64_t seq = *storage::ReadU64(value.substr(8));
        ASSIGN_OR_RETURN(std::optional<std::string> record,
                         store_.Get(storage::Cf::kSearch, DocRecordKey(channel, seq)));
        IndexedMessage m;
        uint64_t record_serial = 0;
        if (record.has_value() && ParseDocRecord(*record, &record_serial, &m) &&
            record_serial == serial) {
          m.channel = channel;
          m.seq = seq;
          DocTerms terms = Analyze(*writer_tokenizer_, m);
          memory_->Add(serial, KeyOf(m), terms.length, terms.terms);
          current = true;
        }
      }
      if (!current && clean_up) cleanup.Delete(storage::Cf::kSearch, key);
      next_serial_ = std::max(next_serial_, serial + 1);
    }
    RETURN_IF_ERROR(it->status());
  }
  if (!cleanup.empty()) RETURN_IF_ERROR(store_.Write(cleanup, storage::Durability::kSync));
  Reclaim();
  memory_->Publish(next_serial_);
  Publish();
  return absl::OkStatus();
}

void SearchIndex::Publish() {
  auto view = std::make_shared<IndexView>();
  view->segments = segments_;
  view->memory = memory_;
  view->frozen = frozen_;
  view->docs = LoadStat(DocCountKey()).value;
  view->total_length = LoadStat(TotalLengthKey()).value;
  absl::MutexLock lock(&view_mu_);
  view_ = std::move(view);
}

size_t SearchIndex::segment_count() const {
  absl::MutexLock lock(&view_mu_);
  return view_->segments.size();
}

uint64_t SearchIndex::DocumentFrequency(std::string_view term) const {
  std::shared_ptr<const IndexView> view;
  {
    absl::MutexLock lock(&view_mu_);
    view = view_;
  }
  auto flushed = FlushedFrequency(store_, nullptr, view->segments, term);
  return flushed.value_or(0) + view->MemoryCount(term);
}

size_t SearchIndex::memory_docs() const {
  absl::MutexLock lock(&view_mu_);
  return view_->memory->docs() + (view_->frozen != nullptr ? view_->frozen->docs() : 0);
}

absl::Status SearchIndex::CheckAnalyzer(storage::KvStore& store, const SearchOptions& options) {
  const std::string wanted = options.stemming ? options.stemming_language : "";
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   store.Get(storage::Cf::kSearch, AnalyzerKey()));
  if (!stored.has_value()) {
    storage::WriteBatch batch;
    batch.Put(storage::Cf::kSearch, AnalyzerKey(), wanted);
    return store.Write(batch, storage::Durability::kSync);
  }
  if (*stored == wanted) return absl::OkStatus();
  auto describe = [](const std::string& language) {
    return language.empty() ? std::string("stemming = false")
                            : absl::StrCat("stemming_language = \"", language, "\"");
  };
  return absl::FailedPreconditionError(absl::StrCat(
      "the search index in this data directory was built with [search] ", describe(*stored),
      ", but the configuration now says ", describe(wanted),
      "; set it back, because the existing index cannot answer queries analyzed another way"));
}

void SearchIndex::Commit() {
  Reclaim();
  memory_->Publish(next_serial_);
  if (frozen_ != nullptr) frozen_->Publish(memory_->serial_lo());
  uncommitted_.clear();
  Publish();
}

void SearchIndex::Abandon() {
  reload_ = true;
  reclaim_.clear();  // the batch may not have dropped those segments' records
}

void SearchIndex::Reclaim() {
  for (const auto& [from, to] : reclaim_) {
    absl::Status st =
        store_.ReclaimRange(kBlocksCf, SegmentBlocksBegin(from), SegmentBlocksBegin(to));
    if (!st.ok())
      MLOG_WARN("search: reclaiming deleted blocks failed: {}", std::string(st.message()));
  }
  reclaim_.clear();
}

SearchIndex::CachedStat& SearchIndex::LoadStat(const std::string& key) {
  auto it = stats_.find(key);
  if (it != stats_.end()) return it->second;
  uint64_t current = 0;
  auto v = store_.Get(storage::Cf::kSearch, key);
  if (!v.ok()) {
    // Statistics only weigh ranking; a failed read must not fail the post.
    MLOG_ERROR("search: reading statistic failed: {}", std::string(v.status().message()));
  } else if (v->has_value()) {
    current = storage::ReadU64(**v).value_or(0);
  }
  return stats_.emplace(key, CachedStat{current, current}).first->second;
}

void SearchIndex::AdjustStat(const std::string& key, int64_t delta, storage::WriteBatch* batch) {
  CachedStat& stat = LoadStat(key);
  int64_t next = static_cast<int64_t>(stat.value) + delta;
  stat.value = next < 0 ? 0 : static_cast<uint64_t>(next);
  // The stored value may lag by up to 1/64 of the value (exact below 64), so that a common
  // term costs a write every few thousand messages instead of one per message.
  const uint64_t drift =
      stat.value > stat.stored ? stat.value - stat.stored : stat.stored - stat.value;
  if (drift > (stat.value >> kStatToleranceShift)) PutStat(key, &stat, batch);
}

void SearchIndex::PutStat(const std::string& key, CachedStat* stat, storage::WriteBatch* batch) {
  std::string value;
  storage::AppendU64(&value, stat->value);
  batch->Put(storage::Cf::kSearch, key, value);
  stat->stored = stat->value;
}

void SearchIndex::FlushStats(storage::WriteBatch* batch) {
  for (auto& [key, stat] : stats_) {
    if (stat.value != stat.stored) PutStat(key, &stat, batch);
  }
}

void SearchIndex::IndexMessage(const IndexedMessage* previous, const IndexedMessage* current,
                               storage::WriteBatch* batch) {
  if (previous == nullptr && current == nullptr) return;
  if (reload_) {
    reload_ = false;
    absl::Status st = Load(/*clean_up=*/false);
    if (!st.ok()) MLOG_ERROR("search: reloading the index failed: {}", std::string(st.message()));
  }
  Maintain(batch);

  DocTerms before, after;
  if (previous != nullptr) before = Analyze(*writer_tokenizer_, *previous);
  if (current != nullptr) after = Analyze(*writer_tokenizer_, *current);
  if (previous != nullptr) {
    Unindex(*previous, before.terms, batch);
    if (current == nullptr || previous->channel != current->channel ||
        previous->seq != current->seq) {
      batch->Delete(storage::Cf::kSearch, DocRecordKey(previous->channel, previous->seq));
    }
  }
  const int64_t docs_delta = (current != nullptr) - (previous != nullptr);
  if (docs_delta != 0) AdjustStat(DocCountKey(), docs_delta, batch);
  const int64_t length_delta =
      static_cast<int64_t>(after.length) - static_cast<int64_t>(before.length);
  if (length_delta != 0) AdjustStat(TotalLengthKey(), length_delta, batch);

  if (current != nullptr) {
    const uint64_t serial = next_serial_++;
    memory_->Add(serial, KeyOf(*current), after.length, after.terms);
    uncommitted_[{current->channel, current->seq}] = serial;
    batch->Put(storage::Cf::kSearch, LogKey(serial), LogValue(*current));
    batch->Put(storage::Cf::kSearch, DocRecordKey(current->channel, current->seq),
               DocRecord(serial, *current));
    if (lexicon_written_.size() > kMaxLexiconCache) lexicon_written_.clear();
    for (const auto& [surface, term] : after.lexicon) {
      if (lexicon_written_.insert(surface).second) {
        batch->Put(storage::Cf::kSearch, LexiconKey(surface), term);
      }
    }
  }
  MaybeFreeze();
}

// Freezes a full memory segment, or queues the frozen one again after a failed flush (which
// the merge thread logged), unless a flush is under way.
void SearchIndex::MaybeFreeze() {
  if (!flush_queued_ && (frozen_ != nullptr || memory_->docs() >= options_.segment_docs)) {
    Freeze();
  }
}

// Takes the indexed version of `m` out of the memory segment, or marks it dead in the flushed
// segment that holds it.
void SearchIndex::Unindex(const IndexedMessage& m, const std::vector<TermOccurrences>& terms,
                          storage::WriteBatch* batch) {
  const DocKey doc = KeyOf(m);
  uint64_t serial = 0;
  if (memory_->Remove(doc, terms, &serial)) {
    batch->Delete(storage::Cf::kSearch, LogKey(serial));
    return;
  }
  if (frozen_ != nullptr && frozen_->Remove(doc, terms, &serial)) {
    frozen_removed_.push_back(doc);
    batch->Delete(storage::Cf::kSearch, LogKey(serial));
    return;
  }
  auto pending = uncommitted_.find({m.channel, m.seq});
  if (pending != uncommitted_.end()) {
    serial = pending->second;
  } else {
    auto record = store_.Get(storage::Cf::kSearch, DocRecordKey(m.channel, m.seq));
    IndexedMessage stored;
    if (!record.ok()) {
      MLOG_ERROR("search: reading document record failed: {}",
                 std::string(record.status().message()));
      return;
    }
    if (!record->has_value() || !ParseDocRecord(**record, &serial, &stored)) return;
  }
  auto seg = std::upper_bound(segments_.begin(), segments_.end(), serial,
                              [](uint64_t s, const Segment& g) { return s < g.file->serial_lo; });
  if (seg == segments_.begin()) return;
  --seg;
  if (serial >= seg->file->serial_hi) return;
  auto dead = std::make_shared<std::vector<DocKey>>(*seg->dead);
  dead->insert(std::upper_bound(dead->begin(), dead->end(), doc), doc);
  seg->dead = std::move(dead);
  batch->Put(storage::Cf::kSearch, DeadKey(seg->file->id, doc), "");
}

// Hands the memory segment to the merge thread to be written as a segment, and starts a new
// one. Searches go on reading the frozen segment until InstallFlush replaces it.
void SearchIndex::Freeze() {
  if (frozen_ == nullptr) {
    frozen_ = std::move(memory_);
    memory_ = std::make_shared<MemSegment>(next_serial_);
  }
  auto job = std::make_unique<FlushJob>();
  job->memory = frozen_;
  job->file = std::make_shared<SegmentFile>();
  job->file->id = next_segment_++;
  job->file->serial_lo = frozen_->serial_lo();
  job->file->serial_hi = memory_->serial_lo();
  job->file->level = 0;
  job->generation = generation_;
  flush_queued_ = true;
  absl::MutexLock lock(&merge_mu_);
  flush_todo_ = std::move(job);
}

// On the merge thread: writes the frozen segment's blocks (invisible until InstallFlush puts
// its record into a committed batch).
absl::Status SearchIndex::RunFlush(FlushJob& job) {
  const std::vector<std::pair<std::string, PostingList>> terms = job.memory->Drain();
  for (const auto& [term, list] : terms) {
    if (term == kAllTerm) job.file->docs = list.postings.size();
  }
  return WriteBlocks(job.file->id, terms);
}

// On the writer: puts a flushed segment into *batch (its record, the dead marks of what was
// removed from it meanwhile, and the end of its log) and into the segment list in place of the
// frozen memory segment.
void SearchIndex::InstallFlush(storage::WriteBatch* batch) {
  std::unique_ptr<FlushJob> job;
  {
    absl::MutexLock lock(&merge_mu_);
    job = std::move(flush_done_);
  }
  // A job from before the last Load froze a segment that no longer exists: its blocks are
  // orphans, which the next Open deletes.
  if (job == nullptr || job->generation != generation_) return;
  flush_queued_ = false;
  if (!job->status.ok()) return;  // frozen_ stays; IndexMessage queues it again
  const SegmentFile& file = *job->file;
  auto dead = std::make_shared<std::vector<DocKey>>(frozen_removed_);
  std::sort(dead->begin(), dead->end());
  for (const DocKey& d : *dead) batch->Put(storage::Cf::kSearch, DeadKey(file.id, d), "");
  batch->Put(storage::Cf::kSearch, SegmentKey(file.id), EncodeSegmentFile(file));
  // Only the frozen segment's messages are in this range of the log.
  batch->DeleteRange(storage::Cf::kSearch, LogKey(file.serial_lo), LogKey(file.serial_hi));
  segments_.push_back(Segment{std::move(job->file), std::move(dead)});
  frozen_.reset();
  frozen_removed_.clear();
}

namespace {

// Encodes the blocks of `term` into *out; the first error sticks in *status.
void PutTermBlocks(uint64_t segment, std::string_view term, const PostingList& list,
                   storage::TableWriter& out, absl::Status* status) {
  EncodeTermBlocks(segment, term, list, [&](std::string_view key, std::string_view value) {
    if (status->ok()) *status = out.Put(key, value);
  });
}

}  // namespace

// Writes a flushed segment's blocks as a table file; they stay invisible to searches until a
// committed batch holds the segment's record.
absl::Status SearchIndex::WriteBlocks(
    uint64_t segment, const std::vector<std::pair<std::string, PostingList>>& terms) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::TableWriter> out, store_.NewTableWriter(kBlocksCf));
  absl::Status status;
  for (const auto& [term, list] : terms) PutTermBlocks(segment, term, list, *out, &status);
  RETURN_IF_ERROR(status);
  return out->Ingest();
}

void SearchIndex::Maintain(storage::WriteBatch* batch) {
  InstallFlush(batch);
  InstallMerge(batch);
  DeleteRetired();
  StartMerge();
  MaybeFreeze();
}

// Hands merge_fan_in adjacent segments of one level to the merge thread, the oldest such run
// first (which keeps levels non-increasing from old to new), if no merge is under way. Only
// adjacent segments merge, so serial ranges stay disjoint and ordered. A segment installed by
// the batch being built may be an input: its blocks were ingested before, and if that batch is
// not written the reload drops the segment, and InstallMerge the merge.
void SearchIndex::StartMerge() {
  const size_t fan_in = options_.merge_fan_in;
  if (merging_ || segments_.size() < fan_in) return;
  size_t first = 0;
  for (;; ++first) {
    if (first + fan_in > segments_.size()) return;
    bool ready = true;
    for (size_t i = first; i < first + fan_in && ready; ++i) {
      ready = segments_[i].file->level == segments_[first].file->level;
    }
    if (ready) break;
  }
  const auto begin = segments_.begin() + static_cast<ptrdiff_t>(first);
  auto job = std::make_unique<MergeJob>();
  job->inputs.assign(begin, begin + static_cast<ptrdiff_t>(fan_in));
  job->output = std::make_shared<SegmentFile>();
  job->output->id = next_segment_++;
  job->output->serial_lo = job->inputs.front().file->serial_lo;
  job->output->serial_hi = job->inputs.back().file->serial_hi;
  job->output->level = job->inputs.front().file->level + 1;
  merging_ = true;
  absl::MutexLock lock(&merge_mu_);
  merge_todo_ = std::move(job);
}

void SearchIndex::MergeLoop() {
  for (;;) {
    std::unique_ptr<FlushJob> flush;
    std::unique_ptr<MergeJob> job;
    {
      absl::MutexLock lock(&merge_mu_);
      merge_mu_.Await(absl::Condition(
          +[](SearchIndex* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->merge_mu_) {
            return self->flush_todo_ != nullptr || self->merge_todo_ != nullptr ||
                   self->merge_stop_;
          },
          this));
      if (merge_stop_) return;
      flush = std::move(flush_todo_);
      if (flush == nullptr) job = std::move(merge_todo_);
      merge_busy_ = true;
    }
    if (flush != nullptr) {
      flush->status = RunFlush(*flush);
      if (!flush->status.ok()) {
        MLOG_ERROR("search: flushing into segment {} failed, retrying later: {}", flush->file->id,
                   std::string(flush->status.message()));
      }
      absl::MutexLock lock(&merge_mu_);
      flush_done_ = std::move(flush);
      merge_busy_ = false;
      continue;
    }
    const auto start = absl::Now();
    job->status = RunMerge(*job);
    const int64_t ms = absl::ToInt64Milliseconds(absl::Now() - start);
    if (!job->status.ok()) {
      MLOG_ERROR("search: merging into segment {} failed: {}", job->output->id,
                 std::string(job->status.message()));
    } else if (ms >= 100) {
      MLOG_INFO("search: merged {} segments into segment {} ({} messages) in {} ms",
                job->inputs.size(), job->output->id, job->output->docs, ms);
    } else {
      MLOG_DEBUG("search: merged {} segments into segment {} ({} messages) in {} ms",
                 job->inputs.size(), job->output->id, job->output->docs, ms);
    }
    absl::MutexLock lock(&merge_mu_);
    merge_done_ = std::move(job);
    merge_busy_ = false;
  }
}

void SearchIndex::WaitForMerges() {
  absl::MutexLock lock(&merge_mu_);
  merge_mu_.Await(absl::Condition(
      +[](SearchIndex* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->merge_mu_) {
        return self->flush_todo_ == nullptr && self->merge_todo_ == nullptr && !self->merge_busy_;
      },
      this));
}

// On the merge thread: writes the job's output blocks (invisible until InstallMerge puts its
// record into a committed batch). Reads only the job and immutable blocks.
absl::Status SearchIndex::RunMerge(MergeJob& job) {
  struct Input {
    const Segment* segment;
    std::unique_ptr<storage::Iterator> it;
  };
  std::vector<Input> inputs;
  for (const Segment& seg : job.inputs) {
    storage::IteratorOptions opts;
    opts.lower_bound = SegmentBlocksBegin(seg.file->id);
    opts.upper_bound = SegmentBlocksBegin(seg.file->id + 1);
    opts.fill_cache = false;
    opts.readahead_bytes = 1 << 20;  // each input is read once, front to back
    Input in{&seg, store_.NewIterator(kBlocksCf, opts)};
    in.it->SeekToFirst();
    inputs.push_back(std::move(in));
  }
  auto term_of = [](std::string_view key) { return BlockKeyTerm(key); };
  const uint64_t id = job.output->id;
  uint64_t docs = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::TableWriter> out, store_.NewTableWriter(kBlocksCf));
  PostingList merged;
  BlockDecoder dec;
  for (;;) {
    if (merge_stopping_.load(std::memory_order_relaxed)) {
      return absl::CancelledError("the index is closing");
    }
    // The smallest term any input is on.
    std::string term;
    bool any = false;
    for (Input& in : inputs) {
      RETURN_IF_ERROR(in.it->status());
      if (!in.it->Valid()) continue;
      std::string_view t = term_of(in.it->key());
      if (!any || t < term) term.assign(t);
      any = true;
    }
    if (!any) break;
    merged.postings.clear();
    merged.positions.clear();
    for (Input& in : inputs) {
      for (; in.it->Valid() && term_of(in.it->key()) == term; in.it->Next()) {
        if (IsTermSummaryKey(in.it->key())) continue;  // EncodeTermBlocks writes a new one
        if (!dec.Reset(in.it->value())) return absl::DataLossError("search: malformed block");
        while (dec.Next()) {
          if (in.segment->IsDead(dec.doc())) continue;
          merged.postings.push_back(Posting{dec.doc(), dec.doc_length(), dec.tf(),
                                            static_cast<uint32_t>(merged.positions.size()),
                                            static_cast<uint32_t>(dec.positions().size())});
          merged.positions.append(dec.positions());
        }
        if (!dec.ok()) return absl::DataLossError("search: malformed block");
      }
    }
    if (term == kAllTerm) docs += merged.postings.size();
    // Each input is in DocKey order and a document lives in one input: a stable sort merges.
    std::stable_sort(merged.postings.begin(), merged.postings.end(),
                     [](const Posting& a, const Posting& b) { return a.doc < b.doc; });
    absl::Status status;
    PutTermBlocks(id, term, merged, *out, &status);
    RETURN_IF_ERROR(status);
    if (out->pending_bytes() >= kMergeFileBytes) RETURN_IF_ERROR(out->Ingest());
  }
  RETURN_IF_ERROR(out->Ingest());
  job.output->docs = docs;
  return absl::OkStatus();
}

// On the writer: puts a finished merge into *batch (its record, the inputs' records and dead
// marks removed) and into the segment list in place of its inputs. Documents that died in the
// inputs while the merge ran are marked dead in the output.
void SearchIndex::InstallMerge(storage::WriteBatch* batch) {
  std::unique_ptr<MergeJob> job;
  {
    absl::MutexLock lock(&merge_mu_);
    job = std::move(merge_done_);
  }
  if (job == nullptr) return;
  merging_ = false;
  const SegmentFile& out = *job->output;
  // The inputs, still side by side (a reload after a failed write may have rebuilt them).
  auto first = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) {
    return s.file->id == job->inputs.front().file->id;
  });
  bool found =
      job->status.ok() && static_cast<size_t>(segments_.end() - first) >= job->inputs.size();
  for (size_t i = 0; found && i < job->inputs.size(); ++i) {
    found = first[static_cast<ptrdiff_t>(i)].file->id == job->inputs[i].file->id;
  }
  if (!found) {
    reclaim_.emplace_back(out.id, out.id + 1);
    return;
  }
  auto dead = std::make_shared<std::vector<DocKey>>();
  for (size_t i = 0; i < job->inputs.size(); ++i) {
    const Segment& now = first[static_cast<ptrdiff_t>(i)];
    const std::vector<DocKey>& before = *job->inputs[i].dead;
    for (const DocKey& d : *now.dead) {
      if (!std::binary_search(before.begin(), before.end(), d)) {
        dead->push_back(d);
        batch->Put(storage::Cf::kSearch, DeadKey(out.id, d), "");
      }
    }
    batch->Delete(storage::Cf::kSearch, SegmentKey(now.file->id));
    batch->DeleteRange(storage::Cf::kSearch, SegmentDeadBegin(now.file->id),
                       SegmentDeadBegin(now.file->id + 1));
    retired_.push_back(now.file);
  }
  std::sort(dead->begin(), dead->end());
  batch->Put(storage::Cf::kSearch, SegmentKey(out.id), EncodeSegmentFile(out));
  const ptrdiff_t at = first - segments_.begin();
  segments_.erase(first, first + static_cast<ptrdiff_t>(job->inputs.size()));
  segments_.insert(segments_.begin() + at, Segment{job->output, std::move(dead)});
}

// Deletes (at the next Commit) the blocks of merged-away segments that no search reads any more.
void SearchIndex::DeleteRetired() {
  for (size_t i = 0; i < retired_.size();) {
    if (retired_[i].use_count() > 1) {
      ++i;
      continue;
    }
    const uint64_t id = retired_[i]->id;
    reclaim_.emplace_back(id, id + 1);
    retired_.erase(retired_.begin() + static_cast<ptrdiff_t>(i));
  }
}

absl::StatusOr<SearchResults> SearchIndex::Search(const SearchQuery& q, const AccessScope& scope) {
  ASSIGN_OR_RETURN(ParsedQuery parsed, ParseQuery(q.text));
  int page_size = q.page_size == 0 ? options_.default_page_size : q.page_size;
  if (page_size < 0) return absl::InvalidArgumentError("page_size must not be negative");
  page_size = std::min(page_size, options_.max_page_size);
  ASSIGN_OR_RETURN(int offset, ParsePageToken(q, options_.max_offset));

  std::unique_ptr<Tokenizer> tokenizer = pool_->Acquire();
  struct Return {
    TokenizerPool* pool;
    std::unique_ptr<Tokenizer>* t;
    ~Return() { pool->Release(std::move(*t)); }
  } give_back{pool_.get(), &tokenizer};

  std::shared_ptr<const IndexView> view;
  {
    absl::MutexLock lock(&view_mu_);
    view = view_;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan,
                   PlanQuery(parsed, q, scope, options_, store_, *view, &caches_, *tokenizer));
  SearchResults results;
  if (plan->root == nullptr) return results;

  const size_t keep = static_cast<size_t>(offset) + static_cast<size_t>(page_size);
  const bool by_relevance = q.sort == SearchSort::kRelevance;
  TopHits best(keep, by_relevance);
  Cursor& root = *plan->root;
  // A query that is one word: whole segments are counted from the term's summary, or whole
  // blocks from their headers, and skipped when they cannot hold a result.
  auto* single = dynamic_cast<TermCursor*>(&root);
  // The memory segment, the frozen one, then every segment from the newest: a document lives
  // in exactly one of them, and newest first fills the page early, so that older blocks can be
  // skipped.
  const size_t in_memory = view->frozen != nullptr ? 2 : 1;
  for (size_t n = 0; n < in_memory + view->segments.size(); ++n) {
    const Segment* segment =
        n < in_memory ? nullptr : &view->segments[view->segments.size() - 1 - (n - in_memory)];
    plan->ctx.segment = segment;
    plan->ctx.memory = n == 1 && segment == nullptr ? view->frozen.get() : view->memory.get();
    root.Reset();
    if (single != nullptr && single->CollectSegment(&best, &results.total_count)) continue;
    for (DocKey target; root.SeekGeq(target); target = Successor(root.doc())) {
      if (segment != nullptr && segment->IsDead(root.doc())) continue;
      ++results.total_count;
      best.Offer(root.doc(),
                 by_relevance ? root.Score() + ProximityBonus(plan->proximity_words) : 0);
    }
  }
  RETURN_IF_ERROR(plan->ctx.status);

  const std::vector<RankedHit> ranked = best.Take();
  results.hits.reserve(ranked.size() - std::min(ranked.size(), static_cast<size_t>(offset)));
  for (size_t i = static_cast<size_t>(offset); i < ranked.size(); ++i) {
    SearchHit hit;
    hit.channel = ranked[i].doc.channel;
    hit.seq = ranked[i].doc.seq;
    hit.time_us = KeyToTime(ranked[i].doc.time);
    hit.score = ranked[i].score;
    if (!q.documents) {
      results.hits.push_back(std::move(hit));
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<std::string> record,
                     store_.Get(storage::Cf::kSearch, DocRecordKey(hit.channel, hit.seq)));
    IndexedMessage doc;
    uint64_t serial = 0;
    if (!record.has_value() || !ParseDocRecord(*record, &serial, &doc)) {
      return absl::InternalError(
          absl::StrCat("search: missing document record for message ", hit.channel, "-", hit.seq));
    }
    hit.author = doc.author;
    if (q.snippets) {
      MakeSnippet(doc.text, tokenizer->Tokenize(doc.text), plan->highlight_terms,
                  options_.snippet_bytes, &hit);
    }
    results.hits.push_back(std::move(hit));
  }
  if (keep < results.total_count && static_cast<int>(keep) <= options_.max_offset) {
    results.next_page_token = absl::StrCat(keep, ".", absl::Hex(QueryHash(q)));
  }
  return results;
}

}  // namespace meridian::search
