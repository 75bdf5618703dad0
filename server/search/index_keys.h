// Key and value encodings of the search index (layout documented in search_index.h).
#ifndef MERIDIAN_SERVER_SEARCH_INDEX_KEYS_H_
#define MERIDIAN_SERVER_SEARCH_INDEX_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"
#include "storage/kv_store.h"

namespace meridian::search {

// Posting blocks live in a column family of their own, written as whole table files (see
// storage::TableWriter); everything else of the index is in Cf::kSearch.
inline constexpr storage::Cf kBlocksCf = storage::Cf::kSearchBlocks;

inline constexpr char kLegacyPostingTag = 'p';  // one key per posting: the first format
inline constexpr char kBlockTag = 'b';
inline constexpr char kSegmentTag = 'g';
inline constexpr char kDeadTag = 'x';
inline constexpr char kLogTag = 'u';
inline constexpr char kDocTag = 'd';
inline constexpr char kDfTag = 'f';  // format 2's document frequencies, deleted by the upgrade
inline constexpr char kStatTag = 'S';
inline constexpr char kLexiconTag = 'w';

// Reserved filter terms; text terms never contain control characters.
inline constexpr std::string_view kAllTerm =
    "\x01"
    "all";
inline constexpr std::string_view kLinkTerm =
    "\x01"
    "link";
inline constexpr std::string_view kReactionTerm =
    "\x01"
    "reaction";
inline constexpr std::string_view kThreadTerm =
    "\x01"
    "thread";
inline constexpr std::string_view kPinnedTerm =
    "\x01"
    "pinned";
inline std::string FromTerm(uint64_t user) {
  return absl::StrCat(
      "\x01"
      "from:",
      user);
}
inline std::string WithTerm(uint64_t user) {
  return absl::StrCat(
      "\x01"
      "with:",
      user);
}
inline bool IsFilterTerm(std::string_view term) { return !term.empty() && term[0] == '\x01'; }

// A document's place in a posting list; ordered like the key bytes.
struct DocKey {
  uint64_t channel = 0;
  uint64_t time = 0;  // time_us with the sign bit flipped, so that it orders as unsigned
  uint64_t seq = 0;
  auto operator<=>(const DocKey&) const = default;
};

inline uint64_t TimeToKey(int64_t time_us) {
  return static_cast<uint64_t>(time_us) ^ (uint64_t{1} << 63);
}
inline int64_t KeyToTime(uint64_t key) { return static_cast<int64_t>(key ^ (uint64_t{1} << 63)); }

// The smallest DocKey after `d`.
inline DocKey Successor(DocKey d) {
  if (++d.seq == 0 && ++d.time == 0) ++d.channel;
  return d;
}

inline void AppendDocKey(std::string* out, const DocKey& d) {
  storage::AppendU64(out, d.channel);
  storage::AppendU64(out, d.time);
  storage::AppendU64(out, d.seq);
}

// The DocKey in the last 24 bytes of `key` (which must be at least that long).
inline DocKey ParseDocKey(std::string_view key) {
  std::string_view s = key.substr(key.size() - 24);
  return DocKey{*storage::ReadU64(s), *storage::ReadU64(s.substr(8)),
                *storage::ReadU64(s.substr(16))};
}

// Iterator bounds covering every key that starts with `tag`.
inline storage::IteratorOptions TagBounds(char tag) {
  storage::IteratorOptions opts;
  opts.lower_bound = std::string(1, tag);
  opts.upper_bound = std::string(1, static_cast<char>(tag + 1));
  return opts;
}

// 'b' segment term 0x00: the key of the term's summary in that segment, if it has one; the
// blocks of the term follow, each keyed by its last DocKey, so a seek to a DocKey lands on the
// block that holds it.
inline std::string BlockPrefix(uint64_t segment, std::string_view term) {
  std::string k;
  k.reserve(term.size() + 10 + 24);
  k.push_back(kBlockTag);
  storage::AppendU64(&k, segment);
  k.append(term);
  k.push_back('\0');
  return k;
}
// The term of a block key, or of a term-summary key (BlockPrefix itself, see postings.h).
// Terms hold no NUL (the tokenizer drops control characters), so the first one after the
// segment ends the term.
inline std::string_view BlockKeyTerm(std::string_view key) {
  if (key.size() < 9) return {};
  const size_t end = key.find('\0', 9);
  return key.substr(9, end == std::string_view::npos ? end : end - 9);
}
inline bool IsTermSummaryKey(std::string_view key) {
  return key.size() == 9 + BlockKeyTerm(key).size() + 1;
}
// Every block of a segment: [SegmentBlocksBegin(s), SegmentBlocksBegin(s + 1)).
inline std::string SegmentBlocksBegin(uint64_t segment) {
  return storage::KeyBuilder().Byte(kBlockTag).U64(segment).Take();
}
inline std::string SegmentKey(uint64_t segment) {
  return storage::KeyBuilder().Byte(kSegmentTag).U64(segment).Take();
}
inline std::string DeadKey(uint64_t segment, const DocKey& d) {
  std::string k = storage::KeyBuilder().Byte(kDeadTag).U64(segment).Take();
  AppendDocKey(&k, d);
  return k;
}
inline std::string SegmentDeadBegin(uint64_t segment) {
  return storage::KeyBuilder().Byte(kDeadTag).U64(segment).Take();
}
inline std::string LogKey(uint64_t serial) {
  return storage::KeyBuilder().Byte(kLogTag).U64(serial).Take();
}

inline std::string DocRecordKey(uint64_t channel, uint64_t seq) {
  return storage::KeyBuilder().Byte(kDocTag).U64(channel).U64(seq).Take();
}
inline std::string LexiconKey(std::string_view surface) {
  std::string k(1, kLexiconTag);
  k.append(surface);
  return k;
}
inline std::string DocCountKey() { return "Sdocs"; }
inline std::string TotalLengthKey() { return "Slength"; }
inline std::string AnalyzerKey() { return "Sanalyzer"; }
inline std::string FormatKey() { return "Sformat"; }

inline void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint from the front of *in and consumes it; false when truncated.
inline bool ReadVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_INDEX_KEYS_H_
