// The EventService: one SubscribeReactor per open stream. A reactor holds at most one response
// in flight and pulls the next events from its EventFeed only when the previous write completed,
// so a slow client is never buffered for; when it falls out of the live ring it is ended with
// RESOURCE_EXHAUSTED and a "meridian-resume-cursor" trailer. A client that asked for batches gets
// every event that queued up during the previous write in one response (bounded in count and
// bytes); others get one event per response.
#ifndef MERIDIAN_SERVER_RPC_SUBSCRIBE_REACTOR_H_
#define MERIDIAN_SERVER_RPC_SUBSCRIBE_REACTOR_H_

#include "meridian/v1/events.grpc.pb.h"
#include "server/core/core.h"

namespace meridian::rpc {

// Safe for concurrent use. Borrows `core`, which must outlive the server.
class EventHandler final : public v1::EventService::CallbackService {
 public:
  explicit EventHandler(Core& core) : core_(core) {}
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* ctx, const v1::SubscribeRequest* req) override;

 private:
  Core& core_;
};

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_SUBSCRIBE_REACTOR_H_
