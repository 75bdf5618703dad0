#include "tests/bench/load/bench_client.h"

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"

namespace meridian::bench {
namespace {

absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

constexpr char kPassword[] = "bench-password-1";

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int index) {
  grpc::ChannelArguments args;
  // A distinct argument gives each channel its own subchannel, hence its own connection.
  args.SetInt("meridian.bench.connection", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& address, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) out.push_back(MakeChannel(address, i));
  return out;
}

void Authorize(grpc::ClientContext* ctx, const std::string& token) {
  ctx->AddMetadata("authorization", "Bearer " + token);
}

SetupClient::SetupClient(std::shared_ptr<grpc::Channel> channel)
    : channel_(channel),
      auth_(v1::AuthService::NewStub(channel)),
      channels_(v1::ChannelService::NewStub(channel)),
      messages_(v1::MessageService::NewStub(channel)) {}

absl::StatusOr<Account> SetupClient::Register(const std::string& name) {
  grpc::ClientContext ctx;
  v1::RegisterRequest req;
  req.set_name(name);
  req.set_password(kPassword);
  req.set_display_name(name);
  req.set_time_zone("UTC");
  v1::RegisterResponse resp;
  if (auto s = FromGrpc(auth_->Register(&ctx, req, &resp), "Register " + name); !s.ok()) return s;
  return Account{resp.user().id(), name, resp.token()};
}

absl::StatusOr<std::string> SetupClient::CreateChannel(const Account& owner,
                                                       const std::string& name,
                                                       const std::vector<std::string>& members) {
  grpc::ClientContext ctx;
  Authorize(&ctx, owner.token);
  v1::CreateChannelRequest req;
  req.set_name(name);
  req.set_kind(v1::CHANNEL_KIND_PUBLIC);
  v1::CreateChannelResponse resp;
  auto s = FromGrpc(channels_->CreateChannel(&ctx, req, &resp), "CreateChannel " + name);
  if (!s.ok()) return s;
  if (auto s2 = Invite(owner, resp.channel().id(), members); !s2.ok()) return s2;
  return resp.channel().id();
}

absl::Status SetupClient::Invite(const Account& owner, const std::string& channel,
                                 const std::vector<std::string>& members) {
  std::vector<std::string> others;
  for (const auto& m : members) {
    if (m != owner.id) others.push_back(m);
  }
  for (size_t i = 0; i < others.size(); i += 500) {
    grpc::ClientContext ctx;
    Authorize(&ctx, owner.token);
    v1::InviteMembersRequest req;
    req.set_channel_id(channel);
    for (size_t j = i; j < std::min(others.size(), i + 500); ++j) req.add_user_ids(others[j]);
    v1::InviteMembersResponse resp;
    auto s = FromGrpc(channels_->InviteMembers(&ctx, req, &resp), "InviteMembers");
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Message> SetupClient::Post(const Account& author, const std::string& channel,
                                              const std::string& text) {
  grpc::ClientContext ctx;
  Authorize(&ctx, author.token);
  v1::PostMessageRequest req;
  req.set_channel_id(channel);
  req.set_text(text);
  v1::PostMessageResponse resp;
  auto s = FromGrpc(messages_->PostMessage(&ctx, req, &resp), "PostMessage");
  if (!s.ok()) return s;
  return resp.message();
}

absl::Status SetupClient::HealthCheck(std::chrono::milliseconds timeout) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  if (!s.ok()) return FromGrpc(s, "Health/Check");
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  }
  if (bytes != std::string("\x08\x01", 2)) return absl::UnavailableError("not SERVING");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Account>> RegisterMany(SetupClient& client, const std::string& prefix,
                                                  int n, int parallel) {
  std::vector<Account> out(n);
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status error;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, parallel); ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < n;) {
        auto a = client.Register(absl::StrCat(prefix, i));
        std::lock_guard<std::mutex> l(mu);
        if (!a.ok()) {
          if (error.ok()) error = a.status();
          return;
        }
        out[i] = *a;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!error.ok()) return error;
  return out;
}

namespace {

struct LoopWorker {
  Histogram latency;
  uint64_t ok = 0, failed = 0;
  std::string first_error;
};

struct LoopState {
  AsyncOp op;
  Clock::time_point deadline;
  uint64_t max_ops = 0;
  std::atomic<uint64_t> started{0};
  std::vector<LoopWorker> workers;
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;
};

void Issue(const std::shared_ptr<LoopState>& st, int w) {
  if (Clock::now() >= st->deadline || (st->max_ops && st->started.fetch_add(1) >= st->max_ops)) {
    std::lock_guard<std::mutex> l(st->mu);
    if (--st->active == 0) st->cv.notify_all();
    return;
  }
  auto t0 = Clock::now();
  st->op(w, [st, w, t0](const grpc::Status& s) {
    LoopWorker& me = st->workers[w];
    me.latency.Record(NanosSince(t0));
    if (s.ok()) {
      ++me.ok;
    } else {
      if (me.failed++ == 0) me.first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
    }
    Issue(st, w);
  });
}

}  // namespace

LoopResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, uint64_t max_ops,
                         const AsyncOp& op) {
  auto st = std::make_shared<LoopState>();
  st->op = op;
  st->max_ops = max_ops;
  st->workers.resize(concurrency);
  st->active = concurrency;
  auto t0 = Clock::now();
  st->deadline = duration.count() > 0 ? t0 + duration : Clock::time_point::max();
  for (int w = 0; w < concurrency; ++w) Issue(st, w);
  {
    std::unique_lock<std::mutex> l(st->mu);
    st->cv.wait(l, [&] { return st->active == 0; });
  }
  LoopResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& w : st->workers) {
    r.latency.Merge(w.latency);
    r.ok += w.ok;
    r.failed += w.failed;
    if (r.first_error.empty()) r.first_error = w.first_error;
  }
  return r;
}

namespace {

struct PostCall {
  grpc::ClientContext ctx;
  v1::PostMessageRequest req;
  v1::PostMessageResponse resp;
};

}  // namespace

LoopResult PostLoop(std::vector<std::unique_ptr<v1::MessageService::Stub>>& stubs,
                    const std::vector<Account>& accounts, const std::vector<std::string>& channels,
                    int concurrency, std::chrono::milliseconds duration, uint64_t max_ops,
                    uint64_t seed) {
  auto gens = std::make_shared<std::vector<TextGenerator>>();
  for (int i = 0; i < concurrency; ++i) gens->emplace_back(seed * 1000 + i);
  auto counter = std::make_shared<std::atomic<uint64_t>>(0);
  return RunClosedLoop(concurrency, duration, max_ops, [&, gens, counter](int w, DoneFn done) {
    auto* call = new PostCall;
    Authorize(&call->ctx, accounts[w % accounts.size()].token);
    call->req.set_channel_id(channels[counter->fetch_add(1) % channels.size()]);
    call->req.set_text((*gens)[w].Next());
    stubs[w % stubs.size()]->async()->PostMessage(&call->ctx, &call->req, &call->resp,
                                                  [call, done](grpc::Status s) {
                                                    // The call (its ClientContext) goes before
                                                    // done(): the last done() lets the caller
                                                    // destroy the channel it belongs to.
                                                    delete call;
                                                    done(s);
                                                  });
  });
}

namespace {

constexpr int kVocabulary = 5000;

struct Vocabulary {
  std::vector<std::string> words;
  std::vector<double> cumulative;  // Zipf(1.0) weights
  Vocabulary() {
    uint64_t s = 12345;
    double total = 0;
    static const char kSyllables[][4] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "se",
                                         "di", "po", "an", "el", "or", "um", "is", "ba"};
    for (int i = 0; i < kVocabulary; ++i) {
      std::string w;
      int syl = 2 + static_cast<int>(i % 3);
      for (int k = 0; k < syl; ++k) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        w += kSyllables[(s >> 33) % 16];
      }
      words.push_back(w + std::to_string(i % 7));
      total += 1.0 / (i + 1);
      cumulative.push_back(total);
    }
    for (auto& c : cumulative) c /= total;
  }
};

const Vocabulary& Vocab() {
  static const Vocabulary* v = new Vocabulary();
  return *v;
}

}  // namespace

TextGenerator::TextGenerator(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}

uint64_t TextGenerator::Rand() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string TextGenerator::Word() {
  const auto& v = Vocab();
  double u = (Rand() >> 11) * (1.0 / 9007199254740992.0);
  size_t i = std::lower_bound(v.cumulative.begin(), v.cumulative.end(), u) - v.cumulative.begin();
  return v.words[std::min<size_t>(i, v.words.size() - 1)];
}

std::string TextGenerator::Next() {
  int n = 8 + static_cast<int>(Rand() % 13);
  std::string text;
  for (int i = 0; i < n; ++i) {
    if (i) text += ' ';
    text += Word();
  }
  return text;
}

}  // namespace meridian::bench
