#include "server/search/tokenizer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::search {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;
using ::testing::Not;

std::unique_ptr<Tokenizer> Make(std::string language) {
  auto t = Tokenizer::Create(TokenizerOptions{std::move(language)});
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

std::vector<std::string> Terms(Tokenizer& t, std::string_view text) {
  std::vector<std::string> out;
  for (const Token& tok : t.Tokenize(text)) out.push_back(tok.term);
  return out;
}

TEST(TokenizerTest, EnglishStemmingFoldsInflections) {
  auto t = Make("english");
  EXPECT_EQ(Terms(*t, "running"), Terms(*t, "runs"));
  EXPECT_EQ(Terms(*t, "Connections"), std::vector<std::string>{"connect"});
  EXPECT_EQ(t->Stem("deployments"), "deploy");
}

TEST(TokenizerTest, StemmingCanBeTurnedOff) {
  auto t = Make("");
  EXPECT_EQ(Terms(*t, "Running Connections"), (std::vector<std::string>{"running", "connections"}));
}

TEST(TokenizerTest, UnknownStemmingLanguageIsRejected) {
  auto t = Tokenizer::Create(TokenizerOptions{"klingon"});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TokenizerTest, GermanStemmingAndCaseFolding) {
  auto t = Make("german");
  EXPECT_EQ(Terms(*t, "Häuser"), Terms(*t, "haus"));
  // NFKC case folding maps ß to ss, so both spellings meet.
  EXPECT_EQ(Terms(*t, "STRASSE"), Terms(*t, "Straße"));
}

TEST(TokenizerTest, NoStopWordsAndTwoLetterTerms) {
  auto t = Make("english");
  EXPECT_EQ(Terms(*t, "the db is up, go to it"),
            (std::vector<std::string>{"the", "db", "is", "up", "go", "to", "it"}));
}

TEST(TokenizerTest, ChineseBecomesOverlappingBigramsAndUnigrams) {
  auto t = Make("english");
  auto tokens = t->Tokenize("我爱北京天安门");
  std::vector<std::string> primaries, all;
  for (const Token& tok : tokens) {
    all.push_back(tok.term);
    if (tok.primary) primaries.push_back(tok.term);
  }
  EXPECT_THAT(all, IsSupersetOf({"北京", "京天", "天安", "安门", "北", "门"}));
  EXPECT_THAT(primaries, Not(Contains("北")));
  // Byte offsets point at the characters (3 bytes each in UTF-8).
  auto it =
      std::find_if(tokens.begin(), tokens.end(), [](const Token& k) { return k.term == "北京"; });
  ASSERT_NE(it, tokens.end());
  EXPECT_EQ(it->begin, 6u);
  EXPECT_EQ(it->end, 12u);
}

TEST(TokenizerTest, JapaneseMixedScriptsAndHalfWidthKatakana) {
  auto t = Make("english");
  EXPECT_THAT(Terms(*t, "東京タワーに行きました"), IsSupersetOf({"東京", "タワ", "ワー"}));
  // Half-width katakana folds to full width.
  EXPECT_THAT(Terms(*t, "ﾀﾜｰ"), IsSupersetOf({"タワ", "ワー"}));
}

TEST(TokenizerTest, EmojiAreTerms) {
  auto t = Make("english");
  auto tokens = t->Tokenize("ship it 🚀 now ❤️");
  std::vector<std::string> terms;
  for (const Token& tok : tokens) terms.push_back(tok.term);
  EXPECT_THAT(terms, Contains("🚀"));
  EXPECT_THAT(terms, Contains("❤"));  // the variation selector is folded away
}

TEST(TokenizerTest, CodeIdentifiersWholeAndParts) {
  auto t = Make("english");
  EXPECT_THAT(Terms(*t, "call parse_query_text now"),
              IsSupersetOf({"parse_query_text", "pars", "queri", "text"}));
  EXPECT_THAT(Terms(*t, "see config.yaml.example"),
              IsSupersetOf({"config.yaml.example", "config", "yaml", "exampl"}));
  EXPECT_THAT(Terms(*t, "std::vector<int>"),
              IsSupersetOf({"std::vector<int", "std", "vector", "int"}));
}

TEST(TokenizerTest, UrlsAndPathsWholeAndParts) {
  auto t = Make("english");
  auto terms = Terms(*t, "see https://example.com/docs/Index.html, or /usr/lib/libfoo.so.");
  EXPECT_THAT(terms, IsSupersetOf({"https://example.com/docs/index.html", "example.com", "exampl",
                                   "com", "doc", "index.html", "https", "usr/lib/libfoo.so",
                                   "libfoo.so", "libfoo"}));
}

TEST(TokenizerTest, VersionNumbersWholeAndParts) {
  auto t = Make("english");
  auto tokens = t->Tokenize("upgrade to v1.2.3 today");
  std::vector<std::string> terms;
  for (const Token& tok : tokens) terms.push_back(tok.term);
  EXPECT_THAT(terms, IsSupersetOf({"v1.2.3", "v1", "2", "3"}));
  // The whole shares the first part's position; the next word comes after all parts.
  auto pos = [&](std::string_view term) {
    for (const Token& tok : tokens) {
      if (tok.term == term) return tok.position;
    }
    return ~0u;
  };
  EXPECT_EQ(pos("v1.2.3"), pos("v1"));
  EXPECT_EQ(pos("3"), pos("v1") + 2);
  EXPECT_EQ(pos("today"), pos("3") + 1);
}

TEST(TokenizerTest, ByteOffsetsMapToOriginalUtf8) {
  auto t = Make("english");
  std::string text = "héllo WÖRLD";
  auto tokens = t->Tokenize(text);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].term, "wörld");
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "WÖRLD");
}

TEST(TokenizerTest, InvalidUtf8DoesNotCrashAndSeparatesWords) {
  auto t = Make("english");
  EXPECT_EQ(Terms(*t, std::string("abc\xff"
                                  "def")),
            (std::vector<std::string>{"abc", "def"}));
}

TEST(TokenizerTest, ControlCharactersNeverReachTerms) {
  auto t = Make("english");
  for (const Token& tok : t->Tokenize(std::string("a\0b \x01x.y\x02z", 10))) {
    for (char c : tok.term) EXPECT_GE(static_cast<uint8_t>(c), 0x20) << tok.term;
  }
}

}  // namespace
}  // namespace meridian::search
