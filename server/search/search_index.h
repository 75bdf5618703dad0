// Full-text search over messages, stored in the kSearch column family beside the messages.
//
// The index is a small LSM of its own. A newly indexed message costs two keys in the batch that
// stores it: its document record ('d', which carries the text) and a log entry ('u'). Its
// postings go to an in-memory segment, visible to searches as soon as that batch is committed.
// When the memory segment holds SearchOptions::segment_docs messages, it is flushed into an
// immutable segment of posting blocks (one key per 256 postings of a term), written as a table
// file and ingested into the store (past the memtable and the write-ahead log), and whenever
// merge_fan_in segments of one level pile up they are merged into one of the next level, on a
// thread of the index's own, so that posting never waits for a merge. At
// start the memory segment is rebuilt from the log entries and document records, so nothing
// acknowledged is lost. An edit or a deletion removes the old version from the memory segment,
// or marks it dead in the flushed segment that holds it ('x'); merges drop dead postings.
//
// Layout (integers big-endian, see index_keys.h and postings.h). In Cf::kSearchBlocks, only
// ever written as whole table files (a segment's never share one with another's), and dropped a
// segment at a time with its files (KvStore::ReclaimRange), never by a range deletion:
//   'b' segment term 0x00             -> TermSummary, for a term of more than one block
//   'b' segment term 0x00 last-DocKey -> a block of up to 256 postings (postings.h; 128 in
//                                        segments written by earlier versions)
// Everything else in Cf::kSearch:
//   'g' segment                  -> SegmentFile: serial range, documents, level
//   'x' segment DocKey           -> "" (that document's postings in that segment are stale)
//   'u' serial                   -> channel, seq: indexed after the last flush (the log)
//   'd' channel seq              -> the document: serial, time, author, flags, DM members, text
//   'S' "docs" / 'S' "length"    -> number of documents / sum of their lengths (u64, ditto)
//   'w' surface                  -> the term it is indexed as (lexicon for prefix search)
//   'S' "analyzer"               -> the stemming language the index was built with ("" none)
//   'S' "format"                 -> "4" (this layout; "3" wrote blocks with skip entries every
//                                   32 postings, read as they are; "2" had the blocks, without
//                                   summaries, in Cf::kSearch and 'f' document frequencies:
//                                   upgraded at open)
// Within a segment, a term's postings are ordered by channel, then time: a channel restriction
// or a date range is a seek, and within a channel the documents are in time order. Filters
// (from:, with:, has:, is:) are postings of reserved terms that start with 0x01.
#ifndef MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_
#define MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/search/search_caches.h"
#include "server/search/segments.h"
#include "server/search/tokenizer.h"
#include "storage/kv_store.h"
#include "storage/write_batch.h"

namespace meridian::search {

struct IndexedMessage {
  uint64_t channel = 0;
  uint64_t seq = 0;
  uint64_t author = 0;
  int64_t time_us = 0;  // creation time, UTC microseconds; must not change across edits
  std::string text;
  bool has_reaction = false;
  bool pinned = false;
  bool in_thread = false;  // a thread reply or a root with replies
  bool is_direct = false;
  std::vector<uint64_t> direct_members;  // for with:@user
};

struct SearchOptions {
  // Snowball algorithm for stemming ("english", "german", ...); ignored when !stemming.
  std::string stemming_language = "english";
  bool stemming = true;
  // A prefix* matches at most this many distinct terms (the lexicographically first ones).
  int max_prefix_terms = 2000;
  int default_page_size = 20;
  int max_page_size = 100;
  // Results past this offset are not served (deep paging costs a full scan per page).
  int max_offset = 10000;
  // Target length of a snippet; shorter messages are shown whole.
  size_t snippet_bytes = 200;
  // Messages held in memory before they are flushed into a segment (and replayed at start).
  size_t segment_docs = 8192;
  // This many segments of one level are merged into one of the next level.
  size_t merge_fan_in = 8;
  // The posting blocks that searches keep in memory, of the terms they sought in lately (a
  // term's blocks in a segment, up to 32,768 postings), beside 32 MiB of summaries.
  size_t cache_bytes = size_t{128} << 20;
};

enum class SearchSort { kRelevance, kNewest };

struct SearchQuery {
  std::string text;
  absl::TimeZone time_zone = absl::UTCTimeZone();  // the searcher's, for dates
  SearchSort sort = SearchSort::kRelevance;
  int page_size = 0;       // 0 means SearchOptions::default_page_size
  std::string page_token;  // empty for the first page
  // Maps "@name" to a user id and "#name" to a channel id; NOT_FOUND for unknown names (the
  // search then fails with INVALID_ARGUMENT naming the position). Called on the search thread.
  std::function<absl::StatusOr<uint64_t>(std::string_view name)> resolve;
  bool snippets = true;  // false skips making snippets
  // false: hits carry only channel, seq, time and score (no author, no snippet) and no document
  // record is read; for callers that load the messages themselves, and benchmarks.
  bool documents = true;
};

// The channels the searcher may read now; nothing from any other channel is ever returned,
// counted or quoted.
struct AccessScope {
  std::vector<uint64_t> readable_channels;
};

struct HighlightRange {
  uint32_t begin = 0;  // byte offsets into SearchHit::snippet, [begin, end)
  uint32_t end = 0;
};

struct SearchHit {
  uint64_t channel = 0;
  uint64_t seq = 0;
  uint64_t author = 0;
  int64_t time_us = 0;
  std::string snippet;
  std::vector<HighlightRange> highlights;
  double score = 0;  // BM25 (plus a proximity bonus); 0 for filter-only queries
};

struct SearchResults {
  std::vector<SearchHit> hits;
  uint64_t total_count = 0;     // matches in scope, over all pages
  std::string next_page_token;  // empty on the last page
};

// Safe for concurrent Search. IndexMessage, Commit, Abandon and FlushStats must be called from
// one writer thread at a time.
//
// Writing: IndexMessage adds a message's changes to a batch. Once that batch is written the
// writer calls Commit(), which makes them visible to searches; if it is NOT written, Abandon(),
// which rebuilds the in-memory state from the store. Several IndexMessage calls may precede one
// Commit (a group of batches written together).
//
// Collection statistics. A term's document frequency is the sum of its summaries' counts in the
// flushed segments plus the memory segments' counts, so nothing is written per term: a message
// edited or deleted after its segment was flushed is still counted there until a merge drops
// it (as Lucene counts deleted documents), which moves BM25 weights a little and never a hit
// count. The document count and the total length (for BM25's average length) are
// kept in an in-memory write-through cache and put into a batch only when the stored value would
// otherwise lag the exact one by more than 1/64 (exact below 64); FlushStats() writes them
// exactly at shutdown, and after a crash they are within 1.6%. Searches take the exact
// document count and total length from the view the writer publishes at each Commit. Hit
// counts never depend on statistics; they come from the postings.
class SearchIndex {
 public:
  // Checks the analyzer (CheckAnalyzer) and the index format, and loads the segments and the
  // memory segment. FAILED_PRECONDITION for an index this version cannot read.
  static absl::StatusOr<std::unique_ptr<SearchIndex>> Open(storage::KvStore& store,
                                                           SearchOptions options);
  ~SearchIndex();

  // INVALID_ARGUMENT for an unknown stemming language or bad sizes.
  static absl::Status Validate(const SearchOptions& options);

  // Records the analyzer (stemming language or none) in a new index; FAILED_PRECONDITION when
  // the store's index was built with a different one, since its postings would no longer meet
  // the query terms.
  static absl::Status CheckAnalyzer(storage::KvStore& store, const SearchOptions& options);

  // Adds to *batch the changes that make `current` findable and `previous` no longer findable.
  // previous == nullptr for a new message; current == nullptr for a deletion. Both must name the
  // same (channel, seq) when both are given. May also flush the memory segment or merge
  // segments: a merge writes its new blocks to the store directly (invisible until *batch,
  // which installs them, is committed).
  void IndexMessage(const IndexedMessage* previous, const IndexedMessage* current,
                    storage::WriteBatch* batch);

  // Installs a finished merge, deletes blocks no search reads any more, and starts the next
  // merge, adding what that takes to *batch. IndexMessage does this itself; call it to settle
  // the index without a new message (tests, benchmarks). Writer thread.
  void Maintain(storage::WriteBatch* batch);
  // Waits until the merge thread is idle (tests, benchmarks); a finished flush or merge is
  // installed by the next Maintain.
  void WaitForMerges();
  // A flush or a merge was started and is not installed yet. Writer thread.
  bool merging() const { return merging_ || frozen_ != nullptr; }

  // The batches of every IndexMessage since the last Commit or Abandon were written.
  void Commit();
  // They were not: forget what they changed in memory.
  void Abandon();

  // Adds to *batch the exact value of every statistic whose stored value lags (see the class
  // comment). Called by the writer thread before a clean shutdown.
  void FlushStats(storage::WriteBatch* batch);

  // INVALID_ARGUMENT for a malformed query (with the byte position and what was expected), an
  // unknown @user/#channel or a bad page token; INTERNAL/UNAVAILABLE for storage errors.
  absl::StatusOr<SearchResults> Search(const SearchQuery& q, const AccessScope& scope);

  // The number of messages that contain `term` (tests, diagnostics; a read error counts as 0).
  uint64_t DocumentFrequency(std::string_view term) const;

  // Flushed segments and messages in memory, as searches see them now (tests, diagnostics).
  size_t segment_count() const;
  size_t memory_docs() const;

 private:
  class TokenizerPool;

  struct CachedStat {
    uint64_t value = 0;   // exact
    uint64_t stored = 0;  // as last put into a batch
  };
  // A stored statistic may lag its exact value by up to value >> kStatToleranceShift.
  static constexpr int kStatToleranceShift = 6;

  SearchIndex(storage::KvStore& store, SearchOptions options);

  absl::Status Load(bool clean_up);
  void Publish();
  CachedStat& LoadStat(const std::string& key);
  void AdjustStat(const std::string& key, int64_t delta, storage::WriteBatch* batch);
  void PutStat(const std::string& key, CachedStat* stat, storage::WriteBatch* batch);
  void Unindex(const IndexedMessage& previous, const std::vector<TermOccurrences>& terms,
               storage::WriteBatch* batch);
  // Flushes run on the merge thread too, ahead of merges: the writer freezes the memory segment
  // (Freeze), the thread writes its blocks (RunFlush), and the writer installs the segment
  // (InstallFlush). Until then searches read the frozen segment from memory.
  struct FlushJob {
    std::shared_ptr<const MemSegment> memory;
    std::shared_ptr<SegmentFile> file;
    uint64_t generation = 0;  // of the writer's state it was frozen from (see Load)
    absl::Status status;
  };
  void MaybeFreeze();
  void Freeze();
  absl::Status WriteBlocks(uint64_t segment,
                           const std::vector<std::pair<std::string, PostingList>>& terms);
  absl::Status RunFlush(FlushJob& job);
  void InstallFlush(storage::WriteBatch* batch);
  // Deletes the blocks of the segments that the batch just written left without a record, by
  // dropping their table files: no range deletion is written to kBlocksCf (see DropBlocks). A
  // crash before this leaves blocks that no record names; the next Open deletes them.
  void Reclaim();
  void DeleteRetired();

  // Merges run on their own thread, one at a time: the writer starts one (StartMerge), the
  // thread writes the output's blocks (RunMerge), and the writer installs it (InstallMerge).
  struct MergeJob {
    std::vector<Segment> inputs;  // as they were when the merge started
    std::shared_ptr<SegmentFile> output;
    absl::Status status;
  };
  void StartMerge();
  void MergeLoop();
  absl::Status RunMerge(MergeJob& job);
  void InstallMerge(storage::WriteBatch* batch);

  storage::KvStore& store_;
  const SearchOptions options_;
  std::unique_ptr<Tokenizer> writer_tokenizer_;  // writer thread only
  std::unique_ptr<TokenizerPool> pool_;          // for searches

  mutable absl::Mutex view_mu_;
  std::shared_ptr<const IndexView> view_ ABSL_GUARDED_BY(view_mu_);
  SearchCaches caches_{options_.cache_bytes};  // for searches

  // Writer thread only.
  absl::flat_hash_map<std::string, CachedStat> stats_;
  absl::flat_hash_set<std::string> lexicon_written_;
  std::vector<Segment> segments_;  // oldest first; serial ranges ascending and disjoint
  std::shared_ptr<MemSegment> memory_;
  // The memory segment being flushed, and the documents removed from it since it was frozen
  // (they become dead marks of its segment).
  std::shared_ptr<MemSegment> frozen_;
  std::vector<DocKey> frozen_removed_;
  bool flush_queued_ = false;  // frozen_ is with the merge thread
  uint64_t generation_ = 0;    // incremented by every Load
  uint64_t next_serial_ = 1;
  uint64_t next_segment_ = 1;
  std::vector<std::shared_ptr<const SegmentFile>> retired_;  // merged away; blocks still stored
  bool reload_ = false;                                      // Abandon() was called
  // Segment ids [first, second) whose blocks go once the pending batch is written (Reclaim).
  std::vector<std::pair<uint64_t, uint64_t>> reclaim_;
  bool merging_ = false;  // a merge was started and is not installed yet
  // Serials of the messages indexed since the last Commit (their document records may not be
  // in the store yet).
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> uncommitted_;

  absl::Mutex merge_mu_;
  std::unique_ptr<FlushJob> flush_todo_ ABSL_GUARDED_BY(merge_mu_);
  std::unique_ptr<FlushJob> flush_done_ ABSL_GUARDED_BY(merge_mu_);
  std::unique_ptr<MergeJob> merge_todo_ ABSL_GUARDED_BY(merge_mu_);
  std::unique_ptr<MergeJob> merge_done_ ABSL_GUARDED_BY(merge_mu_);
  bool merge_busy_ ABSL_GUARDED_BY(merge_mu_) = false;
  bool merge_stop_ ABSL_GUARDED_BY(merge_mu_) = false;
  std::atomic<bool> merge_stopping_{false};  // read by RunMerge between terms
  std::thread merger_;                       // last: joined in the destructor
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_
