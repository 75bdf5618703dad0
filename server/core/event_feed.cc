#include "server/core/event_feed.h"

#include "storage/key_codec.h"
#include "storage/keys.h"

namespace meridian {

bool EventFeed::Visible(const Directory& dir, uint64_t user, const internal::EventRecord& rec) {
  if (rec.only_user() != 0 && rec.only_user() != user) return false;
  if (rec.channel() == 0 || rec.also_user() == user) return true;
  return dir.IsMember(rec.channel(), user);
}

absl::Status EventFeed::ReadStorage(uint64_t head, size_t max,
                                    std::vector<std::shared_ptr<const HubEvent>>* scanned) {
  // Bounded by head: storage may already hold events of a group that is not durable yet, and
  // those must not reach anyone before their writers are answered.
  auto it =
      store_.NewIterator(storage::Cf::kEvents, {.lower_bound = storage::keys::Event(cursor_ + 1),
                                                .upper_bound = storage::keys::Event(head + 1),
                                                .fill_cache = false});
  for (it->SeekToFirst(); it->Valid() && scanned->size() < max; it->Next()) {
    auto e = std::make_shared<HubEvent>();
    e->seq = *storage::ReadU64(it->key());
    if (!e->record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt event record");
    }
    scanned->push_back(std::move(e));
  }
  return it->status();
}

absl::StatusOr<EventFeed::State> EventFeed::Next(
    size_t max, std::vector<std::shared_ptr<const HubEvent>>* out) {
  // Scan more than we return, so that a user who sees little of a busy server still advances.
  const size_t scan_limit = std::max<size_t>(max, 1) * 16;
  for (;;) {
    uint64_t head = hub_.head();
    if (cursor_ >= head) {
      live_ = true;
      return State::kCaughtUp;
    }
    std::vector<std::shared_ptr<const HubEvent>> scanned;
    if (hub_.Read(cursor_, scan_limit, &scanned) == EventHub::ReadResult::kEvicted) {
      if (live_) return State::kTooSlow;
      if (auto s = ReadStorage(head, scan_limit, &scanned); !s.ok()) return s;
      if (scanned.empty()) {
        // Only gaps (failed writes) up to head.
        cursor_ = head;
        continue;
      }
    }
    size_t added = 0;
    for (auto& e : scanned) {
      if (added >= max) break;
      cursor_ = e->seq;
      if (Visible(dir_, user_, e->record)) {
        out->push_back(std::move(e));
        ++added;
      }
    }
    if (added > 0) return State::kEvents;
    if (scanned.empty()) cursor_ = head;
  }
}

}  // namespace meridian
