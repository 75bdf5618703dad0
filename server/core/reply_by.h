// Reply-by deadlines: a message may name people who should reply in its thread by a time. They
// see it in "awaiting my reply" until they reply; the sender sees it in "awaiting replies", and
// is notified when the deadline passes while someone named has not replied.
#ifndef MERIDIAN_SERVER_CORE_REPLY_BY_H_
#define MERIDIAN_SERVER_CORE_REPLY_BY_H_

#include "absl/status/statusor.h"
#include "meridian/v1/notifications.pb.h"
#include "server/core/message_observer.h"
#include "server/core/notification_service.h"
#include "server/core/service_env.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// Lists are safe for concurrent use; OnMessageWrite runs on the writer thread only. Borrows
// `notifications` and `scheduler`, which must outlive it.
class ReplyByTracker final : public MessageObserver {
 public:
  static constexpr const char* kDeadlineKind = "replyby.deadline";

  ReplyByTracker(ServiceEnv env, NotificationService& notifications, schedule::Scheduler& scheduler)
      : env_(env), notifications_(notifications), scheduler_(scheduler) {}

  void RegisterHandlers();

  // Records a new reply-by message (and its deadline job), a named person's reply, or the
  // message's deletion.
  void OnMessageWrite(Txn& txn, const ChannelView& channel, const internal::MessageRecord* before,
                      const internal::MessageRecord* after) override;

  // Earliest deadline first.
  absl::StatusOr<v1::ListAwaitingMyReplyResponse> AwaitingMine(const Caller& caller) const;
  absl::StatusOr<v1::ListAwaitingRepliesResponse> AwaitingOthers(const Caller& caller) const;

 private:
  absl::Status Deadline(const schedule::Job& job);
  // Items under `prefix` (user channel seq keys), with their messages.
  absl::StatusOr<std::vector<v1::AwaitingReply>> Collect(const std::string& prefix) const;

  ServiceEnv env_;
  NotificationService& notifications_;
  schedule::Scheduler& scheduler_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_REPLY_BY_H_
