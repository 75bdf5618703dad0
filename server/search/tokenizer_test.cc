#include "server/search/tokenizer.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "unicode/brkiter.h"
#include "unicode/unistr.h"

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

// The ASCII fast path must be indistinguishable from ICU: same tokens, positions, kinds and
// byte ranges. Random text is drawn from the characters whose word-break rules differ (letters,
// digits, the mid-word and mid-number punctuation, '_', every kind of newline and space) mixed
// with whole words, URLs and versions.
std::string RandomAsciiText(std::mt19937& rng) {
  // clang-format off
  static const std::vector<std::string> kPieces = {
      "a", "Z", "q", "7", "0", ":", ".", "'", ",", ";", "_", "\r", "\n", "\r\n", "\v", "\f",
      " ", "  ", "\t", "-", "/", "@", "#", "(", ")", "<", ">", "!", "?", "\"", "*", "~", "\x01",
      "\x7f", "Running", "don't", "e.g.", "v1.2.3", "1,000.50", "a_b", "_x", "x_", "__init__",
      "https://Example.com/a?b=c&d=e#f", "std::vector", "snake_case_name", "foo.bar.baz",
      "3.14", "1;2", "a:b", "a::b", "...", "a.b.", ".a", "1.a", "a.1", "a'1", "1'a", "'s",
      "x@y.com", "1_", "@_", "a;b", "1,2"};
  // clang-format on
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::uniform_int_distribution<int> len(0, 24);
  std::string text;
  for (int i = len(rng); i > 0; --i) text += kPieces[pick(rng)];
  return text;
}

bool SameTokens(const std::vector<Token>& a, const std::vector<Token>& b, std::string* why) {
  if (a.size() != b.size()) {
    *why = absl::StrCat("token count ", a.size(), " vs ", b.size());
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].term != b[i].term || a[i].surface != b[i].surface || a[i].position != b[i].position ||
        a[i].begin != b[i].begin || a[i].end != b[i].end || a[i].kind != b[i].kind ||
        a[i].primary != b[i].primary) {
      *why = absl::StrCat("token ", i, ": '", a[i].term, "' vs '", b[i].term, "'");
      return false;
    }
  }
  return true;
}

TEST(TokenizerTest, AsciiFastPathAgreesWithIcu) {
  auto t = Make("english");
  std::mt19937 rng(20261124);
  int fast = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = RandomAsciiText(rng);
    if (AsciiWordSegments(text).has_value()) ++fast;
    uint32_t n_fast = 0, n_icu = 0;
    std::vector<Token> a = t->Tokenize(text, &n_fast);
    std::vector<Token> b = t->TokenizeWithIcu(text, &n_icu);
    std::string why;
    ASSERT_TRUE(SameTokens(a, b, &why)) << why << " in text '" << absl::CEscape(text) << "'";
    ASSERT_EQ(n_fast, n_icu) << absl::CEscape(text);
  }
  // Nearly all of it took the fast path (only runs of '_' alone are left to ICU).
  EXPECT_GT(fast, 15000);
}

TEST(TokenizerTest, AsciiSegmentsMatchIcuBoundaries) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> words(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  ASSERT_TRUE(U_SUCCESS(status));
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string text = RandomAsciiText(rng);
    auto fast = AsciiWordSegments(text);
    if (!fast.has_value()) continue;
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
    words->setText(u);
    std::vector<std::pair<int32_t, bool>> icu_ends, fast_ends;
    for (int32_t e = words->next(); e != icu::BreakIterator::DONE; e = words->next()) {
      icu_ends.emplace_back(e, words->getRuleStatus() >= UBRK_WORD_NUMBER);
    }
    for (const WordSegment& s : *fast) fast_ends.emplace_back(s.end, s.status >= UBRK_WORD_NUMBER);
    ASSERT_EQ(fast_ends, icu_ends) << absl::CEscape(text);
  }
}

TEST(TokenizerTest, NonAsciiTextTakesTheIcuPath) {
  EXPECT_FALSE(AsciiWordSegments("caf\xc3\xa9").has_value());
  auto t = Make("english");
  EXPECT_EQ(Terms(*t, "Caf\xc3\xa9 OK"), (std::vector<std::string>{"caf\xc3\xa9", "ok"}));
}

}  // namespace
}  // namespace meridian::search
