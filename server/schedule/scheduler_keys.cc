#include "server/schedule/scheduler_keys.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace meridian::schedule::keys {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr char kRecordVersion = 1;

void AppendBytes(std::string* out, std::string_view s) {
  storage::AppendU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Consumes a u32-length-prefixed string from the front of `in`.
bool ReadBytes(std::string_view* in, std::string* out) {
  const auto len = storage::ReadU32(*in);
  if (!len || in->size() < 4 + *len) return false;
  out->assign(in->substr(4, *len));
  in->remove_prefix(4 + *len);
  return true;
}

}  // namespace

uint64_t SortableTime(absl::Time t) {
  return static_cast<uint64_t>(absl::ToUnixMicros(t)) ^ kSignBit;
}

absl::Time FromSortableTime(uint64_t v) {
  return absl::FromUnixMicros(static_cast<int64_t>(v ^ kSignBit));
}

std::string QueueKey(absl::Time due, uint64_t id) {
  return storage::KeyBuilder().Byte(kQueueTag).U64(SortableTime(due)).U64(id).Take();
}

std::string QueueLimit(absl::Time due) {
  const uint64_t v = SortableTime(due);
  if (v == UINT64_MAX) return QueueEnd();
  return storage::KeyBuilder().Byte(kQueueTag).U64(v + 1).Take();
}

std::string QueueBegin() { return std::string(1, kQueueTag); }
std::string QueueEnd() { return std::string(1, kQueueTag + 1); }

std::string ByIdKey(uint64_t id) { return storage::KeyBuilder().Byte(kByIdTag).U64(id).Take(); }

std::string OwnerPrefix(std::string_view owner) {
  std::string key(1, kOwnerTag);
  AppendBytes(&key, owner);
  return key;
}

std::string OwnerKey(std::string_view owner, uint64_t id) {
  std::string key = OwnerPrefix(owner);
  storage::AppendU64(&key, id);
  return key;
}

uint64_t TrailingId(std::string_view key) {
  return key.size() < 8 ? 0 : *storage::ReadU64(key.substr(key.size() - 8));
}

std::string EncodeJob(const Job& job) {
  std::string out(1, kRecordVersion);
  AppendBytes(&out, job.kind);
  AppendBytes(&out, job.owner);
  AppendBytes(&out, job.payload);
  storage::AppendU64(&out, static_cast<uint64_t>(absl::ToInt64Microseconds(job.period)));
  storage::AppendU32(&out, job.failures);
  return out;
}

absl::StatusOr<Job> DecodeJob(std::string_view queue_key, std::string_view value) {
  auto corrupt = [&](const char* what) {
    return absl::InternalError(
        absl::StrCat("corrupt scheduler record (", what, ") at job ", TrailingId(queue_key)));
  };
  if (queue_key.size() != kQueueKeySize || queue_key[0] != kQueueTag) return corrupt("key");
  Job job;
  job.due = FromSortableTime(*storage::ReadU64(queue_key.substr(1)));
  job.id = *storage::ReadU64(queue_key.substr(9));
  if (value.empty() || value[0] != kRecordVersion) return corrupt("version");
  value.remove_prefix(1);
  if (!ReadBytes(&value, &job.kind) || !ReadBytes(&value, &job.owner) ||
      !ReadBytes(&value, &job.payload)) {
    return corrupt("strings");
  }
  const auto period = storage::ReadU64(value);
  if (!period || value.size() != 12) return corrupt("tail");
  job.period = absl::Microseconds(static_cast<int64_t>(*period));
  job.failures = *storage::ReadU32(value.substr(8));
  return job;
}

}  // namespace meridian::schedule::keys
