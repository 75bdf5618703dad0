#include "clients/cli/credentials_store.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

class CredentialsStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "/credentials_store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + root_ + "'").c_str()); }

  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }

  std::string root_;
};

TEST_F(CredentialsStoreTest, MissingFileLoadsEmpty) {
  CredentialsStore store(root_ + "/nothing-here");
  absl::StatusOr<Credentials> loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->sessions.empty());
  EXPECT_EQ(loaded->current_server, "");
}

TEST_F(CredentialsStoreTest, RoundTripWithPrivateModes) {
  const std::string dir = root_ + "/config/meridian";
  CredentialsStore store(dir);
  Credentials credentials;
  credentials.current_server = "127.0.0.1:7800";
  credentials.sessions["127.0.0.1:7800"] = Session{"tok-a", "u1", "alice"};
  credentials.sessions["chat.example:443"] = Session{"tok-b", "u9", "al", true, "/etc/ca.pem"};
  ASSERT_TRUE(store.Save(credentials).ok());

  EXPECT_EQ(store.path(), dir + "/credentials.json");
  EXPECT_EQ(ModeOf(store.path()), 0600u);
  EXPECT_EQ(ModeOf(dir), 0700u);

  absl::StatusOr<Credentials> loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->current_server, "127.0.0.1:7800");
  ASSERT_EQ(loaded->sessions.size(), 2u);
  EXPECT_EQ(loaded->sessions["127.0.0.1:7800"].token, "tok-a");
  EXPECT_EQ(loaded->sessions["127.0.0.1:7800"].user_id, "u1");
  EXPECT_EQ(loaded->sessions["chat.example:443"].user_name, "al");
  EXPECT_TRUE(loaded->sessions["chat.example:443"].tls);
  EXPECT_EQ(loaded->sessions["chat.example:443"].ca_file, "/etc/ca.pem");
  EXPECT_FALSE(loaded->sessions["127.0.0.1:7800"].tls);
  EXPECT_EQ(loaded->sessions["127.0.0.1:7800"].ca_file, "");
}

TEST_F(CredentialsStoreTest, OverwriteKeepsModeAndDropsRemovedSessions) {
  CredentialsStore store(root_);
  Credentials credentials;
  credentials.sessions["a:1"] = Session{"t", "u1", "x"};
  ASSERT_TRUE(store.Save(credentials).ok());
  ::chmod(store.path().c_str(), 0644);  // someone loosened it; the next save tightens it again
  credentials.sessions.clear();
  ASSERT_TRUE(store.Save(credentials).ok());
  EXPECT_EQ(ModeOf(store.path()), 0600u);
  EXPECT_TRUE(store.Load()->sessions.empty());
}

TEST_F(CredentialsStoreTest, ExistingLooseDirectoryIsTightened) {
  const std::string dir = root_ + "/loose";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_TRUE(CredentialsStore(dir).Save(Credentials{}).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
}

TEST_F(CredentialsStoreTest, DamagedFileIsReportedWithItsPath) {
  CredentialsStore store(root_);
  for (const char* text : {"{not json", "[1,2]", R"({"sessions": {"a:1": {"token": 5}}})"}) {
    std::ofstream(store.path()) << text;
    absl::StatusOr<Credentials> loaded = store.Load();
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(loaded.status().message()), testing::HasSubstr(store.path()));
  }
}

TEST(ResolveConfigDirTest, Precedence) {
  using Vars = std::map<std::string, std::string>;
  EXPECT_EQ(*ResolveConfigDir(MapEnvironment(
                Vars{{"MERIDIAN_CONFIG_DIR", "/x"}, {"XDG_CONFIG_HOME", "/y"}, {"HOME", "/h"}})),
            "/x");
  EXPECT_EQ(*ResolveConfigDir(MapEnvironment(Vars{{"XDG_CONFIG_HOME", "/y"}, {"HOME", "/h"}})),
            "/y/meridian");
  EXPECT_EQ(*ResolveConfigDir(MapEnvironment(Vars{{"HOME", "/h"}})), "/h/.config/meridian");
  EXPECT_EQ(ResolveConfigDir(MapEnvironment(Vars{})).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace meridian::cli
