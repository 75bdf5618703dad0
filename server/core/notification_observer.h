// Turns each new message into notifications: direct mentions, direct messages, @here and
// @channel, decided per recipient by NotificationService::Offer inside the post's change; and
// an edit that @names someone new into a mention notification for them.
#ifndef MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_
#define MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_

#include <cstdint>
#include <map>

#include "google/protobuf/timestamp.pb.h"
#include "server/core/message_observer.h"
#include "server/core/notification_service.h"

namespace meridian {

// Runs on the writer thread only. Borrows `notifications`, which must outlive it.
class NotificationObserver final : public MessageObserver {
 public:
  explicit NotificationObserver(NotificationService& notifications)
      : notifications_(notifications) {}

  void OnMessageWrite(Txn& txn, const ChannelView& channel, const internal::MessageRecord* before,
                      const internal::MessageRecord* after) override;

 private:
  // Offers one notification about `m` per entry of `reach`, raised at `raised`.
  void Offer(Txn& txn, const v1::Message& m, uint64_t author,
             const std::map<uint64_t, schedule::MentionKind>& reach,
             const google::protobuf::Timestamp& raised);

  NotificationService& notifications_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_
