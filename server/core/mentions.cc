#include "server/core/mentions.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace meridian {
namespace {

bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-'; }

}  // namespace

ParsedMentions ParseMentions(absl::string_view text) {
  ParsedMentions out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@') continue;
    // "alice@example.com" is an address, not a mention.
    if (i > 0 && (IsNameChar(text[i - 1]) || text[i - 1] == '@')) continue;
    size_t j = i + 1;
    while (j < text.size() && IsNameChar(text[j])) ++j;
    size_t end = j;
    while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-' || text[end - 1] == '_')) {
      --end;
    }
    if (end == i + 1) continue;
    std::string name = absl::AsciiStrToLower(text.substr(i + 1, end - i - 1));
    i = j - 1;
    if (name == "channel" || name == "everyone") {
      out.channel = true;
    } else if (name == "here") {
      out.here = true;
    } else if (name.size() <= 32 &&
               std::find(out.names.begin(), out.names.end(), name) == out.names.end()) {
      out.names.push_back(std::move(name));
    }
  }
  return out;
}

}  // namespace meridian
