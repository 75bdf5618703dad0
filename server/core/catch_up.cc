#include "server/core/catch_up.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/core/async_keys.h"
#include "server/core/proto_time.h"
#include "storage/keys.h"

namespace meridian {
namespace {

constexpr int kDefaultPage = 20;
constexpr int kMaxPage = 200;
constexpr int64_t kMaxCounted = 10'000;

// The position of an item in the queue: (kind, -activity, channel, root), compared as a tuple.
struct Position {
  int kind = 0;
  int64_t neg_activity = 0;
  uint64_t channel = 0;
  uint64_t root = 0;
  auto Tie() const { return std::tie(kind, neg_activity, channel, root); }
  bool operator<(const Position& o) const { return Tie() < o.Tie(); }
  std::string ToString() const {
    return absl::StrCat(kind, ".", neg_activity, ".", channel, ".", root);
  }
};

absl::StatusOr<Position> ParsePosition(absl::string_view s) {
  std::vector<absl::string_view> p = absl::StrSplit(s, '.');
  Position pos;
  if (p.size() != 4 || !absl::SimpleAtoi(p[0], &pos.kind) ||
      !absl::SimpleAtoi(p[1], &pos.neg_activity) || !absl::SimpleAtoi(p[2], &pos.channel) ||
      !absl::SimpleAtoi(p[3], &pos.root)) {
    return absl::InvalidArgumentError("page_token is not a cursor this server returned");
  }
  return pos;
}

struct Entry {
  Position pos;
  v1::CatchUpItem item;
};

absl::StatusOr<std::optional<internal::MessageRecord>> LoadMessage(const storage::KvStore& store,
                                                                   uint64_t ch, uint64_t seq) {
  ASSIGN_OR_RETURN(auto bytes, store.Get(storage::Cf::kMessages, storage::keys::Message(ch, seq)));
  if (!bytes) return std::nullopt;
  internal::MessageRecord rec;
  if (!rec.ParseFromString(*bytes)) return absl::DataLossError("corrupt message record");
  return rec;
}

// The first top-level, not deleted message after `read_seq`.
absl::StatusOr<std::optional<v1::Message>> FirstUnread(const storage::KvStore& store, uint64_t ch,
                                                       uint64_t read_seq) {
  std::string prefix = storage::keys::MessagePrefix(ch);
  auto it =
      store.NewIterator(storage::Cf::kMessages,
                        {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  for (it->Seek(storage::keys::Message(ch, read_seq + 1)); it->Valid(); it->Next()) {
    internal::MessageRecord rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt message record");
    }
    if (rec.message().deleted() || !rec.message().thread_root_id().empty()) continue;
    return rec.message();
  }
  RETURN_IF_ERROR(it->status());
  return std::nullopt;
}

}  // namespace

void ThreadParticipation::OnMessageWrite(Txn& txn, const ChannelView& channel,
                                         const internal::MessageRecord* before,
                                         const internal::MessageRecord* after) {
  if (after == nullptr) return;
  const v1::Message& m = after->message();
  auto author = ParseUserId(m.author_id());
  if (!author.ok()) return;
  if (before == nullptr && !m.thread_root_id().empty()) {
    if (auto root = ParseMessageId(m.thread_root_id()); root.ok()) {
      txn.batch().Put(storage::Cf::kAsync,
                      async_keys::Participation(*author, channel.id(), root->seq), "");
    }
  } else if (before != nullptr && m.thread_root_id().empty() &&
             m.reply_count() > before->message().reply_count()) {
    // The root gained a reply: its author takes part in the thread from now on.
    txn.batch().Put(storage::Cf::kAsync, async_keys::Participation(*author, channel.id(), m.seq()),
                    "");
  }
}

absl::StatusOr<v1::CatchUpResponse> CatchUpService::CatchUp(const Caller& caller,
                                                            const v1::CatchUpRequest& req) const {
  if (req.page_size() < 0 || req.page_size() > kMaxPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size must be between 0 and ", kMaxPage));
  }
  const int page = req.page_size() == 0 ? kDefaultPage : req.page_size();
  std::optional<Position> after;
  if (!req.page_token().empty()) {
    ASSIGN_OR_RETURN(after, ParsePosition(req.page_token()));
  }
  const uint64_t me = caller.user_id;

  std::vector<Entry> entries;
  for (uint64_t ch : env_.dir.ChannelsOf(me)) {
    auto channel = env_.dir.Channel(ch);
    auto state = env_.dir.Member(ch, me);
    if (!channel || !state) continue;
    const auto& c = channel->record.channel();
    const int64_t activity = ToMicros(FromTimestamp(c.last_message_time()));
    const int64_t unread =
        static_cast<int64_t>(channel->record.top_level_count() -
                             std::min(state->last_read_ordinal, channel->record.top_level_count()));

    std::string mprefix = storage::keys::MentionPrefix(me, ch);
    auto it = env_.store.NewIterator(
        storage::Cf::kMentions,
        {.lower_bound = mprefix, .upper_bound = storage::PrefixSuccessor(mprefix)});
    int64_t mentions = 0;
    uint64_t first_mention = 0;
    for (it->Seek(storage::keys::Mention(me, ch, state->last_read_seq + 1));
         it->Valid() && mentions < kMaxCounted; it->Next()) {
      if (mentions++ == 0) first_mention = *storage::ReadU64(it->key().substr(16));
    }
    RETURN_IF_ERROR(it->status());

    Entry e;
    e.item.set_channel_id(c.id());
    e.item.set_unread(unread);
    e.item.set_mentions(mentions);
    e.pos = {0, -activity, ch, 0};
    if (mentions > 0) {
      e.pos.kind = v1::CATCH_UP_KIND_MENTIONS;
      ASSIGN_OR_RETURN(auto msg, LoadMessage(env_.store, ch, first_mention));
      if (msg) *e.item.mutable_first_unread() = msg->message();
    } else if (unread > 0) {
      e.pos.kind = channel->is_direct() ? v1::CATCH_UP_KIND_DIRECT : v1::CATCH_UP_KIND_CHANNEL;
      ASSIGN_OR_RETURN(auto msg, FirstUnread(env_.store, ch, state->last_read_seq));
      if (msg) *e.item.mutable_first_unread() = *msg;
    } else {
      continue;
    }
    e.item.set_kind(static_cast<v1::CatchUpKind>(e.pos.kind));
    entries.push_back(std::move(e));
  }

  // Threads: replies after the channel's read marker in threads the user takes part in.
  std::string pprefix = async_keys::ParticipationPrefix(me);
  auto pit = env_.store.NewIterator(
      storage::Cf::kAsync,
      {.lower_bound = pprefix, .upper_bound = storage::PrefixSuccessor(pprefix)});
  for (pit->SeekToFirst(); pit->Valid(); pit->Next()) {
    std::string_view k = pit->key().substr(pprefix.size());
    uint64_t ch = *storage::ReadU64(k), root = *storage::ReadU64(k.substr(8));
    auto state = env_.dir.Member(ch, me);
    auto channel = env_.dir.Channel(ch);
    if (!state || !channel) continue;
    std::string tprefix = storage::keys::ThreadPrefix(ch, root);
    auto tit = env_.store.NewIterator(
        storage::Cf::kThreads,
        {.lower_bound = tprefix, .upper_bound = storage::PrefixSuccessor(tprefix)});
    int64_t unread = 0;
    std::optional<v1::Message> first;
    for (tit->Seek(storage::keys::ThreadReply(ch, root, state->last_read_seq + 1));
         tit->Valid() && unread < kMaxCounted; tit->Next()) {
      uint64_t seq = *storage::ReadU64(tit->key().substr(16));
      ASSIGN_OR_RETURN(auto msg, LoadMessage(env_.store, ch, seq));
      if (!msg || msg->message().author_id() == UserIdString(me) || msg->message().deleted()) {
        continue;
      }
      if (unread++ == 0) first = msg->message();
    }
    RETURN_IF_ERROR(tit->status());
    if (unread == 0) continue;
    Entry e;
    e.pos = {v1::CATCH_UP_KIND_THREAD, -ToMicros(FromTimestamp(first->create_time())), ch, root};
    e.item.set_kind(v1::CATCH_UP_KIND_THREAD);
    e.item.set_channel_id(channel->record.channel().id());
    e.item.set_thread_root_id(MessageIdString({ch, root}));
    e.item.set_unread(unread);
    *e.item.mutable_first_unread() = *first;
    entries.push_back(std::move(e));
  }
  RETURN_IF_ERROR(pit->status());

  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.pos < b.pos; });
  v1::CatchUpResponse resp;
  resp.set_total_items(static_cast<int64_t>(entries.size()));
  for (auto& e : entries) {
    resp.set_total_unread(resp.total_unread() + e.item.unread());
    resp.set_total_mentions(resp.total_mentions() + e.item.mentions());
    if (after && !(*after < e.pos)) continue;
    if (resp.items_size() == page) {
      if (resp.next_page_token().empty()) {
        resp.set_next_page_token(resp.items(page - 1).cursor());
      }
      continue;
    }
    e.item.set_cursor(e.pos.ToString());
    *resp.add_items() = std::move(e.item);
  }
  return resp;
}

}  // namespace meridian
