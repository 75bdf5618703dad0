// Key layouts of Cf::kAsync, the column family of issue 6 ("Asynchronous first").
// Integers are big-endian so that key order is numeric order.
#ifndef MERIDIAN_SERVER_CORE_ASYNC_KEYS_H_
#define MERIDIAN_SERVER_CORE_ASYNC_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/key_codec.h"

namespace meridian::async_keys {

// 'f' user deliver_us notification_id -> NotificationRecord (a user's feed, oldest first).
inline std::string Feed(uint64_t user, int64_t deliver_us, std::string_view id) {
  return storage::KeyBuilder()
      .Byte('f')
      .U64(user)
      .U64(static_cast<uint64_t>(deliver_us))
      .Bytes(id)
      .Take();
}
inline std::string FeedPrefix(uint64_t user) {
  return storage::KeyBuilder().Byte('f').U64(user).Take();
}

// 'i' user notification_id -> the Feed key (dedupes deliveries; finds a notification by id).
inline std::string FeedIndex(uint64_t user, std::string_view id) {
  return storage::KeyBuilder().Byte('i').U64(user).Bytes(id).Take();
}

// 'p' user channel root_seq -> "": threads the user takes part in.
inline std::string Participation(uint64_t user, uint64_t channel, uint64_t root) {
  return storage::KeyBuilder().Byte('p').U64(user).U64(channel).U64(root).Take();
}
inline std::string ParticipationPrefix(uint64_t user) {
  return storage::KeyBuilder().Byte('p').U64(user).Take();
}

// 'm' channel seq -> ReplyByRecord: a message that asked for replies by a deadline.
inline std::string ReplyBy(uint64_t channel, uint64_t seq) {
  return storage::KeyBuilder().Byte('m').U64(channel).U64(seq).Take();
}
// 'w' user channel seq -> "": the user was asked to reply and has not.
inline std::string AwaitingMine(uint64_t user, uint64_t channel, uint64_t seq) {
  return storage::KeyBuilder().Byte('w').U64(user).U64(channel).U64(seq).Take();
}
inline std::string AwaitingMinePrefix(uint64_t user) {
  return storage::KeyBuilder().Byte('w').U64(user).Take();
}
// 's' sender channel seq -> "": the sender still waits for someone's reply.
inline std::string AwaitingOthers(uint64_t user, uint64_t channel, uint64_t seq) {
  return storage::KeyBuilder().Byte('s').U64(user).U64(channel).U64(seq).Take();
}
inline std::string AwaitingOthersPrefix(uint64_t user) {
  return storage::KeyBuilder().Byte('s').U64(user).Take();
}

}  // namespace meridian::async_keys

#endif  // MERIDIAN_SERVER_CORE_ASYNC_KEYS_H_
