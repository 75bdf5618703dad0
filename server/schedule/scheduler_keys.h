// The on-disk layout of the scheduler, all in column family Cf::kScheduler. Every key starts
// with a one-byte tag so that the four kinds of record stay in separate ranges:
//   'q' due(8) id(8)          -> job record        the queue, in (due, id) order
//   'j' id(8)                 -> due(8)            find a job by id (Cancel, Reschedule, Get)
//   'o' len(4) owner id(8)    -> ""                 the owner index ("my scheduled messages")
//   'n'                       -> next free id(8)    the durable id high-water mark
// Integers are big-endian; due is UTC microseconds with the sign bit flipped, so bytewise order
// is time order also before 1970. A job record is: version byte 1, then kind, owner and payload
// as u32 length + bytes, the period in microseconds (u64) and the failure count (u32).
#ifndef MERIDIAN_SERVER_SCHEDULE_SCHEDULER_KEYS_H_
#define MERIDIAN_SERVER_SCHEDULE_SCHEDULER_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/schedule/scheduler.h"

namespace meridian::schedule::keys {

inline constexpr char kQueueTag = 'q';
inline constexpr char kByIdTag = 'j';
inline constexpr char kOwnerTag = 'o';
inline constexpr std::string_view kNextIdKey = "n";
inline constexpr size_t kQueueKeySize = 17;

uint64_t SortableTime(absl::Time t);
absl::Time FromSortableTime(uint64_t v);

std::string QueueKey(absl::Time due, uint64_t id);
// The first queue key strictly after every job due at or before `due`.
std::string QueueLimit(absl::Time due);
std::string QueueBegin();
std::string QueueEnd();
std::string ByIdKey(uint64_t id);
std::string OwnerPrefix(std::string_view owner);
std::string OwnerKey(std::string_view owner, uint64_t id);
// The job id at the end of an owner-index or queue key.
uint64_t TrailingId(std::string_view key);

std::string EncodeJob(const Job& job);
// `job.id` and `job.due` come from the queue key. INTERNAL on a corrupt record.
absl::StatusOr<Job> DecodeJob(std::string_view queue_key, std::string_view value);

}  // namespace meridian::schedule::keys

#endif  // MERIDIAN_SERVER_SCHEDULE_SCHEDULER_KEYS_H_
