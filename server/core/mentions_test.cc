#include "server/core/mentions.h"

#include <gtest/gtest.h>

namespace meridian {
namespace {

TEST(MentionsTest, FindsNamesChannelAndHere) {
  auto m = ParseMentions("hey @Alice and @bob.smith, ping @here; also @channel.");
  EXPECT_EQ(m.names, (std::vector<std::string>{"alice", "bob.smith"}));
  EXPECT_TRUE(m.here);
  EXPECT_TRUE(m.channel);
}

TEST(MentionsTest, IgnoresEmailAddressesAndBareAt) {
  auto m = ParseMentions("mail carol@example.com or @ alone, @@x");
  EXPECT_TRUE(m.names.empty());
  EXPECT_FALSE(m.here);
}

TEST(MentionsTest, TrailingPunctuationIsNotPartOfTheName) {
  auto m = ParseMentions("thanks @dave. and @erin- and (@frank)");
  EXPECT_EQ(m.names, (std::vector<std::string>{"dave", "erin", "frank"}));
}

TEST(MentionsTest, DeduplicatesAndHandlesEveryone) {
  auto m = ParseMentions("@gus @GUS @everyone");
  EXPECT_EQ(m.names, (std::vector<std::string>{"gus"}));
  EXPECT_TRUE(m.channel);
}

}  // namespace
}  // namespace meridian
