#include "server/core/reply_by.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/core/async_keys.h"
#include "server/core/proto_time.h"
#include "storage/keys.h"

namespace meridian {
namespace {

std::string Payload(uint64_t channel, uint64_t seq) {
  return storage::KeyBuilder().U64(channel).U64(seq).Take();
}

absl::StatusOr<std::optional<internal::ReplyByRecord>> LoadRecord(const storage::KvStore& store,
                                                                  uint64_t channel, uint64_t seq) {
  ASSIGN_OR_RETURN(auto bytes, store.Get(storage::Cf::kAsync, async_keys::ReplyBy(channel, seq)));
  if (!bytes) return std::nullopt;
  internal::ReplyByRecord rec;
  if (!rec.ParseFromString(*bytes)) return absl::DataLossError("corrupt reply-by record");
  return rec;
}

}  // namespace

void ReplyByTracker::RegisterHandlers() {
  scheduler_.RegisterHandler(kDeadlineKind, [this](const schedule::Job& job, storage::WriteBatch*) {
    return Deadline(job);
  });
}

void ReplyByTracker::OnMessageWrite(Txn& txn, const ChannelView& channel,
                                    const internal::MessageRecord* before,
                                    const internal::MessageRecord* after) {
  const uint64_t ch = channel.id();
  if (after == nullptr && before != nullptr) {
    // Deleted: nobody needs to reply to it any more.
    const uint64_t seq = before->message().seq();
    auto rec = LoadRecord(env_.store, ch, seq);
    if (!rec.ok() || !rec->has_value()) return;
    for (uint64_t u : (*rec)->pending()) {
      txn.batch().Delete(storage::Cf::kAsync, async_keys::AwaitingMine(u, ch, seq));
    }
    txn.batch().Delete(storage::Cf::kAsync, async_keys::AwaitingOthers((*rec)->sender(), ch, seq));
    txn.batch().Delete(storage::Cf::kAsync, async_keys::ReplyBy(ch, seq));
    return;
  }
  if (before != nullptr || after == nullptr) return;
  const v1::Message& m = after->message();
  auto author = ParseUserId(m.author_id());
  if (!author.ok()) return;

  if (!m.thread_root_id().empty()) {
    // A reply: its author no longer owes one.
    auto root = ParseMessageId(m.thread_root_id());
    if (!root.ok()) return;
    auto rec = LoadRecord(env_.store, ch, root->seq);
    if (!rec.ok() || !rec->has_value()) return;
    internal::ReplyByRecord r = **rec;
    auto* pending = r.mutable_pending();
    auto it = std::find(pending->begin(), pending->end(), *author);
    if (it == pending->end()) return;
    pending->erase(it);
    txn.batch().Delete(storage::Cf::kAsync, async_keys::AwaitingMine(*author, ch, root->seq));
    if (pending->empty()) {
      txn.batch().Delete(storage::Cf::kAsync,
                         async_keys::AwaitingOthers(r.sender(), ch, root->seq));
      txn.batch().Delete(storage::Cf::kAsync, async_keys::ReplyBy(ch, root->seq));
    } else {
      txn.batch().Put(storage::Cf::kAsync, async_keys::ReplyBy(ch, root->seq),
                      r.SerializeAsString());
    }
  }

  if (m.reply_by_user_ids().empty() || !m.has_reply_by_time()) return;
  internal::ReplyByRecord r;
  r.set_sender(*author);
  r.set_deadline_us(ToMicros(FromTimestamp(m.reply_by_time())));
  for (const auto& id : m.reply_by_user_ids()) {
    auto u = ParseUserId(id);
    if (!u.ok() || *u == *author) continue;
    if (std::find(r.pending().begin(), r.pending().end(), *u) != r.pending().end()) continue;
    r.add_pending(*u);
    txn.batch().Put(storage::Cf::kAsync, async_keys::AwaitingMine(*u, ch, m.seq()), "");
  }
  if (r.pending().empty()) return;
  // A reply-by message in a thread waits for replies in that same thread.
  const uint64_t seq = m.seq();
  txn.batch().Put(storage::Cf::kAsync, async_keys::ReplyBy(ch, seq), r.SerializeAsString());
  txn.batch().Put(storage::Cf::kAsync, async_keys::AwaitingOthers(*author, ch, seq), "");
  auto job = scheduler_.ScheduleInBatch(
      {kDeadlineKind, "", Payload(ch, seq), FromMicros(r.deadline_us())}, &txn.batch());
  if (!job.ok()) {
    MLOG_WARN("reply-by deadline of {} not scheduled: {}", m.id(), job.status().ToString());
    return;
  }
  txn.OnApplied([s = &scheduler_] { s->Wake(); });
}

absl::Status ReplyByTracker::Deadline(const schedule::Job& job) {
  auto ch = storage::ReadU64(job.payload);
  auto seq = job.payload.size() == 16 ? storage::ReadU64(job.payload.substr(8)) : std::nullopt;
  if (!ch || !seq) {
    MLOG_ERROR("dropping reply-by job {}: corrupt payload", job.id);
    return absl::OkStatus();
  }
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto rec, LoadRecord(env_.store, *ch, *seq));
    if (!rec || rec->pending().empty() || rec->overdue()) return absl::OkStatus();
    rec->set_overdue(true);
    txn.batch().Put(storage::Cf::kAsync, async_keys::ReplyBy(*ch, *seq), rec->SerializeAsString());
    internal::NotificationRecord n;
    n.set_recipient(rec->sender());
    n.set_sender(rec->sender());
    v1::Notification* note = n.mutable_notification();
    const std::string msg = MessageIdString({*ch, *seq});
    note->set_id("late:" + msg);
    note->set_kind(v1::NOTIFICATION_KIND_REPLY_OVERDUE);
    note->set_channel_id(ChannelIdString(*ch));
    note->set_message_id(msg);
    std::string names;
    for (uint64_t u : rec->pending()) {
      note->add_pending_user_ids(UserIdString(u));
      auto user = env_.dir.User(u);
      absl::StrAppend(&names, names.empty() ? "" : ", ", "@",
                      user ? user->user().name() : UserIdString(u));
    }
    note->set_text(absl::StrCat("no reply yet from ", names));
    SetTimestamp(note->mutable_create_time(), txn.now());
    return notifications_.DeliverInTxn(txn, std::move(n)).status();
  });
}

absl::StatusOr<std::vector<v1::AwaitingReply>> ReplyByTracker::Collect(
    const std::string& prefix) const {
  std::vector<v1::AwaitingReply> out;
  auto it = env_.store.NewIterator(
      storage::Cf::kAsync,
      {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k = it->key().substr(prefix.size());
    uint64_t ch = *storage::ReadU64(k), seq = *storage::ReadU64(k.substr(8));
    ASSIGN_OR_RETURN(auto rec, LoadRecord(env_.store, ch, seq));
    ASSIGN_OR_RETURN(auto bytes,
                     env_.store.Get(storage::Cf::kMessages, storage::keys::Message(ch, seq)));
    if (!rec || !bytes) continue;
    internal::MessageRecord msg;
    if (!msg.ParseFromString(*bytes)) return absl::DataLossError("corrupt message record");
    v1::AwaitingReply item;
    *item.mutable_message() = msg.message();
    for (uint64_t u : rec->pending()) item.add_pending_user_ids(UserIdString(u));
    item.set_overdue(rec->overdue() || FromMicros(rec->deadline_us()) <= env_.clock.Now());
    out.push_back(std::move(item));
  }
  RETURN_IF_ERROR(it->status());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return FromTimestamp(a.message().reply_by_time()) < FromTimestamp(b.message().reply_by_time());
  });
  return out;
}

absl::StatusOr<v1::ListAwaitingMyReplyResponse> ReplyByTracker::AwaitingMine(
    const Caller& caller) const {
  ASSIGN_OR_RETURN(auto items, Collect(async_keys::AwaitingMinePrefix(caller.user_id)));
  v1::ListAwaitingMyReplyResponse resp;
  for (auto& i : items) *resp.add_items() = std::move(i);
  return resp;
}

absl::StatusOr<v1::ListAwaitingRepliesResponse> ReplyByTracker::AwaitingOthers(
    const Caller& caller) const {
  ASSIGN_OR_RETURN(auto items, Collect(async_keys::AwaitingOthersPrefix(caller.user_id)));
  v1::ListAwaitingRepliesResponse resp;
  for (auto& i : items) *resp.add_items() = std::move(i);
  return resp;
}

}  // namespace meridian
