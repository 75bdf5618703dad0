// Order-preserving key encoding: big-endian fixed-width integers so that bytewise key order is
// numeric order, and helpers to build and parse composite keys.
#ifndef MERIDIAN_STORAGE_KEY_CODEC_H_
#define MERIDIAN_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meridian::storage {

inline void AppendU64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

inline void AppendU32(std::string* out, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 4);
}

// Reads a big-endian u64 from the first 8 bytes of `in`; nullopt when shorter.
inline std::optional<uint64_t> ReadU64(std::string_view in) {
  if (in.size() < 8) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

inline std::optional<uint32_t> ReadU32(std::string_view in) {
  if (in.size() < 4) return std::nullopt;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// Builds a composite key: KeyBuilder().U64(channel).U64(seq).Take().
class KeyBuilder {
 public:
  KeyBuilder& U64(uint64_t v) {
    AppendU64(&key_, v);
    return *this;
  }
  KeyBuilder& U32(uint32_t v) {
    AppendU32(&key_, v);
    return *this;
  }
  KeyBuilder& Byte(char c) {
    key_.push_back(c);
    return *this;
  }
  // Raw bytes, for a final variable-length component only (it is not self-delimiting).
  KeyBuilder& Bytes(std::string_view s) {
    key_.append(s);
    return *this;
  }
  std::string Take() { return std::move(key_); }

 private:
  std::string key_;
};

// The smallest key greater than every key that starts with `prefix`; empty when none exists
// (the prefix is all 0xff), meaning "unbounded".
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace meridian::storage

#endif  // MERIDIAN_STORAGE_KEY_CODEC_H_
