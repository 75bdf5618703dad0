#include "server/plugins/plugin_kv_store.h"

#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace meridian::plugins {
namespace {

class PluginKvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-pluginkv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = storage::OpenRocksDbStore({.path = dir_.string()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    kv_ = std::make_unique<PluginKvStore>(store_.get(), &clock_);
  }
  void TearDown() override {
    kv_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<PluginKvStore> kv_;
};

TEST_F(PluginKvStoreTest, NamespacesAreDisjointEvenWhenOneIdPrefixesAnother) {
  ASSERT_TRUE(kv_->Set("a", "bx", "from a", absl::ZeroDuration()).ok());
  ASSERT_TRUE(kv_->Set("ab", "x", "from ab", absl::ZeroDuration()).ok());
  EXPECT_EQ(kv_->Get("a", "bx").value(), "from a");
  EXPECT_EQ(kv_->Get("ab", "x").value(), "from ab");
  EXPECT_EQ(kv_->Get("ab", "bx").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(kv_->Get("a", "x").status().code(), absl::StatusCode::kNotFound);
  auto a_keys = kv_->List("a", "", "", 0);
  ASSERT_TRUE(a_keys.ok());
  EXPECT_EQ(a_keys->keys, std::vector<std::string>{"bx"});
  auto ab_keys = kv_->List("ab", "", "", 0);
  EXPECT_EQ(ab_keys->keys, std::vector<std::string>{"x"});
}

TEST_F(PluginKvStoreTest, TtlExpiresAgainstTheInjectedClock) {
  ASSERT_TRUE(kv_->Set("p", "k", "v", absl::Seconds(10)).ok());
  clock_.Advance(absl::Seconds(9));
  EXPECT_EQ(kv_->Get("p", "k").value(), "v");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(kv_->Get("p", "k").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(kv_->List("p", "", "", 0)->keys.empty());
  // An expired key counts as absent for compare-and-set.
  EXPECT_TRUE(kv_->CompareAndSet("p", "k", std::nullopt, "new", absl::ZeroDuration()).ok());
  EXPECT_EQ(kv_->Get("p", "k").value(), "new");
}

TEST_F(PluginKvStoreTest, CompareAndSetChecksTheCurrentValue) {
  EXPECT_TRUE(kv_->CompareAndSet("p", "k", std::nullopt, "1", absl::ZeroDuration()).ok());
  EXPECT_EQ(kv_->CompareAndSet("p", "k", std::nullopt, "2", absl::ZeroDuration()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kv_->CompareAndSet("p", "k", std::string("0"), "2", absl::ZeroDuration()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(kv_->CompareAndSet("p", "k", std::string("1"), "2", absl::ZeroDuration()).ok());
  EXPECT_EQ(kv_->Get("p", "k").value(), "2");
  EXPECT_TRUE(kv_->Delete("p", "k").ok());
  EXPECT_TRUE(kv_->Delete("p", "k").ok());
  EXPECT_EQ(kv_->Get("p", "k").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PluginKvStoreTest, ListPagesByPrefixWithACursor) {
  for (const char* k : {"job:1", "job:2", "job:3", "job:4", "jobx", "other"}) {
    ASSERT_TRUE(kv_->Set("p", k, "v", absl::ZeroDuration()).ok());
  }
  auto page1 = kv_->List("p", "job:", "", 3);
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(page1->keys, (std::vector<std::string>{"job:1", "job:2", "job:3"}));
  EXPECT_EQ(page1->next_cursor, "job:3");
  auto page2 = kv_->List("p", "job:", page1->next_cursor, 3);
  EXPECT_EQ(page2->keys, (std::vector<std::string>{"job:4"}));
  EXPECT_EQ(page2->next_cursor, "");
  EXPECT_EQ(kv_->List("p", "", "", 5000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PluginKvStoreTest, RejectsBadKeysAndValues) {
  EXPECT_EQ(kv_->Set("p", "", "v", absl::ZeroDuration()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      kv_->Set("p", std::string(kMaxPluginKeyBytes + 1, 'k'), "v", absl::ZeroDuration()).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      kv_->Set("p", "k", std::string(kMaxPluginValueBytes + 1, 'v'), absl::ZeroDuration()).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(PluginKvStoreTest, SettingsAndEnabledAreSeparateFromPluginKeys) {
  EXPECT_EQ(kv_->Enabled("p").value(), std::nullopt);
  ASSERT_TRUE(kv_->SetEnabled("p", false).ok());
  EXPECT_EQ(kv_->Enabled("p").value(), std::optional<bool>(false));
  ASSERT_TRUE(kv_->SetSettingOverrides("p", {{"prefix", ">> "}}).ok());
  EXPECT_EQ(kv_->SettingOverrides("p").value().at("prefix"), ">> ");
  EXPECT_TRUE(kv_->List("p", "", "", 0)->keys.empty());
  EXPECT_TRUE(kv_->SettingOverrides("q").value().empty());
}

TEST_F(PluginKvStoreTest, AutoDisabledReasonIsKeptUntilCleared) {
  EXPECT_EQ(kv_->AutoDisabled("p").value(), std::nullopt);
  ASSERT_TRUE(kv_->SetAutoDisabled("p", "crashed three times").ok());
  EXPECT_EQ(kv_->AutoDisabled("p").value(), std::optional<std::string>("crashed three times"));
  EXPECT_EQ(kv_->AutoDisabled("pq").value(), std::nullopt);  // another plugin's flag
  EXPECT_EQ(kv_->Enabled("p").value(), std::nullopt);        // not an administrator's choice
  EXPECT_TRUE(kv_->List("p", "", "", 0)->keys.empty());      // nor the plugin's own data
  ASSERT_TRUE(kv_->ClearAutoDisabled("p").ok());
  EXPECT_EQ(kv_->AutoDisabled("p").value(), std::nullopt);
}

}  // namespace
}  // namespace meridian::plugins
