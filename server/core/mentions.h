// Finding @mentions in message text.
#ifndef MERIDIAN_SERVER_CORE_MENTIONS_H_
#define MERIDIAN_SERVER_CORE_MENTIONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meridian {

struct ParsedMentions {
  std::vector<std::string> names;  // lowercase, deduplicated, in order of appearance
  bool channel = false;            // @channel or @everyone
  bool here = false;               // @here
};

// A mention is '@' at the start or after a character that cannot be part of a name or an
// e-mail address, followed by a name [a-z0-9._-] (case-insensitive); trailing '.', '-' and '_'
// are punctuation, not part of the name ("thanks @bob." mentions bob).
ParsedMentions ParseMentions(absl::string_view text);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_MENTIONS_H_
