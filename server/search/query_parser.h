// Parses the search query language into clauses, without resolving names or tokenizing words.
//
//   words          all must match            "exact phrase"   the words adjacent, in order
//   prefix*        any word starting so      -excluded        must not match (any clause)
//   a OR b         either (binds tighter than the implicit AND between clauses)
//   from:@user  in:#channel  with:@user  has:link  has:reaction  is:thread  is:pinned
//   before:D  after:D  on:D  during:D    D is YYYY-MM-DD or YYYY-MM (during: also YYYY), in the
//                                        searcher's time zone; before: and after: exclude D itself
#ifndef MERIDIAN_SERVER_SEARCH_QUERY_PARSER_H_
#define MERIDIAN_SERVER_SEARCH_QUERY_PARSER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace meridian::search {

struct Clause {
  enum class Kind {
    kWord,
    kPhrase,
    kPrefix,
    kFrom,  // value "@name"
    kIn,    // value "#name"
    kWith,  // value "@name"
    kHasLink,
    kHasReaction,
    kIsThread,
    kIsPinned,
    kBefore,  // date fields set
    kAfter,
    kOn,
    kDuring,
  };
  Kind kind;
  std::string value;          // the word, phrase text, prefix (without '*') or "@name"/"#name"
  size_t position = 0;        // byte offset of the clause in the query (at '-' when negated)
  size_t value_position = 0;  // byte offset of `value`
  bool negated = false;
  int year = 0, month = 0, day = 0;  // dates: month 0 = whole year, day 0 = whole month
};

// The query is the AND of its groups; a group is the OR of its clauses (usually just one).
struct ParsedQuery {
  std::vector<std::vector<Clause>> groups;
};

// INVALID_ARGUMENT naming the byte position and what was expected: unbalanced quote, empty
// phrase, unknown operator, missing or bad operator value, bad date, dangling OR or '-', a
// negated clause or a date filter inside OR, an empty query.
absl::StatusOr<ParsedQuery> ParseQuery(std::string_view query);

// True for clauses that are filters of the date kinds.
bool IsDateClause(Clause::Kind kind);

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_QUERY_PARSER_H_
