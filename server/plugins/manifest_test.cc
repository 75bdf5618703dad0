#include "server/plugins/manifest.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace meridian::plugins {
namespace {

namespace fs = std::filesystem;

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("meridian-manifest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& sub, const std::string& text) {
    fs::create_directories(dir_ / sub);
    fs::path p = dir_ / sub / "plugin.toml";
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(ManifestTest, ParsesFieldsAndResolvesTheLibraryBesideTheManifest) {
  std::string path = Write("echo", R"(
id = "echo"
version = "1.2.0"
library = "echo.so"
min_abi = "1.0"
[settings]
prefix = "> "
count = 3
loud = true
)");
  auto m = ParseManifestFile(path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, "echo");
  EXPECT_EQ(m->version, "1.2.0");
  EXPECT_EQ(m->library_path, (dir_ / "echo" / "echo.so").string());
  EXPECT_EQ(m->settings.at("prefix"), "> ");
  EXPECT_EQ(m->settings.at("count"), "3");
  EXPECT_EQ(m->settings.at("loud"), "true");
  EXPECT_EQ(CheckManifestAbi(*m), "");
}

TEST_F(ManifestTest, RejectsBadManifestsWithTheFileAndField) {
  auto no_id = ParseManifestFile(Write("a", "version = \"1\"\nlibrary = \"x.so\"\n"));
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_id.status().message().find("'id'"), absl::string_view::npos);
  auto bad_toml = ParseManifestFile(Write("b", "id = \n"));
  EXPECT_EQ(bad_toml.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_abi =
      ParseManifestFile(Write("c", "id=\"c\"\nversion=\"1\"\nlibrary=\"c.so\"\nmin_abi=\"x\"\n"));
  EXPECT_NE(bad_abi.status().message().find("min_abi"), absl::string_view::npos);
  EXPECT_EQ(ParseManifestFile((dir_ / "none.toml").string()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ManifestTest, RefusesANewerMinimumAbi) {
  auto m = ParseManifestFile(
      Write("n", "id=\"n\"\nversion=\"1\"\nlibrary=\"n.so\"\nmin_abi=\"1.99\"\n"));
  ASSERT_TRUE(m.ok());
  EXPECT_NE(CheckManifestAbi(*m).find("1.99"), std::string::npos);
}

TEST_F(ManifestTest, DiscoversOneManifestPerSubdirectory) {
  Write("b", "id=\"b\"\nversion=\"1\"\nlibrary=\"b.so\"\n");
  Write("a", "id=\"a\"\nversion=\"1\"\nlibrary=\"a.so\"\n");
  fs::create_directories(dir_ / "empty");
  auto found = DiscoverManifests(dir_.string());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].manifest->id, "a");
  EXPECT_EQ((*found)[1].manifest->id, "b");
  EXPECT_EQ(DiscoverManifests((dir_ / "missing").string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace meridian::plugins
