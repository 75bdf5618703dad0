#include "server/search/query_parser.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::search {
namespace {

using ::testing::HasSubstr;
using Kind = Clause::Kind;

ParsedQuery MustParse(std::string_view q) {
  auto p = ParseQuery(q);
  EXPECT_TRUE(p.ok()) << q << ": " << p.status();
  return p.ok() ? *p : ParsedQuery{};
}

Clause Only(const ParsedQuery& p) {
  if (p.groups.size() != 1 || p.groups[0].size() != 1) {
    ADD_FAILURE() << "expected one clause";
    return Clause{};
  }
  return p.groups[0][0];
}

// Expects INVALID_ARGUMENT mentioning "at byte <position>" and `expected`.
void ExpectError(std::string_view q, size_t position, std::string_view expected) {
  auto p = ParseQuery(q);
  ASSERT_FALSE(p.ok()) << q;
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << q;
  std::string msg(p.status().message());
  EXPECT_THAT(msg, HasSubstr("at byte " + std::to_string(position) + ":")) << q;
  EXPECT_THAT(msg, HasSubstr(std::string(expected))) << q;
}

TEST(QueryParserTest, WordsAreAndedGroups) {
  auto p = MustParse("deploy  failed\tagain");
  ASSERT_EQ(p.groups.size(), 3u);
  EXPECT_EQ(p.groups[1][0].kind, Kind::kWord);
  EXPECT_EQ(p.groups[1][0].value, "failed");
  EXPECT_EQ(p.groups[1][0].position, 8u);
}

TEST(QueryParserTest, Phrase) {
  const Clause c = Only(MustParse("\"exact phrase here\""));
  EXPECT_EQ(c.kind, Kind::kPhrase);
  EXPECT_EQ(c.value, "exact phrase here");
  EXPECT_EQ(c.value_position, 1u);
}

TEST(QueryParserTest, PrefixAndNegation) {
  auto p = MustParse("depl* -staging");
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[0][0].kind, Kind::kPrefix);
  EXPECT_EQ(p.groups[0][0].value, "depl");
  EXPECT_TRUE(p.groups[1][0].negated);
  EXPECT_EQ(p.groups[1][0].value, "staging");
  EXPECT_EQ(p.groups[1][0].position, 6u);
}

TEST(QueryParserTest, OrBindsTighterThanAnd) {
  auto p = MustParse("a b OR c OR \"d e\" f");
  ASSERT_EQ(p.groups.size(), 3u);
  ASSERT_EQ(p.groups[1].size(), 3u);
  EXPECT_EQ(p.groups[1][2].kind, Kind::kPhrase);
  // Lowercase "or" is an ordinary word.
  EXPECT_EQ(MustParse("a or b").groups.size(), 3u);
}

TEST(QueryParserTest, PeopleAndChannelFilters) {
  EXPECT_EQ(Only(MustParse("from:@alice")).value, "@alice");
  EXPECT_EQ(Only(MustParse("from:alice")).value, "@alice");
  EXPECT_EQ(Only(MustParse("with:@bob")).kind, Kind::kWith);
  const Clause in = Only(MustParse("in:#general"));
  EXPECT_EQ(in.kind, Kind::kIn);
  EXPECT_EQ(in.value, "#general");
  EXPECT_EQ(in.value_position, 3u);
  auto p = MustParse("in:#a OR in:#b -in:#c");
  EXPECT_EQ(p.groups[0].size(), 2u);
  EXPECT_TRUE(p.groups[1][0].negated);
}

TEST(QueryParserTest, HasAndIsFilters) {
  EXPECT_EQ(Only(MustParse("has:link")).kind, Kind::kHasLink);
  EXPECT_EQ(Only(MustParse("has:reaction")).kind, Kind::kHasReaction);
  EXPECT_EQ(Only(MustParse("is:thread")).kind, Kind::kIsThread);
  EXPECT_EQ(Only(MustParse("IS:PINNED")).kind, Kind::kIsPinned);
}

TEST(QueryParserTest, Dates) {
  const Clause b = Only(MustParse("before:2024-03-05"));
  EXPECT_EQ(b.kind, Kind::kBefore);
  EXPECT_EQ(b.year, 2024);
  EXPECT_EQ(b.month, 3);
  EXPECT_EQ(b.day, 5);
  const Clause a = Only(MustParse("after:2024-03"));
  EXPECT_EQ(a.kind, Kind::kAfter);
  EXPECT_EQ(a.day, 0);
  EXPECT_EQ(Only(MustParse("on:2024-02-29")).kind, Kind::kOn);
  const Clause d = Only(MustParse("during:2023"));
  EXPECT_EQ(d.kind, Kind::kDuring);
  EXPECT_EQ(d.month, 0);
}

TEST(QueryParserTest, UrlsAndScopesAreWordsNotOperators) {
  EXPECT_EQ(Only(MustParse("https://example.com/a")).kind, Kind::kWord);
  EXPECT_EQ(Only(MustParse("std::vector")).kind, Kind::kWord);
  EXPECT_EQ(Only(MustParse("note:")).kind, Kind::kWord);
}

TEST(QueryParserTest, Errors) {
  ExpectError("", 0, "empty query");
  ExpectError("   ", 0, "empty query");
  ExpectError("deploy \"half open", 7, "expected a closing '\"'");
  ExpectError("a \"  \" b", 2, "empty phrase");
  ExpectError("foo:bar", 0, "unknown operator 'foo:'; expected from:, in:");
  ExpectError("x label:urgent", 2, "unknown operator 'label:'");
  ExpectError("before:2024-13-01", 7, "expected YYYY-MM-DD or YYYY-MM");
  ExpectError("on:2023-02-29", 3, "bad date");
  ExpectError("after:yesterday", 6, "bad date 'yesterday'");
  ExpectError("before:2024", 7, "expected YYYY-MM-DD or YYYY-MM");
  ExpectError("x from:", 7, "expected a value after from:");
  ExpectError("from:@", 5, "expected @user after from:");
  ExpectError("in:@bob", 3, "use with:@user");
  ExpectError("in:#", 3, "expected #channel");
  ExpectError("has:kittens", 4, "expected has:link or has:reaction");
  ExpectError("is:urgent", 3, "expected is:thread or is:pinned");
  ExpectError("OR a", 0, "before OR");
  ExpectError("a OR", 4, "after OR");
  ExpectError("a OR OR b", 5, "after OR");
  ExpectError("a - b", 3, "after '-'");
  ExpectError("a *", 2, "before '*'");
  ExpectError("-before:2024-01-01", 0, "cannot be negated");
  ExpectError("a OR -b", 5, "negated clause cannot be part of OR");
  ExpectError("a OR on:2024-01-01", 5, "date filter cannot be part of OR");
  ExpectError("in:#a OR b", 9, "in: can only be OR-ed");
}

}  // namespace
}  // namespace meridian::search
