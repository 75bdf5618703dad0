// Validation of user-supplied text.
#ifndef MERIDIAN_SERVER_COMMON_TEXT_H_
#define MERIDIAN_SERVER_COMMON_TEXT_H_

#include <string_view>

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace meridian {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view s);

// OK, or INVALID_ARGUMENT naming `field`: empty (unless allow_empty), longer than max_bytes, or
// not UTF-8 (with the byte offset of the first bad byte).
absl::Status ValidateText(absl::string_view s, absl::string_view field, size_t max_bytes,
                          bool allow_empty = false);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_COMMON_TEXT_H_
