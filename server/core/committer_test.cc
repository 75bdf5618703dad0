#include "server/core/committer.h"

#include <gtest/gtest.h>

#include <thread>

#include "server/core/test_util.h"
#include "storage/keys.h"

namespace meridian {
namespace {

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(storage::OpenRocksDbStore({.path = dir_.path()})).value();
  }
  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::KvStore> store_;
};

TEST_F(CommitterTest, ConcurrentChangesShareSyncsAndKeepEventOrder) {
  EventHub hub(100'000, 0);
  Committer committer(*store_, clock_, hub, storage::Durability::kSync, 0);
  constexpr int kThreads = 16, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(committer
                        .Run([&](Txn& txn) {
                          txn.batch().Put(storage::Cf::kMessages,
                                          "k" + std::to_string(t * 1000 + i), "v");
                          txn.Emit(internal::EventRecord());
                          return absl::OkStatus();
                        })
                        .ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto stats = committer.stats();
  EXPECT_EQ(stats.changes, uint64_t{kThreads * kPerThread});
  // Group commit: concurrent writers shared fsyncs.
  EXPECT_LT(stats.groups, stats.changes);

  std::vector<std::shared_ptr<const HubEvent>> events;
  ASSERT_EQ(hub.Read(0, 100'000, &events), EventHub::ReadResult::kOk);
  ASSERT_EQ(events.size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]->seq, i + 1);
}

TEST_F(CommitterTest, FailedChangeWritesAndEmitsNothing) {
  EventHub hub(16, 0);
  Committer committer(*store_, clock_, hub, storage::Durability::kSync, 0);
  bool applied = false;
  int failed = 0;
  absl::Status s = committer.Run([&](Txn& txn) {
    txn.batch().Put(storage::Cf::kUsers, "half", "written");
    txn.Emit(internal::EventRecord());
    txn.OnApplied([&] { applied = true; });
    txn.OnFailed([&] { ++failed; });
    return absl::InvalidArgumentError("rejected");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(applied);
  EXPECT_EQ(failed, 1);  // caches the change touched (search statistics) are dropped
  EXPECT_EQ(store_->Get(storage::Cf::kUsers, "half").value(), std::nullopt);
  EXPECT_EQ(hub.head(), 0u);

  auto value = committer.Run<int>([&](Txn& txn) -> absl::StatusOr<int> {
    txn.batch().Put(storage::Cf::kUsers, "whole", "written");
    txn.OnFailed([&] { ++failed; });
    return 7;
  });
  EXPECT_EQ(value.value(), 7);
  EXPECT_EQ(failed, 1);  // not called for a change that was written
}

TEST_F(CommitterTest, LaterChangeInAGroupSeesEarlierOnesAndEventsAreStored) {
  EventHub hub(16, 0);
  Committer committer(*store_, clock_, hub, storage::Durability::kSync, 0);
  ASSERT_TRUE(committer
                  .Run([&](Txn& txn) {
                    txn.batch().Put(storage::Cf::kMeta, "counter", "1");
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(committer
                  .Run([&](Txn& txn) -> absl::Status {
                    auto v = store_->Get(storage::Cf::kMeta, "counter");
                    if (!v.ok() || !v->has_value() || **v != "1")
                      return absl::InternalError("not visible");
                    txn.Emit(internal::EventRecord());
                    return absl::OkStatus();
                  })
                  .ok());
  auto stored = store_->Get(storage::Cf::kEvents, storage::keys::Event(1)).value();
  ASSERT_TRUE(stored.has_value());
  internal::EventRecord rec;
  ASSERT_TRUE(rec.ParseFromString(*stored));
  EXPECT_EQ(rec.event().cursor(), "1");
}

}  // namespace
}  // namespace meridian
