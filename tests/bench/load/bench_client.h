// The gRPC side of meridian-bench: a pool of connections, blocking set-up calls, and a
// closed-loop driver that keeps N asynchronous calls in flight and records their latency.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_BENCH_CLIENT_H_
#define MERIDIAN_TESTS_BENCH_LOAD_BENCH_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/events.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/search.grpc.pb.h"
#include "tests/bench/load/histogram.h"

namespace meridian::bench {

using Clock = std::chrono::steady_clock;
inline uint64_t NanosSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

// Connection number `index` to `address`: channels with different indexes never share a
// connection, channels with the same index do.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int index);
// `n` separate HTTP/2 connections to `address` (gRPC would otherwise share one).
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& address, int n);

// A registered user and its session.
struct Account {
  std::string id, name, token;
};

// Adds "authorization: Bearer <token>".
void Authorize(grpc::ClientContext* ctx, const std::string& token);

// Blocking calls used to set a scenario up. Safe for concurrent use.
class SetupClient {
 public:
  explicit SetupClient(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<Account> Register(const std::string& name);
  // A public channel created by `owner`, with `members` (user ids) added.
  absl::StatusOr<std::string> CreateChannel(const Account& owner, const std::string& name,
                                            const std::vector<std::string>& members);
  absl::Status Invite(const Account& owner, const std::string& channel,
                      const std::vector<std::string>& members);
  absl::StatusOr<v1::Message> Post(const Account& author, const std::string& channel,
                                   const std::string& text);
  // grpc.health.v1.Health/Check; OK when the server answers SERVING.
  absl::Status HealthCheck(std::chrono::milliseconds timeout);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::ChannelService::Stub> channels_;
  std::unique_ptr<v1::MessageService::Stub> messages_;
};

// Registers `n` users named prefix0..prefix{n-1}, `parallel` at a time (password hashing makes
// registration slow by design).
absl::StatusOr<std::vector<Account>> RegisterMany(SetupClient& client, const std::string& prefix,
                                                  int n, int parallel);

// An asynchronous operation: start it, and call `done` exactly once when it finishes.
using DoneFn = std::function<void(const grpc::Status&)>;
using AsyncOp = std::function<void(int worker, DoneFn done)>;

struct LoopResult {
  Histogram latency;  // ns per operation
  uint64_t ok = 0, failed = 0;
  double seconds = 0;
  std::string first_error;
  double ops_per_second() const { return seconds > 0 ? (ok + failed) / seconds : 0; }
};

// Runs `concurrency` loops; each starts `op` again as soon as its previous one finished, until
// `duration` has passed or `max_ops` operations were started in total (0 = no limit).
LoopResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, uint64_t max_ops,
                         const AsyncOp& op);

// Posts random text through the async API until `duration` or `max_ops`; worker w posts as
// accounts[w % n] into `channels` round-robin, over `stubs` round-robin.
LoopResult PostLoop(std::vector<std::unique_ptr<v1::MessageService::Stub>>& stubs,
                    const std::vector<Account>& accounts, const std::vector<std::string>& channels,
                    int concurrency, std::chrono::milliseconds duration, uint64_t max_ops,
                    uint64_t seed);

// Random chat-like text: 8-20 words from a fixed Zipf-weighted vocabulary of pseudo-words.
class TextGenerator {
 public:
  explicit TextGenerator(uint64_t seed);
  std::string Next();
  // One word, Zipf-weighted (search queries).
  std::string Word();

 private:
  uint64_t state_;
  uint64_t Rand();
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_BENCH_CLIENT_H_
