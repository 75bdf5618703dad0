#include "server/search/tokenizer.h"

#include <libstemmer.h>

#include <algorithm>

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

struct Segment {
  int32_t begin;  // UTF-16 indexes
  int32_t end;
  int32_t status;
};

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

bool HasPictograph(const icu::UnicodeString& u, int32_t begin, int32_t end) {
  for (int32_t i = begin; i < end;) {
    UChar32 c = u.char32At(i);
    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
        u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR)) {
      return true;
    }
    i += U16_LENGTH(c);
  }
  return false;
}

bool IsSpaceSegment(const icu::UnicodeString& u, const Segment& s) {
  return u_isUWhiteSpace(u.char32At(s.begin));
}

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
  const sb_symbol* s = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(folded.data()),
                                       static_cast<int>(folded.size()));
  if (s == nullptr) return std::string(folded);  // out of memory: index unstemmed
  return std::string(reinterpret_cast<const char*>(s), sb_stemmer_length(stemmer_));
}

namespace {

// Per-call state: the text as UTF-16 with a map back to UTF-8 byte offsets.
class TokenizeRun {
 public:
  TokenizeRun(std::string_view text, const icu::Normalizer2* nfkc_cf, icu::BreakIterator* words,
              Tokenizer* tokenizer)
      : nfkc_cf_(nfkc_cf), words_(words), tokenizer_(tokenizer) {
    Decode(text);
  }

  std::vector<Token> Run(uint32_t* num_positions) {
    words_->setText(u_);
    std::vector<Segment> chunk;
    int32_t begin = words_->first();
    for (int32_t end = words_->next(); end != icu::BreakIterator::DONE;
         begin = end, end = words_->next()) {
      Segment seg{begin, end, words_->getRuleStatus()};
      if (IsSpaceSegment(u_, seg)) {
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
  void Decode(std::string_view text) {
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

  std::string Fold(int32_t begin, int32_t end) {
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
    tokens_.push_back(Token{std::move(term), std::move(surface), position, offsets_[begin],
                            offsets_[end], kind, primary});
  }

  void Chunk(const std::vector<Segment>& segs) {
    // Units are words, CJK runs (adjacent dictionary words merged) and pictographs; other
    // segments (punctuation) only separate them.
    std::vector<Unit> units;
    for (const Segment& s : segs) {
      if (IsCjkStatus(s.status)) {
        if (!units.empty() && units.back().kind == UnitKind::kCjk && units.back().end == s.begin) {
          units.back().end = s.end;
        } else {
          units.push_back(Unit{UnitKind::kCjk, s.begin, s.end});
        }
      } else if (IsWordStatus(s.status)) {
        units.push_back(Unit{UnitKind::kWord, s.begin, s.end});
      } else if (HasPictograph(u_, s.begin, s.end)) {
        units.push_back(Unit{UnitKind::kSymbol, s.begin, s.end});
      }
    }
    if (units.empty()) return;
    bool chunked = false;
    if (units.size() >= 2) {
      std::string whole = Fold(units.front().begin, units.back().end);
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
          std::string folded = Fold(unit.begin, unit.end);
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
      UChar32 c = u_.char32At(i);
      int32_t next = i + U16_LENGTH(c);
      if (IsPartSeparator(c)) {
        if (i > part_begin) parts.emplace_back(part_begin, i);
        part_begin = next;
      }
      i = next;
    }
    if (unit.end > part_begin) parts.emplace_back(part_begin, unit.end);
    if (parts.size() >= 2) {
      std::string whole = Fold(unit.begin, unit.end);
      if (whole.empty()) return;
      std::string surface = whole;
      Add(std::move(whole), std::move(surface), position_, unit.begin, unit.end,
          Token::Kind::kWordWhole, primary);
      for (const auto& [b, e] : parts) {
        std::string folded = Fold(b, e);
        if (folded.empty()) continue;
        Add(tokenizer_->Stem(folded), folded, position_++, b, e, Token::Kind::kPart, false);
      }
      return;
    }
    std::string folded = Fold(unit.begin, unit.end);
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
      UChar32 c = u_.char32At(i);
      int32_t next = i + U16_LENGTH(c);
      std::string folded = Fold(i, next);
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

  const icu::Normalizer2* nfkc_cf_;
  icu::BreakIterator* words_;
  Tokenizer* tokenizer_;
  icu::UnicodeString u_;
  std::vector<uint32_t> offsets_;  // UTF-16 index -> UTF-8 byte offset
  std::vector<Token> tokens_;
  uint32_t position_ = 0;
};

}  // namespace

std::vector<Token> Tokenizer::Tokenize(std::string_view text, uint32_t* num_positions) {
  TokenizeRun run(text, nfkc_cf_, words_.get(), this);
  return run.Run(num_positions);
}

}  // namespace meridian::search
