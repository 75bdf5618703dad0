#include "server/search/tokenizer.h"

#include <libstemmer.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "unicode/brkiter.h"
#include "unicode/normalizer2.h"
#include "unicode/ubrk.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf16.h"
#include "unicode/utf8.h"

namespace meridian::search {
namespace {

// Terms longer than this are cut (at a character boundary) so that keys stay small; a chunk
// longer than kMaxChunkBytes (a huge URL) is indexed by its parts only.
constexpr size_t kMaxTermBytes = 128;
constexpr size_t kMaxChunkBytes = 256;

enum class UnitKind { kWord, kCjk, kSymbol };
struct Unit {
  UnitKind kind;
  int32_t begin;
  int32_t end;
};

bool IsCjkStatus(int32_t status) {
  return status >= UBRK_WORD_KANA && status < UBRK_WORD_IDEO_LIMIT;
}

bool IsWordStatus(int32_t status) {
  return status >= UBRK_WORD_NUMBER && status < UBRK_WORD_IDEO_LIMIT;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

// NFKC case folding restricted to ASCII, where it only lowercases A-Z.
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// White_Space characters of ASCII: tab, newlines, vertical tab, form feed, space.
bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The Word_Break property (UAX #29) of the ASCII characters.
enum class Wb : uint8_t {
  kOther,
  kLetter,        // ALetter: A-Z a-z @
  kNumeric,       // 0-9
  kMidLetter,     // none in ASCII: ICU's root rules take ':' out of MidLetter
  kMidNumLet,     // '.'
  kSingleQuote,   // '\''
  kMidNum,        // ',' ';'
  kExtendNumLet,  // '_'
  kCr,
  kLf,
  kNewline,  // vertical tab, form feed
  kSpace,    // WSegSpace: ' '
};

Wb WordBreakClass(char c) {
  // ICU's root rules add '@' to ALetter, so that "user@example.com" stays one word.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@') return Wb::kLetter;
  if (c >= '0' && c <= '9') return Wb::kNumeric;
  switch (c) {
    case '.':
      return Wb::kMidNumLet;
    case '\'':
      return Wb::kSingleQuote;
    case ',':
    case ';':
      return Wb::kMidNum;
    case '_':
      return Wb::kExtendNumLet;
    case '\r':
      return Wb::kCr;
    case '\n':
      return Wb::kLf;
    case '\v':
    case '\f':
      return Wb::kNewline;
    case ' ':
      return Wb::kSpace;
    default:
      return Wb::kOther;
  }
}

}  // namespace

std::optional<std::vector<WordSegment>> AsciiWordSegments(std::string_view text) {
  if (!IsAscii(text)) return std::nullopt;
  const size_t n = text.size();
  std::vector<Wb> cls(n);
  for (size_t i = 0; i < n; ++i) cls[i] = WordBreakClass(text[i]);
  auto at = [&](size_t i) { return i < n ? cls[i] : Wb::kOther; };
  auto ah = [](Wb w) { return w == Wb::kLetter; };
  auto num = [](Wb w) { return w == Wb::kNumeric; };
  auto mid_letter_q = [](Wb w) {
    return w == Wb::kMidLetter || w == Wb::kMidNumLet || w == Wb::kSingleQuote;
  };
  auto mid_num_q = [](Wb w) {
    return w == Wb::kMidNum || w == Wb::kMidNumLet || w == Wb::kSingleQuote;
  };
  auto newline = [](Wb w) { return w == Wb::kCr || w == Wb::kLf || w == Wb::kNewline; };
  // Whether there is a word boundary between text[i - 1] and text[i] (0 < i < n).
  auto boundary = [&](size_t i) {
    const Wb a = cls[i - 1], b = cls[i];
    if (a == Wb::kCr && b == Wb::kLf) return false;                          // WB3
    if (newline(a) || newline(b)) return true;                               // WB3a, WB3b
    if (a == Wb::kSpace && b == Wb::kSpace) return false;                    // WB3d
    if (ah(a) && ah(b)) return false;                                        // WB5
    if (ah(a) && mid_letter_q(b) && ah(at(i + 1))) return false;             // WB6
    if (i >= 2 && ah(cls[i - 2]) && mid_letter_q(a) && ah(b)) return false;  // WB7
    if ((num(a) || ah(a)) && (num(b) || ah(b))) return false;                // WB8, WB9, WB10
    if (i >= 2 && num(cls[i - 2]) && mid_num_q(a) && num(b)) return false;   // WB11
    if (num(a) && mid_num_q(b) && num(at(i + 1))) return false;              // WB12
    if ((ah(a) || num(a) || a == Wb::kExtendNumLet) && b == Wb::kExtendNumLet) {
      return false;  // WB13a
    }
    if (a == Wb::kExtendNumLet && (ah(b) || num(b))) return false;  // WB13b
    return true;                                                    // WB999
  };
  std::vector<WordSegment> out;
  size_t begin = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (i < n && !boundary(i)) continue;
    bool letter = false, digit = false, underscore_only = true;
    for (size_t k = begin; k < i; ++k) {
      letter |= cls[k] == Wb::kLetter;  // ICU: a segment with '@' alone is a word too
      digit |= cls[k] == Wb::kNumeric;
      underscore_only &= cls[k] == Wb::kExtendNumLet;
    }
    // A run of '_' alone: which rule status ICU gives it is not pinned down here, so such text
    // takes the ICU path.
    if (underscore_only) return std::nullopt;
    const int32_t status = letter ? UBRK_WORD_LETTER : digit ? UBRK_WORD_NUMBER : UBRK_WORD_NONE;
    out.push_back(WordSegment{static_cast<int32_t>(begin), static_cast<int32_t>(i), status});
    begin = i;
  }
  return out;
}

namespace {

// Splits points inside a word: punctuation ('.', '_', '\'', ':') joins words in ICU's rules
// but separates the parts we also index.
bool IsPartSeparator(UChar32 c) { return (U_GET_GC_MASK(c) & (U_GC_P_MASK | U_GC_S_MASK)) != 0; }

void TruncateUtf8(std::string* s, size_t max_bytes) {
  if (s->size() <= max_bytes) return;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<uint8_t>((*s)[n]) & 0xC0) == 0x80) --n;
  s->resize(n);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(const TokenizerOptions& options) {
  std::unique_ptr<Tokenizer> t(new Tokenizer());
  UErrorCode status = U_ZERO_ERROR;
  t->nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU nfkc_cf normalizer: ", u_errorName(status)));
  }
  t->words_.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || t->words_ == nullptr) {
    return absl::InternalError(absl::StrCat("ICU word break iterator: ", u_errorName(status)));
  }
  if (!options.stemming_language.empty()) {
    t->stemmer_ = sb_stemmer_new(options.stemming_language.c_str(), "UTF_8");
    if (t->stemmer_ == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown stemming language '", options.stemming_language,
          "'; expected a Snowball algorithm such as english, german, french, or empty for none"));
    }
  }
  return t;
}

Tokenizer::~Tokenizer() {
  if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
}

std::string Tokenizer::Fold(std::string_view text) {
  if (IsAscii(text)) return AsciiLower(text);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc_cf_->normalize(u, status);
  std::string out;
  if (U_SUCCESS(status)) folded.toUTF8String(out);
  return out;
}

std::string Tokenizer::Stem(std::string_view folded) {
  if (stemmer_ == nullptr || folded.empty()) return std::string(folded);
  const absl::string_view word(folded.data(), folded.size());
  if (auto hit = stem_cache_.find(word); hit != stem_cache_.end()) return hit->second;
  const sb_symbol* s = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(folded.data()),
                                       static_cast<int>(folded.size()));
  if (s == nullptr) return std::string(folded);  // out of memory: index unstemmed
  std::string stem(reinterpret_cast<const char*>(s), sb_stemmer_length(stemmer_));
  if (stem_cache_.size() >= kMaxStemCache) stem_cache_.clear();
  stem_cache_.emplace(word, stem);
  return stem;
}

namespace {

// The text of one Tokenize call as ICU sees it: UTF-16, with a map back to UTF-8 byte offsets.
// Positions handed around (WordSegment, Unit) are UTF-16 indexes.
class IcuText {
 public:
  IcuText(std::string_view text, const icu::Normalizer2* nfkc_cf) : nfkc_cf_(nfkc_cf) {
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    int32_t len = static_cast<int32_t>(text.size());
    offsets_.reserve(text.size() + 1);
    for (int32_t i = 0; i < len;) {
      int32_t start = i;
      UChar32 c;
      U8_NEXT(s, i, len, c);
      if (c < 0) c = ' ';  // an invalid byte separates words
      u_.append(c);
      offsets_.push_back(static_cast<uint32_t>(start));
      if (U16_LENGTH(c) == 2) offsets_.push_back(static_cast<uint32_t>(start));
    }
    offsets_.push_back(static_cast<uint32_t>(len));
  }

  std::vector<WordSegment> WordSegments(icu::BreakIterator* words) {
    std::vector<WordSegment> out;
    words->setText(u_);
    int32_t begin = words->first();
    for (int32_t end = words->next(); end != icu::BreakIterator::DONE;
         begin = end, end = words->next()) {
      out.push_back(WordSegment{begin, end, words->getRuleStatus()});
    }
    return out;
  }

  UChar32 CharAt(int32_t i) const { return u_.char32At(i); }
  static int32_t Length(UChar32 c) { return U16_LENGTH(c); }
  uint32_t Offset(int32_t i) const { return offsets_[static_cast<size_t>(i)]; }
  bool IsSpaceWordSegment(const WordSegment& s) const {
    return u_isUWhiteSpace(u_.char32At(s.begin));
  }

  bool HasPictograph(int32_t begin, int32_t end) const {
    for (int32_t i = begin; i < end;) {
      UChar32 c = u_.char32At(i);
      if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
          u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR)) {
        return true;
      }
      i += U16_LENGTH(c);
    }
    return false;
  }

  std::string Fold(int32_t begin, int32_t end) const {
    icu::UnicodeString piece(u_, begin, end - begin);
    UErrorCode status = U_ZERO_ERROR;
    std::string out;
    if (nfkc_cf_->isNormalized(piece, status) && U_SUCCESS(status)) {
      piece.toUTF8String(out);
    } else {
      status = U_ZERO_ERROR;
      icu::UnicodeString folded = nfkc_cf_->normalize(piece, status);
      if (U_SUCCESS(status)) folded.toUTF8String(out);
    }
    return out;
  }

 private:
  const icu::Normalizer2* nfkc_cf_;
  icu::UnicodeString u_;
  std::vector<uint32_t> offsets_;  // UTF-16 index -> UTF-8 byte offset
};

// The same for text that is entirely ASCII: indexes are byte offsets, NFKC case folding is
// lowercasing, and no character is a pictograph.
class AsciiText {
 public:
  explicit AsciiText(std::string_view text) : text_(text) {}

  std::optional<std::vector<WordSegment>> WordSegments() const { return AsciiWordSegments(text_); }

  UChar32 CharAt(int32_t i) const { return static_cast<uint8_t>(text_[static_cast<size_t>(i)]); }
  static int32_t Length(UChar32) { return 1; }
  static uint32_t Offset(int32_t i) { return static_cast<uint32_t>(i); }
  bool IsSpaceWordSegment(const WordSegment& s) const { return IsAsciiSpace(text_[s.begin]); }
  static bool HasPictograph(int32_t, int32_t) { return false; }

  std::string Fold(int32_t begin, int32_t end) const {
    return AsciiLower(text_.substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin)));
  }

 private:
  std::string_view text_;
};

// Turns the segments of one text into tokens. `Text` is IcuText or AsciiText.
template <typename Text>
class TokenizeRun {
 public:
  TokenizeRun(const Text& text, Tokenizer* tokenizer) : text_(text), tokenizer_(tokenizer) {}

  std::vector<Token> Run(const std::vector<WordSegment>& segments, uint32_t* num_positions) {
    std::vector<WordSegment> chunk;
    for (const WordSegment& seg : segments) {
      if (text_.IsSpaceWordSegment(seg)) {
        Chunk(chunk);
        chunk.clear();
      } else {
        chunk.push_back(seg);
      }
    }
    Chunk(chunk);
    if (num_positions != nullptr) *num_positions = position_;
    return std::move(tokens_);
  }

 private:
  void Add(std::string term, std::string surface, uint32_t position, int32_t begin, int32_t end,
           Token::Kind kind, bool primary) {
    // Control characters never reach a term: 0x00 ends a term in posting keys, 0x01 starts
    // the reserved filter terms.
    auto is_control = [](char c) { return static_cast<uint8_t>(c) < 0x20; };
    term.erase(std::remove_if(term.begin(), term.end(), is_control), term.end());
    surface.erase(std::remove_if(surface.begin(), surface.end(), is_control), surface.end());
    TruncateUtf8(&term, kMaxTermBytes);
    TruncateUtf8(&surface, kMaxTermBytes);
    if (term.empty()) return;
    tokens_.push_back(Token{std::move(term), std::move(surface), position, text_.Offset(begin),
                            text_.Offset(end), kind, primary});
  }

  void Chunk(const std::vector<WordSegment>& segs) {
    // Units are words, CJK runs (adjacent dictionary words merged) and pictographs; other
    // segments (punctuation) only separate them.
    std::vector<Unit> units;
    for (const WordSegment& s : segs) {
      if (IsCjkStatus(s.status)) {
        if (!units.empty() && units.back().kind == UnitKind::kCjk && units.back().end == s.begin) {
          units.back().end = s.end;
        } else {
          units.push_back(Unit{UnitKind::kCjk, s.begin, s.end});
        }
      } else if (IsWordStatus(s.status)) {
        units.push_back(Unit{UnitKind::kWord, s.begin, s.end});
      } else if (text_.HasPictograph(s.begin, s.end)) {
        units.push_back(Unit{UnitKind::kSymbol, s.begin, s.end});
      }
    }
    if (units.empty()) return;
    bool chunked = false;
    if (units.size() >= 2) {
      std::string whole = text_.Fold(units.front().begin, units.back().end);
      if (!whole.empty() && whole.size() <= kMaxChunkBytes) {
        chunked = true;
        std::string surface = whole;
        Add(std::move(whole), std::move(surface), position_, units.front().begin, units.back().end,
            Token::Kind::kChunk, true);
      }
    }
    for (const Unit& unit : units) {
      switch (unit.kind) {
        case UnitKind::kWord:
          Word(unit, !chunked);
          break;
        case UnitKind::kCjk:
          Cjk(unit, !chunked);
          break;
        case UnitKind::kSymbol: {
          std::string folded = text_.Fold(unit.begin, unit.end);
          if (folded.empty()) break;
          std::string surface = folded;
          Add(std::move(folded), std::move(surface), position_++, unit.begin, unit.end,
              Token::Kind::kSymbol, !chunked);
          break;
        }
      }
    }
  }

  void Word(const Unit& unit, bool primary) {
    std::vector<std::pair<int32_t, int32_t>> parts;
    int32_t part_begin = unit.begin;
    for (int32_t i = unit.begin; i < unit.end;) {
      UChar32 c = text_.CharAt(i);
      int32_t next = i + Text::Length(c);
      if (IsPartSeparator(c)) {
        if (i > part_begin) parts.emplace_back(part_begin, i);
        part_begin = next;
      }
      i = next;
    }
    if (unit.end > part_begin) parts.emplace_back(part_begin, unit.end);
    if (parts.size() >= 2) {
      std::string whole = text_.Fold(unit.begin, unit.end);
      if (whole.empty()) return;
      std::string surface = whole;
      Add(std::move(whole), std::move(surface), position_, unit.begin, unit.end,
          Token::Kind::kWordWhole, primary);
      for (const auto& [b, e] : parts) {
        std::string folded = text_.Fold(b, e);
        if (folded.empty()) continue;
        Add(tokenizer_->Stem(folded), folded, position_++, b, e, Token::Kind::kPart, false);
      }
      return;
    }
    std::string folded = text_.Fold(unit.begin, unit.end);
    if (folded.empty()) return;
    Add(tokenizer_->Stem(folded), folded, position_++, unit.begin, unit.end, Token::Kind::kWord,
        primary);
  }

  void Cjk(const Unit& unit, bool primary) {
    struct Char {
      std::string folded;
      int32_t begin, end;
    };
    std::vector<Char> chars;
    for (int32_t i = unit.begin; i < unit.end;) {
      UChar32 c = text_.CharAt(i);
      int32_t next = i + Text::Length(c);
      std::string folded = text_.Fold(i, next);
      if (!folded.empty()) chars.push_back(Char{std::move(folded), i, next});
      i = next;
    }
    const size_t n = chars.size();
    for (size_t k = 0; k < n; ++k) {
      const uint32_t pos = position_ + static_cast<uint32_t>(k);
      Add(chars[k].folded, chars[k].folded, pos, chars[k].begin, chars[k].end,
          Token::Kind::kCjkUnigram, primary && n == 1);
      if (k + 1 < n) {
        std::string bigram = chars[k].folded + chars[k + 1].folded;
        std::string surface = bigram;
        Add(std::move(bigram), std::move(surface), pos, chars[k].begin, chars[k + 1].end,
            Token::Kind::kCjkBigram, primary);
      }
    }
    position_ += static_cast<uint32_t>(n);
  }

  const Text& text_;
  Tokenizer* tokenizer_;
  std::vector<Token> tokens_;
  uint32_t position_ = 0;
};

}  // namespace

std::vector<Token> Tokenizer::Tokenize(std::string_view text, uint32_t* num_positions) {
  if (IsAscii(text)) {
    AsciiText ascii(text);
    if (std::optional<std::vector<WordSegment>> segments = ascii.WordSegments()) {
      return TokenizeRun<AsciiText>(ascii, this).Run(*segments, num_positions);
    }
  }
  IcuText icu_text(text, nfkc_cf_);
  return TokenizeRun<IcuText>(icu_text, this)
      .Run(icu_text.WordSegments(words_.get()), num_positions);
}

std::vector<Token> Tokenizer::TokenizeWithIcu(std::string_view text, uint32_t* num_positions) {
  IcuText icu_text(text, nfkc_cf_);
  return TokenizeRun<IcuText>(icu_text, this)
      .Run(icu_text.WordSegments(words_.get()), num_positions);
}

}  // namespace meridian::search
