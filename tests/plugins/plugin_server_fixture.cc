#include "tests/plugins/plugin_server_fixture.h"

#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace meridian::testing {

namespace fs = std::filesystem;

grpc::Status Client::Post(const std::string& channel_id, const std::string& text,
                          v1::PostMessageResponse* resp, const std::string& idempotency_key) {
  v1::PostMessageRequest req;
  req.set_channel_id(channel_id);
  req.set_text(text);
  req.set_idempotency_key(idempotency_key);
  return messages->PostMessage(Ctx().get(), req, resp);
}

std::vector<v1::Message> Client::History(const std::string& channel_id) {
  std::vector<v1::Message> out;
  v1::GetHistoryRequest req;
  req.set_channel_id(channel_id);
  req.set_page_size(200);
  for (;;) {
    v1::GetHistoryResponse resp;
    grpc::Status s = messages->GetHistory(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    out.insert(out.end(), resp.messages().begin(), resp.messages().end());
    if (!s.ok() || resp.next_cursor().empty()) return out;
    req.set_before_cursor(resp.next_cursor());
  }
}

grpc::Status Client::Invoke(const std::string& plugin, const std::string& method,
                            const std::string& payload, std::string* out) {
  v1::InvokeRequest req;
  req.set_plugin_id(plugin);
  req.set_method(method);
  req.set_payload(payload);
  v1::InvokeResponse resp;
  grpc::Status s = plugins->Invoke(Ctx().get(), req, &resp);
  if (out != nullptr) *out = resp.payload();
  return s;
}

grpc::Status Client::ListPlugins(std::map<std::string, v1::Plugin>* out) {
  v1::ListPluginsResponse resp;
  grpc::Status s = plugins->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &resp);
  for (const v1::Plugin& p : resp.plugins()) (*out)[p.id()] = p;
  return s;
}

grpc::Status Client::Enable(const std::string& plugin_id, v1::Plugin* out) {
  v1::EnablePluginRequest req;
  req.set_plugin_id(plugin_id);
  v1::EnablePluginResponse resp;
  grpc::Status s = plugins->EnablePlugin(Ctx().get(), req, &resp);
  if (out != nullptr) *out = resp.plugin();
  return s;
}

grpc::Status Client::Disable(const std::string& plugin_id, v1::Plugin* out) {
  v1::DisablePluginRequest req;
  req.set_plugin_id(plugin_id);
  v1::DisablePluginResponse resp;
  grpc::Status s = plugins->DisablePlugin(Ctx().get(), req, &resp);
  if (out != nullptr) *out = resp.plugin();
  return s;
}

grpc::Status Client::Reload(const std::string& plugin_id, v1::Plugin* out) {
  v1::ReloadPluginRequest req;
  req.set_plugin_id(plugin_id);
  v1::ReloadPluginResponse resp;
  grpc::Status s = plugins->ReloadPlugin(Ctx().get(), req, &resp);
  if (out != nullptr) *out = resp.plugin();
  return s;
}

bool Eventually(const std::function<bool()>& done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < limit) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string VariantLibrary(const std::string& name) {
  return std::string(MERIDIAN_VARIANT_DIR) + "/abi_variant_" + name + ".so";
}

void PluginServerTest::SetUp() {
  std::string tmpl = (fs::temp_directory_path() / "meridian-plugin-server-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  root_ = tmpl;
  AddPlugin("echo", MERIDIAN_ECHO_PLUGIN,
            "[settings]\nprefix = \"echo: \"\nblocked_word = \"forbidden\"\n");
  AddPlugin("faulty", MERIDIAN_FAULTY_FIXTURE);
  AddPlugin("fixture", MERIDIAN_V1_FIXTURE);
  Configure();
  const fs::path config = root_ / "meridian.toml";
  std::ofstream(config) << "[plugins]\n"
                        << "dir = \"" << (root_ / "plugins").string() << "\"\n"
                        << "runner = \"" << MERIDIAN_RUNNER_PATH << "\"\n"
                        << "hook_deadline_ms = " << kHookDeadlineMs << "\n"
                        << "restart_backoff_ms = 50\n"  // failures restart at once
                        << config_;
  server_ =
      std::make_unique<MeridiandProcess>(MERIDIAND_PATH, (root_ / "data").string(),
                                         std::vector<std::string>{"--config", config.string()});
  ASSERT_NO_FATAL_FAILURE(StartServer());
  admin_ = std::make_unique<Client>(server_->address());
  ASSERT_TRUE(admin_->Register("alice").ok());  // the first account administers
  v1::CreateChannelRequest create;
  create.set_name("general");
  v1::CreateChannelResponse created;
  ASSERT_TRUE(admin_->channels->CreateChannel(admin_->Ctx().get(), create, &created).ok());
  general_ = created.channel().id();
}

void PluginServerTest::TearDown() {
  StopServer();
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void PluginServerTest::StartServer() {
  ASSERT_TRUE(server_->Start()) << server_->log();
  running_ = true;
}

void PluginServerTest::StopServer() {
  // gRPC lets a server's shutdown wait (2 s here) for clients that still hold a connection.
  admin_.reset();
  if (running_) {
    EXPECT_EQ(server_->Stop(), 0) << server_->log();
  }
  running_ = false;
}

void PluginServerTest::RestartServer() {
  const std::string token = admin_->token;
  StopServer();
  ASSERT_NO_FATAL_FAILURE(StartServer());
  admin_ = std::make_unique<Client>(server_->address(), token);
}

void PluginServerTest::AddPlugin(const std::string& id, const std::string& library,
                                 const std::string& extra) {
  fs::path dir = root_ / "plugins" / id;
  fs::create_directories(dir);
  // A new file renamed into place: a runner may still map the old one.
  fs::copy_file(library, dir / (id + ".so.new"), fs::copy_options::overwrite_existing);
  fs::rename(dir / (id + ".so.new"), dir / (id + ".so"));
  std::ofstream(dir / "plugin.toml") << "id = \"" << id << "\"\nversion = \"1.0.0\"\n"
                                     << "library = \"" << id << ".so\"\nmin_abi = \"1.0\"\n"
                                     << extra;
}

v1::Plugin PluginServerTest::PluginInfo(const std::string& id) {
  std::map<std::string, v1::Plugin> all;
  grpc::Status s = admin_->ListPlugins(&all);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return all[id];
}

bool PluginServerTest::LogHas(const std::string& text) const {
  return server_->log().find(text) != std::string::npos;
}

}  // namespace meridian::testing
