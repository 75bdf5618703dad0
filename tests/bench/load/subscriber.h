// One EventService.Subscribe stream on the gRPC callback API, as a client keeps it open.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_SUBSCRIBER_H_
#define MERIDIAN_TESTS_BENCH_LOAD_SUBSCRIBER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "meridian/v1/events.grpc.pb.h"

namespace meridian::bench {

// Safe for concurrent use. The callbacks run on a gRPC thread, one call at a time per stream.
class Subscriber final : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  // Once per event, in cursor order, whichever way the server packed them.
  using OnEvent = std::function<void(const v1::Event&)>;
  // Once, when the server says caught_up.
  using OnCaughtUp = std::function<void()>;
  // Borrows `stub`, which must outlive the stream. `batch` asks for SubscribeResponse.events
  // (several events per response); false is the one-event-per-response mode of older clients.
  Subscriber(v1::EventService::Stub* stub, const std::string& token, const std::string& since,
             bool batch, OnEvent on_event, OnCaughtUp on_caught_up = nullptr);
  void Start();
  // True once the server said caught_up; false if the stream ended first or time ran out.
  bool WaitCaughtUp(std::chrono::milliseconds timeout);
  void Cancel() { ctx_.TryCancel(); }
  // Waits for the stream to end and returns its status.
  grpc::Status WaitDone();
  // The cursor of the newest event received ("" before any).
  std::string cursor();
  uint64_t events();
  // Responses that carried events (equal to events() without batching).
  uint64_t responses();

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& s) override;

 private:
  grpc::ClientContext ctx_;
  v1::SubscribeRequest req_;
  v1::SubscribeResponse resp_;
  OnEvent on_event_;
  OnCaughtUp on_caught_up_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool caught_up_ = false, done_ = false;
  grpc::Status status_;
  std::string cursor_;
  uint64_t events_ = 0, responses_ = 0;
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_SUBSCRIBER_H_
