#include <gtest/gtest.h>

#include "server/common/ids.h"
#include "server/common/text.h"

namespace meridian {
namespace {

TEST(IdsTest, RoundTripAndRejectMalformed) {
  EXPECT_EQ(ParseUserId(UserIdString(42)).value(), 42u);
  EXPECT_EQ(ParseChannelId(ChannelIdString(7)).value(), 7u);
  EXPECT_EQ(ParseMessageId(MessageIdString({7, 99})).value(), (MessageKey{7, 99}));
  for (absl::string_view bad : {"", "u", "x1", "u-1", "u0", "u12a", "u99999999999999999999999"}) {
    EXPECT_EQ(ParseUserId(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  for (absl::string_view bad : {"m1", "m1-", "m-1", "m1-0", "m1-x", "c1-2"}) {
    EXPECT_EQ(ParseMessageId(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseCursor("", "c", 5).value(), 5u);
  EXPECT_EQ(ParseCursor("12", "c").value(), 12u);
  EXPECT_FALSE(ParseCursor("-3", "c").ok());
}

TEST(TextTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("héllo 日本語 🎉"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(TextTest, ValidateTextNamesTheProblem) {
  EXPECT_TRUE(ValidateText("hi", "text", 10).ok());
  auto empty = ValidateText("", "text", 10);
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.message().find("empty"), std::string_view::npos);
  auto big = ValidateText(std::string(11, 'a'), "text", 10);
  EXPECT_NE(big.message().find("limit is 10"), std::string_view::npos);
  auto bad = ValidateText("ab\xFF", "text", 10);
  EXPECT_NE(bad.message().find("offset 2"), std::string_view::npos);
}

}  // namespace
}  // namespace meridian
