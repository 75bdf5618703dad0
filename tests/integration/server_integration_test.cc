// Drives a real meridiand through the generated gRPC client: the behaviours issue 2 lists.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/events.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/users.grpc.pb.h"
#include "tests/integration/meridiand_process.h"
#include "tests/integration/test_client.h"

namespace meridian {
namespace {

namespace v1 = ::meridian::v1;
using ::meridian::testing::MeridiandProcess;

// A logged-in user's stubs.
struct Client : ::meridian::testing::TestClient {
  using TestClient::TestClient;

  grpc::Status Post(const std::string& channel_id, const std::string& text,
                    v1::PostMessageResponse* resp, const std::string& key = "",
                    const std::string& root = "") {
    v1::PostMessageRequest req;
    req.set_channel_id(channel_id);
    req.set_text(text);
    req.set_idempotency_key(key);
    req.set_thread_root_id(root);
    auto ctx = Ctx();
    return messages->PostMessage(ctx.get(), req, resp);
  }

  grpc::Status CreateChannel(const std::string& name, bool priv, v1::Channel* out) {
    v1::CreateChannelRequest req;
    req.set_name(name);
    req.set_kind(priv ? v1::CHANNEL_KIND_PRIVATE : v1::CHANNEL_KIND_PUBLIC);
    v1::CreateChannelResponse resp;
    auto ctx = Ctx();
    grpc::Status s = channels->CreateChannel(ctx.get(), req, &resp);
    *out = resp.channel();
    return s;
  }

  std::vector<v1::Message> History(const std::string& channel_id, int page = 200) {
    std::vector<v1::Message> all;
    v1::GetHistoryRequest req;
    req.set_channel_id(channel_id);
    req.set_page_size(page);
    for (;;) {
      v1::GetHistoryResponse resp;
      auto ctx = Ctx();
      grpc::Status s = messages->GetHistory(ctx.get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (auto& m : resp.messages()) all.push_back(m);
      if (resp.next_cursor().empty()) break;
      req.set_before_cursor(resp.next_cursor());
    }
    return all;
  }
};

// Reads a Subscribe stream into a vector until `pred` holds for the events so far. `batch` asks
// for SubscribeResponse.events (the default, as current clients do); without it the stream is
// read the way clients that predate batching read it, and every response must hold one `event`.
class Subscription {
 public:
  Subscription(const Client& c, const std::string& since, bool batch = true)
      : ctx_(c.Ctx()), batch_(batch) {
    ctx_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::SubscribeRequest req;
    req.set_since_cursor(since);
    req.set_batch(batch);
    reader_ = c.events->Subscribe(ctx_.get(), req);
  }
  // Reads until caught_up (true) or the stream ends (false).
  bool ReadUntilCaughtUp() {
    v1::SubscribeResponse r;
    while (reader_->Read(&r)) {
      if (Append(r)) return true;
    }
    return false;
  }
  // Reads until an event satisfies `pred` (true) or the stream ends (false).
  template <typename Pred>
  bool ReadUntil(Pred pred) {
    size_t checked = 0;
    for (;;) {
      for (; checked < events_.size(); ++checked) {
        if (pred(events_[checked])) return true;
      }
      v1::SubscribeResponse r;
      if (!reader_->Read(&r)) return false;
      Append(r);
    }
  }
  bool ReadEvents(size_t n) {
    v1::SubscribeResponse r;
    while (events_.size() < n && reader_->Read(&r)) Append(r);
    return events_.size() >= n;
  }
  grpc::Status Cancel() {
    ctx_->TryCancel();
    v1::SubscribeResponse r;
    while (reader_->Read(&r)) {
    }
    return reader_->Finish();
  }
  grpc::Status Drain() {
    v1::SubscribeResponse r;
    while (reader_->Read(&r)) Append(r);
    return reader_->Finish();
  }
  const std::vector<v1::Event>& events() const { return events_; }
  // Responses that carried events.
  size_t event_responses() const { return event_responses_; }
  // The most events one response carried.
  int largest_batch() const { return largest_batch_; }
  grpc::ClientContext& context() { return *ctx_; }

 private:
  // Keeps the response's events; true for the caught_up marker. Checks the response's shape
  // against the mode asked for (events.proto: `event` or `events`, caught_up on its own).
  bool Append(const v1::SubscribeResponse& r) {
    if (r.caught_up()) {
      EXPECT_FALSE(r.has_event() || r.events_size() > 0) << "caught_up shares a response";
      return true;
    }
    if (batch_) {
      EXPECT_FALSE(r.has_event()) << "a batch subscriber got the single-event field";
      EXPECT_GT(r.events_size(), 0) << "an empty response";
      for (const auto& e : r.events()) events_.push_back(e);
      largest_batch_ = std::max(largest_batch_, r.events_size());
    } else {
      EXPECT_EQ(r.events_size(), 0) << "a client that did not ask for batches got one";
      EXPECT_TRUE(r.has_event()) << "an empty response";
      events_.push_back(r.event());
      largest_batch_ = std::max(largest_batch_, 1);
    }
    ++event_responses_;
    return false;
  }

  std::unique_ptr<grpc::ClientContext> ctx_;
  const bool batch_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::vector<v1::Event> events_;
  size_t event_responses_ = 0;
  int largest_batch_ = 0;
};

class ServerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-it-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(std::vector<std::string> args = {}) {
    server_ = std::make_unique<MeridiandProcess>(MERIDIAND_PATH, (dir_ / "data").string(), args);
    ASSERT_TRUE(server_->Start()) << server_->log();
  }

  std::string WriteConfig(const std::string& toml) {
    auto path = (dir_ / "meridian.toml").string();
    std::ofstream(path) << toml;
    return path;
  }

  std::filesystem::path dir_;
  std::unique_ptr<MeridiandProcess> server_;
};

TEST_F(ServerIntegrationTest, PrivateChannelIsInvisibleToOthersAndDirectMessagesWork) {
  StartServer();
  Client alice(server_->address()), bob(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  ASSERT_TRUE(bob.Register("bob").ok());
  v1::Channel secret;
  ASSERT_TRUE(alice.CreateChannel("secret", true, &secret).ok());
  v1::PostMessageResponse posted;
  ASSERT_TRUE(alice.Post(secret.id(), "launch codes", &posted).ok());

  Subscription bob_stream(bob, "0");
  v1::GetChannelRequest get;
  get.set_channel_id(secret.id());
  v1::GetChannelResponse got;
  auto ctx = bob.Ctx();
  EXPECT_EQ(bob.channels->GetChannel(ctx.get(), get, &got).error_code(), grpc::NOT_FOUND);
  v1::GetHistoryRequest hist;
  hist.set_channel_id("#secret");
  v1::GetHistoryResponse hr;
  ctx = bob.Ctx();
  EXPECT_EQ(bob.messages->GetHistory(ctx.get(), hist, &hr).error_code(), grpc::NOT_FOUND);
  v1::PostMessageResponse denied;
  EXPECT_EQ(bob.Post(secret.id(), "hi", &denied).error_code(), grpc::NOT_FOUND);
  v1::AddReactionRequest react;
  react.set_message_id(posted.message().id());
  react.set_emoji("👀");
  v1::AddReactionResponse rr;
  ctx = bob.Ctx();
  EXPECT_EQ(bob.messages->AddReaction(ctx.get(), react, &rr).error_code(), grpc::NOT_FOUND);

  // A DM; bob's stream replays everything he may see and nothing of #secret.
  v1::PostMessageResponse dm;
  ASSERT_TRUE(alice.Post("@bob", "psst, lunch?", &dm).ok());
  // The DM reaches bob, whether in the replay or live, and nothing of #secret ever does.
  EXPECT_TRUE(bob_stream.ReadUntil([](const v1::Event& e) {
    return e.type() == v1::EVENT_TYPE_MESSAGE_POSTED && e.message().text() == "psst, lunch?";
  }));
  for (const auto& e : bob_stream.events()) {
    EXPECT_NE(e.channel_id(), secret.id()) << e.DebugString();
    EXPECT_EQ(e.message().text().find("launch"), std::string::npos);
  }
  bob_stream.Cancel();
}

TEST_F(ServerIntegrationTest, AuthenticationIsRequiredAndForgedTokensAreRejected) {
  StartServer();
  Client anon(server_->address());
  v1::PostMessageResponse resp;
  EXPECT_EQ(anon.Post("#general", "hi", &resp).error_code(), grpc::UNAUTHENTICATED);
  anon.token = "mrd_forged-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  grpc::Status s = anon.Post("#general", "hi", &resp);
  EXPECT_EQ(s.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("log in"), std::string::npos) << s.error_message();

  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::LogoutRequest out;
  v1::LogoutResponse lr;
  auto ctx = alice.Ctx();
  ASSERT_TRUE(alice.auth->Logout(ctx.get(), out, &lr).ok());
  v1::WhoAmIRequest who;
  v1::WhoAmIResponse wr;
  ctx = alice.Ctx();
  EXPECT_EQ(alice.auth->WhoAmI(ctx.get(), who, &wr).error_code(), grpc::UNAUTHENTICATED);
}

TEST_F(ServerIntegrationTest, BadInputGetsPreciseStatusesAndTheServerServesOn) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  v1::PostMessageResponse resp;
  grpc::Status big = alice.Post("#general", std::string(40'001, 'x'), &resp);
  EXPECT_EQ(big.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(big.error_message().find("40000"), std::string::npos) << big.error_message();
  EXPECT_EQ(alice.Post("#general", "\xC3\x28", &resp).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(alice.Post("#general", "", &resp).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(alice.Post("c424242", "hi", &resp).error_code(), grpc::NOT_FOUND);
  v1::GetHistoryRequest hist;
  hist.set_channel_id("#general");
  hist.set_after_cursor("not-a-cursor");
  v1::GetHistoryResponse hr;
  auto ctx = alice.Ctx();
  EXPECT_EQ(alice.messages->GetHistory(ctx.get(), hist, &hr).error_code(), grpc::INVALID_ARGUMENT);
  Subscription bad(alice, "99999999");
  EXPECT_EQ(bad.Drain().error_code(), grpc::INVALID_ARGUMENT);
  // Nothing half-written: the channel is still empty and the server still answers.
  EXPECT_TRUE(alice.History("#general").empty());
  ASSERT_TRUE(alice.Post("#general", "still here", &resp).ok());
}

TEST_F(ServerIntegrationTest, ThreadsEditsAndDeletesOverTheWire) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  v1::PostMessageResponse root, reply;
  ASSERT_TRUE(alice.Post("#general", "question", &root).ok());
  ASSERT_TRUE(alice.Post("#general", "answer", &reply, "", root.message().id()).ok());
  v1::GetThreadRequest tr;
  tr.set_message_id(root.message().id());
  v1::GetThreadResponse thread;
  auto ctx = alice.Ctx();
  ASSERT_TRUE(alice.messages->GetThread(ctx.get(), tr, &thread).ok());
  EXPECT_EQ(thread.root().reply_count(), 1);
  ASSERT_EQ(thread.replies_size(), 1);
  v1::EditMessageRequest edit;
  edit.set_message_id(reply.message().id());
  edit.set_text("better answer");
  v1::EditMessageResponse er;
  ctx = alice.Ctx();
  ASSERT_TRUE(alice.messages->EditMessage(ctx.get(), edit, &er).ok());
  EXPECT_EQ(er.message().revision_count(), 1);
  v1::DeleteMessageRequest del;
  del.set_message_id(root.message().id());
  v1::DeleteMessageResponse dr;
  ctx = alice.Ctx();
  ASSERT_TRUE(alice.messages->DeleteMessage(ctx.get(), del, &dr).ok());
  auto history = alice.History("#general");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_TRUE(history[0].deleted());
  EXPECT_TRUE(history[0].text().empty());
}

TEST_F(ServerIntegrationTest, ReconnectResumesWithNoGapAndNoDuplicate) {
  StartServer();
  Client alice(server_->address()), bob(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  ASSERT_TRUE(bob.Register("bob").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  v1::JoinChannelRequest join;
  join.set_channel_id("#general");
  v1::JoinChannelResponse jr;
  auto ctx = bob.Ctx();
  ASSERT_TRUE(bob.channels->JoinChannel(ctx.get(), join, &jr).ok());

  Subscription live(bob, "");  // from now
  ASSERT_TRUE(live.ReadUntilCaughtUp());
  v1::PostMessageResponse r;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(alice.Post("#general", "m" + std::to_string(i), &r).ok());
  ASSERT_TRUE(live.ReadEvents(5));
  std::string cursor = live.events().back().cursor();
  live.Cancel();

  // Away: more happens, including a restart of the server.
  for (int i = 5; i < 10; ++i)
    ASSERT_TRUE(alice.Post("#general", "m" + std::to_string(i), &r).ok());
  ASSERT_EQ(server_->Stop(), 0) << server_->log();
  ASSERT_TRUE(server_->Start()) << server_->log();
  Client alice2(server_->address()), bob2(server_->address());
  alice2.token = alice.token;
  bob2.token = bob.token;
  for (int i = 10; i < 15; ++i)
    ASSERT_TRUE(alice2.Post("#general", "m" + std::to_string(i), &r).ok());

  Subscription resumed(bob2, cursor);
  ASSERT_TRUE(resumed.ReadUntilCaughtUp());
  std::vector<std::string> texts;
  for (const auto& e : live.events()) texts.push_back(e.message().text());
  for (const auto& e : resumed.events()) {
    if (e.type() == v1::EVENT_TYPE_MESSAGE_POSTED) texts.push_back(e.message().text());
  }
  ASSERT_EQ(texts.size(), 15u);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(texts[i], "m" + std::to_string(i));
  resumed.Cancel();
}

TEST_F(ServerIntegrationTest, SlowSubscriberIsCutOffWithAResumeCursorAndLosesNothing) {
  StartServer({"--config", WriteConfig("[events]\nlive_buffer = 32\n")});
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  Subscription slow(alice, "");
  ASSERT_TRUE(slow.ReadUntilCaughtUp());
  // Big messages fill the transport's flow-control window long before 400 are posted, so the
  // server cannot write them all while the client is not reading.
  const std::string big(30'000, 'z');
  v1::PostMessageResponse r;
  std::set<std::string> posted;
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(alice.Post("#general", std::to_string(i) + big, &r).ok());
    posted.insert(r.message().id());
  }
  grpc::Status end = slow.Drain();
  ASSERT_EQ(end.error_code(), grpc::RESOURCE_EXHAUSTED) << end.error_message();
  auto trailers = slow.context().GetServerTrailingMetadata();
  auto it = trailers.find("meridian-resume-cursor");
  ASSERT_NE(it, trailers.end());
  std::string cursor(it->second.data(), it->second.size());

  Subscription resumed(alice, cursor);
  ASSERT_TRUE(resumed.ReadUntilCaughtUp());
  std::set<std::string> seen;
  for (const auto* evs : {&slow.events(), &resumed.events()}) {
    for (const auto& e : *evs) {
      if (e.type() != v1::EVENT_TYPE_MESSAGE_POSTED) continue;
      EXPECT_TRUE(seen.insert(e.message().id()).second) << "duplicate " << e.message().id();
    }
  }
  EXPECT_EQ(seen, posted);
  resumed.Cancel();
}

// Posts `n` messages "<prefix><i>" to #general from four concurrent clients (alice's session);
// returns the acknowledged message ids.
std::set<std::string> PostBurst(const std::string& address, const std::string& token,
                                const std::string& prefix, int n) {
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      Client c(address, token);
      for (int i = t; i < n; i += 4) {
        v1::PostMessageResponse r;
        grpc::Status s = c.Post("#general", prefix + std::to_string(i), &r);
        EXPECT_TRUE(s.ok()) << s.error_message();
        std::lock_guard<std::mutex> l(mu);
        acked.insert(r.message().id());
      }
    });
  }
  for (auto& p : posters) p.join();
  return acked;
}

// The posted events of `events`, checked to be in strictly increasing cursor and channel-seq
// order; returns their message ids in order.
std::vector<std::string> PostedInOrder(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  uint64_t last_cursor = 0, last_seq = 0;
  for (const auto& e : events) {
    uint64_t cursor = std::stoull(e.cursor());
    EXPECT_GT(cursor, last_cursor) << "events out of cursor order";
    last_cursor = cursor;
    if (e.type() != v1::EVENT_TYPE_MESSAGE_POSTED) continue;
    EXPECT_GT(e.message().seq(), last_seq) << "posts out of channel order";
    last_seq = e.message().seq();
    ids.push_back(e.message().id());
  }
  return ids;
}

// A live burst while the subscriber does not read: the events queue behind the in-flight write
// and arrive batched, every one exactly once and in order, in both delivery modes.
void CheckBurst(const std::string& address, const Client& alice, bool batch) {
  Subscription live(alice, "", batch);
  ASSERT_TRUE(live.ReadUntilCaughtUp());
  std::set<std::string> acked = PostBurst(address, alice.token, batch ? "b" : "s", 500);
  ASSERT_EQ(acked.size(), 500u);
  size_t posted = 0;
  ASSERT_TRUE(live.ReadUntil([&](const v1::Event& e) {
    return e.type() == v1::EVENT_TYPE_MESSAGE_POSTED && ++posted >= 500;
  }));
  std::vector<std::string> ids = PostedInOrder(live.events());
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), acked) << "a post missing or doubled";
  if (!batch) {
    EXPECT_EQ(live.event_responses(), live.events().size());
    EXPECT_EQ(live.largest_batch(), 1);
  }
  std::cerr << (batch ? "batch" : "single") << " mode: " << live.events().size() << " events in "
            << live.event_responses() << " responses, largest " << live.largest_batch() << "\n";
  live.Cancel();
}

TEST_F(ServerIntegrationTest, BatchedSubscriberGetsABurstInOrderExactlyOnce) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  CheckBurst(server_->address(), alice, /*batch=*/true);
}

TEST_F(ServerIntegrationTest, SubscriberThatDoesNotAskForBatchesGetsOneEventPerResponse) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  CheckBurst(server_->address(), alice, /*batch=*/false);
}

// The server wakes its streams from several threads; every one of many streams, in both modes,
// still gets every post once and in order, while posts are acknowledged one by one and in bursts.
TEST_F(ServerIntegrationTest, ManySubscribersAllGetEveryPostInOrder) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  constexpr int kStreams = 48, kOneByOne = 20, kBurst = 100;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (int i = 0; i < kStreams; ++i) {
    subs.push_back(std::make_unique<Subscription>(alice, "", /*batch=*/i % 2 == 0));
    ASSERT_TRUE(subs.back()->ReadUntilCaughtUp());
  }
  std::vector<std::string> sequential;
  for (int i = 0; i < kOneByOne; ++i) {
    v1::PostMessageResponse r;
    ASSERT_TRUE(alice.Post("#general", "one " + std::to_string(i), &r).ok());
    sequential.push_back(r.message().id());
  }
  std::set<std::string> burst = PostBurst(server_->address(), alice.token, "burst", kBurst);
  ASSERT_EQ(burst.size(), static_cast<size_t>(kBurst));
  for (auto& sub : subs) {
    size_t posted = 0;
    ASSERT_TRUE(sub->ReadUntil([&](const v1::Event& e) {
      return e.type() == v1::EVENT_TYPE_MESSAGE_POSTED && ++posted >= kOneByOne + kBurst;
    }));
    std::vector<std::string> ids = PostedInOrder(sub->events());
    ASSERT_EQ(ids.size(), static_cast<size_t>(kOneByOne + kBurst));
    EXPECT_EQ(std::vector<std::string>(ids.begin(), ids.begin() + kOneByOne), sequential);
    EXPECT_EQ(std::set<std::string>(ids.begin() + kOneByOne, ids.end()), burst)
        << "a post missing or doubled";
  }
  for (auto& sub : subs) sub->Cancel();
}

TEST_F(ServerIntegrationTest, BatchedResumeFromACursorReplaysInBatchesWithNoGapOrDuplicate) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  v1::PostMessageResponse r;
  ASSERT_TRUE(alice.Post("#general", "before", &r).ok());
  std::string cursor;
  {
    Subscription first(alice, "0");
    ASSERT_TRUE(first.ReadUntilCaughtUp());
    ASSERT_FALSE(first.events().empty());
    cursor = first.events().back().cursor();
    first.Cancel();
  }
  std::set<std::string> missed = PostBurst(server_->address(), alice.token, "away", 500);

  // Replayed from storage 64 at a time, so one response carries many events.
  Subscription resumed(alice, cursor);
  ASSERT_TRUE(resumed.ReadUntilCaughtUp());
  std::vector<std::string> ids = PostedInOrder(resumed.events());
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), missed);
  EXPECT_GT(resumed.largest_batch(), 1);
  EXPECT_LE(resumed.event_responses(), resumed.events().size() / 2);
  // Live after the replay, and a second resume from the last cursor sees only what is new.
  ASSERT_TRUE(alice.Post("#general", "after", &r).ok());
  ASSERT_TRUE(resumed.ReadUntil([](const v1::Event& e) { return e.message().text() == "after"; }));
  std::string last = resumed.events().back().cursor();
  resumed.Cancel();
  ASSERT_TRUE(alice.Post("#general", "later", &r).ok());
  Subscription again(alice, last);
  ASSERT_TRUE(again.ReadUntilCaughtUp());
  ASSERT_EQ(PostedInOrder(again.events()).size(), 1u);
  EXPECT_EQ(again.events().back().message().text(), "later");
  again.Cancel();
}

TEST_F(ServerIntegrationTest, IdempotentRetryAfterALostReplyDoesNotDuplicate) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());
  v1::PostMessageResponse first, retry;
  ASSERT_TRUE(alice.Post("#general", "exactly once", &first, "client-key-1").ok());
  ASSERT_TRUE(alice.Post("#general", "exactly once", &retry, "client-key-1").ok());
  EXPECT_TRUE(retry.deduplicated());
  EXPECT_EQ(first.message().id(), retry.message().id());
  EXPECT_EQ(alice.History("#general").size(), 1u);
}

TEST_F(ServerIntegrationTest, KillNineDuringWriteLoadLosesNoAcknowledgedPost) {
  StartServer();
  Client alice(server_->address());
  ASSERT_TRUE(alice.Register("alice").ok());
  v1::Channel general;
  ASSERT_TRUE(alice.CreateChannel("general", false, &general).ok());

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      Client c(server_->address());
      c.token = alice.token;
      for (int i = 0; !stop; ++i) {
        v1::PostMessageResponse r;
        if (!c.Post("#general", "w" + std::to_string(t) + "-" + std::to_string(i), &r).ok()) break;
        std::lock_guard<std::mutex> l(mu);
        acked.insert(r.message().id());
        ++count;
      }
    });
  }
  // Kill once a good number of posts has been acknowledged, while writers are still going.
  while (count < 300) std::this_thread::yield();
  server_->Kill();
  stop = true;
  for (auto& w : writers) w.join();

  ASSERT_TRUE(server_->Start()) << server_->log();
  Client after(server_->address());
  after.token = alice.token;
  std::set<std::string> stored;
  for (const auto& m : after.History("#general")) stored.insert(m.id());
  for (const auto& id : acked) EXPECT_TRUE(stored.count(id)) << "acknowledged post lost: " << id;
  EXPECT_GE(acked.size(), 300u);
}

TEST_F(ServerIntegrationTest, HealthCheckingAndReflectionAreOn) {
  StartServer();
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  // grpc.health.v1.Health/Check with an empty request: an empty HealthCheckRequest is zero
  // bytes, and SERVING is field 1 = 1 (bytes 08 01).
  grpc::ClientContext ctx;
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard<std::mutex> l(mu);
                   status = s;
                   done = true;
                   cv.notify_all();
                 });
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

}  // namespace
}  // namespace meridian
