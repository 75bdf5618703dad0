// Key layouts of every column family except search and plugins (documented in SCHEMA.md).
// Integers are big-endian so that key order is numeric order.
#ifndef MERIDIAN_STORAGE_KEYS_H_
#define MERIDIAN_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/key_codec.h"

namespace meridian::storage::keys {

// kMeta
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr std::string_view kNextUserId = "next_user_id";
inline constexpr std::string_view kNextChannelId = "next_channel_id";

// kUsers: 'u' id -> UserRecord; 'n' name -> id (8 bytes).
inline std::string User(uint64_t id) { return KeyBuilder().Byte('u').U64(id).Take(); }
inline std::string UserName(std::string_view name) { return KeyBuilder().Byte('n').Bytes(name).Take(); }
inline constexpr std::string_view kUserPrefix = "u";

// kSessions: sha256(token) -> SessionRecord.
inline std::string Session(std::string_view token_hash) { return std::string(token_hash); }

// kChannels: 'c' id -> ChannelRecord; 'n' name -> id; 'd' sorted member ids -> id.
inline std::string Channel(uint64_t id) { return KeyBuilder().Byte('c').U64(id).Take(); }
inline std::string ChannelName(std::string_view name) {
  return KeyBuilder().Byte('n').Bytes(name).Take();
}
inline constexpr std::string_view kChannelPrefix = "c";

// kMembers: 'm' channel user -> MemberRecord (read marker lives here).
inline std::string Member(uint64_t channel, uint64_t user) {
  return KeyBuilder().Byte('m').U64(channel).U64(user).Take();
}
inline constexpr std::string_view kMemberPrefix = "m";

// kMessages: channel seq -> MessageRecord.
inline std::string Message(uint64_t channel, uint64_t seq) {
  return KeyBuilder().U64(channel).U64(seq).Take();
}
inline std::string MessagePrefix(uint64_t channel) { return KeyBuilder().U64(channel).Take(); }

// kThreads: channel root_seq reply_seq -> "" (replies of a thread in order).
inline std::string ThreadReply(uint64_t channel, uint64_t root, uint64_t reply) {
  return KeyBuilder().U64(channel).U64(root).U64(reply).Take();
}
inline std::string ThreadPrefix(uint64_t channel, uint64_t root) {
  return KeyBuilder().U64(channel).U64(root).Take();
}

// kRevisions: channel seq revision -> Revision.
inline std::string Revision(uint64_t channel, uint64_t seq, uint32_t number) {
  return KeyBuilder().U64(channel).U64(seq).U32(number).Take();
}

// kIdempotency: user key -> MessageRecord id (channel, seq as 16 bytes).
inline std::string Idempotency(uint64_t user, std::string_view key) {
  return KeyBuilder().U64(user).Bytes(key).Take();
}

// kEvents: event seq -> EventRecord.
inline std::string Event(uint64_t seq) { return KeyBuilder().U64(seq).Take(); }

// kPins: channel seq -> "".
inline std::string Pin(uint64_t channel, uint64_t seq) {
  return KeyBuilder().U64(channel).U64(seq).Take();
}

// kMentions: user channel seq -> "" (one per mention of the user, for unread mention counts).
inline std::string Mention(uint64_t user, uint64_t channel, uint64_t seq) {
  return KeyBuilder().U64(user).U64(channel).U64(seq).Take();
}
inline std::string MentionPrefix(uint64_t user, uint64_t channel) {
  return KeyBuilder().U64(user).U64(channel).Take();
}

}  // namespace meridian::storage::keys

#endif  // MERIDIAN_STORAGE_KEYS_H_
