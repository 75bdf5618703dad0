#include "clients/cli/references.h"

#include "clients/cli/cli_status.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

TEST(ReferencesTest, ChannelRefs) {
  EXPECT_EQ(*ChannelRef("general"), "#general");
  EXPECT_EQ(*ChannelRef("#general"), "#general");
  EXPECT_EQ(*ChannelRef("c3"), "c3");
  EXPECT_EQ(*ChannelRef("@bob"), "@bob");
  EXPECT_EQ(*ChannelRef("c3x"), "#c3x");
  EXPECT_EQ(*ChannelRef("c"), "#c");
  EXPECT_TRUE(IsUsageError(ChannelRef("").status()));
  EXPECT_TRUE(IsUsageError(ChannelRef("#").status()));
}

TEST(ReferencesTest, UserRefs) {
  EXPECT_EQ(*UserRef("bob"), "@bob");
  EXPECT_EQ(*UserRef("@bob"), "@bob");
  EXPECT_EQ(*UserRef("u12"), "u12");
  EXPECT_EQ(*UserRef("u12b"), "@u12b");
  EXPECT_TRUE(IsUsageError(UserRef(" ").status()));
}

TEST(ReferencesTest, ExplicitUserRefs) {
  EXPECT_TRUE(IsExplicitUserRef("@bob"));
  EXPECT_TRUE(IsExplicitUserRef("u7"));
  EXPECT_FALSE(IsExplicitUserRef("bob"));
  EXPECT_FALSE(IsExplicitUserRef("@"));
  EXPECT_FALSE(IsExplicitUserRef("@bob hi"));
  EXPECT_FALSE(IsExplicitUserRef("hello"));
}

}  // namespace
}  // namespace meridian::cli
