// The plugin host's failure modes and lifecycle inside a real meridiand, with real runner
// processes: incompatible plugins refused, a throwing hook (isolated and in-process), unload and
// reload while posts flow, the automatic disable surviving a restart, and idempotent retries that
// run no hook or command twice. Failures restart after a 50 ms backoff, so waits poll.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugins/plugin_server_fixture.h"

namespace meridian::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- Incompatible plugins ----

class RefusedPluginTest : public PluginServerTest {
 protected:
  void Configure() override {
    AddPlugin("wrong-major", VariantLibrary("wrong_major"));
    AddPlugin("no-entry", VariantLibrary("no_entry"));
    AddPlugin("small-struct", VariantLibrary("small_struct"));
  }
};

TEST_F(RefusedPluginTest, IsListedWithItsReasonWhileTheServerServes) {
  const std::map<std::string, std::string> expected = {
      {"wrong-major",
       "built for plugin ABI major version 2 but this server speaks major version 1"},
      {"no-entry", "does not export meridian_plugin_entry"},
      {"small-struct", "struct_size 8 is smaller than ABI 1.0's"},
  };
  std::map<std::string, v1::Plugin> all;
  ASSERT_TRUE(admin_->ListPlugins(&all).ok());
  for (const auto& [id, why] : expected) {
    EXPECT_EQ(all[id].state(), v1::PLUGIN_STATE_REFUSED) << id;
    EXPECT_TRUE(Contains(all[id].last_error(), why)) << id << ": " << all[id].last_error();
    EXPECT_TRUE(LogHas("plugin " + id + " refused: ")) << server_->log();
  }
  for (const char* id : {"echo", "faulty", "fixture"}) {
    EXPECT_EQ(all[id].state(), v1::PLUGIN_STATE_RUNNING) << id << ": " << all[id].last_error();
  }

  v1::PostMessageResponse resp;
  ASSERT_TRUE(admin_->Post(general_, "please shout", &resp).ok());
  EXPECT_EQ(resp.message().text(), "PLEASE SHOUT");
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/echo still here", &resp).ok());
  EXPECT_EQ(resp.command_response(), "echo: still here");
  EXPECT_EQ(admin_->Invoke("wrong-major", "echo", "x", nullptr).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // Still refused on reload until its library is fixed; then it runs.
  EXPECT_EQ(admin_->Reload("wrong-major").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  AddPlugin("wrong-major", MERIDIAN_V1_FIXTURE);
  v1::Plugin reloaded;
  grpc::Status s = admin_->Reload("wrong-major", &reloaded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reloaded.state(), v1::PLUGIN_STATE_RUNNING);
  EXPECT_TRUE(reloaded.last_error().empty()) << reloaded.last_error();
  std::string echoed;
  ASSERT_TRUE(admin_->Invoke("wrong-major", "echo", "fixed", &echoed).ok());
  EXPECT_EQ(echoed, "fixed");
}

// ---- A hook that throws, isolated (true: in-process) ----

class ThrowingHookTest : public PluginServerTest, public ::testing::WithParamInterface<bool> {
 protected:
  void Configure() override {
    if (GetParam()) config_ = "in_process = [\"faulty\"]\n";
  }
};

TEST_P(ThrowingHookTest, PostStillLandsAndThePluginComesBack) {
  EXPECT_EQ(PluginInfo("faulty").in_process(), GetParam());
  v1::PostMessageResponse resp;
  grpc::Status s = admin_->Post(general_, "throw", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.message().text(), "throw");
  EXPECT_TRUE(LogHas("boom from faulty plugin")) << server_->log();
  EXPECT_EQ(PluginInfo("faulty").recent_failures(), 1);

  // The other plugins' hooks still run on the next post.
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "please shout", &resp).ok());
  EXPECT_EQ(resp.message().text(), "PLEASE SHOUT");
  EXPECT_TRUE(Eventually([&] {
    v1::Plugin p = PluginInfo("faulty");
    return p.state() == v1::PLUGIN_STATE_RUNNING && p.restarts() == 1;
  })) << server_->log();
  // Restarted, it is called again (and throws again, failing open again).
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "throw", &resp).ok());
  EXPECT_EQ(PluginInfo("faulty").recent_failures(), 2);
  std::vector<v1::Message> history = admin_->History(general_);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].text(), "throw");
}

INSTANTIATE_TEST_SUITE_P(Modes, ThrowingHookTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InProcess" : "Isolated"; });

// ---- Unload and reload while posts flow (true: the fixture runs in-process) ----

class ReloadWhilePostingTest : public PluginServerTest, public ::testing::WithParamInterface<bool> {
 protected:
  void Configure() override {
    if (GetParam()) config_ = "in_process = [\"fixture\"]\n";
  }
};

TEST_P(ReloadWhilePostingTest, NoPostIsLostAndHooksFireAfterwards) {
  constexpr int kPosters = 3;
  std::atomic<bool> done{false};
  std::atomic<int> acknowledged{0};
  std::mutex mu;
  std::set<std::string> ids;        // guarded by mu
  std::vector<std::string> errors;  // guarded by mu
  std::vector<std::thread> posters;
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back([&, t] {
      Client client(server_->address(), admin_->token);
      for (int i = 0; !done; ++i) {
        const std::string n = std::to_string(t) + "-" + std::to_string(i);
        v1::PostMessageResponse resp;
        grpc::Status s = client.Post(general_, "shout " + n, &resp, "post-" + n);
        std::lock_guard<std::mutex> lock(mu);
        // While the fixture restarts the host fails open; otherwise it shouts.
        const std::string& text = resp.message().text();
        if (!s.ok()) {
          errors.push_back(s.error_message());
        } else if (text != "shout " + n && text != "SHOUT " + n) {
          errors.push_back("unexpected text " + text);
        } else {
          ids.insert(resp.message().id());
          ++acknowledged;
        }
      }
    });
  }
  // Each step waits for more posts to land, so that every one happens while posts flow.
  auto more_posts = [&] {
    const int before = acknowledged.load();
    return Eventually([&] { return acknowledged.load() >= before + kPosters; });
  };
  ASSERT_TRUE(more_posts());
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    v1::Plugin p;
    grpc::Status s = admin_->Reload("fixture", &p);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(p.state(), v1::PLUGIN_STATE_RUNNING) << p.last_error();
    ASSERT_TRUE(more_posts());
    ASSERT_TRUE(admin_->Disable("fixture").ok());
    ASSERT_TRUE(more_posts());
    ASSERT_TRUE(admin_->Enable("fixture", &p).ok());
    EXPECT_EQ(p.state(), v1::PLUGIN_STATE_RUNNING) << p.last_error();
    ASSERT_TRUE(admin_->Reload("echo").ok());
    ASSERT_TRUE(more_posts());
  }
  done = true;
  for (std::thread& t : posters) t.join();

  EXPECT_TRUE(errors.empty()) << errors.size() << " posts failed, first: " << errors.front();
  std::vector<v1::Message> history = admin_->History(general_);
  std::set<std::string> stored;
  for (const v1::Message& m : history) stored.insert(m.id());
  EXPECT_EQ(history.size(), ids.size());
  EXPECT_EQ(stored, ids);
  std::printf("%zu posts from %d threads across %d reload/disable/enable rounds\n", ids.size(),
              kPosters, kRounds);

  // Every hook fires again after the last reload.
  v1::PostMessageResponse resp;
  ASSERT_TRUE(admin_->Post(general_, "please shout", &resp).ok());
  EXPECT_EQ(resp.message().text(), "PLEASE SHOUT");
  const std::string expected = resp.message().id() + "|PLEASE SHOUT";
  std::string last;
  EXPECT_TRUE(Eventually([&] {
    return admin_->Invoke("fixture", "kv_get", "last_posted", &last).ok() && last == expected;
  })) << last;
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/fixture hi", &resp).ok());
  EXPECT_TRUE(Contains(resp.command_response(), "fixture:hi")) << resp.command_response();
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/echo back", &resp).ok());
  EXPECT_EQ(resp.command_response(), "echo: back");
  std::string activations;
  ASSERT_TRUE(admin_->Invoke("fixture", "kv_get", "activations", &activations).ok());
  EXPECT_EQ(activations, std::string(1 + 2 * kRounds, 'x'));  // start, each reload and enable
}

INSTANTIATE_TEST_SUITE_P(Modes, ReloadWhilePostingTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InProcess" : "Isolated"; });

// ---- The automatic disable is remembered (failures restart after 50 ms here) ----

TEST_F(PluginServerTest, AutomaticDisableSurvivesARestartUntilEnabled) {
  v1::PostMessageResponse resp;
  for (const char* crash : {"segv", "abort", "segv"}) {
    ASSERT_TRUE(Eventually([&] {
      return PluginInfo("faulty").state() == v1::PLUGIN_STATE_RUNNING;
    })) << server_->log();
    ASSERT_TRUE(admin_->Post(general_, crash, &resp).ok());
  }
  v1::Plugin faulty = PluginInfo("faulty");
  EXPECT_EQ(faulty.state(), v1::PLUGIN_STATE_FAILED);
  const std::string reason = faulty.last_error();
  EXPECT_TRUE(Contains(reason, "signal 11")) << reason;
  EXPECT_TRUE(Contains(reason, "disabled after 3 failures within 1h")) << reason;
  EXPECT_TRUE(LogHas("disabled after 3 failures within 1h")) << server_->log();

  RestartServer();
  faulty = PluginInfo("faulty");
  EXPECT_EQ(faulty.state(), v1::PLUGIN_STATE_FAILED);
  EXPECT_EQ(faulty.last_error(), reason);
  EXPECT_EQ(faulty.restarts(), 0);
  EXPECT_TRUE(LogHas("plugin faulty stays disabled")) << server_->log();
  // It stays out of the way while the server and the other plugins serve.
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "segv", &resp).ok());
  EXPECT_EQ(resp.message().text(), "segv");
  faulty = PluginInfo("faulty");
  EXPECT_EQ(faulty.state(), v1::PLUGIN_STATE_FAILED);
  EXPECT_EQ(faulty.recent_failures(), 0);  // it was not called
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "please shout", &resp).ok());
  EXPECT_EQ(resp.message().text(), "PLEASE SHOUT");

  v1::Plugin enabled;
  grpc::Status s = admin_->Enable("faulty", &enabled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(enabled.state(), v1::PLUGIN_STATE_RUNNING);
  EXPECT_EQ(enabled.recent_failures(), 0);
  RestartServer();
  EXPECT_EQ(PluginInfo("faulty").state(), v1::PLUGIN_STATE_RUNNING)
      << PluginInfo("faulty").last_error();
}

// ---- Idempotent retries ----

class RetryTest : public PluginServerTest {
 protected:
  void Configure() override { AddPlugin("counter", MERIDIAN_COUNTER_PLUGIN); }

  std::string Counts() {
    std::string counts;
    grpc::Status s = admin_->Invoke("counter", "counts", "", &counts);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return counts;
  }
};

TEST_F(RetryTest, RetriesRunNoHookOrCommandTwice) {
  v1::PostMessageResponse first, retry;
  ASSERT_TRUE(admin_->Post(general_, "hello", &first, "key-1").ok());
  ASSERT_TRUE(admin_->Post(general_, "hello", &retry, "key-1").ok());
  EXPECT_FALSE(first.deduplicated());
  EXPECT_TRUE(retry.deduplicated());
  EXPECT_EQ(retry.message().id(), first.message().id());

  v1::PostMessageResponse command;
  ASSERT_TRUE(admin_->Post(general_, "/count", &command, "key-2").ok());
  EXPECT_EQ(command.command_response(), "count 1");
  command.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/count", &command, "key-2").ok());
  EXPECT_EQ(command.command_response(), "count 1");
  EXPECT_TRUE(command.deduplicated());
  command.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/count", &command, "key-3").ok());
  EXPECT_EQ(command.command_response(), "count 2");

  // Retries racing each other: one post, one run of the hooks.
  constexpr int kRacers = 4;
  std::vector<v1::PostMessageResponse> raced(kRacers);
  std::vector<grpc::Status> statuses(kRacers);
  std::vector<std::thread> racers;
  for (int k = 0; k < kRacers; ++k) {
    racers.emplace_back([&, k] {
      Client client(server_->address(), admin_->token);
      statuses[k] = client.Post(general_, "raced", &raced[k], "key-4");
    });
  }
  for (std::thread& t : racers) t.join();
  int fresh = 0;
  for (int k = 0; k < kRacers; ++k) {
    ASSERT_TRUE(statuses[k].ok()) << statuses[k].error_message();
    EXPECT_EQ(raced[k].message().id(), raced[0].message().id());
    fresh += raced[k].deduplicated() ? 0 : 1;
  }
  EXPECT_EQ(fresh, 1);

  // message_posted is delivered in order by one worker: once the sentinel's is counted, a
  // duplicate delivery for a retry would have been counted before it.
  ASSERT_TRUE(admin_->Post(general_, "sentinel", &first).ok());
  std::string counts;
  EXPECT_TRUE(Eventually([&] {
    counts = Counts();
    return Contains(counts, "posted=3 ");
  })) << counts;
  EXPECT_EQ(counts, "will_post=3 posted=3 command=2");
  EXPECT_EQ(admin_->History(general_).size(), 3u);
}

}  // namespace
}  // namespace meridian::testing
