#include "server/core/event_hub.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace meridian
