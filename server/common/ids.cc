#include "server/common/ids.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace meridian {
namespace {

bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(s, out);
}

absl::StatusOr<uint64_t> ParsePrefixed(absl::string_view s, char prefix, absl::string_view field,
                                       absl::string_view example) {
  uint64_t v = 0;
  if (s.size() < 2 || s[0] != prefix || !ParseDecimal(s.substr(1), &v) || v == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"", s.substr(0, 64),
                                                   "\" is not a valid id (expected e.g. \"",
                                                   example, "\")"));
  }
  return v;
}

}  // namespace

std::string UserIdString(uint64_t id) { return absl::StrCat("u", id); }
std::string ChannelIdString(uint64_t id) { return absl::StrCat("c", id); }
std::string MessageIdString(MessageKey key) { return absl::StrCat("m", key.channel, "-", key.seq); }

absl::StatusOr<uint64_t> ParseUserId(absl::string_view s, absl::string_view field) {
  return ParsePrefixed(s, 'u', field, "u12");
}

absl::StatusOr<uint64_t> ParseChannelId(absl::string_view s, absl::string_view field) {
  return ParsePrefixed(s, 'c', field, "c3");
}

absl::StatusOr<MessageKey> ParseMessageId(absl::string_view s, absl::string_view field) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", s.substr(0, 64), "\" is not a valid message id (expected e.g. \"m3-42\")"));
  };
  if (s.size() < 4 || s[0] != 'm') return bad();
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) return bad();
  MessageKey key;
  if (!ParseDecimal(s.substr(1, dash - 1), &key.channel) ||
      !ParseDecimal(s.substr(dash + 1), &key.seq) || key.channel == 0 || key.seq == 0) {
    return bad();
  }
  return key;
}

absl::StatusOr<uint64_t> ParseCursor(absl::string_view s, absl::string_view field,
                                     uint64_t empty_value) {
  if (s.empty()) return empty_value;
  uint64_t v = 0;
  if (!ParseDecimal(s, &v)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", s.substr(0, 64), "\" is not a valid cursor; pass back a cursor the server "
        "returned, or leave it empty"));
  }
  return v;
}

}  // namespace meridian
