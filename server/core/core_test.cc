// Domain behaviour of the core services, in process, on a real RocksDB in a temp directory.
#include "server/core/core.h"

#include <gtest/gtest.h>

#include <atomic>

#include "server/core/event_feed.h"
#include "server/core/test_util.h"

namespace meridian {
namespace {

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    core_.reset();
    CoreOptions opts;
    opts.data_dir = dir_.path();
    opts.limits.argon2_memory_kib = 64;  // fast hashing in tests
    opts.limits.argon2_passes = 1;
    opts.limits.max_message_bytes = 100;
    opts.live_buffer = 64;
    core_ = std::move(Core::Open(opts, clock_)).value();
  }

  Caller Register(const std::string& name) {
    v1::RegisterRequest req;
    req.set_name(name);
    req.set_password("correct horse");
    auto resp = core_->auth().Register(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return core_->auth().Authenticate(resp->token()).value();
  }

  v1::Channel Create(const Caller& c, const std::string& name, bool priv) {
    v1::CreateChannelRequest req;
    req.set_name(name);
    req.set_kind(priv ? v1::CHANNEL_KIND_PRIVATE : v1::CHANNEL_KIND_PUBLIC);
    return core_->channels().Create(c, req).value();
  }

  absl::StatusOr<v1::PostMessageResponse> Post(const Caller& c, const std::string& channel,
                                               const std::string& text,
                                               const std::string& root = "",
                                               const std::string& key = "") {
    v1::PostMessageRequest req;
    req.set_channel_id(channel);
    req.set_text(text);
    req.set_thread_root_id(root);
    req.set_idempotency_key(key);
    return core_->messages().Post(c, req);
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Core> core_;
};

TEST_F(CoreTest, FirstUserIsAdminAndNamesAreUnique) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  EXPECT_TRUE(alice.is_admin);
  EXPECT_FALSE(bob.is_admin);
  v1::RegisterRequest dup;
  dup.set_name("ALICE");
  dup.set_password("another password");
  EXPECT_EQ(core_->auth().Register(dup).status().code(), absl::StatusCode::kAlreadyExists);
  dup.set_name("bad name!");
  EXPECT_EQ(core_->auth().Register(dup).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CoreTest, LoginLogoutAndDeactivationRevokeAtOnce) {
  Caller admin = Register("alice");
  Register("bob");
  v1::LoginRequest login;
  login.set_name("bob");
  login.set_password("wrong password");
  EXPECT_EQ(core_->auth().Login(login).status().code(), absl::StatusCode::kUnauthenticated);
  login.set_password("correct horse");
  auto s1 = core_->auth().Login(login).value();
  auto s2 = core_->auth().Login(login).value();
  ASSERT_TRUE(core_->auth().Authenticate(s1.token()).ok());
  ASSERT_TRUE(core_->auth().Logout(s1.token()).ok());
  EXPECT_EQ(core_->auth().Authenticate(s1.token()).status().code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(core_->auth().Authenticate(s2.token()).ok());
  v1::DeactivateUserRequest deact;
  deact.set_user_id("@bob");
  ASSERT_TRUE(core_->users().Deactivate(admin, deact).ok());
  EXPECT_EQ(core_->auth().Authenticate(s2.token()).status().code(),
            absl::StatusCode::kUnauthenticated);
  Reopen();  // revocation is durable
  EXPECT_FALSE(core_->auth().Authenticate(s2.token()).ok());
}

TEST_F(CoreTest, PrivateChannelIsNotFoundForNonMembersEverywhere) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  v1::Channel secret = Create(alice, "secret", true);
  auto posted = Post(alice, secret.id(), "the plan").value();

  v1::GetChannelRequest get;
  get.set_channel_id(secret.id());
  EXPECT_EQ(core_->channels().Get(bob, get).status().code(), absl::StatusCode::kNotFound);
  get.set_channel_id("#secret");
  EXPECT_EQ(core_->channels().Get(bob, get).status().code(), absl::StatusCode::kNotFound);
  v1::GetHistoryRequest hist;
  hist.set_channel_id(secret.id());
  EXPECT_EQ(core_->messages().History(bob, hist).status().code(), absl::StatusCode::kNotFound);
  v1::GetThreadRequest thread;
  thread.set_message_id(posted.message().id());
  EXPECT_EQ(core_->messages().Thread(bob, thread).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->messages().React(bob, posted.message().id(), "👍", true).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Post(bob, secret.id(), "let me in").status().code(), absl::StatusCode::kNotFound);
  v1::JoinChannelRequest join;
  join.set_channel_id(secret.id());
  EXPECT_EQ(core_->channels().Join(bob, join).status().code(), absl::StatusCode::kNotFound);
  // Not in browse either, and no event of it reaches bob.
  auto browse = core_->channels().Browse(bob, {}).value();
  EXPECT_EQ(browse.channels_size(), 0);
  EventFeed feed(core_->store(), core_->dir(), core_->hub(), bob.user_id, 0);
  std::vector<std::shared_ptr<const HubEvent>> events;
  while (feed.Next(100, &events).value() == EventFeed::State::kEvents) {
  }
  for (const auto& e : events) EXPECT_NE(e->record.event().channel_id(), secret.id());

  // Once invited, bob sees it all.
  v1::InviteMembersRequest invite;
  invite.set_channel_id(secret.id());
  invite.add_user_ids("@bob");
  ASSERT_TRUE(core_->channels().Invite(alice, invite).ok());
  hist.set_channel_id("#secret");
  EXPECT_EQ(core_->messages().History(bob, hist).value().messages_size(), 1);
}

TEST_F(CoreTest, ThreadsEditsDeletesAndRevisions) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  v1::Channel general = Create(alice, "general", false);
  v1::JoinChannelRequest join;
  join.set_channel_id("#general");
  ASSERT_TRUE(core_->channels().Join(bob, join).ok());

  auto root = Post(alice, "#general", "release today?").value().message();
  clock_.Advance(absl::Minutes(5));
  auto reply = Post(bob, "#general", "yes, at 5", root.id()).value().message();
  // Replying to a reply continues the root's thread.
  Post(alice, "#general", "great", reply.id()).value();

  v1::GetThreadRequest tr;
  tr.set_message_id(root.id());
  auto thread = core_->messages().Thread(bob, tr).value();
  EXPECT_EQ(thread.root().reply_count(), 2);
  ASSERT_EQ(thread.replies_size(), 2);
  EXPECT_EQ(thread.replies(0).text(), "yes, at 5");
  EXPECT_EQ(thread.replies(1).thread_root_id(), root.id());

  // History shows only top-level messages.
  v1::GetHistoryRequest hist;
  hist.set_channel_id(general.id());
  EXPECT_EQ(core_->messages().History(alice, hist).value().messages_size(), 1);

  v1::EditMessageRequest edit;
  edit.set_message_id(reply.id());
  edit.set_text("yes, at 6");
  EXPECT_EQ(core_->messages().Edit(alice, edit).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(core_->messages().Edit(bob, edit).value().revision_count(), 1);
  v1::ListRevisionsRequest revs;
  revs.set_message_id(reply.id());
  auto r = core_->messages().ListRevisions(alice, revs).value();
  ASSERT_EQ(r.revisions_size(), 2);
  EXPECT_EQ(r.revisions(0).text(), "yes, at 5");
  EXPECT_EQ(r.revisions(1).text(), "yes, at 6");

  v1::DeleteMessageRequest del;
  del.set_message_id(reply.id());
  ASSERT_TRUE(core_->messages().Delete(bob, del).ok());
  v1::GetMessageRequest get;
  get.set_message_id(reply.id());
  auto tomb = core_->messages().Get(alice, get).value();
  EXPECT_TRUE(tomb.deleted());
  EXPECT_TRUE(tomb.text().empty());
  EXPECT_EQ(core_->messages().ListRevisions(alice, revs).value().revisions_size(), 0);
}

TEST_F(CoreTest, BadInputGetsPreciseErrorsAndWritesNothing) {
  Caller alice = Register("alice");
  Create(alice, "general", false);
  uint64_t head = core_->hub().head();
  EXPECT_EQ(Post(alice, "#general", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Post(alice, "#general", std::string(101, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Post(alice, "#general", "bad \xff utf8").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Post(alice, "#nope", "hi").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Post(alice, "c999", "hi").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Post(alice, "not-an-id", "hi").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Post(alice, "#general", "hi", "m1-999").status().code(), absl::StatusCode::kNotFound);
  v1::GetHistoryRequest hist;
  hist.set_channel_id("#general");
  hist.set_before_cursor("abc");
  EXPECT_EQ(core_->messages().History(alice, hist).status().code(),
            absl::StatusCode::kInvalidArgument);
  hist.set_before_cursor("");
  hist.set_page_size(100000);
  EXPECT_EQ(core_->messages().History(alice, hist).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(core_->hub().head(), head) << "a rejected write emitted an event";
}

TEST_F(CoreTest, IdempotentRetryDoesNotDuplicate) {
  Caller alice = Register("alice");
  Create(alice, "general", false);
  auto first = Post(alice, "#general", "once", "", "key-1").value();
  auto retry = Post(alice, "#general", "once", "", "key-1").value();
  EXPECT_FALSE(first.deduplicated());
  EXPECT_TRUE(retry.deduplicated());
  EXPECT_EQ(first.message().id(), retry.message().id());
  v1::GetHistoryRequest hist;
  hist.set_channel_id("#general");
  EXPECT_EQ(core_->messages().History(alice, hist).value().messages_size(), 1);
}

// Counts what MessageService asks of the hooks; "no" is rejected, "/count" is a command.
class CountingHooks final : public PostHooks {
 public:
  PostVerdict WillPost(const PostDraft& draft) override {
    ++will_post;
    PostVerdict verdict;
    if (draft.text == "no") {
      verdict.kind = PostVerdict::Kind::kReject;
      verdict.text = "not today";
      verdict.source = "test";
    }
    return verdict;
  }
  void Posted(const v1::Message&) override { ++posted; }
  bool HasCommand(const std::string& trigger) override { return trigger == "count"; }
  std::vector<std::string> CommandTriggers() override { return {"count"}; }
  absl::StatusOr<std::string> SlashCommand(const std::string&, const std::string&,
                                           const std::string&) override {
    return "run " + std::to_string(++commands);
  }

  std::atomic<int> will_post{0}, posted{0}, commands{0};
};

TEST_F(CoreTest, RetriesRunNeitherHooksNorCommandsAgain) {
  Caller alice = Register("alice");
  Create(alice, "general", false);
  CountingHooks hooks;
  core_->messages().SetPostHooks(&hooks);

  auto first = Post(alice, "#general", "once", "", "key-1").value();
  auto retry = Post(alice, "#general", "once", "", "key-1").value();
  EXPECT_TRUE(retry.deduplicated());
  EXPECT_EQ(retry.message().id(), first.message().id());
  EXPECT_EQ(hooks.will_post.load(), 1);
  EXPECT_EQ(hooks.posted.load(), 1);

  auto command = Post(alice, "#general", "/count", "", "key-2").value();
  EXPECT_EQ(command.command_response(), "run 1");
  auto command_retry = Post(alice, "#general", "/count", "", "key-2").value();
  EXPECT_TRUE(command_retry.deduplicated());
  EXPECT_EQ(command_retry.command_response(), "run 1");
  EXPECT_FALSE(command_retry.has_message());
  EXPECT_EQ(Post(alice, "#general", "/count", "", "key-3").value().command_response(), "run 2");
  EXPECT_EQ(Post(alice, "#general", "/count").value().command_response(), "run 3");
  EXPECT_EQ(Post(alice, "#general", "/count").value().command_response(), "run 4");

  // A rejection stores nothing: retrying it is a new attempt.
  EXPECT_EQ(Post(alice, "#general", "no", "", "key-4").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Post(alice, "#general", "no", "", "key-4").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(hooks.will_post.load(), 3);
  // Keys belong to their user.
  Caller bob = Register("bob");
  v1::JoinChannelRequest join;
  join.set_channel_id("#general");
  ASSERT_TRUE(core_->channels().Join(bob, join).ok());
  EXPECT_FALSE(Post(bob, "#general", "once", "", "key-1").value().deduplicated());

  // Remembered across a restart.
  Reopen();
  core_->messages().SetPostHooks(&hooks);
  EXPECT_EQ(Post(alice, "#general", "/count", "", "key-2").value().command_response(), "run 1");
  EXPECT_EQ(Post(alice, "#general", "x", "", "key-1").value().message().id(), first.message().id());
  EXPECT_EQ(hooks.commands.load(), 4);
  EXPECT_EQ(hooks.will_post.load(), 4);
}

TEST_F(CoreTest, BotNamesAreReservedForPlugins) {
  v1::RegisterRequest req;
  req.set_password("correct horse");
  req.set_name("helper-bot");
  absl::Status s = core_->auth().Register(req).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reserved for plugins' bot users"), std::string::npos) << s;
  req.set_name("@Tasks-BOT");
  EXPECT_EQ(core_->auth().Register(req).status().code(), absl::StatusCode::kInvalidArgument);
  req.set_name("bot");  // only the suffix is reserved
  EXPECT_TRUE(core_->auth().Register(req).ok());
  req.set_name("robot-botany");
  EXPECT_TRUE(core_->auth().Register(req).ok());
  EXPECT_EQ(BotUserName("tasks"), "tasks-bot");
}

TEST_F(CoreTest, UnreadAndMentionCountsFollowTheReadMarker) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  Create(alice, "general", false);
  v1::JoinChannelRequest join;
  join.set_channel_id("#general");
  ASSERT_TRUE(core_->channels().Join(bob, join).ok());
  Post(alice, "#general", "one").value();
  auto two = Post(alice, "#general", "two @bob").value();
  Post(alice, "#general", "three @channel").value();
  Post(bob, "#general", "a reply", two.message().id()).value();  // bob's own post

  auto counts = [&] {
    auto all = core_->messages().UnreadCounts(bob).value();
    EXPECT_EQ(all.counts_size(), 1);
    return all.counts_size() > 0 ? all.counts(0) : v1::UnreadCount();
  };
  // Bob replied in a thread, which marks the channel read up to his reply.
  EXPECT_EQ(counts().unread(), 0);
  Post(alice, "#general", "four @bob").value();
  EXPECT_EQ(counts().unread(), 1);
  EXPECT_EQ(counts().mentions(), 1);

  v1::MarkReadRequest mark;
  mark.set_channel_id("#general");
  ASSERT_TRUE(core_->messages().MarkRead(bob, mark).ok());
  EXPECT_EQ(counts().unread(), 0);
  EXPECT_EQ(counts().mentions(), 0);
}

TEST_F(CoreTest, DirectConversationsAreFoundBySameMembers) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  Caller carol = Register("carol");
  v1::OpenDirectRequest req;
  req.add_user_ids("@bob");
  auto dm1 = core_->channels().OpenDirect(alice, req).value();
  v1::OpenDirectRequest back;
  back.add_user_ids("@alice");
  auto dm2 = core_->channels().OpenDirect(bob, back).value();
  EXPECT_EQ(dm1.id(), dm2.id());
  EXPECT_EQ(dm1.kind(), v1::CHANNEL_KIND_DIRECT);
  // Posting to @carol opens that conversation on the fly; bob cannot see it.
  auto posted = Post(alice, "@carol", "psst").value();
  v1::GetMessageRequest get;
  get.set_message_id(posted.message().id());
  EXPECT_EQ(core_->messages().Get(bob, get).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(core_->messages().Get(carol, get).ok());
}

TEST_F(CoreTest, ReactionsAreUniquePerUserAndEmoji) {
  Caller alice = Register("alice");
  Caller bob = Register("bob");
  Create(alice, "general", false);
  v1::JoinChannelRequest join;
  join.set_channel_id("#general");
  ASSERT_TRUE(core_->channels().Join(bob, join).ok());
  auto m = Post(alice, "#general", "ship it").value().message();
  ASSERT_TRUE(core_->messages().React(alice, m.id(), "🚀", true).ok());
  EXPECT_EQ(core_->messages().React(alice, m.id(), "🚀", true).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto after = core_->messages().React(bob, m.id(), "🚀", true).value();
  ASSERT_EQ(after.reactions_size(), 1);
  EXPECT_EQ(after.reactions(0).user_ids_size(), 2);
  after = core_->messages().React(alice, m.id(), "🚀", false).value();
  EXPECT_EQ(after.reactions(0).user_ids_size(), 1);
  EXPECT_EQ(core_->messages().React(alice, m.id(), "🚀", false).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CoreTest, RestartKeepsEverythingAndEventsResumeWithoutGapOrDuplicate) {
  Caller alice = Register("alice");
  Create(alice, "general", false);
  for (int i = 0; i < 20; ++i) Post(alice, "#general", "msg " + std::to_string(i)).value();
  // Read half the events, remember the cursor, restart, resume.
  EventFeed feed(core_->store(), core_->dir(), core_->hub(), alice.user_id, 0);
  std::vector<std::shared_ptr<const HubEvent>> first;
  ASSERT_EQ(feed.Next(10, &first).value(), EventFeed::State::kEvents);
  uint64_t cursor = feed.cursor();
  Reopen();
  for (int i = 20; i < 25; ++i) Post(alice, "#general", "msg " + std::to_string(i)).value();
  EventFeed resumed(core_->store(), core_->dir(), core_->hub(), alice.user_id, cursor);
  std::vector<std::shared_ptr<const HubEvent>> rest;
  while (resumed.Next(7, &rest).value() == EventFeed::State::kEvents) {
  }
  std::vector<uint64_t> seqs;
  for (auto& e : first) seqs.push_back(e->seq);
  for (auto& e : rest) seqs.push_back(e->seq);
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  EXPECT_EQ(seqs.back(), core_->hub().head());
  int posted = 0;
  for (auto& e : rest) posted += e->record.event().type() == v1::EVENT_TYPE_MESSAGE_POSTED;
  EXPECT_GT(posted, 5);

  v1::GetHistoryRequest hist;
  hist.set_channel_id("#general");
  hist.set_page_size(10);
  auto page = core_->messages().History(alice, hist).value();
  ASSERT_EQ(page.messages_size(), 10);
  EXPECT_EQ(page.messages(0).text(), "msg 24");
  hist.set_before_cursor(page.next_cursor());
  auto older = core_->messages().History(alice, hist).value();
  EXPECT_EQ(older.messages(0).text(), "msg 14");
}

TEST_F(CoreTest, LiveFeedThatFallsOutOfTheRingIsTooSlow) {
  Caller alice = Register("alice");
  Create(alice, "general", false);
  EventFeed feed(core_->store(), core_->dir(), core_->hub(), alice.user_id, core_->hub().head());
  std::vector<std::shared_ptr<const HubEvent>> out;
  ASSERT_EQ(feed.Next(10, &out).value(), EventFeed::State::kCaughtUp);
  for (int i = 0; i < 100; ++i) Post(alice, "#general", "flood").value();  // ring holds 64
  EXPECT_EQ(feed.Next(10, &out).value(), EventFeed::State::kTooSlow);
}

}  // namespace
}  // namespace meridian
