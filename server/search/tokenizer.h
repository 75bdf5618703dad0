// Turns text into search terms: ICU word boundaries, NFKC case folding, optional Snowball
// stemming, CJK bigrams, and whole-plus-parts terms for URLs, paths, dotted.names, snake_case.
#ifndef MERIDIAN_SERVER_SEARCH_TOKENIZER_H_
#define MERIDIAN_SERVER_SEARCH_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "unicode/uversion.h"

struct sb_stemmer;
U_NAMESPACE_BEGIN
class BreakIterator;
class Normalizer2;
U_NAMESPACE_END

namespace meridian::search {

struct Token {
  enum class Kind {
    kWord,        // a simple word (stemmed)
    kWordWhole,   // a word with inner punctuation, whole ("snake_case", "v1.2.3")
    kPart,        // one part of a kWordWhole (stemmed)
    kChunk,       // a whitespace-delimited chunk of several words, whole (a URL, a path)
    kCjkUnigram,  // one CJK character
    kCjkBigram,   // two adjacent CJK characters
    kSymbol,      // an emoji or other pictograph
  };
  std::string term;     // what is indexed: folded, and stemmed where the kind says so
  std::string surface;  // folded, unstemmed (the lexicon key for prefix search)
  uint32_t position;    // word position; a whole shares the position of its first part
  uint32_t begin;       // byte range in the original UTF-8 text
  uint32_t end;
  Kind kind;
  // True for the tokens a query word is matched by (wholes rather than their parts, bigrams
  // rather than unigrams unless the CJK run is one character).
  bool primary;
};

// The text between two word boundaries (UAX #29) as ICU's word BreakIterator reports it.
struct WordSegment {
  int32_t begin;  // UTF-16 indexes (equal to byte offsets for ASCII text)
  int32_t end;
  int32_t status;  // ICU rule status: UBRK_WORD_NONE, _NUMBER, _LETTER, _KANA, _IDEO
};

// The word segments of ASCII text computed without ICU, in agreement with ICU's root word
// BreakIterator (tested against it). nullopt for text that is not ASCII or holds a construct
// this fast path leaves to ICU.
std::optional<std::vector<WordSegment>> AsciiWordSegments(std::string_view text);

struct TokenizerOptions {
  // A Snowball algorithm name ("english", "german", "porter"...); empty turns stemming off.
  std::string stemming_language = "english";
};

// Not safe for concurrent use: give each thread its own.
class Tokenizer {
 public:
  // INVALID_ARGUMENT for an unknown stemming language; INTERNAL when ICU's data is missing.
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Create(const TokenizerOptions& options);
  ~Tokenizer();

  // Every token of `text`, in order of position. Invalid UTF-8 bytes are treated as separators.
  // `num_positions` (optional) receives the number of positions used: the document length.
  std::vector<Token> Tokenize(std::string_view text, uint32_t* num_positions = nullptr);

  // Tokenize without the ASCII fast path (tests compare the two).
  std::vector<Token> TokenizeWithIcu(std::string_view text, uint32_t* num_positions = nullptr);

  // NFKC case folding of `text` as a whole (for prefixes and filter values).
  std::string Fold(std::string_view text);

  // Stems a folded word; returns it unchanged when stemming is off.
  std::string Stem(std::string_view folded);

 private:
  Tokenizer() = default;

  const icu::Normalizer2* nfkc_cf_ = nullptr;  // owned by ICU
  std::unique_ptr<icu::BreakIterator> words_;
  sb_stemmer* stemmer_ = nullptr;
  // Recent words and their stems: chat vocabulary repeats, and Snowball is slow next to a
  // lookup. Emptied when it reaches kMaxStemCache entries.
  static constexpr size_t kMaxStemCache = 1 << 16;
  absl::flat_hash_map<std::string, std::string> stem_cache_;
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_TOKENIZER_H_
