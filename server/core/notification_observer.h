// Turns each new message into notifications: direct mentions, direct messages, @here and
// @channel, decided per recipient by NotificationService::Offer inside the post's change.
#ifndef MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_
#define MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_

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
  NotificationService& notifications_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_NOTIFICATION_OBSERVER_H_
