#include "server/core/idempotency_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace meridian {
namespace {

TEST(IdempotencyGateTest, SecondHolderOfAKeyWaitsForTheFirst) {
  IdempotencyGate gate;
  std::atomic<bool> acquired{false};
  std::thread retry;
  {
    IdempotencyGate::Hold first = gate.Acquire("u1/k");
    IdempotencyGate::Hold other = gate.Acquire("u1/other");  // other keys pass at once
    retry = std::thread([&] {
      IdempotencyGate::Hold second = gate.Acquire("u1/k");
      acquired = true;
    });
    while (gate.waiting() == 0) std::this_thread::yield();
    EXPECT_FALSE(acquired.load());
  }
  retry.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_EQ(gate.waiting(), 0);
  IdempotencyGate::Hold again = gate.Acquire("u1/k");  // every hold was released
}

TEST(IdempotencyGateTest, MovedHoldReleasesOnce) {
  IdempotencyGate gate;
  IdempotencyGate::Hold a = gate.Acquire("k");
  IdempotencyGate::Hold b = std::move(a);
  IdempotencyGate::Hold c;
  c = std::move(b);
  c = IdempotencyGate::Hold();  // releases "k"
  IdempotencyGate::Hold d = gate.Acquire("k");
  EXPECT_EQ(gate.waiting(), 0);
}

}  // namespace
}  // namespace meridian
