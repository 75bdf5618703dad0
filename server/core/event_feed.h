// EventFeed is one subscriber's view of the event log: what it may see, from its cursor on,
// first from storage and then from the live ring, with no gap and no duplicate.
#ifndef MERIDIAN_SERVER_CORE_EVENT_FEED_H_
#define MERIDIAN_SERVER_CORE_EVENT_FEED_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/directory.h"
#include "server/core/event_hub.h"
#include "storage/kv_store.h"

namespace meridian {

// Not safe for concurrent use (one per subscriber); borrows everything it is given.
class EventFeed {
 public:
  EventFeed(const storage::KvStore& store, const Directory& dir, EventHub& hub, uint64_t user,
            uint64_t cursor)
      : store_(store), dir_(dir), hub_(hub), user_(user), cursor_(cursor) {}

  enum class State {
    kEvents,    // *out has events
    kCaughtUp,  // nothing past the cursor yet; wait on the hub
    kTooSlow,   // a live subscriber fell out of the ring: end it, it resumes from cursor()
  };
  // Appends up to `max` events the user may see after cursor() and moves the cursor past them
  // (and past any it may not see). After the first kCaughtUp the feed is live: falling behind the
  // ring again gives kTooSlow instead of reading storage.
  absl::StatusOr<State> Next(size_t max, std::vector<std::shared_ptr<const HubEvent>>* out);

  // Everything at or before it has been delivered or was not for this user.
  uint64_t cursor() const { return cursor_; }
  bool live() const { return live_; }
  // Whether the user may see this event now.
  static bool Visible(const Directory& dir, uint64_t user, const internal::EventRecord& rec);

 private:
  absl::Status ReadStorage(uint64_t head, size_t max,
                           std::vector<std::shared_ptr<const HubEvent>>* scanned);

  const storage::KvStore& store_;
  const Directory& dir_;
  EventHub& hub_;
  const uint64_t user_;
  uint64_t cursor_;
  bool live_ = false;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_EVENT_FEED_H_
