// The plugin host inside a real meridiand: real meridian-plugin-runner processes loading the
// echo example, the ABI fixture and the faulty fixture, driven through the generated gRPC client.
// Restarts and deadlines happen in real time here, so waits poll with a generous limit rather
// than sleeping a fixed time. Faults, refusals and reloads: plugin_lifecycle_test.cc.
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

#include "tests/plugins/plugin_server_fixture.h"

namespace meridian::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST_F(PluginServerTest, SlashCommandsAnswerThroughPostMessageWithoutPosting) {
  v1::PostMessageResponse resp;
  grpc::Status s = admin_->Post(general_, "/echo hello there", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.command_response(), "echo: hello there");
  EXPECT_FALSE(resp.has_message());
  EXPECT_TRUE(admin_->History(general_).empty());

  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/help", &resp).ok());
  EXPECT_NE(resp.command_response().find("/echo"), std::string::npos) << resp.command_response();

  s = admin_->Post(general_, "/nope now", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("/echo"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("/fixture"), std::string::npos) << s.error_message();

  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "//echo is a command", &resp).ok());
  EXPECT_EQ(resp.message().text(), "/echo is a command");
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "/etc/hosts is ordinary text", &resp).ok());
  EXPECT_EQ(resp.message().text(), "/etc/hosts is ordinary text");

  std::string count;
  s = admin_->Invoke("echo", "count", "", &count);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(count, "1");  // only the one /echo
  EXPECT_EQ(admin_->Invoke("echo", "nope", "", nullptr).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(admin_->Invoke("ghost", "count", "", nullptr).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ListCommandsResponse commands;
  ASSERT_TRUE(
      admin_->plugins->ListCommands(admin_->Ctx().get(), v1::ListCommandsRequest(), &commands)
          .ok());
  ASSERT_EQ(commands.commands_size(), 2);
  EXPECT_EQ(commands.commands(0).trigger(), "echo");
  EXPECT_EQ(commands.commands(1).trigger(), "fixture");
}

TEST_F(PluginServerTest, HooksRejectRewriteAndSeeCommittedPosts) {
  v1::PostMessageResponse resp;
  grpc::Status s = admin_->Post(general_, "this is forbidden", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("blocked word"), std::string::npos) << s.error_message();
  s = admin_->Post(general_, "please reject me", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("fixture says no"), std::string::npos) << s.error_message();
  EXPECT_TRUE(admin_->History(general_).empty());  // a rejected post leaves nothing behind

  ASSERT_TRUE(admin_->Post(general_, "please shout", &resp).ok());
  EXPECT_EQ(resp.message().text(), "PLEASE SHOUT");
  const std::string expected = resp.message().id() + "|PLEASE SHOUT";
  std::string last;
  EXPECT_TRUE(Eventually([&] {
    return admin_->Invoke("fixture", "kv_get", "last_posted", &last).ok() && last == expected;
  })) << last;
}

TEST_F(PluginServerTest, PluginBotsPostEditAndFireDurableTimers) {
  v1::PostMessageResponse root;
  ASSERT_TRUE(admin_->Post(general_, "root", &root).ok());
  ASSERT_EQ(general_, "c1");  // the fixture hard-codes c1 and m1-1
  ASSERT_EQ(root.message().id(), "m1-1");

  grpc::Status s = admin_->Invoke("fixture", "edit", "edited by the bot", nullptr);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::GetThreadRequest thread_req;
  thread_req.set_message_id("m1-1");
  v1::GetThreadResponse thread;
  ASSERT_TRUE(admin_->messages->GetThread(admin_->Ctx().get(), thread_req, &thread).ok());
  ASSERT_EQ(thread.replies_size(), 1);
  EXPECT_EQ(thread.replies(0).text(), "edited by the bot");
  EXPECT_EQ(thread.replies(0).revision_count(), 1);
  v1::GetUserRequest user_req;
  user_req.set_user_id(thread.replies(0).author_id());
  v1::GetUserResponse bot;
  ASSERT_TRUE(admin_->users->GetUser(admin_->Ctx().get(), user_req, &bot).ok());
  EXPECT_EQ(bot.user().name(), "fixture-bot");
  EXPECT_TRUE(bot.user().is_bot());
  Client impostor(server_->address());
  v1::LoginRequest login;
  login.set_name("fixture-bot");
  login.set_password("");
  v1::LoginResponse login_resp;
  EXPECT_EQ(impostor.auth->Login(impostor.Ctx().get(), login, &login_resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Nor can a person take a bot's name, present or future.
  for (const char* name : {"fixture-bot", "echo-bot", "future-bot"}) {
    grpc::Status taken = impostor.Register(name);
    EXPECT_EQ(taken.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_NE(taken.error_message().find("reserved for plugins' bot users"), std::string::npos)
        << taken.error_message();
  }

  // The fixture schedules a 1.5 s timer whose firing posts "timer <id>" as its bot.
  ASSERT_TRUE(admin_->Invoke("fixture", "timer", "t1", nullptr).ok());
  bool fired = Eventually([&] {
    for (const v1::Message& m : admin_->History(general_)) {
      if (m.text() == "timer t1" && m.author_id() == bot.user().id()) return true;
    }
    return false;
  });
  EXPECT_TRUE(fired) << server_->log();
}

// Reads `reader` until an event satisfies `match` or the stream ends; that event, or none.
std::optional<v1::Event> NextMatching(grpc::ClientReader<v1::SubscribeResponse>& reader,
                                      const std::function<bool(const v1::Event&)>& match) {
  v1::SubscribeResponse r;
  while (reader.Read(&r)) {
    if (r.has_event() && match(r.event())) return r.event();
  }
  return std::nullopt;
}

TEST_F(PluginServerTest, EphemeralRepliesReachOnlyTheirUser) {
  // The fixture sends its ephemeral reply to u7 in c1: register users up to u7.
  std::vector<std::unique_ptr<Client>> users;
  for (const char* name : {"bob", "carol", "dave", "erin", "frank", "gina"}) {
    users.push_back(std::make_unique<Client>(server_->address()));
    ASSERT_TRUE(users.back()->Register(name).ok());
  }
  Client& gina = *users.back();
  v1::GetUserResponse me;
  v1::GetUserRequest me_req;
  me_req.set_user_id("@gina");
  ASSERT_TRUE(gina.users->GetUser(gina.Ctx().get(), me_req, &me).ok());
  ASSERT_EQ(me.user().id(), "u7");
  v1::JoinChannelRequest join;
  join.set_channel_id(general_);
  v1::JoinChannelResponse joined;
  ASSERT_TRUE(gina.channels->JoinChannel(gina.Ctx().get(), join, &joined).ok());

  v1::SubscribeRequest from_now;
  auto gina_ctx = gina.Ctx();
  auto gina_stream = gina.events->Subscribe(gina_ctx.get(), from_now);
  auto alice_ctx = admin_->Ctx();
  auto alice_stream = admin_->events->Subscribe(alice_ctx.get(), from_now);
  auto caught_up = [](grpc::ClientReader<v1::SubscribeResponse>& reader) {
    v1::SubscribeResponse r;
    while (reader.Read(&r)) {
      if (r.caught_up()) return true;
    }
    return false;
  };
  ASSERT_TRUE(caught_up(*gina_stream));
  ASSERT_TRUE(caught_up(*alice_stream));

  grpc::Status s = admin_->Invoke("fixture", "ephemeral", "psst", nullptr);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::PostMessageResponse sentinel;
  ASSERT_TRUE(admin_->Post(general_, "sentinel", &sentinel).ok());

  auto ephemeral_or_sentinel = [](const v1::Event& e) {
    return e.type() == v1::EVENT_TYPE_EPHEMERAL ||
           (e.type() == v1::EVENT_TYPE_MESSAGE_POSTED && e.message().text() == "sentinel");
  };
  std::optional<v1::Event> got = NextMatching(*gina_stream, ephemeral_or_sentinel);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type(), v1::EVENT_TYPE_EPHEMERAL);
  EXPECT_EQ(got->message().text(), "psst");
  EXPECT_EQ(got->message().channel_id(), general_);
  EXPECT_TRUE(got->message().id().empty());
  got = NextMatching(*alice_stream, ephemeral_or_sentinel);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type(), v1::EVENT_TYPE_MESSAGE_POSTED);  // alice never saw the reply
  EXPECT_EQ(admin_->History(general_).size(), 1u);        // and history holds only the post
  gina_ctx->TryCancel();
  alice_ctx->TryCancel();
}

TEST_F(PluginServerTest, CrashingHookFailsOpenAndThePluginIsRestarted) {
  v1::PostMessageResponse resp;
  grpc::Status s = admin_->Post(general_, "segv", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.message().text(), "segv");
  v1::Plugin faulty = PluginInfo("faulty");
  EXPECT_NE(faulty.state(), v1::PLUGIN_STATE_FAILED);
  EXPECT_GE(faulty.recent_failures(), 1);

  // The server and the other plugins keep serving.
  ASSERT_TRUE(admin_->Post(general_, "/echo still here", &resp).ok());
  EXPECT_EQ(resp.command_response(), "echo: still here");
  ASSERT_EQ(admin_->History(general_).size(), 1u);

  EXPECT_TRUE(Eventually([&] {
    v1::Plugin p = PluginInfo("faulty");
    return p.state() == v1::PLUGIN_STATE_RUNNING && p.restarts() >= 1;
  })) << server_->log();
  resp.Clear();
  ASSERT_TRUE(admin_->Post(general_, "after the restart", &resp).ok());
  EXPECT_EQ(resp.message().text(), "after the restart");
}

TEST_F(PluginServerTest, HangingHookIsCutOffAtTheDeadline) {
  v1::PostMessageResponse resp;
  const auto start = Clock::now();
  grpc::Status s = admin_->Post(general_, "sleep", &resp);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  ASSERT_TRUE(s.ok()) << s.error_message();
  RecordProperty("post_with_hung_hook_ms", static_cast<int>(elapsed_ms));
  std::printf("post with a hung hook (deadline %d ms) took %lld ms\n", kHookDeadlineMs,
              static_cast<long long>(elapsed_ms));
  EXPECT_EQ(resp.message().text(), "sleep");
  EXPECT_GE(elapsed_ms, kHookDeadlineMs - 50);
  EXPECT_LT(elapsed_ms, kHookDeadlineMs + 1500);  // the faulty plugin sleeps 30 s
  ASSERT_EQ(admin_->History(general_).size(), 1u);
  v1::Plugin faulty = PluginInfo("faulty");
  EXPECT_GE(faulty.recent_failures(), 1);
}

TEST_F(PluginServerTest, OnlyAdministratorsManagePlugins) {
  Client bob(server_->address());
  ASSERT_TRUE(bob.Register("bob").ok());
  std::map<std::string, v1::Plugin> all;
  EXPECT_EQ(bob.ListPlugins(&all).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::DisablePluginRequest disable;
  disable.set_plugin_id("echo");
  v1::DisablePluginResponse disabled;
  EXPECT_EQ(bob.plugins->DisablePlugin(bob.Ctx().get(), disable, &disabled).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::EnablePluginRequest enable;
  enable.set_plugin_id("echo");
  v1::EnablePluginResponse enabled;
  EXPECT_EQ(bob.plugins->EnablePlugin(bob.Ctx().get(), enable, &enabled).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ReloadPluginRequest reload;
  reload.set_plugin_id("fixture");
  v1::ReloadPluginResponse reloaded;
  EXPECT_EQ(bob.plugins->ReloadPlugin(bob.Ctx().get(), reload, &reloaded).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  std::string count;
  EXPECT_TRUE(bob.Invoke("echo", "count", "", &count).ok());  // endpoints are for everyone

  ASSERT_TRUE(admin_->ListPlugins(&all).ok());
  ASSERT_EQ(all.size(), 3u);
  for (const auto& [id, p] : all) {
    EXPECT_EQ(p.state(), v1::PLUGIN_STATE_RUNNING) << id << ": " << p.last_error();
    EXPECT_FALSE(p.in_process()) << id;
  }

  grpc::Status s = admin_->plugins->DisablePlugin(admin_->Ctx().get(), disable, &disabled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(disabled.plugin().state(), v1::PLUGIN_STATE_DISABLED);
  v1::PostMessageResponse resp;
  EXPECT_EQ(admin_->Post(general_, "/echo hi", &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(admin_->Post(general_, "forbidden is fine now", &resp).ok());
  v1::ReloadPluginRequest reload_echo;
  reload_echo.set_plugin_id("echo");
  EXPECT_EQ(admin_->plugins->ReloadPlugin(admin_->Ctx().get(), reload_echo, &reloaded).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  s = admin_->plugins->EnablePlugin(admin_->Ctx().get(), enable, &enabled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(enabled.plugin().state(), v1::PLUGIN_STATE_RUNNING);
  resp.Clear();
  s = admin_->Post(general_, "/echo back", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << server_->log();
  EXPECT_EQ(resp.command_response(), "echo: back");

  // Reloading re-runs activate, which the fixture counts in its KV store.
  s = admin_->plugins->ReloadPlugin(admin_->Ctx().get(), reload, &reloaded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reloaded.plugin().state(), v1::PLUGIN_STATE_RUNNING);
  std::string activations;
  s = admin_->Invoke("fixture", "kv_get", "activations", &activations);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << server_->log();
  EXPECT_EQ(activations, "xx");

  disable.set_plugin_id("ghost");
  EXPECT_EQ(admin_->plugins->DisablePlugin(admin_->Ctx().get(), disable, &disabled).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace meridian::testing
