// Turns a parsed query into cursors over the index: resolves names, tokenizes words, expands
// prefixes, narrows the channel scope and the date range, and looks up BM25 statistics (the
// view's; a term's document frequency is the stored one plus the memory segment's count).
// `caches` outlive the plan.
#ifndef MERIDIAN_SERVER_SEARCH_QUERY_PLAN_H_
#define MERIDIAN_SERVER_SEARCH_QUERY_PLAN_H_

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "server/search/cursors.h"
#include "server/search/query_parser.h"
#include "server/search/search_index.h"
#include "server/search/tokenizer.h"

namespace meridian::search {

struct QueryPlan {
  // Owns the scope, the date range and the statistics; cursors point into it, so the plan is
  // heap-allocated and never moved.
  EvalContext ctx;
  std::unique_ptr<Cursor> root;              // null when nothing can match (empty scope)
  std::vector<TermCursor*> proximity_words;  // top-level words in query order, borrowed
  std::unordered_set<std::string> highlight_terms;
};

// The primary terms of `text` with their positions relative to the first (a phrase when >1).
std::vector<std::pair<std::string, uint32_t>> QueryTerms(Tokenizer& tokenizer,
                                                         std::string_view text);

absl::StatusOr<std::unique_ptr<QueryPlan>> PlanQuery(const ParsedQuery& parsed,
                                                     const SearchQuery& q, const AccessScope& scope,
                                                     const SearchOptions& options,
                                                     const storage::KvStore& store,
                                                     const IndexView& view, SearchCaches* caches,
                                                     Tokenizer& tokenizer);

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_QUERY_PLAN_H_
