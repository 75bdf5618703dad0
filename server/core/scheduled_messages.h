// Scheduled send: messages posted later, at an absolute time or at the start of the recipient's
// next working day. Each is a durable scheduler job that posts exactly once.
#ifndef MERIDIAN_SERVER_CORE_SCHEDULED_MESSAGES_H_
#define MERIDIAN_SERVER_CORE_SCHEDULED_MESSAGES_H_

#include "absl/status/statusor.h"
#include "meridian/v1/schedule.pb.h"
#include "server/core/message_service.h"
#include "server/core/service_env.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// Safe for concurrent use. Borrows `messages` and `scheduler`, which must outlive it.
class ScheduledMessages {
 public:
  static constexpr const char* kSendKind = "message.send";

  ScheduledMessages(ServiceEnv env, MessageService& messages, schedule::Scheduler& scheduler)
      : env_(env), messages_(messages), scheduler_(scheduler) {}

  // Registers the send handler (before Scheduler::Start). It posts through MessageService::Post
  // as the author with idempotency key "scheduled:<job id>", so that a run repeated after a crash
  // finds the first post instead of posting again; message observers run as for any post.
  void RegisterHandlers();

  absl::StatusOr<v1::ScheduledMessage> Schedule(const Caller& caller,
                                                const v1::ScheduleMessageRequest& req);
  absl::StatusOr<v1::ListScheduledMessagesResponse> List(const Caller& caller) const;
  // NOT_FOUND once the message was sent or cancelled.
  absl::StatusOr<v1::ScheduledMessage> Update(const Caller& caller,
                                              const v1::UpdateScheduledMessageRequest& req);
  absl::Status Cancel(const Caller& caller, absl::string_view id);

 private:
  absl::Status Send(const schedule::Job& job);
  // The pending job behind `id` ("s17"), if it is the caller's.
  absl::StatusOr<schedule::Job> Find(const Caller& caller, absl::string_view id) const;
  absl::StatusOr<absl::Time> When(const Caller& caller, const std::string& channel_ref,
                                  const v1::When& when) const;

  ServiceEnv env_;
  MessageService& messages_;
  schedule::Scheduler& scheduler_;
};

// Parses an id of the form <prefix><job id> ("s17", "r4"); INVALID_ARGUMENT otherwise.
absl::StatusOr<uint64_t> ParseJobRef(absl::string_view id, char prefix, absl::string_view field);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_SCHEDULED_MESSAGES_H_
