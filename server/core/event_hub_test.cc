#include "server/core/event_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace meridian {
namespace {

std::vector<std::shared_ptr<const HubEvent>> Events(uint64_t from, uint64_t to) {
  std::vector<std::shared_ptr<const HubEvent>> out;
  for (uint64_t s = from; s <= to; ++s) {
    auto e = std::make_shared<HubEvent>();
    e->seq = s;
    out.push_back(e);
  }
  return out;
}

struct CountingWaiter : EventWaiter {
  int wakes = 0;
  void Wake() override { ++wakes; }
};

TEST(EventHubTest, ReadsWhatIsInTheRingAndReportsEviction) {
  EventHub hub(/*capacity=*/4, /*head=*/10);
  std::vector<std::shared_ptr<const HubEvent>> out;
  // Everything up to 10 predates the hub: only storage has it.
  EXPECT_EQ(hub.Read(5, 10, &out), EventHub::ReadResult::kEvicted);
  EXPECT_EQ(hub.Read(10, 10, &out), EventHub::ReadResult::kOk);
  EXPECT_TRUE(out.empty());

  hub.Publish(Events(11, 16));  // ring keeps 13..16
  EXPECT_EQ(hub.head(), 16u);
  EXPECT_EQ(hub.Read(11, 10, &out), EventHub::ReadResult::kEvicted);
  ASSERT_EQ(hub.Read(12, 10, &out), EventHub::ReadResult::kOk);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.front()->seq, 13u);
  out.clear();
  ASSERT_EQ(hub.Read(14, 1, &out), EventHub::ReadResult::kOk);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->seq, 15u);
}

TEST(EventHubTest, GapsFromFailedWritesAreSkipped) {
  EventHub hub(8, 0);
  auto a = Events(1, 2), b = Events(5, 6);
  hub.Publish(a);
  hub.Publish(b);
  std::vector<std::shared_ptr<const HubEvent>> out;
  ASSERT_EQ(hub.Read(2, 10, &out), EventHub::ReadResult::kOk);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->seq, 5u);
}

TEST(EventHubTest, WaitersAreWokenOnceWhenHeadMoves) {
  EventHub hub(8, 3);
  CountingWaiter w, cancelled;
  EXPECT_FALSE(hub.WaitFor(2, &w)) << "head is already past 2";
  EXPECT_TRUE(hub.WaitFor(3, &w));
  EXPECT_TRUE(hub.WaitFor(3, &cancelled));
  hub.Cancel(&cancelled);
  hub.Publish(Events(4, 4));
  hub.Publish(Events(5, 5));
  hub.Drain();
  EXPECT_EQ(w.wakes, 1);
  EXPECT_EQ(cancelled.wakes, 0);
}

// Publish returns at once; the wake thread wakes the waiter on its own, and a waiter cancelled
// after a Publish but before its wake is never woken.
TEST(EventHubTest, WakeThreadWakesWithoutDrainAndCancelStopsPendingWakes) {
  struct Signal : EventWaiter {
    absl::Notification woken;
    void Wake() override { woken.Notify(); }
  };
  EventHub hub(8, 0);
  Signal w;
  ASSERT_TRUE(hub.WaitFor(0, &w));
  hub.Publish(Events(1, 1));
  EXPECT_TRUE(w.woken.WaitForNotificationWithTimeout(absl::Seconds(30)));

  for (int i = 0; i < 200; ++i) {
    CountingWaiter c;
    ASSERT_TRUE(hub.WaitFor(hub.head(), &c));
    hub.Publish(Events(hub.head() + 1, hub.head() + 1));
    hub.Cancel(&c);
    int seen = c.wakes;  // 0 or 1, depending on the race; never changes after Cancel returns
    hub.Drain();
    EXPECT_EQ(c.wakes, seen);
    EXPECT_LE(c.wakes, 1);
  }
}

// A subscriber as the RPC layer drives it: on each wake it reads every event past its cursor
// from the ring and waits again. Records the sequences it saw and the threads that woke it.
class ReadingWaiter : public EventWaiter {
 public:
  ReadingWaiter(EventHub& hub, uint64_t last, absl::BlockingCounter& done)
      : hub_(hub), last_(last), done_(done) {}
  void Wake() override {
    EXPECT_FALSE(in_wake_.exchange(true)) << "two wakes of one waiter ran at once";
    {
      absl::MutexLock l(&mu_);
      threads_.insert(std::this_thread::get_id());
      for (;;) {
        std::vector<std::shared_ptr<const HubEvent>> out;
        EXPECT_EQ(hub_.Read(cursor_, 16, &out), EventHub::ReadResult::kOk);
        for (auto& e : out) seen_.push_back(cursor_ = e->seq);
        if (cursor_ == last_) {
          done_.DecrementCount();
          break;
        }
        if (hub_.WaitFor(cursor_, this)) break;
      }
    }
    in_wake_ = false;
  }
  void Start() {
    absl::MutexLock l(&mu_);
    ASSERT_TRUE(hub_.WaitFor(cursor_, this));
  }
  std::vector<uint64_t> seen() {
    absl::MutexLock l(&mu_);
    return seen_;
  }
  std::set<std::thread::id> threads() {
    absl::MutexLock l(&mu_);
    return threads_;
  }

 private:
  EventHub& hub_;
  const uint64_t last_;
  absl::BlockingCounter& done_;
  std::atomic<bool> in_wake_{false};
  absl::Mutex mu_;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<uint64_t> seen_ ABSL_GUARDED_BY(mu_);
  std::set<std::thread::id> threads_ ABSL_GUARDED_BY(mu_);
};

// Waiters are spread over the wake threads; every one still gets every event once, in order,
// and is never woken twice at once, while events are published one at a time.
TEST(EventHubTest, ManyWaitersAcrossWakeThreadsGetEveryEventInOrder) {
  constexpr int kWaiters = 300, kEvents = 200;
  EventHub hub(/*capacity=*/kEvents, /*head=*/0, /*wake_threads=*/4);
  ASSERT_EQ(hub.wake_threads(), 4);
  absl::BlockingCounter done(kWaiters);
  std::vector<std::unique_ptr<ReadingWaiter>> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.push_back(std::make_unique<ReadingWaiter>(hub, kEvents, done));
    waiters.back()->Start();
  }
  for (uint64_t s = 1; s <= kEvents; ++s) hub.Publish(Events(s, s));
  done.Wait();

  std::vector<uint64_t> all(kEvents);
  for (uint64_t s = 1; s <= kEvents; ++s) all[s - 1] = s;
  std::set<std::thread::id> wake_threads;
  for (auto& w : waiters) {
    EXPECT_EQ(w->seen(), all);
    auto t = w->threads();
    EXPECT_EQ(t.size(), 1u) << "one waiter is always woken by the same thread";
    wake_threads.insert(t.begin(), t.end());
  }
  EXPECT_EQ(wake_threads.size(), 4u) << "the waiters are spread over every wake thread";
  EXPECT_EQ(wake_threads.count(std::this_thread::get_id()), 0u);
}

TEST(EventHubTest, DefaultWakeThreadsIsBetweenOneAndEight) {
  EXPECT_GE(EventHub::DefaultWakeThreads(), 1);
  EXPECT_LE(EventHub::DefaultWakeThreads(), 8);
  EventHub hub(8, 0, /*wake_threads=*/0);
  EXPECT_EQ(hub.wake_threads(), 1);
}

}  // namespace
}  // namespace meridian
