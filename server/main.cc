// meridiand: the Meridian server.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "server/common/logging.h"
#include "server/config.h"
#include "server/core/core.h"
#include "server/rpc/server.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil checks lock order on every Mutex acquisition (a graph insert per lock), which
  // cost ~3% of the server's CPU while fanning out events. The tests keep it: that is where it
  // finds bugs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  using meridian::ServerConfig;
  ServerConfig config;
  std::string config_file, listen, data_dir, durability, log_level;

  CLI::App app{
      "meridiand - the Meridian team-messaging server.\n\n"
      "Serves the gRPC API (meridian.v1) on one address, storing everything in an embedded\n"
      "RocksDB under --data-dir. Settings come from defaults, then --config FILE (TOML; see\n"
      "deploy/meridian.example.toml), then these flags. Logs go to stderr, one line per event.",
      "meridiand"};
  app.add_option("--config", config_file, "TOML config file")->check(CLI::ExistingFile);
  app.add_option("--listen", listen, "address to serve on, HOST:PORT (default 127.0.0.1:7800)");
  app.add_option("--data-dir", data_dir, "data directory, created if missing");
  app.add_option("--durability", durability,
                 "sync: every acknowledged write is fsynced (group commit; default)\n"
                 "relaxed: acknowledged writes survive a crash of meridiand, not of the machine");
  app.add_option("--log-level", log_level, "trace, debug, info (default), warn or error");
  CLI11_PARSE(app, argc, argv);

  if (!config_file.empty()) {
    if (auto s = meridian::ApplyConfigFile(config_file, &config); !s.ok()) {
      std::fprintf(stderr, "meridiand: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  if (!listen.empty()) config.server.listen = listen;
  if (!data_dir.empty()) config.core.data_dir = data_dir;
  if (!log_level.empty()) config.log_level = log_level;
  if (!durability.empty()) {
    auto d = meridian::ParseDurability(durability);
    if (!d.ok()) {
      std::fprintf(stderr, "meridiand: --durability: %s\n",
                   std::string(d.status().message()).c_str());
      return 2;
    }
    config.core.durability = *d;
  }
  if (!config.core.plugins.plugin_dir.empty() && config.core.plugins.runner_path.empty()) {
    config.core.plugins.runner_path = meridian::DefaultPluginRunnerPath();
  }
  if (!meridian::InitLogging(config.log_level)) {
    std::fprintf(stderr, "meridiand: unknown log level \"%s\"\n", config.log_level.c_str());
    return 2;
  }
  if (config.core.data_dir.empty()) {
    std::fprintf(stderr,
                 "meridiand: no data directory: pass --data-dir DIR or set data_dir in "
                 "the config file\n");
    return 2;
  }

  auto core = meridian::Core::Open(config.core, meridian::RealClock::Get());
  if (!core.ok()) {
    MLOG_ERROR("cannot open data directory: {}", std::string(core.status().message()));
    return 1;
  }
  auto server = meridian::rpc::StartServer(**core, config.server);
  if (!server.ok()) {
    MLOG_ERROR("{}", std::string(server.status().message()));
    return 1;
  }
  MLOG_INFO("meridiand listening on {} (port {}, durability {}, {})", config.server.listen,
            (*server)->port(),
            config.core.durability == meridian::storage::Durability::kSync ? "sync" : "relaxed",
            config.server.tls_cert_file.empty() ? "plaintext" : "TLS");
  spdlog::default_logger()->flush();

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::thread waiter([&] { (*server)->Wait(); });
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  MLOG_INFO("shutting down");
  (*server)->Shutdown();
  waiter.join();
  server->reset();
  core->reset();
  MLOG_INFO("stopped");
  return 0;
}
