// Turning the references a client sends ("u12", "@alice", "c3", "#general") into ids, and
// deciding what a caller may see. A channel the caller may not read answers NOT_FOUND, exactly
// as an unknown one does, so that its existence does not leak.
#ifndef MERIDIAN_SERVER_CORE_RESOLVE_H_
#define MERIDIAN_SERVER_CORE_RESOLVE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/core/directory.h"
#include "server/core/service_env.h"

namespace meridian {

// "u12" or "@name" (or a bare name). NOT_FOUND for an unknown user, INVALID_ARGUMENT for empty.
absl::StatusOr<uint64_t> ResolveUser(const Directory& dir, absl::string_view ref,
                                     absl::string_view field = "user_id");

enum class Access {
  kRead,   // public channels are readable by everyone; others by members
  kWrite,  // members only; archived channels refuse
};

// Resolves "c3" or "#name" and checks access. "@name" resolves to the existing direct
// conversation between the caller and that user (NOT_FOUND if none; see OpenDirect).
absl::StatusOr<ChannelView> ResolveChannel(const Directory& dir, const Caller& caller,
                                           absl::string_view ref, Access access,
                                           absl::string_view field = "channel_id");

// Access check on a known channel id.
absl::StatusOr<ChannelView> CheckChannelAccess(const Directory& dir, const Caller& caller,
                                               uint64_t channel, Access access);

// Lowercase, strip one leading sigil; empty when invalid.
std::string NormalizeHandle(absl::string_view in, char sigil);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_RESOLVE_H_
