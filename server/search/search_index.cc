#include "server/search/search_index.h"

#include <algorithm>
#include <map>
#include <optional>
#include <queue>

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

// Everything a message puts into the index: posting values by term, and lexicon entries.
struct DocTerms {
  std::map<std::string, std::string> postings;               // term -> posting value
  std::vector<std::pair<std::string, std::string>> lexicon;  // surface -> term
  uint32_t length = 0;
};

DocTerms Analyze(Tokenizer& tokenizer, const IndexedMessage& m) {
  DocTerms out;
  std::vector<Token> tokens = tokenizer.Tokenize(m.text, &out.length);
  std::map<std::string, std::vector<uint32_t>> positions;
  for (Token& t : tokens) {
    if (t.surface != t.term || t.kind != Token::Kind::kCjkUnigram) {
      out.lexicon.emplace_back(t.surface, t.term);
    }
    positions[std::move(t.term)].push_back(t.position);
  }
  for (auto& [term, pos] : positions) {
    std::sort(pos.begin(), pos.end());
    pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
    std::string value;
    AppendVarint(&value, out.length);
    uint32_t prev = 0;
    for (uint32_t p : pos) {
      AppendVarint(&value, p - prev);
      prev = p;
    }
    out.postings.emplace(term, std::move(value));
  }
  auto filter = [&](std::string term) { out.postings.emplace(std::move(term), std::string()); };
  filter(std::string(kAllTerm));
  filter(FromTerm(m.author));
  if (HasLink(m.text)) filter(std::string(kLinkTerm));
  if (m.has_reaction) filter(std::string(kReactionTerm));
  if (m.in_thread) filter(std::string(kThreadTerm));
  if (m.pinned) filter(std::string(kPinnedTerm));
  if (m.is_direct) {
    for (uint64_t u : m.direct_members) filter(WithTerm(u));
  }
  return out;
}

std::string PostingKey(std::string_view term, const IndexedMessage& m) {
  std::string k = TermPrefix(term);
  AppendDocKey(&k, DocKey{m.channel, TimeToKey(m.time_us), m.seq});
  return k;
}

std::string DocRecord(const IndexedMessage& m) {
  std::string v;
  storage::AppendU64(&v, static_cast<uint64_t>(m.time_us));
  AppendVarint(&v, m.author);
  v.push_back(static_cast<char>((m.has_reaction ? kFlagReaction : 0) |
                                (m.pinned ? kFlagPinned : 0) | (m.in_thread ? kFlagThread : 0) |
                                (m.is_direct ? kFlagDirect : 0)));
  v.append(m.text);
  return v;
}

bool ParseDocRecord(std::string_view v, SearchHit* hit, std::string_view* text) {
  auto time = storage::ReadU64(v);
  if (!time) return false;
  v.remove_prefix(8);
  if (!ReadVarint(&v, &hit->author) || v.empty()) return false;
  hit->time_us = static_cast<int64_t>(*time);
  *text = v.substr(1);
  return true;
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

struct Candidate {
  double score;
  uint64_t time;
  DocKey doc;
};

// Strict "a ranks before b": higher score, then newer, then a fixed tie-break.
bool RanksBefore(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.time != b.time) return a.time > b.time;
  return a.doc > b.doc;
}

}  // namespace

class SearchIndex::TokenizerPool {
 public:
  explicit TokenizerPool(const SearchOptions& options) : options_(options) {}
  std::unique_ptr<Tokenizer> Acquire() {
    {
      absl::MutexLock lock(&mu_);
      if (!free_.empty()) {
        auto t = std::move(free_.back());
        free_.pop_back();
        return t;
      }
    }
    return MakeTokenizer(options_);
  }
  void Release(std::unique_ptr<Tokenizer> t) {
    absl::MutexLock lock(&mu_);
    free_.push_back(std::move(t));
  }

 private:
  const SearchOptions& options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Tokenizer>> free_ ABSL_GUARDED_BY(mu_);
};

SearchIndex::SearchIndex(storage::KvStore& store, SearchOptions options)
    : store_(store),
      options_(std::move(options)),
      writer_tokenizer_(MakeTokenizer(options_)),
      pool_(std::make_unique<TokenizerPool>(options_)) {}

SearchIndex::~SearchIndex() = default;

absl::Status SearchIndex::Validate(const SearchOptions& options) {
  if (options.default_page_size < 1 || options.max_page_size < options.default_page_size) {
    return absl::InvalidArgumentError("search page sizes must satisfy 1 <= default <= max");
  }
  return Tokenizer::Create(TokenizerOptionsFor(options)).status();
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

void SearchIndex::DiscardCachedStats() { stats_.clear(); }

void SearchIndex::AdjustStat(const std::string& key, int64_t delta, storage::WriteBatch* batch) {
  auto it = stats_.find(key);
  if (it == stats_.end()) {
    uint64_t current = 0;
    auto v = store_.Get(storage::Cf::kSearch, key);
    if (!v.ok()) {
      // Statistics only weigh ranking; a failed read must not fail the post.
      MLOG_ERROR("search: reading statistic failed: {}", std::string(v.status().message()));
    } else if (v->has_value()) {
      current = storage::ReadU64(**v).value_or(0);
    }
    it = stats_.emplace(key, CachedStat{current, current}).first;
  }
  CachedStat& stat = it->second;
  int64_t next = static_cast<int64_t>(stat.value) + delta;
  stat.value = next < 0 ? 0 : static_cast<uint64_t>(next);
  if (stat.value == 0 && key[0] == kDfTag) {
    batch->Delete(storage::Cf::kSearch, key);
    stats_.erase(it);  // a vanished term's counter need not stay cached
    return;
  }
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
  DocTerms before, after;
  if (previous != nullptr) before = Analyze(*writer_tokenizer_, *previous);
  if (current != nullptr) after = Analyze(*writer_tokenizer_, *current);
  const bool same_doc = previous != nullptr && current != nullptr &&
                        previous->channel == current->channel && previous->seq == current->seq &&
                        previous->time_us == current->time_us;

  for (const auto& [term, value] : before.postings) {
    const bool kept = same_doc && after.postings.count(term) > 0;
    if (!kept) {
      batch->Delete(storage::Cf::kSearch, PostingKey(term, *previous));
      if (!IsFilterTerm(term)) AdjustStat(DfKey(term), -1, batch);
    }
  }
  for (const auto& [term, value] : after.postings) {
    auto old = before.postings.find(term);
    const bool kept = same_doc && old != before.postings.end();
    if (kept && old->second == value) continue;
    batch->Put(storage::Cf::kSearch, PostingKey(term, *current), value);
    if (!kept && !IsFilterTerm(term)) AdjustStat(DfKey(term), 1, batch);
  }
  const int64_t docs_delta = (current != nullptr) - (previous != nullptr);
  if (docs_delta != 0) AdjustStat(DocCountKey(), docs_delta, batch);
  const int64_t length_delta =
      static_cast<int64_t>(after.length) - static_cast<int64_t>(before.length);
  if (length_delta != 0) AdjustStat(TotalLengthKey(), length_delta, batch);

  if (current != nullptr) {
    batch->Put(storage::Cf::kSearch, DocRecordKey(current->channel, current->seq),
               DocRecord(*current));
    if (lexicon_written_.size() > kMaxLexiconCache) lexicon_written_.clear();
    for (const auto& [surface, term] : after.lexicon) {
      if (lexicon_written_.insert(surface).second) {
        batch->Put(storage::Cf::kSearch, LexiconKey(surface), term);
      }
    }
  }
  if (previous != nullptr && (current == nullptr || previous->channel != current->channel ||
                              previous->seq != current->seq)) {
    batch->Delete(storage::Cf::kSearch, DocRecordKey(previous->channel, previous->seq));
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

  ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan,
                   PlanQuery(parsed, q, scope, options_, store_, *tokenizer));
  SearchResults results;
  if (plan->root == nullptr) return results;

  const size_t keep = static_cast<size_t>(offset) + static_cast<size_t>(page_size);
  const bool by_relevance = q.sort == SearchSort::kRelevance;
  // A max-heap on "ranks before" keeps the `keep` best with the worst on top.
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(&RanksBefore)> best(&RanksBefore);
  Cursor& root = *plan->root;
  for (DocKey target; root.SeekGeq(target); target = Successor(root.doc())) {
    ++results.total_count;
    Candidate c{0, root.doc().time, root.doc()};
    if (by_relevance) c.score = root.Score() + ProximityBonus(plan->proximity_words);
    if (best.size() < keep) {
      best.push(c);
    } else if (keep > 0 && RanksBefore(c, best.top())) {
      best.pop();
      best.push(c);
    }
  }
  RETURN_IF_ERROR(plan->ctx.status);

  std::vector<Candidate> ranked;
  while (!best.empty()) {
    ranked.push_back(best.top());
    best.pop();
  }
  std::reverse(ranked.begin(), ranked.end());
  for (size_t i = static_cast<size_t>(offset); i < ranked.size(); ++i) {
    SearchHit hit;
    hit.channel = ranked[i].doc.channel;
    hit.seq = ranked[i].doc.seq;
    hit.time_us = KeyToTime(ranked[i].doc.time);
    hit.score = ranked[i].score;
    ASSIGN_OR_RETURN(std::optional<std::string> record,
                     store_.Get(storage::Cf::kSearch, DocRecordKey(hit.channel, hit.seq)));
    std::string_view text;
    if (!record.has_value() || !ParseDocRecord(*record, &hit, &text)) {
      return absl::InternalError(
          absl::StrCat("search: missing document record for message ", hit.channel, "-", hit.seq));
    }
    if (q.snippets) {
      MakeSnippet(text, tokenizer->Tokenize(text), plan->highlight_terms, options_.snippet_bytes,
                  &hit);
    }
    results.hits.push_back(std::move(hit));
  }
  if (keep < results.total_count && static_cast<int>(keep) <= options_.max_offset) {
    results.next_page_token = absl::StrCat(keep, ".", absl::Hex(QueryHash(q)));
  }
  return results;
}

}  // namespace meridian::search
