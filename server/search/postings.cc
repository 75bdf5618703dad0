#include "server/search/postings.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace meridian::search {
namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Reads a varint at *p (before end); false when truncated. Most fields fit one byte.
inline bool Varint(const char** p, const char* end, uint64_t* v) {
  if (*p < end && (static_cast<uint8_t>(**p) & 0x80) == 0) {
    *v = static_cast<uint8_t>(*(*p)++);
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(*(*p)++);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// `list` must not be empty.
TermSummary Summarize(const PostingList& list) {
  TermSummary s;
  s.count = list.postings.size();
  s.min_length = UINT32_MAX;
  s.min_channel = list.postings.front().doc.channel;  // DocKey order: channel first
  s.max_channel = list.postings.back().doc.channel;
  for (const Posting& p : list.postings) {
    s.max_time = std::max(s.max_time, p.doc.time);
    s.max_tf = std::max(s.max_tf, p.tf);
    s.min_length = std::min(s.min_length, p.doc_length);
  }
  return s;
}

// The longest posting header: six varints of at most ten bytes.
constexpr ptrdiff_t kMaxPostingHeader = 60;

// Like Varint, for a caller that has checked that ten bytes are readable at *p: no bounds
// checks in the multi-byte loop (times and sequence numbers take several bytes).
inline bool VarintUnchecked(const char** p, uint64_t* v) {
  const auto* q = reinterpret_cast<const uint8_t*>(*p);
  uint64_t b = q[0];
  uint64_t result = b;
  if (b < 0x80) {
    *p += 1;
    *v = result;
    return true;
  }
  result -= 0x80;
  for (int i = 1; i < 10; ++i) {
    b = q[i];
    result += b << (7 * i);
    if (b < 0x80) {
      *p += i + 1;
      *v = result;
      return true;
    }
    result -= uint64_t{0x80} << (7 * i);
  }
  return false;
}

// Like VarintUnchecked, without a branch on the length: one eight-byte load, and the 7-bit
// groups gathered by masks and shifts (a posting's time and sequence deltas take from one to
// five bytes, too irregularly for a branch per byte to be predicted). Needs eight readable
// bytes at *p; false for a varint longer than eight bytes.
inline bool VarintGather(const char** p, uint64_t* v) {
  uint64_t w;
  std::memcpy(&w, *p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  const uint64_t stops = ~w & 0x8080808080808080ull;
  if (stops == 0) return false;
  const int bits = __builtin_ctzll(stops) + 1;  // through the last byte's top bit
  uint64_t x = bits == 64 ? w : w & ((uint64_t{1} << bits) - 1);
  *p += bits >> 3;
  x = ((x & 0x7f007f007f007f00ull) >> 1) | (x & 0x007f007f007f007full);
  x = ((x & 0x3fff00003fff0000ull) >> 2) | (x & 0x00003fff00003fffull);
  x = ((x & 0x0fffffff00000000ull) >> 4) | (x & 0x000000000fffffffull);
  *v = x;
  return true;
}

// One byte (most fields) on a branch of its own, anything longer by VarintGather, and longer
// than eight bytes by VarintUnchecked. Needs ten readable bytes at *p.
inline bool VarintFast(const char** p, uint64_t* v) {
  const auto b = static_cast<uint8_t>(**p);
  if (b < 0x80) {
    *v = b;
    ++*p;
    return true;
  }
  return VarintGather(p, v) || VarintUnchecked(p, v);
}

// The fewest bytes, from 1 to 8, that hold v.
int BytesFor(uint64_t v) {
  int width = 1;
  while (width < 8 && (v >> (8 * width)) != 0) ++width;
  return width;
}

uint64_t LowBytesMask(int width) {
  return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
}

// Appends the low `width` bytes of v, little-endian.
void AppendLittleEndian(std::string* out, uint64_t v, int width) {
  for (int b = 0; b < width; ++b) out->push_back(static_cast<char>(v >> (8 * b)));
}

// A little-endian field of the width `mask` keeps; needs eight readable bytes at p.
inline uint64_t LoadLittleEndian(const char* p, uint64_t mask) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v & mask;
}

// Steps over a varint as VarintFast reads it (its value, unused, is optimized away).
inline bool SkipVarintFast(const char** p) {
  uint64_t ignored;
  return VarintFast(p, &ignored);
}

}  // namespace

void EncodeTermSummary(const TermSummary& s, std::string* out) {
  out->clear();
  AppendVarint(out, s.count);
  storage::AppendU64(out, s.max_time);
  AppendVarint(out, s.max_tf);
  AppendVarint(out, s.min_length);
  AppendVarint(out, s.min_channel);
  AppendVarint(out, s.max_channel - s.min_channel);
}

void EncodePositions(const std::vector<uint32_t>& positions, std::string* out) {
  uint32_t last = 0;
  for (uint32_t at : positions) {
    AppendVarint(out, at - last);
    last = at;
  }
}

bool PositionReader::SeekAtLeast(uint64_t target) {
  while (!started_ || at_ < target) {
    uint64_t delta = 0;
    if (p_ >= end_ || !Varint(&p_, end_, &delta)) return false;
    at_ += static_cast<uint32_t>(delta);
    started_ = true;
  }
  return true;
}

bool FindPhrase(std::span<PositionReader> readers, std::span<const uint32_t> offsets) {
  // Leapfrog on the start: each reader in turn either agrees with s or raises it.
  uint64_t s = 0;
  for (size_t i = 0, agreed = 0; agreed < readers.size(); i = (i + 1) % readers.size()) {
    if (!readers[i].SeekAtLeast(s + offsets[i])) return false;
    const uint64_t start = readers[i].at() - offsets[i];
    if (start > s) {
      s = start;
      agreed = 1;
    } else {
      ++agreed;
    }
  }
  return true;
}

bool DecodeTermSummary(std::string_view value, TermSummary* s) {
  const char* p = value.data();
  const char* end = p + value.size();
  uint64_t max_tf = 0, min_length = 0, span = 0;
  if (!Varint(&p, end, &s->count) || end - p < 8) return false;
  s->max_time = *storage::ReadU64(std::string_view(p, 8));
  p += 8;
  if (!Varint(&p, end, &max_tf) || !Varint(&p, end, &min_length) ||
      !Varint(&p, end, &s->min_channel) || !Varint(&p, end, &span)) {
    return false;
  }
  s->max_tf = static_cast<uint32_t>(max_tf);
  s->min_length = static_cast<uint32_t>(min_length);
  s->max_channel = s->min_channel + span;
  return true;
}

bool SummarizeBlock(const DocKey& last, std::string_view block, TermSummary* s) {
  BlockDecoder dec;
  if (!dec.Reset(block) || !dec.Next()) return false;
  s->count = dec.count();
  s->max_time = dec.max_time();
  s->max_tf = dec.max_tf();
  s->min_length = dec.min_length();
  s->min_channel = dec.doc().channel;
  s->max_channel = last.channel;
  return true;
}

void EncodeTermBlocks(uint64_t segment, std::string_view term, const PostingList& list,
                      const std::function<void(std::string_view, std::string_view)>& put) {
  std::string key = BlockPrefix(segment, term), value;
  if (list.postings.size() > kBlockPostings) {
    EncodeTermSummary(Summarize(list), &value);
    put(key, value);
  }
  for (size_t begin = 0; begin < list.postings.size(); begin += kBlockPostings) {
    const size_t end = std::min(list.postings.size(), begin + kBlockPostings);
    key = BlockPrefix(segment, term);
    AppendDocKey(&key, list.postings[end - 1].doc);
    EncodeBlock(list, begin, end, &value);
    put(key, value);
  }
}

void EncodeBlock(const PostingList& list, size_t begin, size_t end, std::string* out,
                 size_t skip_every, BlockLayout layout) {
  out->clear();
  const bool offsets = layout != BlockLayout::kTimeDeltas;
  const bool table = layout == BlockLayout::kSkipTable;
  uint64_t base = UINT64_MAX, newest = 0;
  uint32_t max_tf = 0, min_length = UINT32_MAX;
  for (size_t i = begin; i < end; ++i) {
    const Posting& p = list.postings[i];
    base = std::min(base, p.doc.time);
    newest = std::max(newest, p.doc.time);
    max_tf = std::max(max_tf, p.tf);
    min_length = std::min(min_length, p.doc_length);
  }
  const int width = BytesFor(newest - base);  // of the times, for kSkipTable and kTimeOffsets
  std::string body, skips;
  struct Entry {
    DocKey before;
    uint64_t offset;
  };
  std::vector<Entry> entries;
  const Posting* prev = nullptr;
  for (size_t i = begin; i < end; ++i) {
    const Posting& p = list.postings[i];
    if (i > begin && (i - begin) % skip_every == 0) entries.push_back({prev->doc, body.size()});
    const bool same = prev != nullptr && prev->doc.channel == p.doc.channel;
    AppendVarint(&body, prev == nullptr ? p.doc.channel : p.doc.channel - prev->doc.channel);
    if (offsets) {
      AppendLittleEndian(&body, p.doc.time - base, width);
    } else {
      AppendVarint(&body, same ? p.doc.time - prev->doc.time : p.doc.time - base);
    }
    AppendVarint(&body, same ? ZigZag(static_cast<int64_t>(p.doc.seq - prev->doc.seq)) : p.doc.seq);
    AppendVarint(&body, p.doc_length);
    AppendVarint(&body, p.tf);
    AppendVarint(&body, p.pos_bytes);
    body.append(list.positions, p.pos_begin, p.pos_bytes);
    prev = &p;
  }
  int channel_width = 1, seq_width = 1, offset_width = 1;
  if (table) {
    for (const Entry& e : entries) {
      channel_width = std::max(channel_width, BytesFor(e.before.channel));
      seq_width = std::max(seq_width, BytesFor(e.before.seq));
      offset_width = std::max(offset_width, BytesFor(e.offset));
    }
    offset_width = std::min(offset_width, 4);  // a block's postings are far below 4 GiB
  }
  for (const Entry& e : entries) {
    if (table) {
      AppendLittleEndian(&skips, e.before.channel, channel_width);
      AppendLittleEndian(&skips, e.before.time - base, width);
      AppendLittleEndian(&skips, e.before.seq, seq_width);
      AppendLittleEndian(&skips, e.offset, offset_width);
    } else {
      AppendVarint(&skips, e.before.channel);
      AppendVarint(&skips, e.before.time - base);
      AppendVarint(&skips, e.before.seq);
      AppendVarint(&skips, e.offset);
    }
  }
  AppendVarint(out, end - begin);
  storage::AppendU64(out, base);
  AppendVarint(out, newest - base);
  AppendVarint(out, max_tf);
  AppendVarint(out, min_length);
  if (skip_every == 32 && !offsets) {
    AppendVarint(out, entries.size());
  } else {
    // The layout's codes start at 0 (kTimeDeltas), 8 (kTimeOffsets) or 16 (kSkipTable).
    const size_t kind = table ? 2 : offsets ? 1 : 0;
    const size_t code = static_cast<size_t>(std::countr_zero(skip_every)) + 8 * kind;
    AppendVarint(out, entries.size() + 256 * code);
    AppendVarint(out, skips.size());
    if (offsets) out->push_back(static_cast<char>(width));
    if (table) {
      out->push_back(
          static_cast<char>((channel_width - 1) | (seq_width - 1) << 3 | (offset_width - 1) << 6));
    }
  }
  out->append(skips);
  out->append(body);
}

bool BlockDecoder::Reset(std::string_view block) {
  p_ = block.data();
  end_ = p_ + block.size();
  first_ = true;
  ok_ = Varint(&p_, end_, &remaining_) && end_ - p_ >= 8;
  if (!ok_) return false;
  count_ = remaining_;
  base_ = *storage::ReadU64(std::string_view(p_, 8));
  p_ += 8;
  uint64_t span = 0, max_tf = 0, min_length = 0, field = 0;
  ok_ = Varint(&p_, end_, &span) && Varint(&p_, end_, &max_tf) && Varint(&p_, end_, &min_length) &&
        Varint(&p_, end_, &field);
  if (!ok_) return false;
  max_time_ = base_ + span;
  max_tf_ = static_cast<uint32_t>(max_tf);
  min_length_ = static_cast<uint32_t>(min_length);
  skip_count_ = static_cast<size_t>(field % 256);
  skips_decoded_ = 0;
  skip_next_ = p_;
  time_width_ = 0;
  entry_bytes_ = 0;
  if (field < 256) {
    // The first format-3 layout: entries every 32 postings, read now to find the postings.
    skip_shift_ = 5;
    skip_end_ = end_;
  } else {
    // Codes 3-6: kTimeDeltas; 11-14: kTimeOffsets; 19-22: kSkipTable.
    const uint64_t code = field / 256;
    const uint64_t shift = code % 8, kind = code / 8;
    uint64_t bytes = 0;
    ok_ = kind <= 2 && shift >= 3 && shift <= 6 && Varint(&p_, end_, &bytes);
    if (ok_ && kind >= 1) {
      ok_ = p_ < end_ && *p_ >= 1 && *p_ <= 8;
      if (!ok_) return false;
      time_width_ = *p_++;
      time_mask_ = LowBytesMask(time_width_);
    }
    if (ok_ && kind == 2) {
      ok_ = p_ < end_;
      if (!ok_) return false;
      const auto widths = static_cast<uint8_t>(*p_++);
      const int channel_width = 1 + (widths & 7), seq_width = 1 + ((widths >> 3) & 7),
                offset_width = 1 + (widths >> 6);
      channel_mask_ = LowBytesMask(channel_width);
      seq_mask_ = LowBytesMask(seq_width);
      offset_mask_ = LowBytesMask(offset_width);
      time_at_ = static_cast<size_t>(channel_width);
      seq_at_ = time_at_ + static_cast<size_t>(time_width_);
      offset_at_ = seq_at_ + static_cast<size_t>(seq_width);
      entry_bytes_ = offset_at_ + static_cast<size_t>(offset_width);
      // The table is all of the entries' bytes, and eight bytes follow it (a block with
      // entries holds more than eight postings), so every field is read with one load.
      ok_ = bytes == skip_count_ * entry_bytes_ &&
            (skip_count_ == 0 || bytes + 8 <= static_cast<uint64_t>(end_ - p_));
    }
    ok_ = ok_ && bytes <= static_cast<uint64_t>(end_ - p_);
    if (!ok_) return false;
    skip_shift_ = static_cast<int>(shift);
    skip_next_ = p_;
    skip_end_ = p_ + bytes;
  }
  // Every entry names a posting inside the block.
  ok_ = skip_count_ <= kMaxSkips && (skip_count_ == 0 || (skip_count_ << skip_shift_) < count_);
  if (ok_ && field < 256 && skip_count_ > 0) ok_ = DecodeSkips(skip_count_ - 1);
  if (!ok_) return false;
  body_ = field < 256 ? skip_next_ : skip_end_;
  p_ = body_;
  return true;
}

bool BlockDecoder::DecodeSkips(size_t k) {
  for (; ok_ && skips_decoded_ <= k; ++skips_decoded_) {
    Skip& sk = skips_[skips_decoded_];
    uint64_t time = 0;
    ok_ = Varint(&skip_next_, skip_end_, &sk.before.channel) &&
          Varint(&skip_next_, skip_end_, &time) && Varint(&skip_next_, skip_end_, &sk.before.seq) &&
          Varint(&skip_next_, skip_end_, &sk.offset);
    sk.before.time = base_ + time;
  }
  return ok_;
}

DocKey BlockDecoder::TableKey(size_t k) const {
  const char* e = skip_next_ + k * entry_bytes_;
  return DocKey{LoadLittleEndian(e, channel_mask_),
                base_ + LoadLittleEndian(e + time_at_, time_mask_),
                LoadLittleEndian(e + seq_at_, seq_mask_)};
}

inline bool BlockDecoder::EntryBelow(size_t k, const DocKey& target) const {
  const char* e = skip_next_ + k * entry_bytes_;
  const uint64_t channel = LoadLittleEndian(e, channel_mask_);
  if (channel != target.channel) return channel < target.channel;
  const uint64_t time = base_ + LoadLittleEndian(e + time_at_, time_mask_);
  if (time != target.time) return time < target.time;
  return LoadLittleEndian(e + seq_at_, seq_mask_) < target.seq;
}

size_t BlockDecoder::FindInTable(size_t first, const DocKey& target, Skip* best) const {
  // Entries in order from `first`: a follower's seek usually stops within a few (its targets
  // are spread over the block), and a comparison reads no more than it needs.
  size_t k = first;
  while (k < skip_count_ && EntryBelow(k, target)) ++k;
  if (k == first) return skip_count_;
  best->before = TableKey(k - 1);
  best->offset = LoadLittleEndian(skip_next_ + (k - 1) * entry_bytes_ + offset_at_, offset_mask_);
  return k - 1;
}

void BlockDecoder::SkipTowards(const DocKey& target) {
  // Postings decoded so far: count_ - remaining_; skip entry k starts posting S * (k + 1), so
  // the entries from decoded / S on lead forward.
  const uint64_t decoded = count_ - remaining_;
  const auto first = static_cast<size_t>(decoded >> skip_shift_);
  size_t best = skip_count_;
  Skip found;
  const Skip* skip = &found;
  if (entry_bytes_ != 0) {
    best = FindInTable(first, target, &found);
    if (best == skip_count_) return;
  } else {
    // Varint entries are read in order, as far as needed.
    for (size_t k = first; k < skip_count_; ++k) {
      if (k >= skips_decoded_ && !DecodeSkips(k)) return;
      if (!(skips_[k].before < target)) break;
      best = k;
    }
    if (best == skip_count_) return;
    skip = &skips_[best];
  }
  if (skip->offset >= static_cast<uint64_t>(end_ - body_)) {
    ok_ = false;  // Next() then reports the malformed block
    return;
  }
  p_ = body_ + skip->offset;
  doc_ = skip->before;
  first_ = false;
  remaining_ = count_ - ((best + 1) << skip_shift_);
}

bool BlockDecoder::NextAtLeast(const DocKey& target) {
  if (!first_ && !(doc_ < target)) return true;
  SkipTowards(target);
  // The postings passed over are read only as far as their DocKeys: their lengths and term
  // frequencies are stepped over and their positions jumped (a follower of a phrase or an AND
  // passes most of the postings it reads).
  while (ok_ && remaining_ > 0 && end_ - p_ >= kMaxPostingHeader) {
    --remaining_;
    if (!ReadKeyFast()) return false;
    if (!(doc_ < target)) return ReadPayload(/*fast=*/true);
    uint64_t pos_bytes = 0;
    ok_ = SkipVarintFast(&p_) && SkipVarintFast(&p_) && VarintFast(&p_, &pos_bytes) &&
          pos_bytes <= static_cast<uint64_t>(end_ - p_);
    if (!ok_) return false;
    p_ += pos_bytes;
  }
  while (Next()) {
    if (!(doc_ < target)) return true;
  }
  return false;
}

inline void BlockDecoder::SetKey(uint64_t channel_delta, uint64_t time, uint64_t seq) {
  const bool restart = first_ || channel_delta != 0;
  if (restart) {
    doc_.channel = first_ ? channel_delta : doc_.channel + channel_delta;
    doc_.seq = seq;
  } else {
    doc_.seq += static_cast<uint64_t>(UnZigZag(seq));
  }
  doc_.time = restart || time_width_ != 0 ? base_ + time : doc_.time + time;
  first_ = false;
}

inline bool BlockDecoder::ReadKeyFast() {
  uint64_t channel_delta = 0, time = 0, seq = 0;
  ok_ = VarintFast(&p_, &channel_delta);
  if (time_width_ != 0) {
    std::memcpy(&time, p_, 8);
    if constexpr (std::endian::native == std::endian::big) time = __builtin_bswap64(time);
    time &= time_mask_;
    p_ += time_width_;
  } else {
    ok_ = ok_ && VarintFast(&p_, &time);
  }
  ok_ = ok_ && VarintFast(&p_, &seq);
  if (ok_) SetKey(channel_delta, time, seq);
  return ok_;
}

inline bool BlockDecoder::ReadPayload(bool fast) {
  uint64_t length = 0, tf = 0, pos_bytes = 0;
  if (fast) {
    ok_ = VarintFast(&p_, &length) && VarintFast(&p_, &tf) && VarintFast(&p_, &pos_bytes);
  } else {
    ok_ = Varint(&p_, end_, &length) && Varint(&p_, end_, &tf) && Varint(&p_, end_, &pos_bytes);
  }
  ok_ = ok_ && pos_bytes <= static_cast<uint64_t>(end_ - p_);
  if (!ok_) return false;
  doc_length_ = static_cast<uint32_t>(length);
  tf_ = static_cast<uint32_t>(tf);
  positions_ = std::string_view(p_, pos_bytes);
  p_ += pos_bytes;
  return true;
}

bool BlockDecoder::Next() {
  if (!ok_ || remaining_ == 0) return false;
  --remaining_;
  // kMaxPostingHeader readable bytes: every varint of the posting's header may be read
  // without bounds checks.
  if (end_ - p_ >= kMaxPostingHeader) return ReadKeyFast() && ReadPayload(/*fast=*/true);
  uint64_t channel_delta = 0, time = 0, seq = 0;
  ok_ = Varint(&p_, end_, &channel_delta);
  if (ok_ && time_width_ != 0) {
    ok_ = end_ - p_ >= time_width_;
    for (int b = 0; ok_ && b < time_width_; ++b) {
      time |= uint64_t{static_cast<uint8_t>(p_[b])} << (8 * b);
    }
    if (ok_) p_ += time_width_;
  } else {
    ok_ = ok_ && Varint(&p_, end_, &time);
  }
  ok_ = ok_ && Varint(&p_, end_, &seq);
  if (!ok_) return false;
  SetKey(channel_delta, time, seq);
  return ReadPayload(/*fast=*/false);
}

}  // namespace meridian::search
