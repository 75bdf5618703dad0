// The gRPC SearchService (issue 3). Thin, as handlers.h: the scope, time zone and names are
// decided by the domain SearchService (server/core/search_service.h).
#ifndef MERIDIAN_SERVER_RPC_SEARCH_HANDLER_H_
#define MERIDIAN_SERVER_RPC_SEARCH_HANDLER_H_

#include "meridian/v1/search.grpc.pb.h"
#include "server/core/core.h"

namespace meridian::rpc {

// Borrows `core`, which must outlive the server. Safe for concurrent use.
class SearchHandler final : public v1::SearchService::Service {
 public:
  explicit SearchHandler(Core& core) : core_(core) {}
  grpc::Status Search(grpc::ServerContext*, const v1::SearchRequest*, v1::SearchResponse*) override;

 private:
  Core& core_;
};

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_SEARCH_HANDLER_H_
