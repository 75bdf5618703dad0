// Scheduler over a KvStore; the layout is in scheduler_keys.h.
#include <algorithm>
#include <map>
#include <thread>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/schedule/scheduler.h"
#include "server/schedule/scheduler_keys.h"
#include "storage/key_codec.h"

namespace meridian::schedule {
namespace {

using storage::Cf;

// Ids are reserved durably in blocks, so a Schedule never writes the counter in its own batch
// (whose commit order the scheduler cannot control) and ids are never reused after a crash.
constexpr uint64_t kIdBlock = 1024;
constexpr size_t kMaxKindBytes = 128;
constexpr size_t kMaxOwnerBytes = 256;
constexpr size_t kMaxPayloadBytes = 1 << 20;

absl::Status ValidateSpec(const JobSpec& spec) {
  if (spec.kind.empty() || spec.kind.size() > kMaxKindBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("job kind must be 1..", kMaxKindBytes, " bytes, not ", spec.kind.size()));
  }
  if (spec.owner.size() > kMaxOwnerBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("job owner is ", spec.owner.size(), " bytes; at most ", kMaxOwnerBytes));
  }
  if (spec.payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("job payload is ", spec.payload.size(), " bytes; at most ", kMaxPayloadBytes));
  }
  if (spec.due == absl::InfinitePast() || spec.due == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("job due time must be finite");
  }
  if (spec.period != absl::ZeroDuration() && spec.period < absl::Seconds(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job period is ", absl::FormatDuration(spec.period), "; it must be 0 or at least 1s"));
  }
  return absl::OkStatus();
}

storage::IteratorOptions Range(std::string lower, std::string upper) {
  storage::IteratorOptions options;
  options.lower_bound = std::move(lower);
  options.upper_bound = std::move(upper);
  return options;
}

void PutJob(const Job& job, storage::WriteBatch* batch) {
  batch->Put(Cf::kScheduler, keys::QueueKey(job.due, job.id), keys::EncodeJob(job));
  std::string due;
  storage::AppendU64(&due, keys::SortableTime(job.due));
  batch->Put(Cf::kScheduler, keys::ByIdKey(job.id), due);
}

class KvStoreScheduler final : public Scheduler {
 public:
  KvStoreScheduler(storage::KvStore& store, const Clock& clock, const SchedulerOptions& options)
      : store_(store), clock_(clock), options_(options) {}
  ~KvStoreScheduler() override { Stop(); }

  absl::Status Init() {
    ASSIGN_OR_RETURN(std::optional<std::string> next, store_.Get(Cf::kScheduler, keys::kNextIdKey));
    if (next && next->size() != 8) {
      return absl::InternalError("corrupt scheduler id counter (key \"n\" is not 8 bytes)");
    }
    absl::MutexLock l(&mu_);
    next_id_ = reserved_until_ = next ? *storage::ReadU64(*next) : 1;
    return absl::OkStatus();
  }

  void RegisterHandler(const std::string& kind, JobHandler handler) override {
    absl::MutexLock l(&mu_);
    handlers_[kind] = std::move(handler);
  }

  absl::StatusOr<uint64_t> Schedule(const JobSpec& spec) override {
    storage::WriteBatch batch;
    ASSIGN_OR_RETURN(uint64_t id, ScheduleInBatch(spec, &batch));
    RETURN_IF_ERROR(store_.Write(batch, storage::Durability::kSync));
    Wake();
    return id;
  }

  absl::StatusOr<uint64_t> ScheduleInBatch(const JobSpec& spec,
                                           storage::WriteBatch* batch) override {
    RETURN_IF_ERROR(ValidateSpec(spec));
    Job job{0, spec.kind, spec.owner, spec.payload, spec.due, spec.period, 0};
    {
      absl::MutexLock l(&mu_);
      ASSIGN_OR_RETURN(job.id, AllocateIdLocked());
    }
    PutJob(job, batch);
    if (!job.owner.empty()) batch->Put(Cf::kScheduler, keys::OwnerKey(job.owner, job.id), "");
    return job.id;
  }

  absl::Status Cancel(uint64_t job_id) override {
    absl::MutexLock l(&mu_);
    ASSIGN_OR_RETURN(Job job, GetLocked(job_id));
    storage::WriteBatch batch;
    DeleteJob(job, &batch);
    return store_.Write(batch, storage::Durability::kSync);
  }

  absl::Status Reschedule(uint64_t job_id, absl::Time new_due) override {
    if (new_due == absl::InfinitePast() || new_due == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError("job due time must be finite");
    }
    {
      absl::MutexLock l(&mu_);
      ASSIGN_OR_RETURN(Job job, GetLocked(job_id));
      storage::WriteBatch batch;
      MoveJob(job, new_due, 0, &batch);
      RETURN_IF_ERROR(store_.Write(batch, storage::Durability::kSync));
    }
    Wake();
    return absl::OkStatus();
  }

  absl::StatusOr<Job> Get(uint64_t job_id) const override {
    absl::MutexLock l(&mu_);
    return GetLocked(job_id);
  }

  absl::StatusOr<std::vector<Job>> List(const ListOptions& options) const override;
  absl::StatusOr<int> RunDueNow() override;
  void Start() override;
  void Stop() override;

  void Wake() override {
    absl::MutexLock l(&mu_);
    wake_ = true;
    cv_.Signal();
  }

 private:
  absl::StatusOr<uint64_t> AllocateIdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (next_id_ >= reserved_until_) {
      storage::WriteBatch batch;
      std::string value;
      storage::AppendU64(&value, reserved_until_ + kIdBlock);
      batch.Put(Cf::kScheduler, keys::kNextIdKey, value);
      RETURN_IF_ERROR(store_.Write(batch, storage::Durability::kSync));
      reserved_until_ += kIdBlock;
    }
    return next_id_++;
  }

  absl::StatusOr<Job> GetLocked(uint64_t job_id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto not_found = [&] {
      return absl::NotFoundError(absl::StrCat("no pending scheduled job ", job_id));
    };
    ASSIGN_OR_RETURN(std::optional<std::string> due,
                     store_.Get(Cf::kScheduler, keys::ByIdKey(job_id)));
    if (!due || due->size() != 8) return not_found();
    const std::string key = keys::QueueKey(keys::FromSortableTime(*storage::ReadU64(*due)), job_id);
    ASSIGN_OR_RETURN(std::optional<std::string> value, store_.Get(Cf::kScheduler, key));
    if (!value) return not_found();
    return keys::DecodeJob(key, *value);
  }

  static void DeleteJob(const Job& job, storage::WriteBatch* batch) {
    batch->Delete(Cf::kScheduler, keys::QueueKey(job.due, job.id));
    batch->Delete(Cf::kScheduler, keys::ByIdKey(job.id));
    if (!job.owner.empty()) batch->Delete(Cf::kScheduler, keys::OwnerKey(job.owner, job.id));
  }

  static void MoveJob(Job job, absl::Time due, uint32_t failures, storage::WriteBatch* batch) {
    batch->Delete(Cf::kScheduler, keys::QueueKey(job.due, job.id));
    job.due = due;
    job.failures = failures;
    PutJob(job, batch);
  }

  // Commits `batch` unless the job was cancelled or rescheduled while its handler ran; then the
  // concurrent change wins and the run's writes are dropped. Returns whether it committed.
  absl::StatusOr<bool> CommitIfUnchanged(const Job& job, const storage::WriteBatch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_) {
    absl::MutexLock l(&mu_);
    absl::StatusOr<Job> current = GetLocked(job.id);
    if (absl::IsNotFound(current.status())) return false;
    RETURN_IF_ERROR(current.status());
    if (current->due != job.due) return false;
    RETURN_IF_ERROR(store_.Write(batch, options_.sync_each_run ? storage::Durability::kSync
                                                               : storage::Durability::kBuffered));
    ++unsynced_runs_;
    return true;
  }

  // The earliest pending job after `after` (a queue key; empty for the start) due at or before
  // `now` with an id below `id_limit`; nullopt when there is none.
  absl::StatusOr<std::optional<Job>> NextDue(const std::string& after, absl::Time now,
                                             uint64_t id_limit) const;
  // Runs one job and commits its outcome; true when the handler succeeded and it committed.
  absl::StatusOr<bool> RunOne(const Job& job, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Makes the pass's buffered commits durable with one fsync.
  absl::Status SyncRuns() ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_) {
    if (unsynced_runs_ == 0) return absl::OkStatus();
    unsynced_runs_ = 0;
    return store_.SyncWal();
  }
  absl::Duration Backoff(uint32_t failures) const;
  void TimerLoop();

  storage::KvStore& store_;
  const Clock& clock_;
  const SchedulerOptions options_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t reserved_until_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, JobHandler> handlers_ ABSL_GUARDED_BY(mu_);
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // touched only by Start/Stop, which callers do not race

  // Serializes RunDueNow so that handlers never run concurrently.
  absl::Mutex run_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // Runs committed with kBuffered since the last SyncWal.
  int unsynced_runs_ ABSL_GUARDED_BY(run_mu_) = 0;
};

absl::StatusOr<std::vector<Job>> KvStoreScheduler::List(const ListOptions& options) const {
  std::vector<Job> jobs;
  if (!options.owner.empty()) {
    const std::string prefix = keys::OwnerPrefix(options.owner);
    std::vector<uint64_t> ids;
    auto it = store_.NewIterator(Cf::kScheduler, Range(prefix, storage::PrefixSuccessor(prefix)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ids.push_back(keys::TrailingId(it->key()));
    RETURN_IF_ERROR(it->status());
    absl::MutexLock l(&mu_);
    for (uint64_t id : ids) {
      absl::StatusOr<Job> job = GetLocked(id);
      if (absl::IsNotFound(job.status())) continue;  // ran or was cancelled since the scan
      RETURN_IF_ERROR(job.status());
      if (options.kind.empty() || job->kind == options.kind) jobs.push_back(*std::move(job));
    }
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
      return std::tie(a.due, a.id) < std::tie(b.due, b.id);
    });
    if (jobs.size() > options.limit) jobs.resize(options.limit);
    return jobs;
  }
  auto it = store_.NewIterator(Cf::kScheduler, Range(keys::QueueBegin(), keys::QueueEnd()));
  for (it->SeekToFirst(); it->Valid() && jobs.size() < options.limit; it->Next()) {
    ASSIGN_OR_RETURN(Job job, keys::DecodeJob(it->key(), it->value()));
    if (options.kind.empty() || job.kind == options.kind) jobs.push_back(std::move(job));
  }
  RETURN_IF_ERROR(it->status());
  return jobs;
}

absl::StatusOr<std::optional<Job>> KvStoreScheduler::NextDue(const std::string& after,
                                                             absl::Time now,
                                                             uint64_t id_limit) const {
  // A fresh iterator per job: each run commits, and an older iterator would not see that.
  auto it = store_.NewIterator(Cf::kScheduler, Range(keys::QueueBegin(), keys::QueueLimit(now)));
  if (after.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(after);
  }
  for (; it->Valid(); it->Next()) {
    if (!after.empty() && it->key() <= after) continue;
    if (keys::TrailingId(it->key()) >= id_limit) continue;  // created during this pass
    ASSIGN_OR_RETURN(Job job, keys::DecodeJob(it->key(), it->value()));
    return std::optional<Job>(std::move(job));
  }
  RETURN_IF_ERROR(it->status());
  return std::optional<Job>();
}

absl::Duration KvStoreScheduler::Backoff(uint32_t failures) const {
  absl::Duration d = options_.initial_backoff;
  for (uint32_t i = 1; i < failures && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, options_.max_backoff);
}

absl::StatusOr<bool> KvStoreScheduler::RunOne(const Job& job, absl::Time now) {
  JobHandler handler;
  {
    absl::MutexLock l(&mu_);
    auto found = handlers_.find(job.kind);
    if (found != handlers_.end()) handler = found->second;
  }
  storage::WriteBatch batch;
  if (!handler) {
    MLOG_WARN("scheduler: no handler for job {} of kind \"{}\"; postponed", job.id, job.kind);
    MoveJob(job, now + options_.unknown_kind_delay, job.failures, &batch);
    RETURN_IF_ERROR(CommitIfUnchanged(job, batch).status());
    return false;
  }
  const absl::Status run = handler(job, &batch);
  if (!run.ok()) {
    batch.Clear();  // a failed run leaves nothing behind
    const uint32_t failures = job.failures + 1;
    if (failures >= options_.max_attempts) {
      MLOG_ERROR("scheduler: job {} ({}) abandoned after {} failed runs: {}", job.id, job.kind,
                 failures, run.ToString());
      DeleteJob(job, &batch);
    } else {
      MLOG_WARN("scheduler: job {} ({}) failed ({}), retrying: {}", job.id, job.kind, failures,
                run.ToString());
      MoveJob(job, now + Backoff(failures), failures, &batch);
    }
    RETURN_IF_ERROR(CommitIfUnchanged(job, batch).status());
    return false;
  }
  if (job.period > absl::ZeroDuration()) {
    absl::Duration rem;
    const int64_t missed = job.due < now ? absl::IDivDuration(now - job.due, job.period, &rem) : 0;
    MoveJob(job, job.due + job.period * (missed + 1), 0, &batch);
  } else {
    DeleteJob(job, &batch);
  }
  return CommitIfUnchanged(job, batch);
}

absl::StatusOr<int> KvStoreScheduler::RunDueNow() {
  absl::MutexLock run_lock(&run_mu_);
  const absl::Time now = clock_.Now();
  uint64_t id_limit;
  {
    absl::MutexLock l(&mu_);
    id_limit = next_id_;
  }
  int ran = 0;
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<Job> job, NextDue(after, now, id_limit));
    if (!job) break;
    after = keys::QueueKey(job->due, job->id);
    absl::StatusOr<bool> committed = RunOne(*job, now);
    if (!committed.ok()) {
      SyncRuns().IgnoreError();  // keep what did commit; report the first error
      return committed.status();
    }
    if (*committed) ++ran;
    if (unsynced_runs_ >= options_.sync_every) RETURN_IF_ERROR(SyncRuns());
  }
  RETURN_IF_ERROR(SyncRuns());
  return ran;
}

void KvStoreScheduler::TimerLoop() {
  absl::Duration pause = absl::ZeroDuration();  // after a store error, do not spin
  while (true) {
    {
      absl::MutexLock l(&mu_);
      absl::Duration wait = std::max(pause, absl::ZeroDuration());
      if (pause == absl::ZeroDuration()) {
        absl::StatusOr<std::optional<Job>> next = NextDue("", absl::InfiniteFuture(), UINT64_MAX);
        wait = options_.max_idle_wait;
        if (next.ok() && next->has_value()) {
          wait = std::clamp((*next)->due - clock_.Now(), absl::ZeroDuration(), wait);
        }
      }
      if (!wake_ && !stop_ && wait > absl::ZeroDuration()) cv_.WaitWithTimeout(&mu_, wait);
      wake_ = false;
      if (stop_) return;
    }
    absl::StatusOr<int> ran = RunDueNow();
    pause = ran.ok() ? absl::ZeroDuration() : options_.initial_backoff;
    if (!ran.ok()) MLOG_ERROR("scheduler: {}", ran.status().ToString());
  }
}

void KvStoreScheduler::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock l(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { TimerLoop(); });
}

void KvStoreScheduler::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.Signal();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scheduler>> NewKvStoreScheduler(storage::KvStore& store,
                                                               const Clock& clock,
                                                               const SchedulerOptions& options) {
  auto scheduler = std::make_unique<KvStoreScheduler>(store, clock, options);
  RETURN_IF_ERROR(scheduler->Init());
  return std::unique_ptr<Scheduler>(std::move(scheduler));
}

}  // namespace meridian::schedule
