#include "server/common/text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace meridian {
namespace {

// Offset of the first byte that is not part of a well-formed UTF-8 sequence, or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

absl::Status ValidateText(absl::string_view s, absl::string_view field, size_t max_bytes,
                          bool allow_empty) {
  if (s.empty() && !allow_empty) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  }
  if (s.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is ", s.size(),
                                                   " bytes; the limit is ", max_bytes));
  }
  size_t bad = FirstInvalidUtf8(std::string_view(s.data(), s.size()));
  if (bad != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not valid UTF-8 (bad byte at offset ", bad, ")"));
  }
  return absl::OkStatus();
}

}  // namespace meridian
