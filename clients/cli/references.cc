#include "clients/cli/references.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/cli_status.h"

namespace meridian::cli {
namespace {

// True for `prefix` followed by one or more ASCII digits, the shape of an opaque API id.
bool IsIdWithPrefix(absl::string_view arg, char prefix) {
  if (arg.size() < 2 || arg[0] != prefix) return false;
  for (char c : arg.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> ChannelRef(absl::string_view arg) {
  arg = absl::StripAsciiWhitespace(arg);
  if (arg.empty() || arg == "#" || arg == "@") {
    return UsageError(
        "a channel is required: give an id (c3), a name (general or #general) "
        "or @user for a direct conversation");
  }
  if (arg[0] == '#' || arg[0] == '@' || IsIdWithPrefix(arg, 'c')) return std::string(arg);
  return absl::StrCat("#", arg);
}

absl::StatusOr<std::string> UserRef(absl::string_view arg) {
  arg = absl::StripAsciiWhitespace(arg);
  if (arg.empty() || arg == "@") {
    return UsageError("a user is required: give an id (u12) or a name (bob or @bob)");
  }
  if (arg[0] == '@' || IsIdWithPrefix(arg, 'u')) return std::string(arg);
  return absl::StrCat("@", arg);
}

bool IsExplicitUserRef(absl::string_view arg) {
  return (arg.size() > 1 && arg[0] == '@' && arg.find(' ') == absl::string_view::npos) ||
         IsIdWithPrefix(arg, 'u');
}

}  // namespace meridian::cli
