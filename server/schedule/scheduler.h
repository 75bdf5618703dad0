// The durable job queue behind scheduled messages, reminders, held notifications, reply-by
// deadlines and plugin timers (DESIGN.md "Scheduler").
//
// Run-once contract: a handler does not write anything itself; it appends the writes of its
// effects to a WriteBatch, and the scheduler commits that batch atomically with the job's
// deletion, or with its rescheduling for a periodic job (durable before RunDueNow returns; see
// SchedulerOptions::sync_each_run). A crash before that commit runs the job again after
// restart; after it, never. A handler whose effect cannot be expressed
// as writes (sending an e-mail, pushing to a live stream) must be idempotent or tolerate an
// occasional repeat. A handler that returns an error writes nothing and is retried with
// exponential backoff, up to SchedulerOptions::max_attempts runs.
#ifndef MERIDIAN_SERVER_SCHEDULE_SCHEDULER_H_
#define MERIDIAN_SERVER_SCHEDULE_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "storage/kv_store.h"
#include "storage/write_batch.h"

namespace meridian::schedule {

// What a caller asks to run.
struct JobSpec {
  // Selects the handler, e.g. "message.send", "reminder", "notify.release", "plugin.timer".
  // 1..128 bytes.
  std::string kind;
  // Whose job it is, for listing ("u12", "plugin:tasks"); empty means unlisted. <= 256 bytes.
  std::string owner;
  std::string payload;  // opaque to the scheduler; <= 1 MiB
  absl::Time due;
  // When positive the job repeats: after each successful run it is due again at the first
  // due + k * period later than the time of the run (missed occurrences are skipped, not
  // replayed after downtime); a failed run's retry delay shifts the later occurrences. Must be
  // zero or at least one second.
  absl::Duration period = absl::ZeroDuration();
};

struct Job {
  uint64_t id = 0;
  std::string kind;
  std::string owner;
  std::string payload;
  absl::Time due;
  absl::Duration period = absl::ZeroDuration();
  // Failed runs since it was last scheduled, rescheduled or successfully run.
  uint32_t failures = 0;
};

// Appends the writes of the job's effects to `effects`. Runs on the scheduler's thread (or the
// caller of RunDueNow), never concurrently with another handler, and sees every earlier run's
// writes. It may call any Scheduler method except RunDueNow, Start and Stop (ScheduleInBatch into
// `effects` chains a job; a job created during a pass runs in the next pass).
using JobHandler = std::function<absl::Status(const Job& job, storage::WriteBatch* effects)>;

struct ListOptions {
  std::string owner;  // non-empty: only this owner's jobs, through the owner index
  std::string kind;   // non-empty: only this kind
  size_t limit = 1000;
};

struct SchedulerOptions {
  absl::Duration initial_backoff = absl::Seconds(5);
  absl::Duration max_backoff = absl::Hours(1);
  // After this many failed runs a job is deleted and logged as abandoned.
  uint32_t max_attempts = 10;
  // A job of a kind with no registered handler (a disabled plugin) is postponed this long.
  absl::Duration unknown_kind_delay = absl::Minutes(10);
  // The timer thread re-reads the queue at least this often, which also picks up jobs another
  // writer committed through ScheduleInBatch without calling Wake().
  absl::Duration max_idle_wait = absl::Minutes(1);
  // Runs are committed to the page cache (visible at once, safe against a process crash) and
  // fsynced together every `sync_every` runs and before RunDueNow returns; a power loss before
  // that fsync undoes those runs' effects and deletions together, so they run again. Set
  // sync_each_run to fsync every run instead (about one fsync, ~6 ms here, per job).
  bool sync_each_run = false;
  int sync_every = 64;
};

// Safe for concurrent use.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Registers the handler of `kind`, replacing any earlier one. Register before Start() so that
  // jobs pending from before a restart find their handler.
  virtual void RegisterHandler(const std::string& kind, JobHandler handler) = 0;

  // Durably (fsynced) enqueues a job and returns its id (never reused). INVALID_ARGUMENT for a
  // kind, owner or payload out of bounds, an infinite due time, or a period below one second.
  virtual absl::StatusOr<uint64_t> Schedule(const JobSpec& spec) = 0;
  // Appends the job's writes to `batch` instead, so that it is created atomically with the
  // caller's own writes (a post and its held notifications). The job exists once the caller
  // commits `batch`; call Wake() afterwards if it may be due before max_idle_wait.
  virtual absl::StatusOr<uint64_t> ScheduleInBatch(const JobSpec& spec,
                                                   storage::WriteBatch* batch) = 0;
  // NOT_FOUND when no such job is pending (it ran, was cancelled, or never existed). A job
  // cancelled while its handler runs is not committed: its effects are discarded.
  virtual absl::Status Cancel(uint64_t job_id) = 0;
  // Moves a pending job to `new_due` and clears its failure count. NOT_FOUND as Cancel.
  virtual absl::Status Reschedule(uint64_t job_id, absl::Time new_due) = 0;
  virtual absl::StatusOr<Job> Get(uint64_t job_id) const = 0;
  // Pending jobs in due order. With an owner, a prefix scan of the owner index; without one,
  // a scan of the whole queue.
  virtual absl::StatusOr<std::vector<Job>> List(const ListOptions& options) const = 0;

  // Runs, in (due, id) order, every job due at or before Clock::Now() as read on entry, and
  // returns how many ran successfully. Tests call this with a FakeClock instead of Start().
  virtual absl::StatusOr<int> RunDueNow() = 0;
  // Starts / stops the timer thread, which sleeps until the earliest due time as measured by the
  // Clock (or max_idle_wait) and then calls RunDueNow(). Stop() waits for a running handler.
  virtual void Start() = 0;
  virtual void Stop() = 0;
  // Makes the timer thread re-read the queue now.
  virtual void Wake() = 0;
};

// A Scheduler over the column family Cf::kScheduler of `store`. `store` and `clock` are
// borrowed and must outlive the scheduler. Reads the id counter; pending jobs are found by the
// first RunDueNow(). Fails only when the store does.
absl::StatusOr<std::unique_ptr<Scheduler>> NewKvStoreScheduler(
    storage::KvStore& store, const Clock& clock, const SchedulerOptions& options = {});

}  // namespace meridian::schedule

#endif  // MERIDIAN_SERVER_SCHEDULE_SCHEDULER_H_
