#include "server/core/event_hub.h"

#include <algorithm>

namespace meridian {

EventHub::EventHub(size_t capacity, uint64_t head)
    : capacity_(std::max<size_t>(capacity, 1)),
      head_(head),
      evicted_through_(head),
      waker_([this] { WakeLoop(); }) {}

EventHub::~EventHub() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  waker_.join();
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
  // delay every writer's acknowledgement and the next group commit). The wake thread does it.
  pending_.insert(waiters_.begin(), waiters_.end());
  waiters_.clear();
}

void EventHub::WakePending() {
  std::vector<EventWaiter*> to_wake;
  {
    absl::MutexLock l(&mu_);
    to_wake.assign(pending_.begin(), pending_.end());
    pending_.clear();
  }
  for (EventWaiter* w : to_wake) w->Wake();
}

void EventHub::WakeLoop() {
  for (;;) {
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !pending_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
    }
    // wake_mu_ before mu_: a Cancel that ran in between has already removed its waiter.
    absl::MutexLock wake_lock(&wake_mu_);
    WakePending();
  }
}

void EventHub::Drain() {
  absl::MutexLock wake_lock(&wake_mu_);
  WakePending();
}

uint64_t EventHub::head() const {
  absl::MutexLock l(&mu_);
  return head_;
}

EventHub::ReadResult EventHub::Read(uint64_t after, size_t max,
                                    std::vector<std::shared_ptr<const HubEvent>>* out) const {
  absl::MutexLock l(&mu_);
  if (after >= head_) return ReadResult::kOk;
  if (after < evicted_through_) return ReadResult::kEvicted;
  // Sequences in the ring increase but need not be dense (a failed write leaves a gap).
  auto it = std::upper_bound(ring_.begin(), ring_.end(), after,
                             [](uint64_t a, const auto& e) { return a < e->seq; });
  for (; it != ring_.end() && max > 0; ++it, --max) out->push_back(*it);
  return ReadResult::kOk;
}

bool EventHub::WaitFor(uint64_t after, EventWaiter* w) {
  absl::MutexLock l(&mu_);
  if (head_ > after) return false;
  waiters_.insert(w);
  return true;
}

void EventHub::Cancel(EventWaiter* w) {
  absl::MutexLock wake_lock(&wake_mu_);
  absl::MutexLock l(&mu_);
  waiters_.erase(w);
  pending_.erase(w);
}

}  // namespace meridian
