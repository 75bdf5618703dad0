#include "server/schedule/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "absl/synchronization/notification.h"
#include "server/schedule/scheduler_keys.h"
#include "storage/key_codec.h"

namespace meridian::schedule {
namespace {

using storage::Cf;

const absl::Time kT0 = absl::FromUnixSeconds(1'795'000'000);  // 2026-11-17

JobSpec Spec(std::string kind, absl::Time due, std::string payload = "", std::string owner = "",
             absl::Duration period = absl::ZeroDuration()) {
  JobSpec spec;
  spec.kind = std::move(kind);
  spec.due = due;
  spec.payload = std::move(payload);
  spec.owner = std::move(owner);
  spec.period = period;
  return spec;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-schedule-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  void Open(SchedulerOptions options = {}) {
    storage::OpenOptions open;
    open.path = dir_.string();
    open.block_cache_bytes = 8 << 20;
    auto store = storage::OpenRocksDbStore(open);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto scheduler = NewKvStoreScheduler(*store_, clock_, options);
    ASSERT_TRUE(scheduler.ok()) << scheduler.status();
    scheduler_ = std::move(*scheduler);
    // The "effect" handler records its run in the same batch as the job's deletion: it appends
    // the payload to a log and increments a per-job run counter.
    scheduler_->RegisterHandler("effect", [this](const Job& job, storage::WriteBatch* effects) {
      runs_.push_back(job.payload);
      const std::string key = "runs/" + std::to_string(job.id);
      auto prev = store_->Get(Cf::kMessages, key);
      if (!prev.ok()) return prev.status();
      effects->Put(Cf::kMessages, key, std::to_string(Count(job.id) + 1));
      return absl::OkStatus();
    });
  }

  // Destroys scheduler and store, as a process exit does.
  void Close() {
    scheduler_.reset();
    store_.reset();
  }

  void Reopen(SchedulerOptions options = {}) {
    Close();
    Open(options);
  }

  // How many committed runs job `id` has.
  int Count(uint64_t id) {
    auto v = store_->Get(Cf::kMessages, "runs/" + std::to_string(id));
    return v.ok() && v->has_value() ? std::stoi(**v) : 0;
  }

  uint64_t MustSchedule(const JobSpec& spec) {
    auto id = scheduler_->Schedule(spec);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  int Run() {
    auto n = scheduler_->RunDueNow();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::filesystem::path dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<std::string> runs_;
};

TEST_F(SchedulerTest, RunsDueJobsInDueOrderAndSameMicrosecondInIdOrder) {
  MustSchedule(Spec("effect", kT0 + absl::Seconds(3), "c"));
  MustSchedule(Spec("effect", kT0 + absl::Seconds(1), "a"));
  MustSchedule(Spec("effect", kT0 + absl::Seconds(2), "b1"));
  MustSchedule(Spec("effect", kT0 + absl::Seconds(2), "b2"));
  MustSchedule(Spec("effect", kT0 - absl::Hours(24 * 365 * 60), "before 1970"));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(runs_, std::vector<std::string>{"before 1970"});
  clock_.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(Run(), 1);
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Run(), 3);
  EXPECT_EQ(runs_, (std::vector<std::string>{"before 1970", "a", "b1", "b2", "c"}));
  EXPECT_EQ(Run(), 0);
  EXPECT_TRUE(scheduler_->List({})->empty());
}

TEST_F(SchedulerTest, JobDueExactlyNowRunsAndOneMicrosecondLaterDoesNot) {
  MustSchedule(Spec("effect", kT0, "now"));
  MustSchedule(Spec("effect", kT0 + absl::Microseconds(1), "later"));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(runs_, std::vector<std::string>{"now"});
}

TEST_F(SchedulerTest, PeriodicJobReenqueuesAndSkipsMissedOccurrences) {
  const uint64_t id =
      MustSchedule(Spec("effect", kT0 + absl::Hours(1), "tick", "u1", absl::Hours(1)));
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(scheduler_->Get(id)->due, kT0 + absl::Hours(2));
  clock_.Advance(absl::Hours(5) + absl::Minutes(10));  // 6h10m: five occurrences missed
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(Count(id), 2);
  EXPECT_EQ(scheduler_->Get(id)->due, kT0 + absl::Hours(7));
  EXPECT_EQ(scheduler_->List({.owner = "u1", .kind = "", .limit = 10})->size(), 1u);
}

TEST_F(SchedulerTest, CancelRemovesJobAndIndex) {
  const uint64_t id = MustSchedule(Spec("effect", kT0 + absl::Seconds(1), "x", "u1"));
  ASSERT_TRUE(scheduler_->Cancel(id).ok());
  EXPECT_EQ(scheduler_->Get(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scheduler_->Cancel(id).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scheduler_->Cancel(999999).code(), absl::StatusCode::kNotFound);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Run(), 0);
  EXPECT_TRUE(scheduler_->List({.owner = "u1", .kind = "", .limit = 10})->empty());
  // Nothing of the job is left in the column family but the id counter.
  auto it = store_->NewIterator(Cf::kScheduler);
  int keys = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++keys;
  EXPECT_EQ(keys, 1);
}

TEST_F(SchedulerTest, RescheduleMovesTheJob) {
  const uint64_t early = MustSchedule(Spec("effect", kT0 + absl::Hours(1), "early"));
  const uint64_t late = MustSchedule(Spec("effect", kT0 + absl::Seconds(5), "late"));
  ASSERT_TRUE(scheduler_->Reschedule(early, kT0 + absl::Seconds(10)).ok());
  ASSERT_TRUE(scheduler_->Reschedule(late, kT0 + absl::Hours(2)).ok());
  EXPECT_EQ(scheduler_->Reschedule(424242, kT0).code(), absl::StatusCode::kNotFound);
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(runs_, std::vector<std::string>{"early"});
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(scheduler_->Get(late)->due, kT0 + absl::Hours(2));
}

TEST_F(SchedulerTest, ListsByOwnerThroughTheIndexAndByKind) {
  MustSchedule(Spec("effect", kT0 + absl::Hours(3), "a3", "u1"));
  MustSchedule(Spec("reminder", kT0 + absl::Hours(1), "a1", "u1"));
  MustSchedule(Spec("effect", kT0 + absl::Hours(2), "b2", "u10"));
  MustSchedule(Spec("effect", kT0 + absl::Hours(4), "none"));
  auto mine = scheduler_->List({.owner = "u1", .kind = "", .limit = 100});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);  // "u10" shares the prefix "u1" but not the owner
  EXPECT_EQ((*mine)[0].payload, "a1");
  EXPECT_EQ((*mine)[1].payload, "a3");
  EXPECT_EQ(scheduler_->List({.owner = "u1", .kind = "reminder", .limit = 100})->size(), 1u);
  EXPECT_EQ(scheduler_->List({.owner = "", .kind = "effect", .limit = 100})->size(), 3u);
  EXPECT_EQ(scheduler_->List({.owner = "", .kind = "", .limit = 2})->size(), 2u);
  clock_.Advance(absl::Hours(3));
  scheduler_->RegisterHandler("reminder",
                              [](const Job&, storage::WriteBatch*) { return absl::OkStatus(); });
  EXPECT_EQ(Run(), 3);
  EXPECT_TRUE(scheduler_->List({.owner = "u1", .kind = "", .limit = 100})->empty());
}

TEST_F(SchedulerTest, PendingJobsSurviveRestartAndIdsAreNotReused) {
  const uint64_t a = MustSchedule(Spec("effect", kT0 + absl::Seconds(1), "a", "u1"));
  const uint64_t b = MustSchedule(Spec("effect", kT0 + absl::Seconds(2), "b", "u1"));
  Reopen();
  EXPECT_EQ(scheduler_->List({.owner = "u1", .kind = "", .limit = 10})->size(), 2u);
  const uint64_t c = MustSchedule(Spec("effect", kT0 + absl::Seconds(3), "c"));
  EXPECT_GT(c, b);
  EXPECT_GT(b, a);
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(Run(), 3);
  EXPECT_EQ(runs_, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SchedulerTest, CommittedRunNeverRepeatsAfterRestart) {
  const uint64_t id = MustSchedule(Spec("effect", kT0, "once"));
  EXPECT_EQ(Run(), 1);
  Reopen();
  clock_.Advance(absl::Hours(24));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(Count(id), 1);
}

TEST_F(SchedulerTest, ManyJobsInOnePassAreAllCommittedOnce) {
  for (bool sync_each_run : {false, true}) {
    SchedulerOptions options;
    options.sync_each_run = sync_each_run;
    options.sync_every = 16;
    Reopen(options);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 40; ++i) {
      ids.push_back(MustSchedule(Spec("effect", clock_.Now() + absl::Seconds(i % 7))));
    }
    clock_.Advance(absl::Seconds(10));
    EXPECT_EQ(Run(), 40);
    Reopen(options);
    EXPECT_EQ(Run(), 0);
    for (uint64_t id : ids) EXPECT_EQ(Count(id), 1) << id;
  }
}

TEST_F(SchedulerTest, RunThatDiesBeforeCommitRunsAgainAfterRestart) {
  int attempts = 0;
  auto flaky = [&](const Job& job, storage::WriteBatch* effects) {
    // The first run dies before its batch commits: as if the process crashed mid-handler.
    if (++attempts == 1) return absl::UnavailableError("simulated crash before commit");
    effects->Put(Cf::kMessages, "flaky/" + std::to_string(job.id), "done");
    return absl::OkStatus();
  };
  scheduler_->RegisterHandler("flaky", flaky);
  const uint64_t id = MustSchedule(Spec("flaky", kT0, "x"));
  EXPECT_EQ(Run(), 0);
  auto pending = scheduler_->Get(id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->failures, 1u);
  EXPECT_EQ(pending->due, kT0 + absl::Seconds(5));  // initial backoff
  EXPECT_FALSE(store_->Get(Cf::kMessages, "flaky/" + std::to_string(id))->has_value());

  Reopen();
  scheduler_->RegisterHandler("flaky", flaky);
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(Run(), 0);  // still backing off
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(*store_->Get(Cf::kMessages, "flaky/" + std::to_string(id)).value(), "done");
  EXPECT_EQ(scheduler_->Get(id).status().code(), absl::StatusCode::kNotFound);
}

// Real process deaths: the "fast" death-test style forks the test process at EXPECT_EXIT (the
// parent has closed its store), and the child dies with _exit, which skips every destructor, so
// the database is never closed cleanly.
TEST_F(SchedulerTest, ProcessDyingInsideTheHandlerRerunsTheJob) {
  GTEST_FLAG_SET(death_test_style, "fast");
  const uint64_t id = MustSchedule(Spec("effect", kT0, "x"));
  Close();
  EXPECT_EXIT(
      {
        Open();
        scheduler_->RegisterHandler("effect", [](const Job&, storage::WriteBatch* effects) {
          effects->Put(Cf::kMessages, "runs/1", "1");
          _exit(3);
          return absl::OkStatus();
        });
        (void)scheduler_->RunDueNow();
      },
      ::testing::ExitedWithCode(3), "");
  Open();
  EXPECT_TRUE(scheduler_->Get(id).ok());
  EXPECT_EQ(Count(id), 0);
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(Count(id), 1);
}

TEST_F(SchedulerTest, ProcessDyingAfterTheCommitDoesNotRerunTheJob) {
  GTEST_FLAG_SET(death_test_style, "fast");
  const uint64_t id = MustSchedule(Spec("effect", kT0, "x"));
  Close();
  EXPECT_EXIT(
      {
        Open();
        if (scheduler_->RunDueNow().value_or(0) == 1) _exit(4);
        _exit(5);
      },
      ::testing::ExitedWithCode(4), "");
  Open();
  EXPECT_EQ(scheduler_->Get(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Count(id), 1);
  EXPECT_EQ(Run(), 0);
}

TEST_F(SchedulerTest, FailingJobBacksOffExponentiallyThenIsAbandoned) {
  SchedulerOptions options;
  options.max_attempts = 3;
  Reopen(options);
  int attempts = 0;
  scheduler_->RegisterHandler("broken", [&](const Job&, storage::WriteBatch* effects) {
    ++attempts;
    effects->Put(Cf::kMessages, "must-not-commit", "x");
    return absl::InternalError("always");
  });
  const uint64_t id = MustSchedule(Spec("broken", kT0));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(scheduler_->Get(id)->due, kT0 + absl::Seconds(5));
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(scheduler_->Get(id)->due, kT0 + absl::Seconds(15));  // 5s + 10s
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(scheduler_->Get(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(store_->Get(Cf::kMessages, "must-not-commit")->has_value());
}

TEST_F(SchedulerTest, UnknownKindIsPostponedUntilAHandlerExists) {
  const uint64_t id = MustSchedule(Spec("plugin.timer", kT0, "p"));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(scheduler_->Get(id)->due, kT0 + absl::Minutes(10));
  EXPECT_EQ(scheduler_->Get(id)->failures, 0u);
  bool ran = false;
  scheduler_->RegisterHandler("plugin.timer", [&](const Job&, storage::WriteBatch*) {
    ran = true;
    return absl::OkStatus();
  });
  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(Run(), 1);
  EXPECT_TRUE(ran);
}

TEST_F(SchedulerTest, CancelWhileRunningDiscardsTheRunsEffects) {
  scheduler_->RegisterHandler("self-cancel", [&](const Job& job, storage::WriteBatch* effects) {
    effects->Put(Cf::kMessages, "cancelled-effect", "x");
    EXPECT_TRUE(scheduler_->Cancel(job.id).ok());  // a concurrent Cancel from another thread
    return absl::OkStatus();
  });
  const uint64_t id = MustSchedule(Spec("self-cancel", kT0, "", "u1", absl::Hours(1)));
  EXPECT_EQ(Run(), 0);
  EXPECT_FALSE(store_->Get(Cf::kMessages, "cancelled-effect")->has_value());
  EXPECT_EQ(scheduler_->Get(id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SchedulerTest, JobsChainedByAHandlerWaitForTheNextPass) {
  scheduler_->RegisterHandler("chain", [&](const Job& job, storage::WriteBatch* effects) {
    runs_.push_back(job.payload);
    return scheduler_->ScheduleInBatch(Spec("chain", kT0, job.payload + "+"), effects).status();
  });
  MustSchedule(Spec("chain", kT0, "r"));
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(Run(), 1);
  EXPECT_EQ(runs_, (std::vector<std::string>{"r", "r+"}));
  EXPECT_EQ(scheduler_->List({})->size(), 1u);
}

TEST_F(SchedulerTest, ScheduleInBatchIsAtomicWithTheCallersWrites) {
  storage::WriteBatch post;
  post.Put(Cf::kMessages, "m1", "hello");
  auto id = scheduler_->ScheduleInBatch(Spec("effect", kT0, "held", "u2"), &post);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(scheduler_->Get(*id).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->Write(post, storage::Durability::kSync).ok());
  EXPECT_EQ(scheduler_->Get(*id)->owner, "u2");
  EXPECT_EQ(Run(), 1);
}

TEST_F(SchedulerTest, RejectsBadSpecs) {
  auto empty = scheduler_->Schedule(Spec("", kT0));
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  auto fast = scheduler_->Schedule(Spec("effect", kT0, "", "", absl::Milliseconds(500)));
  EXPECT_EQ(fast.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(fast.status().message()).find("at least 1s"), std::string::npos);
  EXPECT_EQ(scheduler_->Schedule(Spec("effect", absl::InfiniteFuture())).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto big = scheduler_->Schedule(Spec("effect", kT0, std::string((1 << 20) + 1, 'x')));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler_->Schedule(Spec(std::string(129, 'k'), kT0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SchedulerTest, TimerThreadRunsJobsWhenTheClockSaysTheyAreDue) {
  absl::Notification first, second;
  scheduler_->RegisterHandler("signal", [&](const Job& job, storage::WriteBatch*) {
    (job.payload == "1" ? first : second).Notify();
    return absl::OkStatus();
  });
  scheduler_->Start();
  MustSchedule(Spec("signal", kT0 - absl::Seconds(1), "1"));  // already due: Schedule wakes it
  EXPECT_TRUE(first.WaitForNotificationWithTimeout(absl::Seconds(30)));
  MustSchedule(Spec("signal", kT0 + absl::Hours(1), "2"));
  EXPECT_FALSE(second.HasBeenNotified());
  clock_.Advance(absl::Hours(1));
  scheduler_->Wake();
  EXPECT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(30)));
  scheduler_->Stop();
}

TEST(SchedulerKeys, QueueOrderIsTimeOrderAndRecordsRoundTrip) {
  const absl::Time before = absl::FromUnixMicros(-5);
  const absl::Time after = absl::FromUnixMicros(5);
  EXPECT_LT(keys::QueueKey(before, 9), keys::QueueKey(after, 1));
  EXPECT_LT(keys::QueueKey(after, 1), keys::QueueKey(after, 2));
  EXPECT_LT(keys::QueueKey(after, UINT64_MAX), keys::QueueLimit(after));
  EXPECT_LT(keys::QueueLimit(after), keys::QueueKey(after + absl::Microseconds(1), 0));
  Job job{7, "kind", "u3", std::string("\0bin\xff", 5), after, absl::Hours(1), 2};
  const std::string key = keys::QueueKey(job.due, job.id);
  auto back = keys::DecodeJob(key, keys::EncodeJob(job));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, 7u);
  EXPECT_EQ(back->payload, job.payload);
  EXPECT_EQ(back->due, after);
  EXPECT_EQ(back->period, absl::Hours(1));
  EXPECT_EQ(back->failures, 2u);
  EXPECT_EQ(keys::DecodeJob(key, "\x01garbage").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace meridian::schedule
