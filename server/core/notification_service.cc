#include "server/core/notification_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/core/async_keys.h"
#include "server/core/proto_time.h"
#include "server/core/user_schedule.h"
#include "storage/keys.h"

namespace meridian {
namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;
constexpr int64_t kMaxCounted = 10'000;

}  // namespace

NotificationService::NotificationService(ServiceEnv env, schedule::Scheduler& scheduler)
    : env_(env), scheduler_(scheduler) {}

void NotificationService::RegisterHandlers() {
  scheduler_.RegisterHandler(kReleaseKind, [this](const schedule::Job& job, storage::WriteBatch*) {
    return Release(job);
  });
}

void NotificationService::Offer(Txn& txn, internal::NotificationRecord rec,
                                schedule::MentionKind kind) {
  schedule::WorkingSchedule recipient = ScheduleOf(env_.dir, rec.recipient());
  schedule::NotificationRequest req;
  req.sender_id = rec.sender();
  req.recipient_id = rec.recipient();
  req.kind = kind;
  req.urgent = rec.notification().urgent();
  req.now = txn.now();
  schedule::NotificationDecision d = schedule::DecideNotification(recipient, req);
  rec.set_mention_kind(static_cast<int>(kind));
  switch (d.action) {
    case schedule::NotificationDecision::Action::kDrop:
      return;
    case schedule::NotificationDecision::Action::kDeliverNow:
      if (auto s = DeliverInTxn(txn, std::move(rec)); !s.ok()) {
        MLOG_WARN("notification not delivered: {}", s.status().ToString());
      }
      return;
    case schedule::NotificationDecision::Action::kHold: {
      rec.mutable_notification()->set_held_reason(d.reason);
      schedule::JobSpec spec;
      spec.kind = kReleaseKind;
      spec.owner = UserIdString(rec.recipient());
      spec.payload = rec.SerializeAsString();
      spec.due = d.deliver_at;
      auto id = scheduler_.ScheduleInBatch(spec, &txn.batch());
      if (!id.ok()) {
        MLOG_WARN("cannot hold notification: {}", id.status().ToString());
        return;
      }
      txn.OnApplied([s = &scheduler_] { s->Wake(); });
      return;
    }
  }
}

absl::StatusOr<bool> NotificationService::DeliverInTxn(Txn& txn, internal::NotificationRecord rec) {
  const uint64_t user = rec.recipient();
  const std::string& id = rec.notification().id();
  std::string index = async_keys::FeedIndex(user, id);
  ASSIGN_OR_RETURN(auto prior, env_.store.Get(storage::Cf::kAsync, index));
  if (prior) return false;
  SetTimestamp(rec.mutable_notification()->mutable_deliver_time(), txn.now());
  std::string key = async_keys::Feed(user, ToMicros(txn.now()), id);
  txn.batch().Put(storage::Cf::kAsync, key, rec.SerializeAsString());
  txn.batch().Put(storage::Cf::kAsync, index, key);
  internal::EventRecord ev;
  ev.set_only_user(user);
  ev.mutable_event()->set_type(v1::EVENT_TYPE_NOTIFICATION);
  ev.mutable_event()->set_actor_id(rec.notification().actor_id());
  ev.mutable_event()->set_channel_id(rec.notification().channel_id());
  *ev.mutable_event()->mutable_notification() = rec.notification();
  txn.Emit(std::move(ev));
  return true;
}

absl::StatusOr<bool> NotificationService::MessageGone(const std::string& message_id) const {
  if (message_id.empty()) return false;
  auto key = ParseMessageId(message_id);
  if (!key.ok()) return true;
  ASSIGN_OR_RETURN(auto bytes, env_.store.Get(storage::Cf::kMessages,
                                              storage::keys::Message(key->channel, key->seq)));
  if (!bytes) return true;
  internal::MessageRecord msg;
  if (!msg.ParseFromString(*bytes)) return absl::DataLossError("corrupt message record");
  return msg.message().deleted();
}

absl::Status NotificationService::Release(const schedule::Job& job) {
  internal::NotificationRecord rec;
  if (!rec.ParseFromString(job.payload)) {
    MLOG_ERROR("dropping held notification {}: corrupt payload", job.id);
    return absl::OkStatus();
  }
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    auto user = env_.dir.User(rec.recipient());
    if (!user || user->user().deactivated()) return absl::OkStatus();
    ASSIGN_OR_RETURN(bool gone, MessageGone(rec.notification().message_id()));
    if (gone) return absl::OkStatus();  // deleted while held: nothing left to notify about
    // Re-decide: the recipient may have changed their hours or entered do-not-disturb meanwhile.
    schedule::NotificationRequest req;
    req.sender_id = rec.sender();
    req.recipient_id = rec.recipient();
    req.kind = static_cast<schedule::MentionKind>(rec.mention_kind());
    req.urgent = rec.notification().urgent();
    req.now = txn.now();
    schedule::NotificationDecision d =
        schedule::DecideNotification(ScheduleOfUser(user->user()), req);
    if (d.action == schedule::NotificationDecision::Action::kHold) {
      rec.mutable_notification()->set_held_reason(d.reason);
      schedule::JobSpec spec{kReleaseKind, job.owner, rec.SerializeAsString(), d.deliver_at};
      RETURN_IF_ERROR(scheduler_.ScheduleInBatch(spec, &txn.batch()).status());
      txn.OnApplied([s = &scheduler_] { s->Wake(); });
      return absl::OkStatus();
    }
    // A hold ends in a delivery even if the policy would now drop it (@here never holds).
    return DeliverInTxn(txn, std::move(rec)).status();
  });
}

absl::StatusOr<v1::ListNotificationsResponse> NotificationService::List(
    const Caller& caller, const v1::ListNotificationsRequest& req) const {
  if (req.page_size() < 0 || req.page_size() > kMaxPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size must be between 0 and ", kMaxPage));
  }
  const int page = req.page_size() == 0 ? kDefaultPage : req.page_size();
  std::string prefix = async_keys::FeedPrefix(caller.user_id);
  std::string start;
  if (!req.page_token().empty()) {
    if (!absl::WebSafeBase64Unescape(req.page_token(), &start) || start.rfind(prefix, 0) != 0) {
      return absl::InvalidArgumentError("page_token is not one this server returned");
    }
  }
  auto it = env_.store.NewIterator(
      storage::Cf::kAsync,
      {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  v1::ListNotificationsResponse resp;
  int64_t unseen = 0;
  // Newest first; the token is the key of the last notification returned.
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    internal::NotificationRecord rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt notification record");
    }
    if (!rec.notification().seen() && unseen < kMaxCounted) ++unseen;
    if (!start.empty() && it->key() >= start) continue;
    if (req.unseen_only() && rec.notification().seen()) continue;
    if (resp.notifications_size() == page) {
      if (resp.next_page_token().empty()) {
        std::string last = async_keys::Feed(
            caller.user_id, ToMicros(FromTimestamp(resp.notifications(page - 1).deliver_time())),
            resp.notifications(page - 1).id());
        resp.set_next_page_token(absl::WebSafeBase64Escape(last));
      }
      continue;
    }
    *resp.add_notifications() = rec.notification();
  }
  RETURN_IF_ERROR(it->status());
  resp.set_unseen_count(unseen);
  return resp;
}

absl::StatusOr<v1::MarkNotificationsSeenResponse> NotificationService::MarkSeen(
    const Caller& caller, const v1::MarkNotificationsSeenRequest& req) {
  if (!req.all() && req.notification_ids().empty()) {
    return absl::InvalidArgumentError("name notification_ids or set all");
  }
  return env_.committer.Run<v1::MarkNotificationsSeenResponse>(
      [&](Txn& txn) -> absl::StatusOr<v1::MarkNotificationsSeenResponse> {
        v1::MarkNotificationsSeenResponse resp;
        auto mark = [&](std::string_view key, std::string_view value) -> absl::Status {
          internal::NotificationRecord rec;
          if (!rec.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            return absl::DataLossError("corrupt notification record");
          }
          if (rec.notification().seen()) return absl::OkStatus();
          rec.mutable_notification()->set_seen(true);
          txn.batch().Put(storage::Cf::kAsync, key, rec.SerializeAsString());
          resp.set_marked(resp.marked() + 1);
          return absl::OkStatus();
        };
        if (req.all()) {
          std::string prefix = async_keys::FeedPrefix(caller.user_id);
          auto it = env_.store.NewIterator(
              storage::Cf::kAsync,
              {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
          for (it->SeekToFirst(); it->Valid(); it->Next()) {
            RETURN_IF_ERROR(mark(it->key(), it->value()));
          }
          RETURN_IF_ERROR(it->status());
          return resp;
        }
        for (const auto& id : req.notification_ids()) {
          ASSIGN_OR_RETURN(auto key, env_.store.Get(storage::Cf::kAsync,
                                                    async_keys::FeedIndex(caller.user_id, id)));
          if (!key) return absl::NotFoundError(absl::StrCat("you have no notification ", id));
          ASSIGN_OR_RETURN(auto value, env_.store.Get(storage::Cf::kAsync, *key));
          if (!value) return absl::DataLossError("notification index without record");
          RETURN_IF_ERROR(mark(*key, *value));
        }
        return resp;
      });
}

}  // namespace meridian
