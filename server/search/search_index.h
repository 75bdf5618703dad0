// Full-text search over messages, stored in the kSearch column family beside the messages so
// that postings commit in the same WriteBatch as the message they describe.
//
// Layout (all in Cf::kSearch; integers big-endian, see index_keys.h):
//   'p' term 0x00 channel time seq -> varint doc_length, varint position deltas
//   'd' channel seq                -> the document: time, author, flags, text (for snippets)
//   'f' term                       -> document frequency (u64, within 1/64; see SearchIndex)
//   'S' "docs" / 'S' "length"      -> number of documents / sum of their lengths (u64, ditto)
//   'w' surface                    -> the term it is indexed as (lexicon for prefix search)
//   'S' "analyzer"                 -> the stemming language the index was built with ("" none)
// Postings of one term are ordered by channel, then time: a channel restriction or a date range
// is a seek, and within a channel the documents are in time order. Filters (from:, with:,
// has:, is:) are postings of reserved terms that start with 0x01, so they are seeks as well.
#ifndef MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_
#define MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
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
  bool snippets = true;  // false skips reading texts (benchmarks, counts only)
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

// Safe for concurrent Search. IndexMessage and DiscardCachedStats must be called from one writer
// thread at a time. `store` must outlive the index.
//
// Collection statistics: IndexMessage keeps document frequencies, the document count and the
// total length in an in-memory write-through cache, loaded from the store on first touch of each
// key, and puts the new absolute values into the same batch. So several messages indexed before
// their batches are written (group commit) never lose an update. If a batch built by
// IndexMessage is NOT committed, the writer must call DiscardCachedStats() before indexing again.
// To keep a message to a few keys, a statistic is written only when its stored value would
// otherwise lag the exact one by more than 1/64 (statistics below 64 are always exact), and
// FlushStats() writes them all exactly at shutdown. After a crash, document frequencies and the
// collection size are within 1.6% of the truth, which shifts a BM25 idf by a few hundredths.
// Hit counts never depend on them; they come from the postings.
class SearchIndex {
 public:
  // Check options with Validate(); a bad stemming language falls back to no stemming here.
  SearchIndex(storage::KvStore& store, SearchOptions options);
  ~SearchIndex();

  // INVALID_ARGUMENT for an unknown stemming language.
  static absl::Status Validate(const SearchOptions& options);

  // Records the analyzer (stemming language or none) in a new index; FAILED_PRECONDITION when
  // the store's index was built with a different one, since its postings would no longer meet
  // the query terms. Call before indexing or searching.
  static absl::Status CheckAnalyzer(storage::KvStore& store, const SearchOptions& options);

  // Adds to *batch the changes that make `current` findable and `previous` no longer findable.
  // previous == nullptr for a new message; current == nullptr for a deletion. Both must name the
  // same (channel, seq) when both are given.
  void IndexMessage(const IndexedMessage* previous, const IndexedMessage* current,
                    storage::WriteBatch* batch);

  // Forgets cached statistics so they are re-read from the store (after a failed write).
  void DiscardCachedStats();

  // Adds to *batch the exact value of every statistic whose stored value lags (see the class
  // comment). Called by the writer thread before a clean shutdown.
  void FlushStats(storage::WriteBatch* batch);

  // INVALID_ARGUMENT for a malformed query (with the byte position and what was expected), an
  // unknown @user/#channel or a bad page token; INTERNAL/UNAVAILABLE for storage errors.
  absl::StatusOr<SearchResults> Search(const SearchQuery& q, const AccessScope& scope);

 private:
  class TokenizerPool;

  struct CachedStat {
    uint64_t value = 0;   // exact
    uint64_t stored = 0;  // as last put into a batch
  };
  // A stored statistic may lag its exact value by up to value >> kStatToleranceShift.
  static constexpr int kStatToleranceShift = 6;

  void AdjustStat(const std::string& key, int64_t delta, storage::WriteBatch* batch);
  void PutStat(const std::string& key, CachedStat* stat, storage::WriteBatch* batch);

  storage::KvStore& store_;
  const SearchOptions options_;
  std::unique_ptr<Tokenizer> writer_tokenizer_;        // writer thread only
  std::unique_ptr<TokenizerPool> pool_;                // for searches
  std::unordered_map<std::string, CachedStat> stats_;  // writer thread only
  std::unordered_set<std::string> lexicon_written_;    // writer thread only
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SEARCH_INDEX_H_
