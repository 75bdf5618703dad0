#include "server/core/event_hub.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace meridian {

int EventHub::DefaultWakeThreads() {
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
}

EventHub::EventHub(size_t capacity, uint64_t head, int wake_threads)
    : capacity_(std::max<size_t>(capacity, 1)), head_(head), evicted_through_(head) {
  for (int i = 0; i < std::max(wake_threads, 1); ++i) shards_.push_back(std::make_unique<Shard>());
  for (auto& shard : shards_) shard->thread = std::thread(&EventHub::WakeLoop, shard.get());
}

EventHub::~EventHub() {
  for (auto& shard : shards_) {
    absl::MutexLock l(&shard->mu);
    shard->stopping = true;
  }
  for (auto& shard : shards_) shard->thread.join();
}

EventHub::Shard& EventHub::ShardOf(EventWaiter* w) {
  return *shards_[absl::Hash<EventWaiter*>{}(w) % shards_.size()];
}

void EventHub::Publish(std::vector<std::shared_ptr<const HubEvent>> events) {
  if (events.empty()) return;
  absl::MutexLock l(&mu_);
  for (auto& e : events) {
    ring_.push_back(std::move(e));
    if (ring_.size() > capacity_) {
      evicted_through_ = ring_.front()->seq;
      ring_.pop_front();
    }
  }
  head_ = ring_.back()->seq;
  // Waking thousands of streams takes milliseconds: the committer must not wait for it (it would
  // delay every writer's acknowledgement and the next group commit). The wake threads do it, each
  // for its share, so that the per-stream writes run on every core at once.
  for (auto& shard : shards_) {
    absl::MutexLock sl(&shard->mu);
    if (shard->waiters.empty()) continue;
    shard->pending.insert(shard->waiters.begin(), shard->waiters.end());
    shard->waiters.clear();
  }
}

void EventHub::WakePending(Shard* shard) {
  std::vector<EventWaiter*> to_wake;
  {
    absl::MutexLock l(&shard->mu);
    to_wake.assign(shard->pending.begin(), shard->pending.end());
    shard->pending.clear();
  }
  for (EventWaiter* w : to_wake) w->Wake();
}

void EventHub::WakeLoop(Shard* shard) {
  for (;;) {
    {
      absl::MutexLock l(&shard->mu);
      auto ready = [shard]() ABSL_SHARED_LOCKS_REQUIRED(shard->mu) {
        return !shard->pending.empty() || shard->stopping;
      };
      shard->mu.Await(absl::Condition(&ready));
      if (shard->stopping) return;
    }
    // wake_mu before mu: a Cancel that ran in between has already removed its waiter.
    absl::MutexLock wake_lock(&shard->wake_mu);
    WakePending(shard);
  }
}

void EventHub::Drain() {
  for (auto& shard : shards_) {
    absl::MutexLock wake_lock(&shard->wake_mu);
    WakePending(shard.get());
  }
}

uint64_t EventHub::head() const {
  absl::ReaderMutexLock l(&mu_);
  return head_;
}

EventHub::ReadResult EventHub::Read(uint64_t after, size_t max,
                                    std::vector<std::shared_ptr<const HubEvent>>* out) const {
  // Shared: every stream's wake reads the ring, from all wake threads at once.
  absl::ReaderMutexLock l(&mu_);
  if (after >= head_) return ReadResult::kOk;
  if (after < evicted_through_) return ReadResult::kEvicted;
  // Sequences in the ring increase but need not be dense (a failed write leaves a gap).
  auto it = std::upper_bound(ring_.begin(), ring_.end(), after,
                             [](uint64_t a, const auto& e) { return a < e->seq; });
  for (; it != ring_.end() && max > 0; ++it, --max) out->push_back(*it);
  return ReadResult::kOk;
}

bool EventHub::WaitFor(uint64_t after, EventWaiter* w) {
  // A shared hold of mu_ is enough: Publish moves head_ only under an exclusive one, so it
  // cannot run between this check and the insert and miss the waiter.
  absl::ReaderMutexLock l(&mu_);
  if (head_ > after) return false;
  Shard& shard = ShardOf(w);
  absl::MutexLock sl(&shard.mu);
  shard.waiters.insert(w);
  return true;
}

void EventHub::Cancel(EventWaiter* w) {
  Shard& shard = ShardOf(w);
  absl::MutexLock wake_lock(&shard.wake_mu);
  absl::MutexLock l(&shard.mu);
  shard.waiters.erase(w);
  shard.pending.erase(w);
}

}  // namespace meridian
