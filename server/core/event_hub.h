// EventHub keeps the newest committed events in memory for live subscribers and wakes them when
// more arrive. It never buffers per subscriber: each subscriber pulls from the shared ring at its
// own cursor, so a slow one costs nothing but its cursor. Waking runs on the hub's own thread, so
// that fanning an event out to thousands of streams never holds up the committer.
#ifndef MERIDIAN_SERVER_CORE_EVENT_HUB_H_
#define MERIDIAN_SERVER_CORE_EVENT_HUB_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "server/core/records.pb.h"

namespace meridian {

// A committed event as the hub holds it; immutable once published.
struct HubEvent {
  uint64_t seq = 0;
  internal::EventRecord record;
};

// Something waiting for events past a cursor. Wake() runs on the hub's wake thread (or in
// Drain()), without any hub lock held, at most once per registration; it must be quick and must
// not block.
class EventWaiter {
 public:
  virtual ~EventWaiter() = default;
  virtual void Wake() = 0;
};

// Safe for concurrent use.
class EventHub {
 public:
  // Keeps the newest `capacity` events. `head` is the sequence of the newest event in storage.
  EventHub(size_t capacity, uint64_t head);
  ~EventHub();  // stops the wake thread; every waiter must have been cancelled or woken

  // Appends events in strictly increasing seq order, after they are durable, and has the wake
  // thread wake the waiters. Returns without waiting for them.
  void Publish(std::vector<std::shared_ptr<const HubEvent>> events);
  // Wakes, on the calling thread, every waiter a Publish so far has not woken yet (tests).
  void Drain();

  uint64_t head() const;

  enum class ReadResult { kOk, kEvicted };
  // Appends to *out up to `max` events with seq > after. kEvicted when some of them already left
  // the ring (the caller reads storage instead, or cuts a live subscriber off).
  ReadResult Read(uint64_t after, size_t max,
                  std::vector<std::shared_ptr<const HubEvent>>* out) const;

  // Registers `w` to be woken once head moves past `after`; false (and not registered) when it
  // already has, so the caller reads again. The waiter must stay alive until it is woken or
  // Cancel(w) returns; after Cancel returns no Wake of it is running or will run. Wake() must not
  // call Cancel().
  bool WaitFor(uint64_t after, EventWaiter* w);
  void Cancel(EventWaiter* w);

 private:
  void WakeLoop();
  // Takes the pending waiters and wakes them; the caller holds wake_mu_.
  void WakePending() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_);

  const size_t capacity_;
  // Held while waking, so that Cancel can wait out a Wake in progress. Taken before mu_.
  absl::Mutex wake_mu_;
  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<const HubEvent>> ring_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  // Every event with seq <= evicted_through_ is only in storage.
  uint64_t evicted_through_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<EventWaiter*> waiters_ ABSL_GUARDED_BY(mu_);
  // Taken out of waiters_ by a Publish, not woken yet.
  absl::flat_hash_set<EventWaiter*> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread waker_;  // last: starts once everything above is built
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_EVENT_HUB_H_
