// EventHub keeps the newest committed events in memory for live subscribers and wakes them when
// more arrive. It never buffers per subscriber: each subscriber pulls from the shared ring at its
// own cursor, so a slow one costs nothing but its cursor. Waking runs on the hub's own threads, so
// that fanning an event out to thousands of streams never holds up the committer: the waiters are
// sharded over a few wake threads, so that the per-stream writes of one event run on every core.
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

// Something waiting for events past a cursor. Wake() runs on one of the hub's wake threads (or in
// Drain()), without any hub lock held, at most once per registration; it must be quick and must
// not block. A waiter always lands on the same wake thread, so its wakes never run concurrently.
class EventWaiter {
 public:
  virtual ~EventWaiter() = default;
  virtual void Wake() = 0;
};

// Safe for concurrent use.
class EventHub {
 public:
  // Keeps the newest `capacity` events. `head` is the sequence of the newest event in storage.
  // `wake_threads` (clamped to >= 1) threads wake the waiters; see DefaultWakeThreads().
  EventHub(size_t capacity, uint64_t head, int wake_threads = DefaultWakeThreads());
  ~EventHub();  // stops the wake threads; every waiter must have been cancelled or woken

  // One wake thread per core, at most 8: a wake round is the per-stream writes of one event.
  static int DefaultWakeThreads();
  int wake_threads() const { return static_cast<int>(shards_.size()); }

  // Appends events in strictly increasing seq order, after they are durable, and has the wake
  // threads wake the waiters. Returns without waiting for them.
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
  // A share of the waiters and the thread that wakes them. Lock order: wake_mu, then the hub's
  // mu_, then mu.
  struct Shard {
    // Held while waking, so that Cancel can wait out a Wake in progress.
    absl::Mutex wake_mu;
    absl::Mutex mu;
    absl::flat_hash_set<EventWaiter*> waiters ABSL_GUARDED_BY(mu);
    // Taken out of waiters by a Publish, not woken yet.
    absl::flat_hash_set<EventWaiter*> pending ABSL_GUARDED_BY(mu);
    bool stopping ABSL_GUARDED_BY(mu) = false;
    std::thread thread;
  };

  Shard& ShardOf(EventWaiter* w);
  static void WakeLoop(Shard* shard);
  // Takes the shard's pending waiters and wakes them; the caller holds shard->wake_mu.
  static void WakePending(Shard* shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->wake_mu);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<const HubEvent>> ring_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  // Every event with seq <= evicted_through_ is only in storage.
  uint64_t evicted_through_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Shard>> shards_;  // fixed after construction
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_EVENT_HUB_H_
