// Opaque string ids. Inside, users, channels and messages are 64-bit numbers; the API shows
// them as short strings so that JavaScript clients never lose precision above 2^53:
// users "u<n>", channels "c<n>", messages "m<channel>-<seq>" (a message id names its channel,
// so looking one up is a single point read).
#ifndef MERIDIAN_SERVER_COMMON_IDS_H_
#define MERIDIAN_SERVER_COMMON_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace meridian {

struct MessageKey {
  uint64_t channel = 0;
  uint64_t seq = 0;
  friend bool operator==(const MessageKey&, const MessageKey&) = default;
};

std::string UserIdString(uint64_t id);
std::string ChannelIdString(uint64_t id);
std::string MessageIdString(MessageKey key);

// INVALID_ARGUMENT naming `field` when `s` is not an id of that kind.
absl::StatusOr<uint64_t> ParseUserId(absl::string_view s, absl::string_view field = "user_id");
absl::StatusOr<uint64_t> ParseChannelId(absl::string_view s,
                                        absl::string_view field = "channel_id");
absl::StatusOr<MessageKey> ParseMessageId(absl::string_view s,
                                          absl::string_view field = "message_id");

// Event and history cursors are decimal sequence numbers; "" parses as `empty_value`.
absl::StatusOr<uint64_t> ParseCursor(absl::string_view s, absl::string_view field,
                                     uint64_t empty_value = 0);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_COMMON_IDS_H_
