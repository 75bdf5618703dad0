#include "server/core/committer.h"

#include <cstdlib>

#include "absl/synchronization/notification.h"
#include "server/common/logging.h"
#include "server/core/proto_time.h"
#include "storage/keys.h"

namespace meridian {

uint64_t Txn::Emit(internal::EventRecord record) {
  uint64_t seq = (*next_event_seq_)++;
  auto* ev = record.mutable_event();
  ev->set_cursor(std::to_string(seq));
  SetTimestamp(ev->mutable_time(), now_);
  batch_.Put(storage::Cf::kEvents, storage::keys::Event(seq), record.SerializeAsString());
  auto hub_event = std::make_shared<HubEvent>();
  hub_event->seq = seq;
  hub_event->record = std::move(record);
  events_.push_back(std::move(hub_event));
  return seq;
}

struct Committer::Work {
  std::function<absl::Status(Txn&)> fn;
  absl::Status status;
  std::vector<std::shared_ptr<const HubEvent>> events;
  absl::Notification done;
};

Committer::Committer(storage::KvStore& store, const Clock& clock, EventHub& hub,
                     storage::Durability durability, uint64_t last_event_seq)
    : store_(store),
      clock_(clock),
      hub_(hub),
      durability_(durability),
      next_event_seq_(last_event_seq + 1),
      syncer_([this] { SyncLoop(); }),
      writer_([this] { WriterLoop(); }) {}

Committer::~Committer() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  writer_.join();
  {
    absl::MutexLock l(&sync_mu_);
    writer_done_ = true;
  }
  syncer_.join();
}

absl::Status Committer::Run(std::function<absl::Status(Txn&)> fn) {
  Work work;
  work.fn = std::move(fn);
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return absl::UnavailableError("server is shutting down");
    queue_.push_back(&work);
  }
  work.done.WaitForNotification();
  return work.status;
}

void Committer::Drain() {
  Run([](Txn&) { return absl::OkStatus(); }).IgnoreError();
}

Committer::Stats Committer::stats() const {
  absl::MutexLock l(&mu_);
  return stats_;
}

void Committer::WriterLoop() {
  for (;;) {
    std::deque<Work*> group;
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, nothing left
      group.swap(queue_);
    }
    Applied applied = ApplyGroup(std::move(group));
    absl::MutexLock l(&sync_mu_);
    to_sync_.push_back(std::move(applied));
  }
}

Committer::Applied Committer::ApplyGroup(std::deque<Work*> group) {
  Applied out;
  for (Work* w : group) {
    Txn txn(clock_.Now(), &next_event_seq_);
    w->status = w->fn(txn);
    if (!w->status.ok()) {
      for (auto& fn : txn.on_failed()) fn();
      continue;
    }
    if (txn.batch().empty()) continue;
    // Buffered: the batch reaches the OS (so a process crash keeps it) and becomes visible to the
    // next change; the sync thread's single SyncWal makes the whole group durable.
    w->status = store_.Write(txn.batch(), storage::Durability::kBuffered);
    if (!w->status.ok()) {
      MLOG_ERROR("write failed: {}", std::string(w->status.message()));
      for (auto& fn : txn.on_failed()) fn();
      continue;
    }
    out.wrote = true;
    for (auto& fn : txn.on_applied()) fn();
    w->events = std::move(txn.events());
  }
  out.works = std::move(group);
  return out;
}

void Committer::SyncLoop() {
  for (;;) {
    std::deque<Applied> groups;
    {
      absl::MutexLock l(&sync_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(sync_mu_) {
        return !to_sync_.empty() || writer_done_;
      };
      sync_mu_.Await(absl::Condition(&ready));
      if (to_sync_.empty()) return;  // the writer has stopped and everything is answered
      groups.swap(to_sync_);
    }
    Finish(groups);
  }
}

void Committer::Finish(std::deque<Applied>& groups) {
  bool wrote = false;
  for (const Applied& g : groups) wrote = wrote || g.wrote;
  // One fsync covers every group applied so far (and possibly part of the one the writer is
  // applying now, which is harmless: it is answered only after its own sync).
  if (wrote && durability_ == storage::Durability::kSync) {
    absl::Status s = store_.SyncWal();
    if (!s.ok()) {
      // After a failed fsync the kernel may have dropped the dirty pages, so nothing written
      // since the last good sync can be trusted. Stop rather than acknowledge; on restart the
      // state is rebuilt from what really is on disk.
      MLOG_ERROR("fatal: fsync of the write-ahead log failed: {}", std::string(s.message()));
      spdlog::default_logger()->flush();
      std::abort();
    }
  }
  {
    absl::MutexLock l(&mu_);
    for (const Applied& g : groups) stats_.changes += g.works.size();
    if (wrote) ++stats_.groups;
  }
  for (Applied& g : groups) {
    std::vector<std::shared_ptr<const HubEvent>> events;
    for (Work* w : g.works) {
      for (auto& e : w->events) events.push_back(std::move(e));
    }
    hub_.Publish(std::move(events));
    for (Work* w : g.works) w->done.Notify();
  }
}

}  // namespace meridian
