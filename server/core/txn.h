// Txn is one logical change under construction on the writer thread: its write batch, the
// events it emits and what to do in memory once it is written.
#ifndef MERIDIAN_SERVER_CORE_TXN_H_
#define MERIDIAN_SERVER_CORE_TXN_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "server/core/event_hub.h"
#include "server/core/records.pb.h"
#include "storage/write_batch.h"

namespace meridian {

// Not safe for concurrent use: it lives and dies on the writer thread inside Committer::Run.
class Txn {
 public:
  Txn(absl::Time now, uint64_t* next_event_seq) : now_(now), next_event_seq_(next_event_seq) {}

  // The time of this change, the same for everything it writes.
  absl::Time now() const { return now_; }
  storage::WriteBatch& batch() { return batch_; }

  // Adds an event to the batch, giving it the next global sequence and this change's time.
  // Returns its sequence.
  uint64_t Emit(internal::EventRecord record);

  // Runs after this change's batch is written and before the next change starts, on the writer
  // thread: the place to update in-memory state that later changes read.
  void OnApplied(std::function<void()> fn) { on_applied_.push_back(std::move(fn)); }

  // Runs on the writer thread when this change is NOT written (its function returned an error,
  // or the write failed): the place to drop in-memory caches the change already updated.
  void OnFailed(std::function<void()> fn) { on_failed_.push_back(std::move(fn)); }

  // Used by Committer.
  std::vector<std::shared_ptr<const HubEvent>>& events() { return events_; }
  std::vector<std::function<void()>>& on_applied() { return on_applied_; }
  std::vector<std::function<void()>>& on_failed() { return on_failed_; }

 private:
  absl::Time now_;
  uint64_t* next_event_seq_;
  storage::WriteBatch batch_;
  std::vector<std::shared_ptr<const HubEvent>> events_;
  std::vector<std::function<void()>> on_applied_;
  std::vector<std::function<void()>> on_failed_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_TXN_H_
