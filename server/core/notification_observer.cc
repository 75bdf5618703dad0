#include "server/core/notification_observer.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "server/common/ids.h"

namespace meridian {
namespace {

constexpr size_t kPreviewBytes = 200;

// Lower is stronger: a member both @named and reached by @here gets the direct mention.
int Strength(schedule::MentionKind k) {
  switch (k) {
    case schedule::MentionKind::kDirectMessage:
      return 0;
    case schedule::MentionKind::kDirect:
      return 1;
    case schedule::MentionKind::kChannel:
      return 2;
    case schedule::MentionKind::kHere:
      return 3;
  }
  return 4;
}

v1::NotificationKind ApiKind(schedule::MentionKind k) {
  switch (k) {
    case schedule::MentionKind::kDirectMessage:
      return v1::NOTIFICATION_KIND_DIRECT_MESSAGE;
    case schedule::MentionKind::kDirect:
      return v1::NOTIFICATION_KIND_MENTION;
    case schedule::MentionKind::kChannel:
      return v1::NOTIFICATION_KIND_CHANNEL;
    case schedule::MentionKind::kHere:
      return v1::NOTIFICATION_KIND_HERE;
  }
  return v1::NOTIFICATION_KIND_UNSPECIFIED;
}

// Cuts at a UTF-8 character boundary.
std::string Preview(const std::string& text) {
  if (text.size() <= kPreviewBytes) return text;
  size_t n = kPreviewBytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n) + "…";
}

}  // namespace

void NotificationObserver::OnMessageWrite(Txn& txn, const ChannelView& channel,
                                          const internal::MessageRecord* before,
                                          const internal::MessageRecord* after) {
  // New messages notify; an edit notifies only the people it newly @names. Reactions, pins and
  // reply counts rewrite the message with its mentions unchanged, so they notify nobody.
  if (after == nullptr || after->message().deleted()) return;
  const v1::Message& m = after->message();
  auto author = ParseUserId(m.author_id());
  if (!author.ok()) return;
  auto is_member = [&](uint64_t u) {
    return std::binary_search(channel.members.begin(), channel.members.end(), u);
  };

  std::map<uint64_t, schedule::MentionKind> reach;
  auto add = [&](uint64_t u, schedule::MentionKind k) {
    if (u == *author || !is_member(u)) return;
    auto [it, inserted] = reach.emplace(u, k);
    if (!inserted && Strength(k) < Strength(it->second)) it->second = k;
  };
  if (before != nullptr) {
    std::set<std::string> named_before;
    for (const auto& mention : before->message().mentions()) {
      if (mention.kind() == v1::MENTION_KIND_USER) named_before.insert(mention.user_id());
    }
    for (const auto& mention : m.mentions()) {
      if (mention.kind() != v1::MENTION_KIND_USER || named_before.count(mention.user_id()) > 0) {
        continue;
      }
      if (auto u = ParseUserId(mention.user_id()); u.ok()) add(*u, schedule::MentionKind::kDirect);
    }
    // The notification id is the message's, as for the post: whoever was already notified about
    // this message (by the post, @channel, or an earlier edit) is not notified again.
    Offer(txn, m, *author, reach, m.edit_time());
    return;
  }
  if (channel.is_direct()) {
    for (uint64_t u : channel.members) add(u, schedule::MentionKind::kDirectMessage);
  }
  for (const auto& mention : m.mentions()) {
    switch (mention.kind()) {
      case v1::MENTION_KIND_USER:
        if (auto u = ParseUserId(mention.user_id()); u.ok())
          add(*u, schedule::MentionKind::kDirect);
        break;
      case v1::MENTION_KIND_CHANNEL:
        for (uint64_t u : channel.members) add(u, schedule::MentionKind::kChannel);
        break;
      case v1::MENTION_KIND_HERE:
        for (uint64_t u : channel.members) add(u, schedule::MentionKind::kHere);
        break;
      default:
        break;
    }
  }
  Offer(txn, m, *author, reach, m.create_time());
}

void NotificationObserver::Offer(Txn& txn, const v1::Message& m, uint64_t author,
                                 const std::map<uint64_t, schedule::MentionKind>& reach,
                                 const google::protobuf::Timestamp& raised) {
  for (const auto& [user, kind] : reach) {
    internal::NotificationRecord rec;
    rec.set_recipient(user);
    rec.set_sender(author);
    v1::Notification* n = rec.mutable_notification();
    n->set_id("msg:" + m.id());
    n->set_kind(ApiKind(kind));
    n->set_actor_id(m.author_id());
    n->set_channel_id(m.channel_id());
    n->set_message_id(m.id());
    n->set_text(Preview(m.text()));
    n->set_urgent(m.urgent());
    *n->mutable_create_time() = raised;
    notifications_.Offer(txn, std::move(rec), kind);
  }
}

}  // namespace meridian
