#include "server/search/query_plan.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/common/status_macros.h"
#include "server/search/list_cursor.h"

namespace meridian::search {
namespace {

class Planner {
 public:
  Planner(const SearchQuery& q, const SearchOptions& options, const storage::KvStore& store,
          const IndexView& view, SearchCaches* caches, Tokenizer& tokenizer, QueryPlan* plan)
      : q_(q),
        options_(options),
        store_(store),
        view_(view),
        caches_(caches),
        tokenizer_(tokenizer),
        plan_(plan) {}

  absl::Status Build(const ParsedQuery& parsed, const AccessScope& scope) {
    EvalContext& ctx = plan_->ctx;
    ctx.store = &store_;
    ctx.summaries = &caches_->summaries;
    ctx.lists = &caches_->lists;
    ctx.ranked = q_.sort == SearchSort::kRelevance;
    ctx.channels = scope.readable_channels;
    // Callers usually pass the scope sorted already; sorting it anyway costs a short query more
    // than some of its seeks.
    if (!std::is_sorted(ctx.channels.begin(), ctx.channels.end())) {
      std::sort(ctx.channels.begin(), ctx.channels.end());
    }
    ctx.channels.erase(std::unique(ctx.channels.begin(), ctx.channels.end()), ctx.channels.end());
    docs_ = static_cast<double>(view_.docs);
    ctx.avg_doc_length =
        view_.docs > 0 ? std::max(1.0, static_cast<double>(view_.total_length) / docs_) : 1.0;

    std::vector<std::unique_ptr<Cursor>> must, must_not;
    for (const auto& group : parsed.groups) {
      if (group[0].kind == Clause::Kind::kIn) {
        RETURN_IF_ERROR(RestrictChannels(group));
        continue;
      }
      if (IsDateClause(group[0].kind)) {
        RETURN_IF_ERROR(RestrictTime(group[0]));
        continue;
      }
      const bool top_word = group.size() == 1 && !group[0].negated;
      std::vector<std::unique_ptr<Cursor>> alternatives;
      for (const Clause& c : group) {
        ASSIGN_OR_RETURN(std::unique_ptr<Cursor> cursor, ClauseCursor(c, top_word, !c.negated));
        if (cursor != nullptr) alternatives.push_back(std::move(cursor));
      }
      if (alternatives.empty()) continue;
      std::unique_ptr<Cursor> cursor = alternatives.size() == 1
                                           ? std::move(alternatives[0])
                                           : std::make_unique<OrCursor>(std::move(alternatives));
      (group[0].negated ? must_not : must).push_back(std::move(cursor));
    }
    if (must.empty() && must_not.empty() && !has_filter_) {
      return absl::InvalidArgumentError(
          "malformed query at byte 0: no searchable words; expected a word, phrase or filter");
    }
    // Nothing readable (or an empty date range): no cursor, no storage reads.
    if (ctx.channels.empty() || ctx.time_lo >= ctx.time_hi) return absl::OkStatus();
    if (must.empty()) {
      must.push_back(std::make_unique<TermCursor>(&ctx, kAllTerm, 0, docs_));
    }
    if (must.size() == 1 && must_not.empty()) {
      plan_->root = std::move(must[0]);
    } else {
      plan_->root = std::make_unique<AndCursor>(std::move(must), std::move(must_not));
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<uint64_t> Resolve(const Clause& c) {
    if (!q_.resolve) {
      return absl::FailedPreconditionError("search has no name resolver for @user/#channel");
    }
    absl::StatusOr<uint64_t> id = q_.resolve(c.value);
    if (absl::IsNotFound(id.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed query at byte ", c.value_position, ": unknown ",
                       c.value[0] == '#' ? "channel '" : "user '", c.value,
                       "'; expected an existing ", c.value[0] == '#' ? "#channel" : "@user"));
    }
    return id;
  }

  absl::Status RestrictChannels(const std::vector<Clause>& group) {
    std::vector<uint64_t> ids;
    for (const Clause& c : group) {
      ASSIGN_OR_RETURN(uint64_t id, Resolve(c));
      ids.push_back(id);
    }
    std::vector<uint64_t>& channels = plan_->ctx.channels;
    std::vector<uint64_t> kept;
    for (uint64_t ch : channels) {
      bool listed = std::find(ids.begin(), ids.end(), ch) != ids.end();
      if (listed != group[0].negated) kept.push_back(ch);
    }
    channels.swap(kept);
    has_filter_ = true;
    return absl::OkStatus();
  }

  absl::Status RestrictTime(const Clause& c) {
    absl::CivilSecond from, to;
    if (c.month == 0) {
      from = absl::CivilYear(c.year);
      to = absl::CivilYear(c.year + 1);
    } else if (c.day == 0) {
      absl::CivilMonth m(c.year, c.month);
      from = m;
      to = m + 1;
    } else {
      absl::CivilDay d(c.year, c.month, c.day);
      from = d;
      to = d + 1;
    }
    uint64_t lo = TimeToKey(absl::ToUnixMicros(absl::FromCivil(from, q_.time_zone)));
    uint64_t hi = TimeToKey(absl::ToUnixMicros(absl::FromCivil(to, q_.time_zone)));
    EvalContext& ctx = plan_->ctx;
    switch (c.kind) {
      case Clause::Kind::kBefore:
        ctx.time_hi = std::min(ctx.time_hi, lo);
        break;
      case Clause::Kind::kAfter:
        ctx.time_lo = std::max(ctx.time_lo, hi);
        break;
      default:
        ctx.time_lo = std::max(ctx.time_lo, lo);
        ctx.time_hi = std::min(ctx.time_hi, hi);
        break;
    }
    has_filter_ = true;
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<TermCursor>> Term(const std::string& term, bool positive) {
    ASSIGN_OR_RETURN(uint64_t flushed,
                     FlushedFrequency(store_, &caches_->summaries, view_.segments, term));
    double d = static_cast<double>(flushed + view_.MemoryCount(term));
    double idf = std::log(1 + (docs_ - d + 0.5) / (d + 0.5));
    if (!(idf > 1e-6)) idf = 1e-6;  // stays a text term even with stale statistics
    if (positive) plan_->highlight_terms.insert(term);
    return std::make_unique<TermCursor>(&plan_->ctx, term, idf, d);
  }

  std::unique_ptr<TermCursor> Filter(std::string_view term) {
    has_filter_ = true;
    // Filters keep no document frequency; assume them broad so that words lead.
    return std::make_unique<TermCursor>(&plan_->ctx, term, 0, docs_ / 2);
  }

  absl::StatusOr<std::unique_ptr<Cursor>> Text(std::string_view text, bool top_word,
                                               bool positive) {
    auto terms = QueryTerms(tokenizer_, text);
    if (terms.empty()) return nullptr;
    if (terms.size() == 1) {
      ASSIGN_OR_RETURN(std::unique_ptr<TermCursor> t, Term(terms[0].first, positive));
      if (top_word) plan_->proximity_words.push_back(t.get());
      return std::unique_ptr<Cursor>(std::move(t));
    }
    std::vector<std::unique_ptr<TermCursor>> cursors;
    std::vector<uint32_t> offsets;
    for (const auto& [term, offset] : terms) {
      ASSIGN_OR_RETURN(std::unique_ptr<TermCursor> t, Term(term, positive));
      cursors.push_back(std::move(t));
      offsets.push_back(offset);
    }
    return std::unique_ptr<Cursor>(
        std::make_unique<PhraseCursor>(std::move(cursors), std::move(offsets)));
  }

  absl::StatusOr<std::unique_ptr<Cursor>> Prefix(const Clause& c, bool positive) {
    std::string folded = tokenizer_.Fold(c.value);
    if (folded.empty()) return nullptr;
    std::string lower = LexiconKey(folded);
    storage::IteratorOptions opts;
    opts.lower_bound = lower;
    opts.upper_bound = storage::PrefixSuccessor(lower);
    auto it = store_.NewIterator(storage::Cf::kSearch, opts);
    std::vector<std::string> terms;
    for (it->Seek(lower); it->Valid(); it->Next()) {
      std::string term(it->value());
      if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(term);
      if (static_cast<int>(terms.size()) >= options_.max_prefix_terms) break;
    }
    RETURN_IF_ERROR(it->status());
    std::vector<std::unique_ptr<Cursor>> cursors;
    for (const std::string& term : terms) {
      ASSIGN_OR_RETURN(std::unique_ptr<TermCursor> t, Term(term, positive));
      cursors.push_back(std::move(t));
    }
    if (cursors.empty())
      return std::unique_ptr<Cursor>(
          std::make_unique<ListCursor>(std::vector<std::unique_ptr<Cursor>>{}, nullptr));
    if (cursors.size() == 1) return std::move(cursors[0]);
    if (cursors.size() <= 4)
      return std::unique_ptr<Cursor>(std::make_unique<OrCursor>(std::move(cursors)));
    return std::unique_ptr<Cursor>(
        std::make_unique<ListCursor>(std::move(cursors), &caches_->scored_docs));
  }

  absl::StatusOr<std::unique_ptr<Cursor>> ClauseCursor(const Clause& c, bool top_word,
                                                       bool positive) {
    switch (c.kind) {
      case Clause::Kind::kWord:
        return Text(c.value, top_word, positive);
      case Clause::Kind::kPhrase:
        return Text(c.value, false, positive);
      case Clause::Kind::kPrefix:
        return Prefix(c, positive);
      case Clause::Kind::kFrom: {
        ASSIGN_OR_RETURN(uint64_t user, Resolve(c));
        return std::unique_ptr<Cursor>(Filter(FromTerm(user)));
      }
      case Clause::Kind::kWith: {
        ASSIGN_OR_RETURN(uint64_t user, Resolve(c));
        return std::unique_ptr<Cursor>(Filter(WithTerm(user)));
      }
      case Clause::Kind::kHasLink:
        return std::unique_ptr<Cursor>(Filter(kLinkTerm));
      case Clause::Kind::kHasReaction:
        return std::unique_ptr<Cursor>(Filter(kReactionTerm));
      case Clause::Kind::kIsThread:
        return std::unique_ptr<Cursor>(Filter(kThreadTerm));
      case Clause::Kind::kIsPinned:
        return std::unique_ptr<Cursor>(Filter(kPinnedTerm));
      default:
        return absl::InternalError("date or in: clause inside OR");
    }
  }

  const SearchQuery& q_;
  const SearchOptions& options_;
  const storage::KvStore& store_;
  const IndexView& view_;
  SearchCaches* caches_;
  Tokenizer& tokenizer_;
  QueryPlan* plan_;
  double docs_ = 0;
  bool has_filter_ = false;
};

}  // namespace

std::vector<std::pair<std::string, uint32_t>> QueryTerms(Tokenizer& tokenizer,
                                                         std::string_view text) {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (Token& t : tokenizer.Tokenize(text)) {
    if (!t.primary) continue;
    uint32_t base = out.empty() ? t.position : out.front().second;
    if (out.empty()) {
      out.emplace_back(std::move(t.term), t.position);
    } else {
      out.emplace_back(std::move(t.term), t.position - base);
    }
  }
  if (!out.empty()) out.front().second = 0;
  return out;
}

absl::StatusOr<std::unique_ptr<QueryPlan>> PlanQuery(const ParsedQuery& parsed,
                                                     const SearchQuery& q, const AccessScope& scope,
                                                     const SearchOptions& options,
                                                     const storage::KvStore& store,
                                                     const IndexView& view, SearchCaches* caches,
                                                     Tokenizer& tokenizer) {
  auto plan = std::make_unique<QueryPlan>();
  Planner planner(q, options, store, view, caches, tokenizer, plan.get());
  RETURN_IF_ERROR(planner.Build(parsed, scope));
  return plan;
}

}  // namespace meridian::search
