#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "server/core/test_util.h"

namespace meridian {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    std::string path = dir_.path() + "/meridian.toml";
    std::ofstream(path) << text;
    return path;
  }
  TempDir dir_;
};

TEST_F(ConfigTest, EveryKeyIsApplied) {
  ServerConfig c;
  auto s = ApplyConfigFile(Write(R"(
listen = "0.0.0.0:9000"
data_dir = "/tmp/x"
log_level = "debug"
[storage]
durability = "relaxed"
block_cache_mb = 64
[limits]
max_message_bytes = 1000
max_page_size = 20
[events]
live_buffer = 128
[tls]
cert_file = "/c.pem"
key_file = "/k.pem"
[search]
stemming = false
stemming_language = "german"
max_page_size = 50
cache_mb = 32
)"),
                           &c);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.core.data_dir, "/tmp/x");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.core.durability, storage::Durability::kBuffered);
  EXPECT_EQ(c.core.block_cache_bytes, size_t{64} << 20);
  EXPECT_EQ(c.core.limits.max_message_bytes, 1000u);
  EXPECT_EQ(c.core.limits.max_page_size, 20);
  EXPECT_EQ(c.core.live_buffer, 128u);
  EXPECT_EQ(c.server.tls_cert_file, "/c.pem");
  EXPECT_EQ(c.server.tls_key_file, "/k.pem");
  EXPECT_FALSE(c.core.search.stemming);
  EXPECT_EQ(c.core.search.stemming_language, "german");
  EXPECT_EQ(c.core.search.max_page_size, 50);
  EXPECT_EQ(c.core.search.cache_bytes, size_t{32} << 20);
}

TEST_F(ConfigTest, TheExampleConfigurationIsValid) {
  // deploy/install.sh installs it as /etc/meridian/meridian.toml: the service starts with it.
  ServerConfig c;
  auto s = ApplyConfigFile(MERIDIAN_EXAMPLE_CONFIG, &c);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.server.listen, "127.0.0.1:7800");
  EXPECT_EQ(c.core.data_dir, "/var/lib/meridian");
  EXPECT_EQ(c.core.durability, storage::Durability::kSync);
  EXPECT_TRUE(c.core.search.stemming);
  EXPECT_EQ(c.core.search.stemming_language, "english");
  EXPECT_EQ(c.core.search.cache_bytes, size_t{128} << 20);
}

TEST_F(ConfigTest, MistakesAreNamedWithTheirLine) {
  ServerConfig c;
  auto typo = ApplyConfigFile(Write("listen = \"a:1\"\n[storage]\ndurabilty = \"sync\"\n"), &c);
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(typo.message().find("storage.durabilty"), std::string::npos) << typo;
  EXPECT_NE(typo.message().find("line 3"), std::string::npos) << typo;

  auto type = ApplyConfigFile(Write("[limits]\nmax_page_size = \"many\"\n"), &c);
  EXPECT_NE(type.message().find("must be an integer"), std::string::npos) << type;

  auto flag = ApplyConfigFile(Write("[search]\nstemming = \"no\"\n"), &c);
  EXPECT_NE(flag.message().find("search.stemming\" must be true or false"), std::string::npos)
      << flag;

  auto bad = ApplyConfigFile(Write("[storage]\ndurability = \"maybe\"\n"), &c);
  EXPECT_NE(bad.message().find("sync"), std::string::npos) << bad;

  auto syntax = ApplyConfigFile(Write("listen = \n"), &c);
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.message().find(":1:"), std::string::npos) << syntax;
}

TEST_F(ConfigTest, PluginsSection) {
  ServerConfig c;
  auto s = ApplyConfigFile(Write(R"(
[plugins]
dir = "/srv/plugins"
runner = "/usr/lib/meridian/meridian-plugin-runner"
in_process = ["echo", "tasks"]
hook_deadline_ms = 250
call_deadline_ms = 3000
restart_backoff_ms = 200
[plugins.settings.echo]
prefix = ">> "
)"),
                           &c);
  ASSERT_TRUE(s.ok()) << s;
  const plugins::PluginManagerOptions& p = c.core.plugins;
  EXPECT_EQ(p.plugin_dir, "/srv/plugins");
  EXPECT_EQ(p.runner_path, "/usr/lib/meridian/meridian-plugin-runner");
  EXPECT_EQ(p.in_process, (std::set<std::string>{"echo", "tasks"}));
  EXPECT_EQ(p.hook_deadline, absl::Milliseconds(250));
  EXPECT_EQ(p.call_deadline, absl::Seconds(3));
  EXPECT_EQ(p.restart.initial_backoff, absl::Milliseconds(200));
  EXPECT_EQ(p.settings.at("echo").at("prefix"), ">> ");

  auto bad = ApplyConfigFile(Write("[plugins]\nin_process = \"echo\"\n"), &c);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("plugins.in_process"), std::string::npos) << bad;
  auto typo = ApplyConfigFile(Write("[plugins]\nhook_deadline = 5\n"), &c);
  EXPECT_NE(typo.message().find("plugins.hook_deadline"), std::string::npos) << typo;
  EXPECT_NE(DefaultPluginRunnerPath().find("meridian-plugin-runner"), std::string::npos);
}

}  // namespace
}  // namespace meridian
