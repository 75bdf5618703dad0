#include "server/core/message_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/mentions.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"
#include "storage/keys.h"

namespace meridian {
namespace {

constexpr size_t kMaxIdempotencyKey = 128;
// kIdempotency values: a post's message key (channel, seq; 16 bytes whose first is 0, channel ids
// staying below 2^56), or this byte followed by a slash command's response.
constexpr char kCommandResultTag = 'c';
constexpr size_t kMaxEmoji = 64;
constexpr int64_t kMaxCountedUnread = 10'000;

std::string EncodeMessageKey(MessageKey k) {
  return storage::KeyBuilder().U64(k.channel).U64(k.seq).Take();
}

// The trigger of a slash command line "/trigger" or "/trigger args": a word of [a-z0-9_-]
// followed by whitespace or the end. Anything else ("/etc/hosts", "/ ok") is ordinary text.
std::optional<std::string> CommandTrigger(const std::string& text) {
  if (text.size() < 2 || text[0] != '/') return std::nullopt;
  size_t end = 1;
  while (end < text.size() && (absl::ascii_islower(text[end]) || absl::ascii_isdigit(text[end]) ||
                               text[end] == '_' || text[end] == '-')) {
    ++end;
  }
  if (end == 1 || (end < text.size() && !absl::ascii_isspace(text[end]))) return std::nullopt;
  return text.substr(1, end - 1);
}

absl::Status ValidateEmoji(absl::string_view emoji) {
  RETURN_IF_ERROR(ValidateText(emoji, "emoji", kMaxEmoji));
  for (char c : emoji) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return absl::InvalidArgumentError("emoji must not contain whitespace");
    }
  }
  return absl::OkStatus();
}

void PutMember(Txn& txn, Directory& dir, uint64_t channel, uint64_t user, MemberState st) {
  internal::MemberRecord m;
  m.set_join_us(st.join_us);
  m.set_last_read_seq(st.last_read_seq);
  m.set_last_read_ordinal(st.last_read_ordinal);
  txn.batch().Put(storage::Cf::kMembers, storage::keys::Member(channel, user),
                  m.SerializeAsString());
  txn.OnApplied([&dir, channel, user, st] { dir.PutMember(channel, user, st); });
}

}  // namespace

absl::StatusOr<int> MessageService::PageSize(int requested) const {
  if (requested < 0 || requested > env_.limits.max_page_size) {
    return absl::InvalidArgumentError(absl::StrCat("page_size must be between 1 and ",
                                                   env_.limits.max_page_size, " (0 for default)"));
  }
  return requested == 0 ? env_.limits.default_page_size : requested;
}

absl::StatusOr<internal::MessageRecord> MessageService::Load(uint64_t channel, uint64_t seq) const {
  ASSIGN_OR_RETURN(auto bytes,
                   env_.store.Get(storage::Cf::kMessages, storage::keys::Message(channel, seq)));
  if (!bytes) {
    return absl::NotFoundError(absl::StrCat("no message ", MessageIdString({channel, seq})));
  }
  internal::MessageRecord rec;
  if (!rec.ParseFromString(*bytes)) return absl::DataLossError("corrupt message record");
  return rec;
}

void MessageService::PutMessage(Txn& txn, const ChannelView& channel,
                                const internal::MessageRecord* before,
                                const internal::MessageRecord& after) {
  const auto& m = after.message();
  uint64_t ch = channel.id();
  txn.batch().Put(storage::Cf::kMessages, storage::keys::Message(ch, m.seq()),
                  after.SerializeAsString());
  for (MessageObserver* o : observers_) o->OnMessageWrite(txn, channel, before, &after);
}

void MessageService::EmitMessageEvent(Txn& txn, v1::EventType type,
                                      const internal::MessageRecord& rec, uint64_t actor,
                                      absl::string_view emoji) {
  internal::EventRecord ev;
  auto key = ParseMessageId(rec.message().id());
  ev.set_channel(key.ok() ? key->channel : 0);
  ev.mutable_event()->set_type(type);
  ev.mutable_event()->set_channel_id(rec.message().channel_id());
  ev.mutable_event()->set_actor_id(UserIdString(actor));
  *ev.mutable_event()->mutable_message() = rec.message();
  ev.mutable_event()->set_emoji(std::string(emoji));
  txn.Emit(std::move(ev));
}

std::vector<uint64_t> MessageService::MentionedMembers(const ChannelView& channel,
                                                       absl::string_view text, uint64_t author,
                                                       v1::Message* msg) const {
  ParsedMentions parsed = ParseMentions(text);
  msg->clear_mentions();
  std::vector<uint64_t> reached;
  auto is_member = [&](uint64_t u) {
    return std::binary_search(channel.members.begin(), channel.members.end(), u);
  };
  for (const auto& name : parsed.names) {
    auto id = env_.dir.UserIdByName(name);
    if (!id) continue;
    auto* m = msg->add_mentions();
    m->set_kind(v1::MENTION_KIND_USER);
    m->set_user_id(UserIdString(*id));
    if (*id != author && is_member(*id)) reached.push_back(*id);
  }
  if (parsed.channel) msg->add_mentions()->set_kind(v1::MENTION_KIND_CHANNEL);
  if (parsed.here) msg->add_mentions()->set_kind(v1::MENTION_KIND_HERE);
  if (parsed.channel || parsed.here) {
    // Who is "here" is decided when the notification is delivered; for unread counts both reach
    // every member.
    for (uint64_t u : channel.members) {
      if (u != author) reached.push_back(u);
    }
  }
  std::sort(reached.begin(), reached.end());
  reached.erase(std::unique(reached.begin(), reached.end()), reached.end());
  return reached;
}

absl::StatusOr<std::optional<v1::PostMessageResponse>> MessageService::Replay(
    const std::string& idem_key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> prior,
                   env_.store.Get(storage::Cf::kIdempotency, idem_key));
  if (!prior) return std::nullopt;
  v1::PostMessageResponse resp;
  resp.set_deduplicated(true);
  if (!prior->empty() && (*prior)[0] == kCommandResultTag) {
    resp.set_command_response(prior->substr(1));
    return resp;
  }
  if (prior->size() != 16) return absl::DataLossError("corrupt idempotency record");
  const std::string_view key(*prior);
  ASSIGN_OR_RETURN(internal::MessageRecord rec,
                   Load(*storage::ReadU64(key), *storage::ReadU64(key.substr(8))));
  *resp.mutable_message() = rec.message();
  return resp;
}

absl::StatusOr<v1::PostMessageResponse> MessageService::RunCommand(const Caller& caller,
                                                                   absl::string_view channel_ref,
                                                                   const std::string& trigger,
                                                                   const std::string& line,
                                                                   const std::string& idem_key) {
  ASSIGN_OR_RETURN(ChannelView channel,
                   ResolveChannel(env_.dir, caller, channel_ref, Access::kWrite));
  if (hooks_ == nullptr || !hooks_->HasCommand(trigger)) {
    std::vector<std::string> triggers;
    if (hooks_ != nullptr) triggers = hooks_->CommandTriggers();
    for (std::string& t : triggers) t = absl::StrCat("/", t);
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command /", trigger, "; ",
                     triggers.empty() ? "no commands are available"
                                      : absl::StrCat("available: ", absl::StrJoin(triggers, " ")),
                     " (start with \"//\" to post text beginning with \"/\")"));
  }
  ASSIGN_OR_RETURN(std::string answer, hooks_->SlashCommand(UserIdString(caller.user_id),
                                                            channel.record.channel().id(), line));
  if (!idem_key.empty()) {
    absl::Status stored = env_.committer.Run([&](Txn& txn) -> absl::Status {
      txn.batch().Put(storage::Cf::kIdempotency, idem_key,
                      absl::StrCat(std::string(1, kCommandResultTag), answer));
      return absl::OkStatus();
    });
    // The command has run: its answer is worth more to the caller than this error, which only
    // means that a retry would run it again.
    if (!stored.ok()) {
      MLOG_WARN("cannot remember the result of /{} for retries: {}", trigger,
                std::string(stored.message()));
    }
  }
  v1::PostMessageResponse resp;
  resp.set_command_response(std::move(answer));
  return resp;
}

absl::Status MessageService::ApplyWillPost(const Caller& caller, absl::string_view channel_ref,
                                           const v1::PostMessageRequest& req, std::string* text) {
  // Authorized before any plugin sees it, so plugins never learn of posts that would fail.
  ASSIGN_OR_RETURN(ChannelView channel,
                   ResolveChannel(env_.dir, caller, channel_ref, Access::kWrite));
  PostDraft draft;
  draft.channel_id = channel.record.channel().id();
  draft.author_id = UserIdString(caller.user_id);
  draft.text = *text;
  draft.thread_root_id = req.thread_root_id();
  draft.time = env_.clock.Now();
  draft.urgent = req.urgent();
  PostVerdict verdict = hooks_->WillPost(draft);
  switch (verdict.kind) {
    case PostVerdict::Kind::kAllow:
      return absl::OkStatus();
    case PostVerdict::Kind::kReject:
      return absl::FailedPreconditionError(
          absl::StrCat("rejected by ", verdict.source, ": ", verdict.text));
    case PostVerdict::Kind::kModify:
      if (absl::Status valid = ValidateText(verdict.text, "text", env_.limits.max_message_bytes);
          !valid.ok()) {
        // Hooks fail open: a rewrite into invalid text is the extension's fault, not the sender's.
        MLOG_WARN("ignoring {}'s rewrite of a post: {}", verdict.source,
                  std::string(valid.message()));
        return absl::OkStatus();
      }
      *text = std::move(verdict.text);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PostMessageResponse> MessageService::Post(const Caller& caller,
                                                             const v1::PostMessageRequest& req) {
  RETURN_IF_ERROR(ValidateText(req.text(), "text", env_.limits.max_message_bytes));
  if (req.idempotency_key().size() > kMaxIdempotencyKey) {
    return absl::InvalidArgumentError(
        absl::StrCat("idempotency_key is longer than ", kMaxIdempotencyKey, " bytes"));
  }
  std::optional<MessageKey> root_key;
  if (!req.thread_root_id().empty()) {
    ASSIGN_OR_RETURN(root_key, ParseMessageId(req.thread_root_id(), "thread_root_id"));
  }
  std::string channel_ref = req.channel_id();
  if (!channel_ref.empty() && channel_ref[0] == '@') {
    // Posting to "@bob" opens the direct conversation with bob if there is none yet.
    v1::OpenDirectRequest open;
    open.add_user_ids(channel_ref);
    ASSIGN_OR_RETURN(v1::Channel dm, channels_.OpenDirect(caller, open));
    channel_ref = dm.id();
  }

  // A retry is answered before any hook or command runs, so that they run once per key.
  std::string idem_key;
  IdempotencyGate::Hold hold;
  if (!req.idempotency_key().empty()) {
    idem_key = storage::keys::Idempotency(caller.user_id, req.idempotency_key());
    hold = idempotency_gate_.Acquire(idem_key);
    RETURN_IF_ERROR(ResolveChannel(env_.dir, caller, channel_ref, Access::kWrite).status());
    ASSIGN_OR_RETURN(std::optional<v1::PostMessageResponse> prior, Replay(idem_key));
    if (prior) return *std::move(prior);
  }

  std::string text = req.text();
  auto author = env_.dir.User(caller.user_id);
  const bool from_bot = author && author->user().is_bot();
  if (!from_bot && absl::StartsWith(text, "//")) {
    text.erase(0, 1);  // the escape for a literal leading slash
  } else if (!from_bot) {
    if (std::optional<std::string> trigger = CommandTrigger(text)) {
      return RunCommand(caller, channel_ref, *trigger, text, idem_key);
    }
  }
  if (hooks_ != nullptr) RETURN_IF_ERROR(ApplyWillPost(caller, channel_ref, req, &text));

  absl::StatusOr<v1::PostMessageResponse> result = env_.committer.Run<v1::PostMessageResponse>(
      [&](Txn& txn) -> absl::StatusOr<v1::PostMessageResponse> {
        ASSIGN_OR_RETURN(ChannelView channel,
                         ResolveChannel(env_.dir, caller, channel_ref, Access::kWrite));
        const uint64_t ch = channel.id();
        v1::PostMessageResponse resp;

        if (!idem_key.empty()) {
          // Checked again where writes are serialized; the gate makes this a formality.
          ASSIGN_OR_RETURN(std::optional<v1::PostMessageResponse> prior, Replay(idem_key));
          if (prior) return *std::move(prior);
        }

        internal::ChannelRecord chan_rec = channel.record;
        v1::Channel* c = chan_rec.mutable_channel();
        const uint64_t seq = c->last_seq() + 1;

        std::optional<internal::MessageRecord> root;
        if (root_key) {
          if (root_key->channel != ch) {
            return absl::InvalidArgumentError(
                "thread_root_id is a message of another channel than channel_id");
          }
          ASSIGN_OR_RETURN(root, Load(ch, root_key->seq));
          if (!root->message().thread_root_id().empty()) {
            // Replying to a reply continues the same thread.
            ASSIGN_OR_RETURN(MessageKey k, ParseMessageId(root->message().thread_root_id()));
            ASSIGN_OR_RETURN(root, Load(ch, k.seq));
          }
          if (root->message().deleted()) {
            return absl::FailedPreconditionError("the thread's first message was deleted");
          }
        }

        internal::MessageRecord rec;
        v1::Message* m = rec.mutable_message();
        m->set_id(MessageIdString({ch, seq}));
        m->set_channel_id(c->id());
        m->set_seq(seq);
        m->set_author_id(UserIdString(caller.user_id));
        m->set_text(text);
        m->set_urgent(req.urgent());
        if (!req.reply_by_user_ids().empty()) {
          if (!req.has_reply_by_time() || FromTimestamp(req.reply_by_time()) <= txn.now()) {
            return absl::InvalidArgumentError("reply_by_time must be set and in the future");
          }
          for (const auto& ref : req.reply_by_user_ids()) {
            ASSIGN_OR_RETURN(uint64_t u, ResolveUser(env_.dir, ref, "reply_by_user_ids"));
            m->add_reply_by_user_ids(UserIdString(u));
          }
          *m->mutable_reply_by_time() = req.reply_by_time();
        }
        SetTimestamp(m->mutable_create_time(), txn.now());
        std::vector<uint64_t> reached = MentionedMembers(channel, text, caller.user_id, m);
        for (uint64_t u : reached) rec.add_mentioned_users(u);

        if (root) {
          m->set_thread_root_id(root->message().id());
          rec.set_ordinal(chan_rec.top_level_count());
          internal::MessageRecord root_before = *root;
          root->mutable_message()->set_reply_count(root->message().reply_count() + 1);
          SetTimestamp(root->mutable_message()->mutable_last_reply_time(), txn.now());
          PutMessage(txn, channel, &root_before, *root);
          txn.batch().Put(storage::Cf::kThreads,
                          storage::keys::ThreadReply(ch, root->message().seq(), seq), "");
        } else {
          chan_rec.set_top_level_count(chan_rec.top_level_count() + 1);
          rec.set_ordinal(chan_rec.top_level_count());
        }
        PutMessage(txn, channel, nullptr, rec);

        c->set_last_seq(seq);
        SetTimestamp(c->mutable_last_message_time(), txn.now());
        txn.batch().Put(storage::Cf::kChannels, storage::keys::Channel(ch),
                        chan_rec.SerializeAsString());
        txn.OnApplied([dir = &env_.dir, ch, chan_rec] { dir->PutChannel(ch, chan_rec); });

        for (uint64_t u : reached) {
          txn.batch().Put(storage::Cf::kMentions, storage::keys::Mention(u, ch, seq), "");
        }
        if (!idem_key.empty()) {
          txn.batch().Put(storage::Cf::kIdempotency, idem_key, EncodeMessageKey({ch, seq}));
        }
        // Posting marks the conversation read for its author, as people expect.
        auto me = env_.dir.Member(ch, caller.user_id).value_or(MemberState{});
        me.last_read_seq = seq;
        me.last_read_ordinal = chan_rec.top_level_count();
        PutMember(txn, env_.dir, ch, caller.user_id, me);

        EmitMessageEvent(txn, v1::EVENT_TYPE_MESSAGE_POSTED, rec, caller.user_id);
        *resp.mutable_message() = rec.message();
        return resp;
      });
  if (result.ok() && !result->deduplicated() && hooks_ != nullptr) {
    hooks_->Posted(result->message());
  }
  return result;
}

absl::StatusOr<v1::Message> MessageService::Edit(const Caller& caller,
                                                 const v1::EditMessageRequest& req) {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id()));
  RETURN_IF_ERROR(ValidateText(req.text(), "text", env_.limits.max_message_bytes));
  return env_.committer.Run<v1::Message>([&](Txn& txn) -> absl::StatusOr<v1::Message> {
    ASSIGN_OR_RETURN(ChannelView channel,
                     CheckChannelAccess(env_.dir, caller, key.channel, Access::kWrite));
    ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
    if (rec.message().deleted()) return absl::FailedPreconditionError("the message was deleted");
    if (rec.message().author_id() != UserIdString(caller.user_id)) {
      return absl::PermissionDeniedError("only the author can edit a message");
    }
    if (rec.message().text() == req.text()) return rec.message();
    internal::MessageRecord before = rec;
    v1::Message* m = rec.mutable_message();

    v1::Revision prev;
    prev.set_number(m->revision_count() + 1);
    prev.set_text(m->text());
    *prev.mutable_time() = m->has_edit_time() ? m->edit_time() : m->create_time();
    txn.batch().Put(storage::Cf::kRevisions,
                    storage::keys::Revision(key.channel, key.seq, prev.number()),
                    prev.SerializeAsString());
    m->set_revision_count(prev.number());
    m->set_text(req.text());
    SetTimestamp(m->mutable_edit_time(), txn.now());

    for (uint64_t u : rec.mentioned_users()) {
      txn.batch().Delete(storage::Cf::kMentions, storage::keys::Mention(u, key.channel, key.seq));
    }
    rec.clear_mentioned_users();
    for (uint64_t u : MentionedMembers(channel, req.text(), caller.user_id, m)) {
      rec.add_mentioned_users(u);
      txn.batch().Put(storage::Cf::kMentions, storage::keys::Mention(u, key.channel, key.seq), "");
    }
    PutMessage(txn, channel, &before, rec);
    EmitMessageEvent(txn, v1::EVENT_TYPE_MESSAGE_EDITED, rec, caller.user_id);
    return rec.message();
  });
}

absl::StatusOr<v1::ListRevisionsResponse> MessageService::ListRevisions(
    const Caller& caller, const v1::ListRevisionsRequest& req) const {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id()));
  RETURN_IF_ERROR(CheckChannelAccess(env_.dir, caller, key.channel, Access::kRead).status());
  ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
  v1::ListRevisionsResponse resp;
  std::string prefix = storage::keys::Message(key.channel, key.seq);
  auto it = env_.store.NewIterator(
      storage::Cf::kRevisions,
      {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!resp.add_revisions()->ParseFromArray(it->value().data(),
                                              static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt revision record");
    }
  }
  RETURN_IF_ERROR(it->status());
  if (!rec.message().deleted()) {
    v1::Revision* cur = resp.add_revisions();
    cur->set_number(rec.message().revision_count() + 1);
    cur->set_text(rec.message().text());
    *cur->mutable_time() =
        rec.message().has_edit_time() ? rec.message().edit_time() : rec.message().create_time();
  }
  return resp;
}

absl::Status MessageService::Delete(const Caller& caller, const v1::DeleteMessageRequest& req) {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id()));
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(ChannelView channel,
                     CheckChannelAccess(env_.dir, caller, key.channel, Access::kRead));
    ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
    if (rec.message().deleted()) return absl::OkStatus();
    if (rec.message().author_id() != UserIdString(caller.user_id) && !caller.is_admin) {
      return absl::PermissionDeniedError("only the author or an admin can delete a message");
    }
    internal::MessageRecord before = rec;
    v1::Message* m = rec.mutable_message();
    // A tombstone keeps its place (and thread) but none of the content.
    m->clear_text();
    m->clear_reactions();
    m->clear_mentions();
    m->set_deleted(true);
    SetTimestamp(m->mutable_edit_time(), txn.now());
    for (uint64_t u : rec.mentioned_users()) {
      txn.batch().Delete(storage::Cf::kMentions, storage::keys::Mention(u, key.channel, key.seq));
    }
    rec.clear_mentioned_users();
    for (int n = 1; n <= m->revision_count(); ++n) {
      txn.batch().Delete(storage::Cf::kRevisions, storage::keys::Revision(key.channel, key.seq, n));
    }
    m->set_revision_count(0);
    if (m->pinned()) {
      m->set_pinned(false);
      txn.batch().Delete(storage::Cf::kPins, storage::keys::Pin(key.channel, key.seq));
    }
    txn.batch().Put(storage::Cf::kMessages, storage::keys::Message(key.channel, key.seq),
                    rec.SerializeAsString());
    for (MessageObserver* o : observers_) o->OnMessageWrite(txn, channel, &before, nullptr);
    EmitMessageEvent(txn, v1::EVENT_TYPE_MESSAGE_DELETED, rec, caller.user_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::GetHistoryResponse> MessageService::History(
    const Caller& caller, const v1::GetHistoryRequest& req) const {
  ASSIGN_OR_RETURN(ChannelView channel,
                   ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
  ASSIGN_OR_RETURN(int page, PageSize(req.page_size()));
  if (!req.before_cursor().empty() && !req.after_cursor().empty()) {
    return absl::InvalidArgumentError("set before_cursor or after_cursor, not both");
  }
  ASSIGN_OR_RETURN(uint64_t before, ParseCursor(req.before_cursor(), "before_cursor", 0));
  ASSIGN_OR_RETURN(uint64_t after, ParseCursor(req.after_cursor(), "after_cursor", 0));
  const bool forward = !req.after_cursor().empty();
  const uint64_t ch = channel.id();

  std::string prefix = storage::keys::MessagePrefix(ch);
  auto it = env_.store.NewIterator(
      storage::Cf::kMessages,
      {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  if (forward) {
    it->Seek(storage::keys::Message(ch, after + 1));
  } else if (before > 0) {
    if (before == 1) return v1::GetHistoryResponse();
    it->SeekForPrev(storage::keys::Message(ch, before - 1));
  } else {
    it->SeekToLast();
  }
  v1::GetHistoryResponse resp;
  uint64_t last_seq = 0;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    internal::MessageRecord rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt message record");
    }
    if (!rec.message().thread_root_id().empty()) continue;  // replies live in their thread
    if (resp.messages_size() == page) {
      resp.set_next_cursor(std::to_string(last_seq));
      break;
    }
    last_seq = rec.message().seq();
    *resp.add_messages() = std::move(*rec.mutable_message());
  }
  RETURN_IF_ERROR(it->status());
  return resp;
}

absl::StatusOr<v1::GetThreadResponse> MessageService::Thread(
    const Caller& caller, const v1::GetThreadRequest& req) const {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id()));
  RETURN_IF_ERROR(CheckChannelAccess(env_.dir, caller, key.channel, Access::kRead).status());
  ASSIGN_OR_RETURN(int page, PageSize(req.page_size()));
  ASSIGN_OR_RETURN(uint64_t after, ParseCursor(req.page_token(), "page_token", 0));
  ASSIGN_OR_RETURN(internal::MessageRecord root, Load(key.channel, key.seq));
  if (!root.message().thread_root_id().empty()) {
    ASSIGN_OR_RETURN(key, ParseMessageId(root.message().thread_root_id()));
    ASSIGN_OR_RETURN(root, Load(key.channel, key.seq));
  }
  v1::GetThreadResponse resp;
  *resp.mutable_root() = root.message();
  std::string prefix = storage::keys::ThreadPrefix(key.channel, key.seq);
  auto it = env_.store.NewIterator(
      storage::Cf::kThreads,
      {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  uint64_t last = 0;
  for (it->Seek(storage::keys::ThreadReply(key.channel, key.seq, after + 1)); it->Valid();
       it->Next()) {
    uint64_t seq = *storage::ReadU64(it->key().substr(16));
    if (resp.replies_size() == page) {
      resp.set_next_page_token(std::to_string(last));
      break;
    }
    ASSIGN_OR_RETURN(internal::MessageRecord reply, Load(key.channel, seq));
    *resp.add_replies() = std::move(*reply.mutable_message());
    last = seq;
  }
  RETURN_IF_ERROR(it->status());
  return resp;
}

absl::StatusOr<v1::Message> MessageService::Get(const Caller& caller,
                                                const v1::GetMessageRequest& req) const {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(req.message_id()));
  RETURN_IF_ERROR(CheckChannelAccess(env_.dir, caller, key.channel, Access::kRead).status());
  ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
  return rec.message();
}

absl::StatusOr<v1::Message> MessageService::React(const Caller& caller,
                                                  absl::string_view message_id,
                                                  absl::string_view emoji, bool add) {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(message_id));
  RETURN_IF_ERROR(ValidateEmoji(emoji));
  const std::string me = UserIdString(caller.user_id);
  return env_.committer.Run<v1::Message>([&](Txn& txn) -> absl::StatusOr<v1::Message> {
    ASSIGN_OR_RETURN(ChannelView channel,
                     CheckChannelAccess(env_.dir, caller, key.channel, Access::kWrite));
    ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
    if (rec.message().deleted()) return absl::FailedPreconditionError("the message was deleted");
    internal::MessageRecord before = rec;
    auto* reactions = rec.mutable_message()->mutable_reactions();
    auto r = std::find_if(reactions->begin(), reactions->end(),
                          [&](const v1::Reaction& x) { return x.emoji() == emoji; });
    bool mine = r != reactions->end() &&
                std::find(r->user_ids().begin(), r->user_ids().end(), me) != r->user_ids().end();
    if (add) {
      if (mine) {
        return absl::AlreadyExistsError(absl::StrCat("you already reacted with ", emoji));
      }
      v1::Reaction* target = r != reactions->end() ? &*r : nullptr;
      if (target == nullptr) {
        target = reactions->Add();
        target->set_emoji(std::string(emoji));
      }
      target->add_user_ids(me);
    } else {
      if (!mine) return absl::NotFoundError(absl::StrCat("you have no ", emoji, " reaction here"));
      auto* ids = r->mutable_user_ids();
      ids->erase(std::find(ids->begin(), ids->end(), me));
      if (ids->empty()) reactions->erase(r);
    }
    PutMessage(txn, channel, &before, rec);
    EmitMessageEvent(txn, add ? v1::EVENT_TYPE_REACTION_ADDED : v1::EVENT_TYPE_REACTION_REMOVED,
                     rec, caller.user_id, emoji);
    return rec.message();
  });
}

absl::StatusOr<v1::Message> MessageService::Pin(const Caller& caller, absl::string_view message_id,
                                                bool pin) {
  ASSIGN_OR_RETURN(MessageKey key, ParseMessageId(message_id));
  return env_.committer.Run<v1::Message>([&](Txn& txn) -> absl::StatusOr<v1::Message> {
    ASSIGN_OR_RETURN(ChannelView channel,
                     CheckChannelAccess(env_.dir, caller, key.channel, Access::kWrite));
    ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(key.channel, key.seq));
    if (rec.message().deleted()) return absl::FailedPreconditionError("the message was deleted");
    if (rec.message().pinned() == pin) return rec.message();
    internal::MessageRecord before = rec;
    rec.mutable_message()->set_pinned(pin);
    if (pin) {
      txn.batch().Put(storage::Cf::kPins, storage::keys::Pin(key.channel, key.seq), "");
    } else {
      txn.batch().Delete(storage::Cf::kPins, storage::keys::Pin(key.channel, key.seq));
    }
    PutMessage(txn, channel, &before, rec);
    EmitMessageEvent(txn, pin ? v1::EVENT_TYPE_MESSAGE_PINNED : v1::EVENT_TYPE_MESSAGE_UNPINNED,
                     rec, caller.user_id);
    return rec.message();
  });
}

absl::StatusOr<v1::ListPinsResponse> MessageService::ListPins(
    const Caller& caller, const v1::ListPinsRequest& req) const {
  ASSIGN_OR_RETURN(ChannelView channel,
                   ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
  const uint64_t ch = channel.id();
  std::string prefix = storage::keys::MessagePrefix(ch);
  auto it = env_.store.NewIterator(
      storage::Cf::kPins, {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
  v1::ListPinsResponse resp;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(internal::MessageRecord rec, Load(ch, *storage::ReadU64(it->key().substr(8))));
    *resp.add_messages() = std::move(*rec.mutable_message());
  }
  RETURN_IF_ERROR(it->status());
  return resp;
}

absl::StatusOr<uint64_t> MessageService::MarkRead(const Caller& caller,
                                                  const v1::MarkReadRequest& req) {
  return env_.committer.Run<uint64_t>([&](Txn& txn) -> absl::StatusOr<uint64_t> {
    ASSIGN_OR_RETURN(ChannelView channel,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
    const uint64_t ch = channel.id();
    auto state = env_.dir.Member(ch, caller.user_id);
    if (!state) return absl::FailedPreconditionError("you are not a member of this channel");
    uint64_t last = channel.record.channel().last_seq();
    uint64_t seq = req.seq() == 0 ? last : req.seq();
    if (seq > last) {
      return absl::InvalidArgumentError(
          absl::StrCat("seq ", seq, " is past the newest message (", last, ")"));
    }
    if (seq <= state->last_read_seq) return state->last_read_seq;  // never moves backward
    uint64_t ordinal = channel.record.top_level_count();
    if (seq < last) {
      ASSIGN_OR_RETURN(auto rec, Load(ch, seq));
      ordinal = rec.ordinal();
    }
    state->last_read_seq = seq;
    state->last_read_ordinal = ordinal;
    PutMember(txn, env_.dir, ch, caller.user_id, *state);
    internal::EventRecord ev;
    ev.set_channel(ch);
    ev.set_only_user(caller.user_id);
    ev.mutable_event()->set_type(v1::EVENT_TYPE_READ_MARKER_MOVED);
    ev.mutable_event()->set_channel_id(channel.record.channel().id());
    ev.mutable_event()->set_actor_id(UserIdString(caller.user_id));
    ev.mutable_event()->set_read_seq(seq);
    txn.Emit(std::move(ev));
    return seq;
  });
}

absl::StatusOr<v1::GetUnreadCountsResponse> MessageService::UnreadCounts(
    const Caller& caller) const {
  v1::GetUnreadCountsResponse resp;
  for (uint64_t ch : env_.dir.ChannelsOf(caller.user_id)) {
    auto channel = env_.dir.Channel(ch);
    auto state = env_.dir.Member(ch, caller.user_id);
    if (!channel || !state) continue;
    v1::UnreadCount* u = resp.add_counts();
    u->set_channel_id(channel->record.channel().id());
    u->set_last_read_seq(state->last_read_seq);
    u->set_last_seq(channel->record.channel().last_seq());
    u->set_unread(static_cast<int64_t>(
        channel->record.top_level_count() -
        std::min(state->last_read_ordinal, channel->record.top_level_count())));
    std::string prefix = storage::keys::MentionPrefix(caller.user_id, ch);
    auto it = env_.store.NewIterator(
        storage::Cf::kMentions,
        {.lower_bound = prefix, .upper_bound = storage::PrefixSuccessor(prefix)});
    int64_t mentions = 0;
    for (it->Seek(storage::keys::Mention(caller.user_id, ch, state->last_read_seq + 1));
         it->Valid() && mentions < kMaxCountedUnread; it->Next()) {
      ++mentions;
    }
    RETURN_IF_ERROR(it->status());
    u->set_mentions(mentions);
  }
  return resp;
}

}  // namespace meridian
