#include "tests/abi/abi_test_support.h"

#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"

namespace meridian::plugins::testing {

absl::StatusOr<std::string> FakeServices::PostAsBot(const std::string& plugin_id,
                                                    const std::string& channel_id,
                                                    const std::string& text,
                                                    const std::string& thread_root_id) {
  absl::MutexLock lock(&mu_);
  if (channel_id.empty()) return absl::InvalidArgumentError("channel_id is required");
  posts_.push_back({plugin_id, channel_id, text, thread_root_id});
  return absl::StrCat("m1-", posts_.size());
}

absl::Status FakeServices::EditAsBot(const std::string& plugin_id, const std::string& message_id,
                                     const std::string& text) {
  absl::MutexLock lock(&mu_);
  log_.push_back(absl::StrCat("edit ", plugin_id, " ", message_id, " ", text));
  return absl::OkStatus();
}

absl::Status FakeServices::SendEphemeral(const std::string& plugin_id, const std::string& user_id,
                                         const std::string& channel_id, const std::string& text) {
  absl::MutexLock lock(&mu_);
  log_.push_back(absl::StrCat("ephemeral ", plugin_id, " ", user_id, " ", channel_id, " ", text));
  return absl::OkStatus();
}

absl::StatusOr<PluginUser> FakeServices::LookupUser(const std::string& user_id) {
  if (user_id != "u7") return absl::NotFoundError(absl::StrCat("no user ", user_id));
  PluginUser user;
  user.id = "u7";
  user.name = "kenji";
  user.display_name = "Kenji";
  user.time_zone = "Asia/Tokyo";
  user.working_hours = {{1, 540, 1080}, {2, 540, 1080}};
  return user;
}

absl::StatusOr<PluginChannel> FakeServices::LookupChannel(const std::string& channel_id) {
  if (channel_id != "c1") return absl::NotFoundError(absl::StrCat("no channel ", channel_id));
  return PluginChannel{"c1", "general", "all hands", {"u7", "u8"}};
}

absl::Status FakeServices::ScheduleTimer(const std::string& plugin_id, const std::string& timer_id,
                                         absl::Time due, absl::Duration period) {
  absl::MutexLock lock(&mu_);
  log_.push_back(absl::StrCat("timer ", plugin_id, " ", timer_id, " at ", absl::ToUnixMillis(due),
                              " every ", absl::ToInt64Milliseconds(period)));
  return absl::OkStatus();
}

absl::Status FakeServices::CancelTimer(const std::string& plugin_id, const std::string& timer_id) {
  absl::MutexLock lock(&mu_);
  log_.push_back(absl::StrCat("cancel ", plugin_id, " ", timer_id));
  return absl::OkStatus();
}

std::vector<FakeServices::Post> FakeServices::posts() const {
  absl::MutexLock lock(&mu_);
  return posts_;
}

std::vector<std::string> FakeServices::log() const {
  absl::MutexLock lock(&mu_);
  return log_;
}

void PluginHostTest::SetUp() {
  root_ = std::filesystem::temp_directory_path() /
          absl::StrCat("meridian-abi-", ::getpid(), "-",
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(root_);
  std::filesystem::create_directories(root_ / "plugins");
  auto store = storage::OpenRocksDbStore({.path = (root_ / "db").string()});
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  options_.plugin_dir = (root_ / "plugins").string();
  options_.runner_path = MERIDIAN_RUNNER_PATH;
  options_.hook_deadline = absl::Milliseconds(300);
  options_.call_deadline = absl::Seconds(2);
  options_.start_deadline = absl::Seconds(5);
  options_.supervise_interval = absl::ZeroDuration();  // tests call Poll() with a FakeClock
}

void PluginHostTest::TearDown() {
  if (manager_ != nullptr) manager_->Stop();
  manager_.reset();
  store_.reset();
  std::filesystem::remove_all(root_);
}

void PluginHostTest::AddPlugin(const std::string& id, const std::string& library,
                               const std::string& extra_toml) {
  std::filesystem::create_directories(root_ / "plugins" / id);
  std::ofstream(root_ / "plugins" / id / "plugin.toml")
      << "id = \"" << id << "\"\nversion = \"1.0.0\"\nlibrary = \"" << library << "\"\n"
      << extra_toml;
}

std::unique_ptr<PluginManager> PluginHostTest::NewManager() {
  return std::make_unique<PluginManager>(options_, store_.get(), &services_, &clock_);
}

void PluginHostTest::StartManager() {
  manager_ = NewManager();
  ASSERT_TRUE(manager_->Start().ok());
}

PluginInfo PluginHostTest::Info(const std::string& id) {
  absl::StatusOr<PluginInfo> info = manager_->Get(id);
  EXPECT_TRUE(info.ok()) << info.status();
  return info.ok() ? *info : PluginInfo{};
}

PluginMessage PluginHostTest::Draft(const std::string& text) {
  PluginMessage m;
  m.channel_id = "c1";
  m.user_id = "u7";
  m.text = text;
  return m;
}

}  // namespace meridian::plugins::testing
