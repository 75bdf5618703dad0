#include "server/rpc/search_handler.h"

#include "server/rpc/status.h"

namespace meridian::rpc {

grpc::Status SearchHandler::Search(grpc::ServerContext* ctx, const v1::SearchRequest* req,
                                   v1::SearchResponse* resp) {
  auto caller = Authenticate(*ctx, core_.auth());
  if (!caller.ok()) return ToGrpc(caller.status());
  auto result = core_.search().Search(*caller, *req);
  if (!result.ok()) return ToGrpc(result.status());
  *resp = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace meridian::rpc
