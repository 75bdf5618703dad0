// Shared fixture for the plugin ABI suites: a FakeServices recording what plugins did, a real
// RocksDB store and a plugin directory in a temp dir, and a PluginManager over them driving real
// meridian-plugin-runner processes.
#ifndef MERIDIAN_TESTS_ABI_ABI_TEST_SUPPORT_H_
#define MERIDIAN_TESTS_ABI_ABI_TEST_SUPPORT_H_

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/plugins/plugin_manager.h"
#include "storage/kv_store.h"

namespace meridian::plugins::testing {

// Safe for concurrent use.
class FakeServices final : public PluginServices {
 public:
  struct Post {
    std::string plugin_id, channel_id, text, thread_root_id;
  };
  absl::StatusOr<std::string> PostAsBot(const std::string& plugin_id, const std::string& channel_id,
                                        const std::string& text,
                                        const std::string& thread_root_id) override;
  absl::Status EditAsBot(const std::string& plugin_id, const std::string& message_id,
                         const std::string& text) override;
  absl::Status SendEphemeral(const std::string& plugin_id, const std::string& user_id,
                             const std::string& channel_id, const std::string& text) override;
  absl::StatusOr<PluginUser> LookupUser(const std::string& user_id) override;
  absl::StatusOr<PluginChannel> LookupChannel(const std::string& channel_id) override;
  absl::Status ScheduleTimer(const std::string& plugin_id, const std::string& timer_id,
                             absl::Time due, absl::Duration period) override;
  absl::Status CancelTimer(const std::string& plugin_id, const std::string& timer_id) override;

  std::vector<Post> posts() const;
  std::vector<std::string> log() const;  // "edit m1-7 text", "ephemeral u7 c1 text", "timer ..."

 private:
  mutable absl::Mutex mu_;
  std::vector<Post> posts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
};

class PluginHostTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Writes <plugin dir>/<id>/plugin.toml pointing at `library`.
  void AddPlugin(const std::string& id, const std::string& library,
                 const std::string& extra_toml = "");
  // A manager over the plugin dir, store, services and clock (not started).
  std::unique_ptr<PluginManager> NewManager();
  // NewManager() + Start(), kept in manager_.
  void StartManager();
  PluginInfo Info(const std::string& id);
  static PluginMessage Draft(const std::string& text);

  std::filesystem::path root_;
  FakeClock clock_;
  FakeServices services_;
  std::unique_ptr<storage::KvStore> store_;
  PluginManagerOptions options_;
  std::unique_ptr<PluginManager> manager_;
};

}  // namespace meridian::plugins::testing

#endif  // MERIDIAN_TESTS_ABI_ABI_TEST_SUPPORT_H_
