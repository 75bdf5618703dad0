// Posting lists as the index stores them: blocks of kBlockPostings postings of one term (the
// last one may hold fewer), in DocKey order, delta-encoded into one value (key 'b' segment
// term 0x00 last-DocKey, see index_keys.h).
//
// Block value: varint count, u64 base time (the smallest time key in the block), varint newest
// time - base, varint largest term frequency, varint smallest document length (these three let
// a search skip a block that cannot hold a result), varint skip field, the skip entries, then
// the postings. The skip field is the number of skip entries plus 256 times a layout code L,
// followed by a varint byte length of the entries (which are then read only when a seek needs
// them):
//   L from 19 to 22 (BlockLayout::kSkipTable): skip entries every S = 2^(L - 16) postings;
//          after the length, one byte W from 1 to 8: the width of every posting's time; then
//          one byte of the entries' field widths: bits 0-2 the channel's bytes - 1, bits 3-5
//          the seq's, bits 6-7 the offset's. Every entry has the same width, so a seek finds
//          its entry by bisection, reading none of the others;
//   L from 11 to 14 (kTimeOffsets, written before): S = 2^(L - 8); the byte W; varint entries;
//   L from 3 to 6 (kTimeDeltas, written before): S = 2^L, and times are varint deltas;
//   a field below 256 (the first format-3 blocks): kTimeDeltas, S = 32, and no length.
// Skip entry k lets a seek start at posting S * (k + 1) without decoding those before it: the
// DocKey of the posting just before it (channel, time - base, seq) and the byte offset of its
// start within the postings. kSkipTable: each field little-endian in its width (the time in
// W bytes); otherwise four varints. Per posting:
//   varint channel delta (0: same channel as the previous posting)
//   time: kSkipTable and kTimeOffsets: time - base in W bytes, little-endian; kTimeDeltas: a
//          varint, the delta from the previous posting's time when the channel is the same,
//          else time - base
//   varint seq: zigzag delta from the previous seq when the channel is the same, else the seq
//   varint document length, varint term frequency, varint byte length of the positions,
//   then the positions as varint deltas (none for filter terms).
// A time key in microseconds makes the time the widest field of a posting. Of fixed width it
// is read without waiting on its own bytes to know its length: at 1M messages an AND ran about
// 8% faster and a common word's top 50 about 17%, for an index 1% larger.
#ifndef MERIDIAN_SERVER_SEARCH_POSTINGS_H_
#define MERIDIAN_SERVER_SEARCH_POSTINGS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/search/index_keys.h"

namespace meridian::search {

inline constexpr size_t kBlockPostings = 256;
// The block size of segments written by earlier versions, which are read as they are (a
// merge rewrites them). 256 halved the hops between blocks of a phrase's or an AND's
// follower, and a small segment holds a mid-frequency word in one block, which searches keep
// in memory (search_caches.h): two-word phrases about 13% faster at 1M messages.
inline constexpr size_t kOldBlockPostings = 128;
// The skip spacing of new blocks: a follower cursor's seek within a block decodes under 16
// postings, and the entries cost about 3% of a full block.
inline constexpr size_t kSkipEvery = 16;

struct Posting {
  DocKey doc;
  uint32_t doc_length = 0;
  uint32_t tf = 0;         // number of positions
  uint32_t pos_begin = 0;  // the positions: bytes [pos_begin, pos_begin + pos_bytes) of
  uint32_t pos_bytes = 0;  // PostingList::positions, varint deltas from 0
};

// A decoded run of postings in DocKey order. Positions stay encoded until asked for (only
// phrases and proximity need them).
struct PostingList {
  std::vector<Posting> postings;
  std::string positions;
};

// Appends `positions` (sorted) as varint deltas.
void EncodePositions(const std::vector<uint32_t>& positions, std::string* out);

// Reads positions encoded by EncodePositions forward, without materialising them. A malformed
// tail reads as the end. The bytes must outlive the reader.
class PositionReader {
 public:
  PositionReader() = default;
  explicit PositionReader(std::string_view encoded)
      : p_(encoded.data()), end_(encoded.data() + encoded.size()) {}
  // Moves to the first position >= target (never back); false when there is none.
  bool SeekAtLeast(uint64_t target);
  uint32_t at() const { return at_; }

 private:
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  uint32_t at_ = 0;
  bool started_ = false;
};

// Whether some start s >= 0 has readers[i] holding position s + offsets[i] for every i: a
// phrase whose word i sits offsets[i] after its first word. The readers must be fresh, one per
// word; they are consumed up to the first such s.
bool FindPhrase(std::span<PositionReader> readers, std::span<const uint32_t> offsets);

enum class BlockLayout {
  kSkipTable,    // times of fixed width, from the block's base; skip entries of fixed width
  kTimeOffsets,  // times of fixed width; varint skip entries: written before; read as it is
  kTimeDeltas,   // varint times, deltas within a channel: written before; read as it is
};

// Encodes postings[begin, end) (DocKey order, positions taken from `list`) as one block value,
// with a skip entry every `skip_every` postings (a power of two from 8 to 64). kTimeDeltas
// with 32 writes the layout of the first format-3 blocks.
void EncodeBlock(const PostingList& list, size_t begin, size_t end, std::string* out,
                 size_t skip_every = kSkipEvery, BlockLayout layout = BlockLayout::kSkipTable);

// What a segment holds of one term: enough to count the term's postings there, and to see
// that none of them can make a page, without reading its blocks. Stored at BlockPrefix(segment,
// term), just before the blocks, for a term with more than one block; a single block's header
// and key say as much (SummarizeBlock). Value: varint count, u64 newest time, varint largest
// term frequency, varint smallest document length, varint smallest channel, varint largest
// channel - smallest. Later fields may follow; readers ignore them.
struct TermSummary {
  uint64_t count = 0;  // postings, dead ones included
  uint64_t max_time = 0;
  uint32_t max_tf = 0;
  uint32_t min_length = 0;
  uint64_t min_channel = 0;
  uint64_t max_channel = 0;
};

void EncodeTermSummary(const TermSummary& s, std::string* out);
// False when `value` is malformed.
bool DecodeTermSummary(std::string_view value, TermSummary* s);
// The summary of a term whose postings all fit in `block`, whose key names `last`. False
// when the block is malformed.
bool SummarizeBlock(const DocKey& last, std::string_view block, TermSummary* s);

// Encodes all of `list` (DocKey order) as the blocks of `term` in segment `segment`, after
// their summary when there is more than one, passing each key and value to `put` in key
// order; nothing for an empty list.
void EncodeTermBlocks(uint64_t segment, std::string_view term, const PostingList& list,
                      const std::function<void(std::string_view key, std::string_view value)>& put);

// Reads a block value one posting at a time, without decoding positions.
class BlockDecoder {
 public:
  // False when `block` is malformed. The bytes must outlive the decoder's use.
  bool Reset(std::string_view block);
  // Moves to the next posting; false at the end (or on a malformed block, see ok()).
  bool Next();
  bool ok() const { return ok_; }
  const DocKey& doc() const { return doc_; }
  uint32_t doc_length() const { return doc_length_; }
  uint32_t tf() const { return tf_; }
  // The current posting's encoded positions (see PositionReader), inside the block.
  std::string_view positions() const { return positions_; }
  // Moves to the first posting >= target, skipping whole runs of the block's skip spacing below it;
  // false when the block holds none (or is malformed, see ok()). Never moves back: stays put
  // when the current posting is already >= target.
  bool NextAtLeast(const DocKey& target);
  // From the block's header.
  uint64_t count() const { return count_; }
  uint64_t min_time() const { return base_; }
  uint64_t max_time() const { return max_time_; }
  uint32_t max_tf() const { return max_tf_; }
  uint32_t min_length() const { return min_length_; }
  BlockLayout layout() const {
    if (entry_bytes_ != 0) return BlockLayout::kSkipTable;
    return time_width_ != 0 ? BlockLayout::kTimeOffsets : BlockLayout::kTimeDeltas;
  }

 private:
  static constexpr size_t kMaxSkips = kBlockPostings / 8;  // spacings of 8 to 64
  void SkipTowards(const DocKey& target);
  // Parts of Next(). The Fast ones need kMaxPostingHeader readable bytes.
  void SetKey(uint64_t channel_delta, uint64_t time, uint64_t seq);
  bool ReadKeyFast();
  bool ReadPayload(bool fast);
  // Decodes skip entries up to entry k; false on a malformed one (ok_ is then false).
  bool DecodeSkips(size_t k);
  struct Skip {
    DocKey before;  // the posting before the one at `offset`
    uint64_t offset = 0;
  };
  // kSkipTable: the last of entries [first, skip_count_) that names a DocKey below target: its
  // index, and its key and offset into *best; skip_count_ when there is none.
  size_t FindInTable(size_t first, const DocKey& target, Skip* best) const;
  DocKey TableKey(size_t k) const;
  bool EntryBelow(size_t k, const DocKey& target) const;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  const char* body_ = nullptr;       // the first posting
  const char* skip_next_ = nullptr;  // the first skip entry not decoded yet
  const char* skip_end_ = nullptr;   // the end of the skip entries (the block's, if unknown)
  Skip skips_[kMaxSkips];
  size_t skip_count_ = 0;
  size_t skips_decoded_ = 0;
  int skip_shift_ = 5;      // skip entries every 1 << skip_shift_ postings
  int time_width_ = 0;      // the bytes of each posting's time; 0 for kTimeDeltas
  uint64_t time_mask_ = 0;  // the low time_width_ bytes
  // kSkipTable: the bytes of one entry (0 for the other layouts), and its fields' widths.
  size_t entry_bytes_ = 0;
  size_t time_at_ = 0, seq_at_ = 0, offset_at_ = 0;  // bytes into an entry (the channel's: 0)
  uint64_t channel_mask_ = 0, seq_mask_ = 0, offset_mask_ = 0;
  uint64_t remaining_ = 0;
  uint64_t count_ = 0;
  uint64_t base_ = 0;
  uint64_t max_time_ = 0;
  uint32_t max_tf_ = 0;
  uint32_t min_length_ = 0;
  bool first_ = true;
  bool ok_ = true;
  DocKey doc_;
  uint32_t doc_length_ = 0;
  uint32_t tf_ = 0;
  std::string_view positions_;
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_POSTINGS_H_
