#include "server/search/postings.h"

#include <algorithm>

namespace meridian::search {
namespace {

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

void EncodeBlock(const PostingList& list, size_t begin, size_t end, std::string* out) {
  out->clear();
  uint64_t base = UINT64_MAX;
  for (size_t i = begin; i < end; ++i) base = std::min(base, list.postings[i].doc.time);
  AppendVarint(out, end - begin);
  storage::AppendU64(out, base);
  std::string pos;
  const Posting* prev = nullptr;
  for (size_t i = begin; i < end; ++i) {
    const Posting& p = list.postings[i];
    const bool same = prev != nullptr && prev->doc.channel == p.doc.channel;
    AppendVarint(out, prev == nullptr ? p.doc.channel : p.doc.channel - prev->doc.channel);
    if (same) {
      AppendVarint(out, p.doc.time - prev->doc.time);
      AppendVarint(out, ZigZag(static_cast<int64_t>(p.doc.seq - prev->doc.seq)));
    } else {
      AppendVarint(out, p.doc.time - base);
      AppendVarint(out, p.doc.seq);
    }
    AppendVarint(out, p.doc_length);
    AppendVarint(out, p.tf);
    pos.clear();
    uint32_t last = 0;
    for (uint32_t j = 0; j < p.tf; ++j) {
      const uint32_t at = list.positions[p.pos_begin + j];
      AppendVarint(&pos, at - last);
      last = at;
    }
    AppendVarint(out, pos.size());
    out->append(pos);
    prev = &p;
  }
}

bool BlockDecoder::Reset(std::string_view block) {
  rest_ = block;
  first_ = true;
  ok_ = ReadVarint(&rest_, &remaining_) && rest_.size() >= 8;
  if (!ok_) return false;
  base_ = *storage::ReadU64(rest_);
  rest_.remove_prefix(8);
  return true;
}

bool BlockDecoder::Next() {
  if (!ok_ || remaining_ == 0) return false;
  --remaining_;
  uint64_t channel_delta = 0, time = 0, seq = 0, length = 0, tf = 0, pos_bytes = 0;
  ok_ = ReadVarint(&rest_, &channel_delta) && ReadVarint(&rest_, &time) &&
        ReadVarint(&rest_, &seq) && ReadVarint(&rest_, &length) && ReadVarint(&rest_, &tf) &&
        ReadVarint(&rest_, &pos_bytes) && pos_bytes <= rest_.size();
  if (!ok_) return false;
  if (first_ || channel_delta != 0) {
    doc_.channel = first_ ? channel_delta : doc_.channel + channel_delta;
    doc_.time = base_ + time;
    doc_.seq = seq;
  } else {
    doc_.time += time;
    doc_.seq += static_cast<uint64_t>(UnZigZag(seq));
  }
  first_ = false;
  doc_length_ = static_cast<uint32_t>(length);
  tf_ = static_cast<uint32_t>(tf);
  positions_ = rest_.substr(0, pos_bytes);
  rest_.remove_prefix(pos_bytes);
  return true;
}

void BlockDecoder::Positions(std::vector<uint32_t>* out) const {
  std::string_view p = positions_;
  uint64_t delta = 0;
  uint32_t at = 0;
  while (!p.empty() && ReadVarint(&p, &delta)) {
    at += static_cast<uint32_t>(delta);
    out->push_back(at);
  }
}

}  // namespace meridian::search
