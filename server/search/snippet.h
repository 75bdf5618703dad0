// Cuts a snippet of a message around the first match and marks the matching words.
#ifndef MERIDIAN_SERVER_SEARCH_SNIPPET_H_
#define MERIDIAN_SERVER_SEARCH_SNIPPET_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/search/search_index.h"
#include "server/search/tokenizer.h"

namespace meridian::search {

// `tokens` are Tokenize(text); a token is highlighted when its term is in `terms`. The snippet
// is at most about max_bytes (plus "…" marks where text was cut), cut at UTF-8 boundaries;
// highlight ranges are byte offsets into the snippet, sorted and disjoint.
void MakeSnippet(std::string_view text, const std::vector<Token>& tokens,
                 const std::unordered_set<std::string>& terms, size_t max_bytes, SearchHit* hit);

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_SNIPPET_H_
