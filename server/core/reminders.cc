#include "server/core/reminders.h"

#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/proto_time.h"
#include "server/core/records.pb.h"
#include "server/core/resolve.h"
#include "server/core/scheduled_messages.h"
#include "server/core/user_schedule.h"

namespace meridian {
namespace {

constexpr size_t kMaxReminderText = 1000;

std::string RefOf(uint64_t job) { return absl::StrCat("r", job); }

absl::StatusOr<v1::Reminder> ReminderOf(const schedule::Job& job) {
  internal::ReminderRecord rec;
  if (!rec.ParseFromString(job.payload)) return absl::DataLossError("corrupt reminder");
  v1::Reminder r = rec.reminder();
  r.set_id(RefOf(job.id));
  SetTimestamp(r.mutable_remind_time(), job.due);
  return r;
}

}  // namespace

void Reminders::RegisterHandlers() {
  scheduler_.RegisterHandler(
      kKind, [this](const schedule::Job& job, storage::WriteBatch*) { return Fire(job); });
}

absl::StatusOr<v1::Reminder> Reminders::Create(const Caller& caller,
                                               const v1::CreateReminderRequest& req) {
  uint64_t target = caller.user_id;
  if (!req.target_user_id().empty() && req.target_user_id() != "me") {
    ASSIGN_OR_RETURN(target, ResolveUser(env_.dir, req.target_user_id(), "target_user_id"));
  }
  auto target_rec = env_.dir.User(target);
  if (!target_rec || target_rec->user().deactivated()) {
    return absl::FailedPreconditionError("the reminder's target is deactivated");
  }
  if (req.text().empty() && req.message_id().empty()) {
    return absl::InvalidArgumentError("set text, message_id or both");
  }
  RETURN_IF_ERROR(ValidateText(req.text(), "text", kMaxReminderText, /*allow_empty=*/true));
  if (!req.message_id().empty()) {
    ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id(), "message_id"));
    RETURN_IF_ERROR(CheckChannelAccess(env_.dir, caller, key.channel, Access::kRead).status());
  }
  schedule::WorkingSchedule target_schedule = ScheduleOfUser(target_rec->user());
  ASSIGN_OR_RETURN(absl::Time due,
                   ResolveWhen(req.when(), env_.clock.Now(), ScheduleOf(env_.dir, caller.user_id),
                               &target_schedule));
  internal::ReminderRecord rec;
  rec.set_creator(caller.user_id);
  rec.set_target(target);
  v1::Reminder* r = rec.mutable_reminder();
  r->set_creator_id(UserIdString(caller.user_id));
  r->set_target_user_id(UserIdString(target));
  r->set_text(req.text());
  r->set_message_id(req.message_id());
  SetTimestamp(r->mutable_create_time(), env_.clock.Now());
  ASSIGN_OR_RETURN(uint64_t job, scheduler_.Schedule({kKind, UserIdString(caller.user_id),
                                                      rec.SerializeAsString(), due}));
  scheduler_.Wake();
  r->set_id(RefOf(job));
  SetTimestamp(r->mutable_remind_time(), due);
  return *r;
}

absl::StatusOr<v1::ListRemindersResponse> Reminders::List(const Caller& caller) const {
  ASSIGN_OR_RETURN(auto jobs,
                   scheduler_.List({.owner = UserIdString(caller.user_id), .kind = kKind}));
  v1::ListRemindersResponse resp;
  for (const auto& job : jobs) {
    ASSIGN_OR_RETURN(*resp.add_reminders(), ReminderOf(job));
  }
  return resp;
}

absl::StatusOr<schedule::Job> Reminders::Find(const Caller& caller, absl::string_view id) const {
  ASSIGN_OR_RETURN(uint64_t job_id, ParseJobRef(id, 'r', "id"));
  auto job = scheduler_.Get(job_id);
  if (!job.ok() || job->kind != kKind || job->owner != UserIdString(caller.user_id)) {
    return absl::NotFoundError(
        absl::StrCat("you have no pending reminder ", id, " (fired or cancelled?)"));
  }
  return job;
}

absl::StatusOr<v1::Reminder> Reminders::Move(const schedule::Job& job, absl::Time due) {
  RETURN_IF_ERROR(scheduler_.Reschedule(job.id, due));
  scheduler_.Wake();
  schedule::Job moved = job;
  moved.due = due;
  return ReminderOf(moved);
}

absl::StatusOr<v1::Reminder> Reminders::Snooze(const Caller& caller,
                                               const v1::SnoozeReminderRequest& req) {
  ASSIGN_OR_RETURN(schedule::Job job, Find(caller, req.id()));
  absl::Duration d = absl::Hours(1);
  if (req.has_delay()) {
    d = absl::Seconds(req.delay().seconds()) + absl::Nanoseconds(req.delay().nanos());
    if (d <= absl::ZeroDuration() || d > absl::Hours(24 * 366)) {
      return absl::InvalidArgumentError("delay must be positive and within a year");
    }
  }
  return Move(job, env_.clock.Now() + d);
}

absl::StatusOr<v1::Reminder> Reminders::Reschedule(const Caller& caller,
                                                   const v1::RescheduleReminderRequest& req) {
  ASSIGN_OR_RETURN(schedule::Job job, Find(caller, req.id()));
  internal::ReminderRecord rec;
  if (!rec.ParseFromString(job.payload)) return absl::DataLossError("corrupt reminder");
  schedule::WorkingSchedule target = ScheduleOf(env_.dir, rec.target());
  ASSIGN_OR_RETURN(absl::Time due, ResolveWhen(req.when(), env_.clock.Now(),
                                               ScheduleOf(env_.dir, caller.user_id), &target));
  return Move(job, due);
}

absl::Status Reminders::Cancel(const Caller& caller, absl::string_view id) {
  ASSIGN_OR_RETURN(schedule::Job job, Find(caller, id));
  return scheduler_.Cancel(job.id);
}

absl::Status Reminders::Fire(const schedule::Job& job) {
  internal::ReminderRecord rec;
  if (!rec.ParseFromString(job.payload)) {
    MLOG_ERROR("dropping reminder {}: corrupt payload", job.id);
    return absl::OkStatus();
  }
  internal::NotificationRecord n;
  n.set_recipient(rec.target());
  n.set_sender(rec.creator());
  v1::Notification* note = n.mutable_notification();
  note->set_id(absl::StrCat("rem:", job.id));
  note->set_kind(v1::NOTIFICATION_KIND_REMINDER);
  note->set_actor_id(UserIdString(rec.creator()));
  note->set_text(rec.reminder().text());
  note->set_message_id(rec.reminder().message_id());
  if (auto key = ParseMessageId(rec.reminder().message_id()); key.ok()) {
    note->set_channel_id(ChannelIdString(key->channel));
  }
  SetTimestamp(note->mutable_create_time(), job.due);
  // Delivery is idempotent by id, so a run repeated after a crash notifies once.
  return env_.committer.Run(
      [&](Txn& txn) -> absl::Status { return notifications_.DeliverInTxn(txn, n).status(); });
}

}  // namespace meridian
