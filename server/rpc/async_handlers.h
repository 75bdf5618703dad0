// The gRPC services of issue 6: ScheduleService (scheduled messages, reminders) and
// NotificationService (feed, catch-up, reply-by lists, overlap). Thin, as handlers.h.
#ifndef MERIDIAN_SERVER_RPC_ASYNC_HANDLERS_H_
#define MERIDIAN_SERVER_RPC_ASYNC_HANDLERS_H_

#include "meridian/v1/notifications.grpc.pb.h"
#include "meridian/v1/schedule.grpc.pb.h"
#include "server/core/core.h"

namespace meridian::rpc {

// Both borrow `core`, which must outlive the server, and are safe for concurrent use.
class ScheduleHandler final : public v1::ScheduleService::Service {
 public:
  explicit ScheduleHandler(Core& core) : core_(core) {}
  grpc::Status ScheduleMessage(grpc::ServerContext*, const v1::ScheduleMessageRequest*,
                               v1::ScheduleMessageResponse*) override;
  grpc::Status ListScheduledMessages(grpc::ServerContext*, const v1::ListScheduledMessagesRequest*,
                                     v1::ListScheduledMessagesResponse*) override;
  grpc::Status UpdateScheduledMessage(grpc::ServerContext*,
                                      const v1::UpdateScheduledMessageRequest*,
                                      v1::UpdateScheduledMessageResponse*) override;
  grpc::Status CancelScheduledMessage(grpc::ServerContext*,
                                      const v1::CancelScheduledMessageRequest*,
                                      v1::CancelScheduledMessageResponse*) override;
  grpc::Status CreateReminder(grpc::ServerContext*, const v1::CreateReminderRequest*,
                              v1::CreateReminderResponse*) override;
  grpc::Status ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest*,
                             v1::ListRemindersResponse*) override;
  grpc::Status SnoozeReminder(grpc::ServerContext*, const v1::SnoozeReminderRequest*,
                              v1::SnoozeReminderResponse*) override;
  grpc::Status RescheduleReminder(grpc::ServerContext*, const v1::RescheduleReminderRequest*,
                                  v1::RescheduleReminderResponse*) override;
  grpc::Status CancelReminder(grpc::ServerContext*, const v1::CancelReminderRequest*,
                              v1::CancelReminderResponse*) override;

 private:
  Core& core_;
};

class NotificationHandler final : public v1::NotificationService::Service {
 public:
  explicit NotificationHandler(Core& core) : core_(core) {}
  grpc::Status ListNotifications(grpc::ServerContext*, const v1::ListNotificationsRequest*,
                                 v1::ListNotificationsResponse*) override;
  grpc::Status MarkNotificationsSeen(grpc::ServerContext*, const v1::MarkNotificationsSeenRequest*,
                                     v1::MarkNotificationsSeenResponse*) override;
  grpc::Status CatchUp(grpc::ServerContext*, const v1::CatchUpRequest*,
                       v1::CatchUpResponse*) override;
  grpc::Status ListAwaitingMyReply(grpc::ServerContext*, const v1::ListAwaitingMyReplyRequest*,
                                   v1::ListAwaitingMyReplyResponse*) override;
  grpc::Status ListAwaitingReplies(grpc::ServerContext*, const v1::ListAwaitingRepliesRequest*,
                                   v1::ListAwaitingRepliesResponse*) override;
  grpc::Status GetOverlap(grpc::ServerContext*, const v1::GetOverlapRequest*,
                          v1::GetOverlapResponse*) override;

 private:
  Core& core_;
};

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_ASYNC_HANDLERS_H_
