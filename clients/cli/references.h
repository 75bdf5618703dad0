#ifndef MERIDIAN_CLIENTS_CLI_REFERENCES_H_
#define MERIDIAN_CLIENTS_CLI_REFERENCES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meridian::cli {

// Turns what a person types for a channel into what the API accepts. "c3", "#name" and "@user"
// pass through; a bare "general" becomes "#general" (a shell treats an unquoted leading '#' as a
// comment, so the bare form is the convenient one). A channel literally named like an id ("c3")
// must be written "#c3". INVALID_ARGUMENT (usage) for an empty argument.
absl::StatusOr<std::string> ChannelRef(absl::string_view arg);

// The same for users: "u12" and "@name" pass through; a bare "bob" becomes "@bob".
absl::StatusOr<std::string> UserRef(absl::string_view arg);

// True for "@name" and "u<digits>", the forms that are unambiguously users (used by `dm` to tell
// recipients from message text).
bool IsExplicitUserRef(absl::string_view arg);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_REFERENCES_H_
