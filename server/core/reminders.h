// Reminders: "remind me (or someone) about this message / text in 2h, tomorrow 9:00, at their
// next morning". Each is a durable scheduler job; when due it becomes a notification to its
// target (delivered at the time its creator chose, working hours notwithstanding).
#ifndef MERIDIAN_SERVER_CORE_REMINDERS_H_
#define MERIDIAN_SERVER_CORE_REMINDERS_H_

#include "absl/status/statusor.h"
#include "meridian/v1/schedule.pb.h"
#include "server/core/notification_service.h"
#include "server/core/service_env.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// Safe for concurrent use. Borrows `notifications` and `scheduler`, which must outlive it.
class Reminders {
 public:
  static constexpr const char* kKind = "reminder";

  Reminders(ServiceEnv env, NotificationService& notifications, schedule::Scheduler& scheduler)
      : env_(env), notifications_(notifications), scheduler_(scheduler) {}

  void RegisterHandlers();

  absl::StatusOr<v1::Reminder> Create(const Caller& caller, const v1::CreateReminderRequest& req);
  // Pending reminders the caller created, soonest first.
  absl::StatusOr<v1::ListRemindersResponse> List(const Caller& caller) const;
  // Due `delay` from now (default one hour). NOT_FOUND once fired or cancelled.
  absl::StatusOr<v1::Reminder> Snooze(const Caller& caller, const v1::SnoozeReminderRequest& req);
  absl::StatusOr<v1::Reminder> Reschedule(const Caller& caller,
                                          const v1::RescheduleReminderRequest& req);
  absl::Status Cancel(const Caller& caller, absl::string_view id);

 private:
  absl::Status Fire(const schedule::Job& job);
  absl::StatusOr<schedule::Job> Find(const Caller& caller, absl::string_view id) const;
  absl::StatusOr<v1::Reminder> Move(const schedule::Job& job, absl::Time due);

  ServiceEnv env_;
  NotificationService& notifications_;
  schedule::Scheduler& scheduler_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_REMINDERS_H_
