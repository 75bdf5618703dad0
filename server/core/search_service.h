// Message search for a caller: who may read what, their time zone and names, mapped onto the
// search library (server/search) and back to the API.
#ifndef MERIDIAN_SERVER_CORE_SEARCH_SERVICE_H_
#define MERIDIAN_SERVER_CORE_SEARCH_SERVICE_H_

#include "absl/status/statusor.h"
#include "meridian/v1/search.pb.h"
#include "server/core/service_env.h"
#include "server/search/search_index.h"

namespace meridian {

// Safe for concurrent use. Borrows `index`, which must outlive it.
//
// Scope: a search covers every public channel (joined or not, as in Slack) and the private
// channels and direct conversations the caller is a member of at the moment of the call. It is
// recomputed on every call, so leaving a private channel removes its messages from the next
// search at once: from the hits, the total count and the snippets alike.
class SearchService {
 public:
  SearchService(ServiceEnv env, search::SearchIndex& index) : env_(env), index_(index) {}

  // INVALID_ARGUMENT for a malformed query (naming the byte position), an unknown @user or a
  // #channel the caller cannot read, a bad time zone, page size or page token.
  absl::StatusOr<v1::SearchResponse> Search(const Caller& caller,
                                            const v1::SearchRequest& req) const;

  // The channels `caller` may read now, unsorted.
  search::AccessScope ScopeOf(const Caller& caller) const;

 private:
  ServiceEnv env_;
  search::SearchIndex& index_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_SEARCH_SERVICE_H_
