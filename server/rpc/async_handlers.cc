#include "server/rpc/async_handlers.h"

#include "server/core/group_overlap.h"
#include "server/rpc/status.h"

namespace meridian::rpc {
// --- ScheduleService ---

grpc::Status ScheduleHandler::ScheduleMessage(grpc::ServerContext* ctx,
                                              const v1::ScheduleMessageRequest* req,
                                              v1::ScheduleMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().scheduled().Schedule(c, *req), resp->mutable_scheduled_message());
  });
}

grpc::Status ScheduleHandler::ListScheduledMessages(grpc::ServerContext* ctx,
                                                    const v1::ListScheduledMessagesRequest*,
                                                    v1::ListScheduledMessagesResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.async().scheduled().List(c), resp); });
}

grpc::Status ScheduleHandler::UpdateScheduledMessage(grpc::ServerContext* ctx,
                                                     const v1::UpdateScheduledMessageRequest* req,
                                                     v1::UpdateScheduledMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().scheduled().Update(c, *req), resp->mutable_scheduled_message());
  });
}

grpc::Status ScheduleHandler::CancelScheduledMessage(grpc::ServerContext* ctx,
                                                     const v1::CancelScheduledMessageRequest* req,
                                                     v1::CancelScheduledMessageResponse*) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return core_.async().scheduled().Cancel(c, req->id()); });
}

grpc::Status ScheduleHandler::CreateReminder(grpc::ServerContext* ctx,
                                             const v1::CreateReminderRequest* req,
                                             v1::CreateReminderResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().reminders().Create(c, *req), resp->mutable_reminder());
  });
}

grpc::Status ScheduleHandler::ListReminders(grpc::ServerContext* ctx,
                                            const v1::ListRemindersRequest*,
                                            v1::ListRemindersResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.async().reminders().List(c), resp); });
}

grpc::Status ScheduleHandler::SnoozeReminder(grpc::ServerContext* ctx,
                                             const v1::SnoozeReminderRequest* req,
                                             v1::SnoozeReminderResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().reminders().Snooze(c, *req), resp->mutable_reminder());
  });
}

grpc::Status ScheduleHandler::RescheduleReminder(grpc::ServerContext* ctx,
                                                 const v1::RescheduleReminderRequest* req,
                                                 v1::RescheduleReminderResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().reminders().Reschedule(c, *req), resp->mutable_reminder());
  });
}

grpc::Status ScheduleHandler::CancelReminder(grpc::ServerContext* ctx,
                                             const v1::CancelReminderRequest* req,
                                             v1::CancelReminderResponse*) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return core_.async().reminders().Cancel(c, req->id()); });
}

// --- NotificationService ---

grpc::Status NotificationHandler::ListNotifications(grpc::ServerContext* ctx,
                                                    const v1::ListNotificationsRequest* req,
                                                    v1::ListNotificationsResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().notifications().List(c, *req), resp);
  });
}

grpc::Status NotificationHandler::MarkNotificationsSeen(grpc::ServerContext* ctx,
                                                        const v1::MarkNotificationsSeenRequest* req,
                                                        v1::MarkNotificationsSeenResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().notifications().MarkSeen(c, *req), resp);
  });
}

grpc::Status NotificationHandler::CatchUp(grpc::ServerContext* ctx, const v1::CatchUpRequest* req,
                                          v1::CatchUpResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().catch_up().CatchUp(c, *req), resp);
  });
}

grpc::Status NotificationHandler::ListAwaitingMyReply(grpc::ServerContext* ctx,
                                                      const v1::ListAwaitingMyReplyRequest*,
                                                      v1::ListAwaitingMyReplyResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().reply_by().AwaitingMine(c), resp);
  });
}

grpc::Status NotificationHandler::ListAwaitingReplies(grpc::ServerContext* ctx,
                                                      const v1::ListAwaitingRepliesRequest*,
                                                      v1::ListAwaitingRepliesResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.async().reply_by().AwaitingOthers(c), resp);
  });
}

grpc::Status NotificationHandler::GetOverlap(grpc::ServerContext* ctx,
                                             const v1::GetOverlapRequest* req,
                                             v1::GetOverlapResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(GetGroupOverlap(core_.async().env(), c, *req), resp);
  });
}

}  // namespace meridian::rpc
