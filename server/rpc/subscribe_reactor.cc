#include "server/rpc/subscribe_reactor.h"

#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/core/event_feed.h"
#include "server/rpc/status.h"

namespace meridian::rpc {
namespace {

constexpr size_t kFetchBatch = 64;
// A batched response holds at most this many events, and stops growing once it passes this many
// bytes (a single larger event still goes out alone), so one write stays one modest HTTP/2 frame
// run and a burst cannot make the server serialize megabytes for one stream at once.
constexpr int kMaxBatchEvents = static_cast<int>(kFetchBatch);
constexpr size_t kMaxBatchBytes = 64 * 1024;

// A stream that ends at once with an error.
class FailedReactor final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  explicit FailedReactor(const grpc::Status& s) { Finish(s); }
  void OnDone() override { delete this; }
};

class SubscribeReactor final : public grpc::ServerWriteReactor<v1::SubscribeResponse>,
                               public EventWaiter {
 public:
  // `batch`: the client asked for SubscribeResponse.events (see events.proto).
  SubscribeReactor(Core& core, grpc::CallbackServerContext* ctx, uint64_t user, uint64_t cursor,
                   bool batch)
      : core_(core),
        ctx_(ctx),
        batch_(batch),
        feed_(core.store(), core.dir(), core.hub(), user, cursor) {
    mu_.Lock();
    PumpAndWrite();
  }

  ~SubscribeReactor() override {
    absl::MutexLock l(&mu_);
    ReturnLent();
  }

  void OnWriteDone(bool ok) override {
    mu_.Lock();
    writing_ = false;
    if (!ok) {
      // The client went away; OnCancel follows.
      FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
      mu_.Unlock();
      return;
    }
    PumpAndWrite();
  }

  void OnCancel() override {
    core_.hub().Cancel(this);
    absl::MutexLock l(&mu_);
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    core_.hub().Cancel(this);
    delete this;
  }

  // From the hub's wake thread when new events are published.
  void Wake() override {
    mu_.Lock();
    waiting_ = false;
    PumpAndWrite();
  }

 private:
  // Pumps, then issues the write Pump prepared, if any, after releasing mu_. gRPC performs the
  // write inline (sendmsg included) and hands its completion to another thread: holding mu_
  // across StartWrite made that thread's OnWriteDone block on mu_ for every delivery.
  void PumpAndWrite() ABSL_UNLOCK_FUNCTION(mu_) {
    Pump();
    if (!write_now_) {
      mu_.Unlock();
      return;
    }
    write_now_ = false;
    ++issuing_;
    mu_.Unlock();
    // Nobody else touches response_ until this write completes (writing_ is set).
    StartWrite(&response_);
    absl::MutexLock l(&mu_);
    if (--issuing_ == 0 && deferred_finish_) {
      Finish(*deferred_finish_);
      deferred_finish_.reset();
    }
  }

  // Finish waits while some thread is still inside StartWrite: no write may start after it.
  void FinishOnce(const grpc::Status& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (issuing_ > 0) {
      deferred_finish_ = s;
      return;
    }
    Finish(s);
  }

  void Write() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    write_now_ = true;
  }

  // response_ borrows the Event of each event in lent_ instead of copying it (events are
  // immutable once published, and serializing is const); this hands them back before response_
  // is reused or destroyed.
  void ReturnLent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (response_.has_event()) response_.unsafe_arena_release_event();
    response_.mutable_events()->UnsafeArenaExtractSubrange(0, response_.events_size(), nullptr);
    lent_.clear();
    response_.Clear();
  }

  static v1::Event* Borrow(const HubEvent& e) { return const_cast<v1::Event*>(&e.record.event()); }

  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!writing_ && !finished_ && !waiting_) {
      if (pending_.empty()) {
        std::vector<std::shared_ptr<const HubEvent>> fetched;
        auto state = feed_.Next(kFetchBatch, &fetched);
        if (!state.ok()) {
          MLOG_ERROR("subscribe: {}", std::string(state.status().message()));
          FinishOnce(ToGrpc(state.status()));
          return;
        }
        if (*state == EventFeed::State::kTooSlow) {
          std::string cursor = std::to_string(feed_.cursor());
          ctx_->AddTrailingMetadata("meridian-resume-cursor", cursor);
          FinishOnce(grpc::Status(
              grpc::StatusCode::RESOURCE_EXHAUSTED,
              absl::StrCat("subscriber fell too far behind; subscribe again with since_cursor=",
                           cursor)));
          return;
        }
        if (*state == EventFeed::State::kCaughtUp) {
          if (!sent_caught_up_) {
            sent_caught_up_ = true;
            ReturnLent();
            response_.set_caught_up(true);
            Write();
            return;
          }
          // Not registered means events arrived meanwhile: fetch again.
          waiting_ = core_.hub().WaitFor(feed_.cursor(), this);
          continue;
        }
        pending_.assign(fetched.begin(), fetched.end());
      }
      ReturnLent();
      if (batch_) {
        FillBatch();
      } else {
        response_.unsafe_arena_set_allocated_event(Borrow(*pending_.front()));
        lent_.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      Write();
    }
  }

  // Moves the queued events, oldest first, into response_.events up to the batch limits. Events
  // queue up (in pending_ and in the hub's ring behind the feed) while a write is in flight, so
  // the next write carries all of them: one message and one frame per stream per write instead
  // of one per event.
  void FillBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t bytes = 0;
    while (!pending_.empty() && response_.events_size() < kMaxBatchEvents) {
      const v1::Event& event = pending_.front()->record.event();
      size_t size = event.ByteSizeLong();
      if (response_.events_size() > 0 && bytes + size > kMaxBatchBytes) break;
      response_.mutable_events()->UnsafeArenaAddAllocated(Borrow(*pending_.front()));
      lent_.push_back(std::move(pending_.front()));
      bytes += size;
      pending_.pop_front();
    }
  }

  Core& core_;
  grpc::CallbackServerContext* ctx_;
  const bool batch_;
  absl::Mutex mu_;
  EventFeed feed_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<const HubEvent>> pending_ ABSL_GUARDED_BY(mu_);
  v1::SubscribeResponse response_ ABSL_GUARDED_BY(mu_);
  // The events whose Event messages response_ points at; they keep them alive.
  std::vector<std::shared_ptr<const HubEvent>> lent_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_now_ ABSL_GUARDED_BY(mu_) = false;  // Pump prepared a write for PumpAndWrite
  int issuing_ ABSL_GUARDED_BY(mu_) = 0;         // threads inside StartWrite
  std::optional<grpc::Status> deferred_finish_ ABSL_GUARDED_BY(mu_);
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool sent_caught_up_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventHandler::Subscribe(
    grpc::CallbackServerContext* ctx, const v1::SubscribeRequest* req) {
  auto caller = Authenticate(*ctx, core_.auth());
  if (!caller.ok()) return new FailedReactor(ToGrpc(caller.status()));
  uint64_t head = core_.hub().head();
  auto cursor = ParseCursor(req->since_cursor(), "since_cursor", head);
  if (!cursor.ok()) return new FailedReactor(ToGrpc(cursor.status()));
  if (*cursor > head) {
    return new FailedReactor(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("since_cursor ", *cursor, " is ahead of the newest event (", head,
                                  "); was the server's data directory replaced?")));
  }
  return new SubscribeReactor(core_, ctx, caller->user_id, *cursor, req->batch());
}

}  // namespace meridian::rpc
