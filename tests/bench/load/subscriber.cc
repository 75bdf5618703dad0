#include "tests/bench/load/subscriber.h"

#include "tests/bench/load/bench_client.h"

namespace meridian::bench {

Subscriber::Subscriber(v1::EventService::Stub* stub, const std::string& token,
                       const std::string& since, bool batch, OnEvent on_event,
                       OnCaughtUp on_caught_up)
    : on_event_(std::move(on_event)), on_caught_up_(std::move(on_caught_up)) {
  Authorize(&ctx_, token);
  req_.set_since_cursor(since);
  req_.set_batch(batch);
  stub->async()->Subscribe(&ctx_, &req_, this);
}

void Subscriber::Start() {
  StartRead(&resp_);
  StartCall();
}

void Subscriber::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  // A server sends `event` or `events` (see events.proto); accept both.
  const v1::Event* last = nullptr;
  uint64_t n = 0;
  if (resp_.has_event()) {
    if (on_event_) on_event_(resp_.event());
    last = &resp_.event();
    n = 1;
  }
  for (const v1::Event& e : resp_.events()) {
    if (on_event_) on_event_(e);
    last = &e;
    ++n;
  }
  if (resp_.caught_up() && on_caught_up_) on_caught_up_();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (resp_.caught_up()) {
      caught_up_ = true;
      cv_.notify_all();
    }
    if (last != nullptr) {
      events_ += n;
      ++responses_;
      cursor_ = last->cursor();
    }
  }
  StartRead(&resp_);
}

void Subscriber::OnDone(const grpc::Status& s) {
  std::lock_guard<std::mutex> l(mu_);
  done_ = true;
  status_ = s;
  cv_.notify_all();
}

bool Subscriber::WaitCaughtUp(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, timeout, [&] { return caught_up_ || done_; });
  return caught_up_;
}

grpc::Status Subscriber::WaitDone() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return done_; });
  return status_;
}

std::string Subscriber::cursor() {
  std::lock_guard<std::mutex> l(mu_);
  return cursor_;
}

uint64_t Subscriber::events() {
  std::lock_guard<std::mutex> l(mu_);
  return events_;
}

uint64_t Subscriber::responses() {
  std::lock_guard<std::mutex> l(mu_);
  return responses_;
}

}  // namespace meridian::bench
