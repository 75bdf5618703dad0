// Catch-up: one ordered, resumable queue of what a user has not read: channels with unread
// mentions first, then direct conversations, then threads they take part in, then the other
// channels by latest activity; each with counts and its first unread message.
#ifndef MERIDIAN_SERVER_CORE_CATCH_UP_H_
#define MERIDIAN_SERVER_CORE_CATCH_UP_H_

#include "absl/status/statusor.h"
#include "meridian/v1/notifications.pb.h"
#include "server/core/message_observer.h"
#include "server/core/service_env.h"

namespace meridian {

// Records which threads each user takes part in (wrote the root or a reply). Writer thread only.
class ThreadParticipation final : public MessageObserver {
 public:
  void OnMessageWrite(Txn& txn, const ChannelView& channel, const internal::MessageRecord* before,
                      const internal::MessageRecord* after) override;
};

// Safe for concurrent use.
class CatchUpService {
 public:
  explicit CatchUpService(ServiceEnv env) : env_(env) {}

  // The queue is recomputed on each call; page_token is the cursor of the last item seen, and
  // the next page starts after that position even when items before it were read meanwhile.
  absl::StatusOr<v1::CatchUpResponse> CatchUp(const Caller& caller,
                                              const v1::CatchUpRequest& req) const;

 private:
  ServiceEnv env_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_CATCH_UP_H_
