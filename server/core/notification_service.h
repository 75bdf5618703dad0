// The notification feed: deciding per recipient when a notification is delivered (now, held
// until their working time, or never) and delivering it to their feed and event stream.
#ifndef MERIDIAN_SERVER_CORE_NOTIFICATION_SERVICE_H_
#define MERIDIAN_SERVER_CORE_NOTIFICATION_SERVICE_H_

#include "absl/status/statusor.h"
#include "meridian/v1/notifications.pb.h"
#include "server/core/records.pb.h"
#include "server/core/service_env.h"
#include "server/core/txn.h"
#include "server/schedule/notification_policy.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// Safe for concurrent use. Borrows `scheduler`, which must outlive it.
class NotificationService {
 public:
  // The scheduler job kind of a held notification.
  static constexpr const char* kReleaseKind = "notify.release";

  NotificationService(ServiceEnv env, schedule::Scheduler& scheduler);

  // Registers the handler that releases held notifications (before Scheduler::Start).
  void RegisterHandlers();

  // Writer thread only. Decides for rec.recipient with schedule::DecideNotification at
  // txn.now(): delivers in `txn`, holds it as a scheduler job in txn.batch(), or drops it.
  void Offer(Txn& txn, internal::NotificationRecord rec, schedule::MentionKind kind);

  // Writer thread only. Adds rec to its recipient's feed and emits it on their event stream,
  // unless a notification with its id was delivered before (then returns false).
  absl::StatusOr<bool> DeliverInTxn(Txn& txn, internal::NotificationRecord rec);

  absl::StatusOr<v1::ListNotificationsResponse> List(const Caller& caller,
                                                     const v1::ListNotificationsRequest& req) const;
  absl::StatusOr<v1::MarkNotificationsSeenResponse> MarkSeen(
      const Caller& caller, const v1::MarkNotificationsSeenRequest& req);

 private:
  // The "notify.release" handler: re-decides a held notification with the recipient's current
  // schedule through the Committer. Idempotent (DeliverInTxn dedupes by id).
  absl::Status Release(const schedule::Job& job);
  // Whether the message a notification is about was deleted (false when it is about none).
  absl::StatusOr<bool> MessageGone(const std::string& message_id) const;

  ServiceEnv env_;
  schedule::Scheduler& scheduler_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_NOTIFICATION_SERVICE_H_
