// Scenarios 1 and 2: the empty-RPC ceiling, durable post throughput, and raw RocksDB synced
// WriteBatch writes of the same size at the same concurrency.
#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/kv_store.h"
#include "tests/bench/load/bench_client.h"
#include "tests/bench/load/scenario.h"

namespace meridian::bench {
namespace {

// Bytes of RocksDB write-ahead log (*.log) in `dir`.
uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log") total += e.file_size();
  }
  return total;
}

struct HealthCall {
  grpc::ClientContext ctx;
  grpc::ByteBuffer req, resp;
};

LoopResult EmptyRpcLoop(std::vector<std::unique_ptr<grpc::GenericStub>>& stubs, int concurrency,
                        std::chrono::milliseconds duration) {
  return RunClosedLoop(concurrency, duration, 0, [&](int w, DoneFn done) {
    auto* call = new HealthCall;
    grpc::Slice empty("");
    call->req = grpc::ByteBuffer(&empty, 1);
    stubs[w % stubs.size()]->UnaryCall(&call->ctx, "/grpc.health.v1.Health/Check",
                                       grpc::StubOptions(), &call->req, &call->resp,
                                       [call, done](grpc::Status s) {
                                         // The call (its ClientContext) goes before done(): the
                                         // last done() lets the caller destroy the channel it
                                         // belongs to.
                                         delete call;
                                         done(s);
                                       });
  });
}

}  // namespace

namespace {

// Raw RocksDB: `concurrency` threads each writing synced batches of `ops` puts totalling
// `bytes`, as fast as they can.
Histogram RawSyncedWrites(storage::KvStore& store, int concurrency, size_t bytes,
                          std::chrono::milliseconds duration, double* seconds, std::string* error) {
  constexpr int kOps = 16;
  size_t value_size = bytes > kOps * 24 ? bytes / kOps - 16 : 8;
  std::vector<Histogram> hs(concurrency);
  std::vector<std::thread> threads;
  std::atomic<uint64_t> next_key{0};
  std::mutex mu;
  auto t0 = Clock::now();
  auto deadline = t0 + duration;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      std::string value(value_size, 'v');
      while (Clock::now() < deadline) {
        storage::WriteBatch batch;
        for (int i = 0; i < kOps; ++i) {
          uint64_t k = next_key.fetch_add(1);
          std::string key = absl::StrFormat("%016x", k * 0x9E3779B97F4A7C15ULL);
          value[0] = static_cast<char>(k);
          batch.Put(storage::Cf::kMessages, key, value);
        }
        auto s0 = Clock::now();
        absl::Status s = store.Write(batch, storage::Durability::kSync);
        hs[t].Record(NanosSince(s0));
        if (!s.ok()) {
          std::lock_guard<std::mutex> l(mu);
          *error = s.ToString();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  *seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  Histogram all;
  for (auto& h : hs) all.Merge(h);
  return all;
}

}  // namespace

void RunBaselineAndPosts(const BenchOptions& opts, Report& report) {
  const std::vector<int> concurrencies =
      opts.smoke ? std::vector<int>{1, 16} : std::vector<int>{1, 16, 64, 256};
  const std::vector<int> channel_counts = {1, opts.smoke ? 4 : 100};
  const auto duration =
      std::chrono::milliseconds(opts.smoke ? 300 : static_cast<int>(opts.duration_s * 1000));

  Server server(opts, FreshDir(opts, "posts/data"), "sync");
  if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
  auto conns = MakeChannels(server.address(), 4);
  SetupClient setup(conns[0]);
  std::vector<std::unique_ptr<grpc::GenericStub>> generic;
  std::vector<std::unique_ptr<v1::MessageService::Stub>> messages;
  for (auto& c : conns) {
    generic.push_back(std::make_unique<grpc::GenericStub>(c));
    messages.push_back(v1::MessageService::NewStub(c));
  }

  report.Progress("1/8 baseline: empty unary RPC (grpc.health.v1.Health/Check)");
  std::map<int, double> empty_rate;
  for (int c : concurrencies) {
    ProcessWindow win(server.pid());
    LoopResult r = EmptyRpcLoop(generic, c, duration);
    win.End();
    Row row = MakeRow("1 empty RPC", absl::StrCat(c, " concurrent"), "empty RPC", r.latency,
                      r.seconds, "calls/s");
    row.cpu_pct = win.cpu_percent();
    row.peak_rss_mib = win.peak_rss_mib();
    empty_rate[c] = row.rate;
    report.Check(r.failed == 0 && r.ok > 0, absl::StrCat("empty RPC at ", c, ": ", r.ok, " ok, ",
                                                         r.failed, " failed ", r.first_error));
    report.Add(row);
  }

  report.Progress("2/8 durable post throughput (sync) beside raw RocksDB synced WriteBatch");
  auto accounts = RegisterMany(setup, "poster", opts.smoke ? 4 : 16, 2);
  if (!accounts.ok()) return report.Fail(accounts.status(), "register posters");
  std::vector<std::string> ids;
  for (auto& a : *accounts) ids.push_back(a.id);
  std::vector<std::string> channels;
  for (int i = 0; i < channel_counts.back(); ++i) {
    auto ch = setup.CreateChannel((*accounts)[0], absl::StrCat("posts", i), ids);
    if (!ch.ok()) return report.Fail(ch.status(), "create channel");
    channels.push_back(*ch);
  }
  // What one post costs in the write-ahead log, so that the raw baseline writes the same bytes.
  const int calibration = opts.smoke ? 40 : 400;
  uint64_t wal0 = WalBytes(server.data_dir());
  LoopResult cal =
      PostLoop(messages, *accounts, channels, 8, std::chrono::milliseconds(0), calibration, 99);
  uint64_t wal_per_post = (WalBytes(server.data_dir()) - wal0) / std::max<uint64_t>(1, cal.ok);
  report.Check(cal.ok == static_cast<uint64_t>(calibration) && wal_per_post > 0,
               absl::StrCat("calibration posts: ", cal.ok, " ok, WAL bytes/post ", wal_per_post,
                            " ", cal.first_error));
  report.Progress(absl::StrCat("   one post = ", wal_per_post, " bytes of write-ahead log"));

  auto raw = storage::OpenRocksDbStore({.path = FreshDir(opts, "posts/raw")});
  if (!raw.ok()) return report.Fail(raw.status(), "open raw RocksDB");
  for (int c : concurrencies) {
    double post_rate_1ch = 0;
    for (int nch : channel_counts) {
      std::vector<std::string> use(channels.begin(), channels.begin() + nch);
      ProcessWindow win(server.pid());
      LoopResult r = PostLoop(messages, *accounts, use, c, duration, 0, c * 7 + nch);
      win.End();
      Row row = MakeRow("2 post throughput", absl::StrCat(c, " posters, ", nch, " channel(s)"),
                        "meridian", r.latency, r.seconds, "posts/s");
      row.cpu_pct = win.cpu_percent();
      row.peak_rss_mib = win.peak_rss_mib();
      if (nch == 1) post_rate_1ch = row.rate;
      report.Check(r.failed == 0 && r.ok > 0,
                   absl::StrCat("posts at ", c, "x", nch, ": ", r.ok, " ok, ", r.failed, " failed ",
                                r.first_error));
      report.Add(row);
    }
    double seconds = 0;
    std::string error;
    Histogram h = RawSyncedWrites(**raw, c, wal_per_post, duration, &seconds, &error);
    Row row = MakeRow("2 post throughput", absl::StrCat(c, " writers"), "raw RocksDB", h, seconds,
                      "batches/s");
    double ceiling = std::min(row.rate, empty_rate.count(c) ? empty_rate[c] : row.rate);
    row.note = absl::StrFormat("%d B/batch; meridian 1-ch ÷ min(raw, empty RPC) = %.2f",
                               wal_per_post, ceiling > 0 ? post_rate_1ch / ceiling : 0);
    report.Check(error.empty() && h.count() > 0, "raw RocksDB writes: " + error);
    report.Add(row);
  }
  server.Stop();
}

}  // namespace meridian::bench
