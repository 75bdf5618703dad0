#include "server/core/scheduled_messages.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/proto_time.h"
#include "server/core/records.pb.h"
#include "server/core/resolve.h"
#include "server/core/user_schedule.h"

namespace meridian {
namespace {

std::string RefOf(uint64_t job) { return absl::StrCat("s", job); }

bool Permanent(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kUnauthenticated:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<uint64_t> ParseJobRef(absl::string_view id, char prefix, absl::string_view field) {
  uint64_t n = 0;
  if (id.size() < 2 || id[0] != prefix || !absl::SimpleAtoi(id.substr(1), &n) || n == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": expected an id like \"", std::string(1, prefix), "12\", got \"", id, "\""));
  }
  return n;
}

void ScheduledMessages::RegisterHandlers() {
  scheduler_.RegisterHandler(
      kSendKind, [this](const schedule::Job& job, storage::WriteBatch*) { return Send(job); });
}

absl::StatusOr<absl::Time> ScheduledMessages::When(const Caller& caller,
                                                   const std::string& channel_ref,
                                                   const v1::When& when) const {
  std::optional<schedule::WorkingSchedule> recipient;
  if (when.when_case() == v1::When::kNextWorkingDay) {
    std::optional<uint64_t> other;
    if (!channel_ref.empty() && channel_ref[0] == '@') {
      ASSIGN_OR_RETURN(other, ResolveUser(env_.dir, channel_ref, "channel_id"));
    } else {
      ASSIGN_OR_RETURN(ChannelView ch,
                       ResolveChannel(env_.dir, caller, channel_ref, Access::kWrite));
      if (ch.is_direct() && ch.members.size() == 2) {
        other = ch.members[0] == caller.user_id ? ch.members[1] : ch.members[0];
      }
    }
    if (!other) {
      return absl::InvalidArgumentError(
          "when.next_working_day is for direct messages to one person (channel_id \"@name\")");
    }
    recipient = ScheduleOf(env_.dir, *other);
  }
  return ResolveWhen(when, env_.clock.Now(), ScheduleOf(env_.dir, caller.user_id),
                     recipient ? &*recipient : nullptr);
}

absl::StatusOr<v1::ScheduledMessage> ScheduledMessages::Schedule(
    const Caller& caller, const v1::ScheduleMessageRequest& req) {
  RETURN_IF_ERROR(ValidateText(req.text(), "text", env_.limits.max_message_bytes));
  if (req.channel_id().empty()) return absl::InvalidArgumentError("channel_id is required");
  if (req.channel_id()[0] == '@') {
    RETURN_IF_ERROR(ResolveUser(env_.dir, req.channel_id(), "channel_id").status());
  } else {
    RETURN_IF_ERROR(ResolveChannel(env_.dir, caller, req.channel_id(), Access::kWrite).status());
  }
  if (!req.thread_root_id().empty()) {
    RETURN_IF_ERROR(ParseMessageId(req.thread_root_id(), "thread_root_id").status());
  }
  ASSIGN_OR_RETURN(absl::Time due, When(caller, req.channel_id(), req.when()));

  internal::ScheduledMessageRecord rec;
  rec.set_author(caller.user_id);
  v1::ScheduledMessage* sm = rec.mutable_scheduled();
  sm->set_channel_id(req.channel_id());
  sm->set_text(req.text());
  sm->set_thread_root_id(req.thread_root_id());
  sm->set_urgent(req.urgent());
  SetTimestamp(sm->mutable_create_time(), env_.clock.Now());
  ASSIGN_OR_RETURN(uint64_t job, scheduler_.Schedule({kSendKind, UserIdString(caller.user_id),
                                                      rec.SerializeAsString(), due}));
  scheduler_.Wake();
  sm->set_id(RefOf(job));
  SetTimestamp(sm->mutable_send_time(), due);
  return *sm;
}

absl::StatusOr<v1::ListScheduledMessagesResponse> ScheduledMessages::List(
    const Caller& caller) const {
  ASSIGN_OR_RETURN(auto jobs,
                   scheduler_.List({.owner = UserIdString(caller.user_id), .kind = kSendKind}));
  v1::ListScheduledMessagesResponse resp;
  for (const auto& job : jobs) {
    internal::ScheduledMessageRecord rec;
    if (!rec.ParseFromString(job.payload)) return absl::DataLossError("corrupt scheduled message");
    v1::ScheduledMessage* sm = resp.add_scheduled_messages();
    *sm = rec.scheduled();
    sm->set_id(RefOf(job.id));
    SetTimestamp(sm->mutable_send_time(), job.due);
  }
  return resp;
}

absl::StatusOr<schedule::Job> ScheduledMessages::Find(const Caller& caller,
                                                      absl::string_view id) const {
  ASSIGN_OR_RETURN(uint64_t job_id, ParseJobRef(id, 's', "id"));
  auto job = scheduler_.Get(job_id);
  if (!job.ok() || job->kind != kSendKind || job->owner != UserIdString(caller.user_id)) {
    return absl::NotFoundError(
        absl::StrCat("you have no pending scheduled message ", id, " (sent or cancelled?)"));
  }
  return job;
}

absl::StatusOr<v1::ScheduledMessage> ScheduledMessages::Update(
    const Caller& caller, const v1::UpdateScheduledMessageRequest& req) {
  ASSIGN_OR_RETURN(schedule::Job job, Find(caller, req.id()));
  internal::ScheduledMessageRecord rec;
  if (!rec.ParseFromString(job.payload)) return absl::DataLossError("corrupt scheduled message");
  absl::Time due = job.due;
  if (req.has_when()) {
    ASSIGN_OR_RETURN(due, When(caller, rec.scheduled().channel_id(), req.when()));
  }
  v1::ScheduledMessage* sm = rec.mutable_scheduled();
  if (req.text().empty() || req.text() == sm->text()) {
    if (due != job.due) RETURN_IF_ERROR(scheduler_.Reschedule(job.id, due));
    scheduler_.Wake();
    sm->set_id(RefOf(job.id));
  } else {
    RETURN_IF_ERROR(ValidateText(req.text(), "text", env_.limits.max_message_bytes));
    sm->set_text(req.text());
    // The payload is immutable: cancel first (fails if it is being sent), then enqueue anew.
    RETURN_IF_ERROR(scheduler_.Cancel(job.id));
    ASSIGN_OR_RETURN(uint64_t id,
                     scheduler_.Schedule({kSendKind, job.owner, rec.SerializeAsString(), due}));
    scheduler_.Wake();
    sm->set_id(RefOf(id));
  }
  SetTimestamp(sm->mutable_send_time(), due);
  return *sm;
}

absl::Status ScheduledMessages::Cancel(const Caller& caller, absl::string_view id) {
  ASSIGN_OR_RETURN(schedule::Job job, Find(caller, id));
  return scheduler_.Cancel(job.id);
}

absl::Status ScheduledMessages::Send(const schedule::Job& job) {
  internal::ScheduledMessageRecord rec;
  if (!rec.ParseFromString(job.payload)) {
    MLOG_ERROR("dropping scheduled message {}: corrupt payload", job.id);
    return absl::OkStatus();
  }
  auto author = env_.dir.User(rec.author());
  if (!author || author->user().deactivated()) return absl::OkStatus();
  Caller caller{rec.author(), author->user().is_admin()};
  v1::PostMessageRequest req;
  req.set_channel_id(rec.scheduled().channel_id());
  req.set_text(rec.scheduled().text());
  req.set_thread_root_id(rec.scheduled().thread_root_id());
  req.set_urgent(rec.scheduled().urgent());
  req.set_idempotency_key(absl::StrCat("scheduled:", job.id));
  auto posted = messages_.Post(caller, req);
  if (posted.ok() || !Permanent(posted.status())) return posted.status();
  // The author lost access or the thread was deleted meanwhile: retrying cannot help.
  MLOG_WARN("scheduled message {} of {} not sent: {}", job.id, rec.author(),
            posted.status().ToString());
  return absl::OkStatus();
}

}  // namespace meridian
