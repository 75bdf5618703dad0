// Committer applies every change to storage on one writer thread, in order, and makes each group
// of changes that queued up meanwhile durable with a single fsync (group commit). A change's
// caller is answered only after its group is durable; its events are published in sequence order
// at the same moment. The fsync runs on a second thread, so the writer applies the next group
// while the previous one is being synced (a pipeline of two); groups are still answered in order.
// One writer keeps read-modify-write logic (sequences, counters, uniqueness) free of races and
// makes the write path a plain sequence of commands, as DESIGN.md asks.
#ifndef MERIDIAN_SERVER_CORE_COMMITTER_H_
#define MERIDIAN_SERVER_CORE_COMMITTER_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/common/clock.h"
#include "server/core/event_hub.h"
#include "server/core/txn.h"
#include "storage/kv_store.h"

namespace meridian {

// Safe for concurrent use. Borrows store, clock and hub, which must outlive it.
class Committer {
 public:
  Committer(storage::KvStore& store, const Clock& clock, EventHub& hub,
            storage::Durability durability, uint64_t last_event_seq);
  ~Committer();  // Finishes queued work, then stops the writer thread.

  // Runs `fn` on the writer thread. When it returns OK its batch is written; the call returns
  // once that is durable. When it returns an error nothing of it is written or emitted.
  // `fn` must not call Run (it would deadlock).
  absl::Status Run(std::function<absl::Status(Txn&)> fn);

  template <typename T>
  absl::StatusOr<T> Run(std::function<absl::StatusOr<T>(Txn&)> fn) {
    absl::StatusOr<T> result = absl::InternalError("not run");
    absl::Status s = Run([&](Txn& txn) -> absl::Status {
      result = fn(txn);
      return result.status();
    });
    if (!s.ok()) return s;
    return result;
  }

  // Waits until everything queued so far is applied (tests).
  void Drain();

  struct Stats {
    uint64_t changes = 0;
    uint64_t groups = 0;  // fsyncs, in sync mode
  };
  Stats stats() const;

 private:
  struct Work;
  struct Applied {
    std::deque<Work*> works;
    bool wrote = false;
  };
  void WriterLoop();
  // Runs the group's changes and writes them, unsynced.
  Applied ApplyGroup(std::deque<Work*> group);
  void SyncLoop();
  // Makes everything applied so far durable, then publishes and answers `groups` in order.
  void Finish(std::deque<Applied>& groups);

  storage::KvStore& store_;
  const Clock& clock_;
  EventHub& hub_;
  const storage::Durability durability_;
  uint64_t next_event_seq_;  // only the writer thread touches it

  mutable absl::Mutex mu_;
  std::deque<Work*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  // Applied groups waiting for their fsync, oldest first.
  absl::Mutex sync_mu_;
  std::deque<Applied> to_sync_ ABSL_GUARDED_BY(sync_mu_);
  bool writer_done_ ABSL_GUARDED_BY(sync_mu_) = false;
  std::thread syncer_;
  std::thread writer_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_COMMITTER_H_
