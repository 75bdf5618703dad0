// Shared by the plugin server suites: a real meridiand started over a plugin directory holding
// real plugin libraries (run by real meridian-plugin-runner processes), and signed-in clients
// driving it through the generated gRPC stubs.
#ifndef MERIDIAN_TESTS_PLUGINS_PLUGIN_SERVER_FIXTURE_H_
#define MERIDIAN_TESTS_PLUGINS_PLUGIN_SERVER_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/events.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/plugins.grpc.pb.h"
#include "meridian/v1/users.grpc.pb.h"
#include "tests/integration/meridiand_process.h"
#include "tests/integration/test_client.h"

namespace meridian::testing {

namespace v1 = ::meridian::v1;

inline constexpr int kHookDeadlineMs = 400;

// One signed-in user's stubs. Not safe for concurrent use except through Post and History.
struct Client : TestClient {
  using TestClient::TestClient;

  grpc::Status Post(const std::string& channel_id, const std::string& text,
                    v1::PostMessageResponse* resp, const std::string& idempotency_key = "");
  // The channel's whole history, newest first, across pages.
  std::vector<v1::Message> History(const std::string& channel_id);
  grpc::Status Invoke(const std::string& plugin, const std::string& method,
                      const std::string& payload, std::string* out);
  grpc::Status ListPlugins(std::map<std::string, v1::Plugin>* out);
  grpc::Status Enable(const std::string& plugin_id, v1::Plugin* out = nullptr);
  grpc::Status Disable(const std::string& plugin_id, v1::Plugin* out = nullptr);
  grpc::Status Reload(const std::string& plugin_id, v1::Plugin* out = nullptr);
};

// Polls `done` until it holds or ~15 s pass: restarts and deadlines happen in real time here.
bool Eventually(const std::function<bool()>& done);

// The library of the ABI handshake variant `name` ("wrong_major", "no_entry", ...).
std::string VariantLibrary(const std::string& name);

// Starts meridiand in SetUp over echo, faulty and fixture (and whatever AddPlugins adds), with
// "alice" registered (the administrator) and channel "general" created.
class PluginServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Subclasses install more plugins or change config_ here, before the server starts.
  virtual void Configure() {}

  // <root>/plugins/<id>/{plugin.toml, <id>.so}, the library copied from the build.
  void AddPlugin(const std::string& id, const std::string& library, const std::string& extra = "");
  // SIGTERM and start again over the same data; admin_ keeps its session.
  void RestartServer();
  v1::Plugin PluginInfo(const std::string& id);
  // True once the server's log has a line containing `text`.
  bool LogHas(const std::string& text) const;

  std::filesystem::path root_;
  // Lines appended to the [plugins] section of the config file.
  std::string config_;
  std::unique_ptr<MeridiandProcess> server_;
  std::unique_ptr<Client> admin_;
  std::string general_;

 private:
  void StartServer();
  void StopServer();

  bool running_ = false;
};

}  // namespace meridian::testing

#endif  // MERIDIAN_TESTS_PLUGINS_PLUGIN_SERVER_FIXTURE_H_
