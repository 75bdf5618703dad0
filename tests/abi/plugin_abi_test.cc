// The ABI promise, end to end: the plugin built from the frozen 1.0 header loads and every hook
// and host function works, in a runner process and in-process; incompatible plugins are refused
// cleanly; plugin KV namespaces are isolated; reload and disable work while calls flow.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/abi/abi_test_support.h"

namespace meridian::plugins::testing {
namespace {

using Kind = HookDecision::Kind;

std::string Variant(const std::string& name) {
  return absl::StrCat(MERIDIAN_VARIANT_DIR, "/abi_variant_", name, ".so");
}

class V1FixtureTest : public PluginHostTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    PluginHostTest::SetUp();
    if (GetParam()) options_.in_process = {"fixture"};
    AddPlugin("fixture", MERIDIAN_V1_FIXTURE, "[settings]\ngreeting = \"hello\"\n");
    StartManager();
  }
};

TEST_P(V1FixtureTest, LoadsAndEveryHookFires) {
  PluginInfo info = Info("fixture");
  ASSERT_EQ(info.state, PluginState::kRunning) << info.last_error;
  EXPECT_EQ(info.in_process, GetParam());
  EXPECT_EQ(info.abi_minor, 0u);

  // message_will_be_posted: allow, reject with a reason, modify.
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("hi there")).kind, Kind::kAllow);
  HookDecision rejected = manager_->MessageWillBePosted(Draft("please reject this"));
  EXPECT_EQ(rejected.kind, Kind::kReject);
  EXPECT_EQ(rejected.text, "fixture says no");
  EXPECT_EQ(rejected.plugin_id, "fixture");
  HookDecision modified = manager_->MessageWillBePosted(Draft("shout it"));
  EXPECT_EQ(modified.kind, Kind::kModify);
  EXPECT_EQ(modified.text, "SHOUT IT");

  // message_posted is asynchronous; the plugin records it in its KV store.
  PluginMessage posted = Draft("committed");
  posted.id = "m1-9";
  manager_->MessagePosted(posted);
  ASSERT_TRUE(manager_->WaitForIdle(absl::Seconds(10)));
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "kv_get", "last_posted").value(), "m1-9|committed");

  // Slash command with a user lookup (time zone and working hours); /help lists it.
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "/fixture  abc def").value(),
            "fixture:abc def tz=Asia/Tokyo hours=2 first=1/540-1080");
  std::string help = manager_->SlashCommand("u7", "c1", "/help").value();
  EXPECT_TRUE(absl::StrContains(help, "/fixture — the ABI fixture's command")) << help;
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "/nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "fixture").status().code(),
            absl::StatusCode::kInvalidArgument);

  // Timers: scheduling goes to PluginServices; firing runs the hook, which posts as the bot.
  ASSERT_TRUE(manager_->InvokeEndpoint("fixture", "timer", "t1").ok());
  EXPECT_EQ(
      services_.log().back(),
      absl::StrCat("timer fixture t1 at ", absl::ToUnixMillis(clock_.Now()) + 1500, " every 0"));
  ASSERT_TRUE(manager_->TimerFired("fixture", "t1").ok());
  ASSERT_FALSE(services_.posts().empty());
  EXPECT_EQ(services_.posts().back().plugin_id, "fixture");
  EXPECT_EQ(services_.posts().back().text, "timer t1");

  // Endpoints, directory, settings, ephemeral replies, edits, the clock extension.
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "echo", std::string("a\0b", 3)).value(),
            std::string("a\0b", 3));
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "whoami", "").value(), "fixture");
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "channel", "c1").value(), "general:u7,u8");
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "channel", "c404").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "setting", "greeting").value(), "hello");
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "now", "").value(),
            absl::StrCat(ToMicros(clock_.Now())));
  ASSERT_TRUE(manager_->InvokeEndpoint("fixture", "ephemeral", "only you").ok());
  EXPECT_EQ(services_.log().back(), "ephemeral fixture u7 c1 only you");
  ASSERT_TRUE(manager_->InvokeEndpoint("fixture", "edit", "final").ok());
  EXPECT_TRUE(absl::StartsWith(services_.log().back(), "edit fixture m1-"))
      << services_.log().back();
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "unregistered", "").status().code(),
            absl::StatusCode::kNotFound);

  // Settings changes reach the plugin through configuration_changed.
  EXPECT_EQ(manager_->UpdateSettings("fixture", {{"nope", "x"}}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(manager_->UpdateSettings("fixture", {{"greeting", "hola"}}).ok());
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "setting", "greeting").value(), "hola");
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "kv_get", "config_changed").value(), "yes");

  // notification_will_be_sent: suppress, modify, deliver.
  PluginNotification n{"u7", "c1", "m1-1", "title", "be quiet", false};
  EXPECT_EQ(manager_->NotificationWillBeSent(n).kind, Kind::kReject);
  n.body = "make it short";
  HookDecision shortened = manager_->NotificationWillBeSent(n);
  EXPECT_EQ(shortened.kind, Kind::kModify);
  EXPECT_EQ(shortened.text, "[short]");
  n.body = "normal";
  EXPECT_EQ(manager_->NotificationWillBeSent(n).kind, Kind::kAllow);

  // KV listing by prefix.
  ASSERT_TRUE(manager_->InvokeEndpoint("fixture", "kv_set", "job:2=b").ok());
  ASSERT_TRUE(manager_->InvokeEndpoint("fixture", "kv_set", "job:1=a").ok());
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "kv_list", "job:").value(), "job:1,job:2");
}

INSTANTIATE_TEST_SUITE_P(Modes, V1FixtureTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InProcess" : "Isolated"; });

TEST_F(PluginHostTest, IncompatiblePluginsAreRefusedCleanlyAndOthersRun) {
  AddPlugin("wrong-major", Variant("wrong_major"));
  AddPlugin("no-entry", Variant("no_entry"));
  AddPlugin("small-struct", Variant("small_struct"));
  AddPlugin("needs-newer-host", Variant("needs_newer_host"));
  AddPlugin("entry-refuses", Variant("entry_refuses"));
  AddPlugin("missing-library", "/nonexistent/plugin.so");
  AddPlugin("manifest-too-new", MERIDIAN_V1_FIXTURE, "min_abi = \"1.99\"\n");
  AddPlugin("fixture", MERIDIAN_V1_FIXTURE);
  StartManager();

  const std::map<std::string, std::string> expected = {
      {"wrong-major",
       "built for plugin ABI major version 2 but this server speaks major version 1"},
      {"no-entry", "does not export meridian_plugin_entry"},
      {"small-struct", "struct_size 8 is smaller than ABI 1.0's"},
      {"needs-newer-host", "requires plugin ABI 1.9 or newer but this server offers 1.0"},
      {"entry-refuses", "meridian_plugin_entry refused to load (status 11)"},
      {"missing-library", "cannot load /nonexistent/plugin.so"},
      {"manifest-too-new", "needs plugin ABI 1.99 but this server offers 1.0"},
  };
  for (const auto& [id, why] : expected) {
    PluginInfo info = Info(id);
    EXPECT_EQ(info.state, PluginState::kRefused) << id;
    EXPECT_TRUE(absl::StrContains(info.last_error, why)) << id << ": " << info.last_error;
    // Refusals are permanent until fixed: polling later never retries them.
  }
  clock_.Advance(absl::Hours(1));
  manager_->Poll();
  EXPECT_EQ(Info("wrong-major").state, PluginState::kRefused);
  EXPECT_EQ(Info("fixture").state, PluginState::kRunning);
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("shout")).text, "SHOUT");
}

TEST_F(PluginHostTest, NewerMinorPluginRunsOnThisHostWithWhatItOffers) {
  AddPlugin("newer", Variant("newer_minor"));
  StartManager();
  PluginInfo info = Info("newer");
  ASSERT_EQ(info.state, PluginState::kRunning) << info.last_error;
  EXPECT_EQ(info.abi_minor, 7u);
  HookDecision d = manager_->MessageWillBePosted(Draft("x"));
  EXPECT_EQ(d.kind, Kind::kModify);
  EXPECT_EQ(d.text, "newer:x");
}

TEST_F(PluginHostTest, KvNamespacesAreIsolatedBetweenPlugins) {
  // Same library, two plugin ids: only the namespace differs. "alpha" vs "alphab" also checks
  // that one id being a prefix of another does not leak keys.
  AddPlugin("alpha", MERIDIAN_V1_FIXTURE);
  AddPlugin("alphab", MERIDIAN_V1_FIXTURE);
  StartManager();
  ASSERT_TRUE(manager_->InvokeEndpoint("alpha", "kv_set", "secret=42").ok());
  ASSERT_TRUE(manager_->InvokeEndpoint("alphab", "kv_set", "other=1").ok());
  EXPECT_EQ(manager_->InvokeEndpoint("alpha", "kv_get", "secret").value(), "42");
  EXPECT_EQ(manager_->InvokeEndpoint("alphab", "kv_get", "secret").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->InvokeEndpoint("alpha", "kv_list", "").value(), "activations,secret");
  EXPECT_EQ(manager_->InvokeEndpoint("alphab", "kv_list", "").value(), "activations,other");
}

TEST_F(PluginHostTest, DisableIsRememberedAndEnableRestarts) {
  AddPlugin("fixture", MERIDIAN_V1_FIXTURE);
  StartManager();
  ASSERT_TRUE(manager_->Disable("fixture").ok());
  EXPECT_EQ(Info("fixture").state, PluginState::kDisabled);
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("reject")).kind, Kind::kAllow);
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "/fixture").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->Reload("fixture").code(), absl::StatusCode::kFailedPrecondition);
  manager_->Stop();

  StartManager();  // a server restart over the same database
  EXPECT_EQ(Info("fixture").state, PluginState::kDisabled);
  ASSERT_TRUE(manager_->Enable("fixture").ok());
  EXPECT_EQ(Info("fixture").state, PluginState::kRunning);
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("reject")).kind, Kind::kReject);
  EXPECT_EQ(manager_->Enable("nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(PluginHostTest, ReloadAndDisableWhileCallsFlow) {
  AddPlugin("fixture", MERIDIAN_V1_FIXTURE);
  StartManager();
  std::atomic<bool> done{false};
  std::atomic<int> calls{0}, modified{0}, bad{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      while (!done) {
        HookDecision d = manager_->MessageWillBePosted(Draft("shout"));
        // While the plugin restarts the host fails open; otherwise the plugin modifies.
        if (d.kind == Kind::kModify && d.text == "SHOUT") {
          ++modified;
        } else if (d.kind != Kind::kAllow) {
          ++bad;
        }
        absl::StatusOr<std::string> echo = manager_->InvokeEndpoint("fixture", "echo", "e");
        if (echo.ok() && *echo != "e") ++bad;
        ++calls;
      }
    });
  }
  for (int round = 0; round < 4; ++round) {
    ASSERT_TRUE(manager_->Reload("fixture").ok());
    ASSERT_TRUE(manager_->Disable("fixture").ok());
    ASSERT_TRUE(manager_->Enable("fixture").ok());
  }
  // Let calls run against the final instance too.
  while (modified.load() < 20) std::this_thread::yield();
  done = true;
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(calls.load(), 20);
  PluginInfo info = Info("fixture");
  EXPECT_EQ(info.state, PluginState::kRunning);
  EXPECT_EQ(info.restarts, 4);
  EXPECT_EQ(info.recent_failures, 0);
  // 1 + 4 reloads + 4 enables: every start ran activate against the same namespace.
  EXPECT_EQ(manager_->InvokeEndpoint("fixture", "kv_get", "activations").value(),
            std::string(9, 'x'));
}

TEST_F(PluginHostTest, EchoExampleWorksThroughTheHost) {
  AddPlugin("echo", MERIDIAN_ECHO_PLUGIN, "[settings]\nprefix = \"echo: \"\nblocked_word = \"\"\n");
  StartManager();
  ASSERT_EQ(Info("echo").state, PluginState::kRunning) << Info("echo").last_error;
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "/echo hi there").value(), "echo: hi there");
  EXPECT_EQ(manager_->SlashCommand("u7", "c1", "/echo again").value(), "echo: again");
  EXPECT_EQ(manager_->InvokeEndpoint("echo", "count", "").value(), "2");
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("darn it")).kind, Kind::kAllow);
  ASSERT_TRUE(manager_->UpdateSettings("echo", {{"blocked_word", "darn"}}).ok());
  HookDecision d = manager_->MessageWillBePosted(Draft("darn it"));
  EXPECT_EQ(d.kind, Kind::kReject);
  EXPECT_EQ(d.text, "this message contains a blocked word");
}

// Round-trip cost of one message_will_be_posted through a runner process vs in-process; prints
// the numbers and guards against gross regressions only.
TEST_F(PluginHostTest, HookLatency) {
  options_.in_process = {"inproc"};
  AddPlugin("isolated", MERIDIAN_V1_FIXTURE);
  AddPlugin("inproc", MERIDIAN_V1_FIXTURE);
  StartManager();
  const int kCalls = 2000;
  for (const std::string id : {"isolated", "inproc"}) {
    ASSERT_TRUE(manager_->Disable(id == "isolated" ? "inproc" : "isolated").ok());
    ASSERT_TRUE(manager_->Enable(id).ok());
    auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < kCalls; ++k) {
      ASSERT_EQ(manager_->MessageWillBePosted(Draft("shout")).kind, Kind::kModify);
    }
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                    .count() /
                kCalls;
    std::printf("message_will_be_posted %s: %.1f us/call over %d calls\n", id.c_str(), us, kCalls);
    EXPECT_LT(us, 5000.0);
  }
}

}  // namespace
}  // namespace meridian::plugins::testing
