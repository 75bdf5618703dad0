// Scenarios 4 and 7: a 50-message history page at a random point of a large channel set, cold
// and warm; and recovery after kill -9 with that corpus stored.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/load/bench_client.h"
#include "tests/bench/load/scenario.h"

namespace meridian::bench {

namespace {

// Drops the data directory's files from the OS page cache (fsync first: only clean pages go).
void EvictPageCache(const std::string& dir) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    int fd = open(e.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
  }
}

uint64_t DirBytes(const std::string& dir, const std::string& ext) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && (ext.empty() || e.path().extension() == ext)) {
      total += e.file_size();
    }
  }
  return total;
}

struct Page {
  std::string channel;
  uint64_t before;
};

// Fetches each page once, in order, on one connection; checks it holds 50 messages.
Histogram FetchPages(v1::MessageService::Stub& stub, const Account& reader,
                     const std::vector<Page>& pages, Report& report, const char* what) {
  Histogram h;
  int short_pages = 0;
  std::string error;
  for (const auto& p : pages) {
    grpc::ClientContext ctx;
    Authorize(&ctx, reader.token);
    v1::GetHistoryRequest req;
    req.set_channel_id(p.channel);
    req.set_before_cursor(std::to_string(p.before));
    req.set_page_size(50);
    v1::GetHistoryResponse resp;
    auto t0 = Clock::now();
    grpc::Status s = stub.GetHistory(&ctx, req, &resp);
    h.Record(NanosSince(t0));
    if (!s.ok()) error = s.error_message();
    if (resp.messages_size() != 50) ++short_pages;
  }
  report.Check(short_pages == 0 && error.empty(),
               absl::StrCat(what, ": ", short_pages, " of ", pages.size(),
                            " pages did not hold 50 messages ", error));
  return h;
}

}  // namespace

void RunHistoryAndRecovery(const BenchOptions& opts, Report& report) {
  const int corpus = opts.smoke ? 2000 : opts.corpus;
  const int nch = opts.smoke ? 4 : 100;
  const int per_channel = corpus / nch;
  report.Progress(absl::StrCat("4/8 history: building a ", corpus, "-message corpus in ", nch,
                               " channels (relaxed durability, 64 posters)"));
  const std::string dir = FreshDir(opts, "history/data");
  std::vector<Account> accounts;
  std::vector<std::string> channels;
  {
    Server server(opts, dir, "relaxed");
    if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
    auto conns = MakeChannels(server.address(), 4);
    SetupClient setup(conns[0]);
    auto acc = RegisterMany(setup, "hist", opts.smoke ? 4 : 16, 2);
    if (!acc.ok()) return report.Fail(acc.status(), "register");
    accounts = *acc;
    std::vector<std::string> ids;
    for (auto& a : accounts) ids.push_back(a.id);
    for (int i = 0; i < nch; ++i) {
      auto ch = setup.CreateChannel(accounts[0], absl::StrCat("hist", i), ids);
      if (!ch.ok()) return report.Fail(ch.status(), "create channel");
      channels.push_back(*ch);
    }
    std::vector<std::unique_ptr<v1::MessageService::Stub>> stubs;
    for (auto& c : conns) stubs.push_back(v1::MessageService::NewStub(c));
    ProcessWindow win(server.pid());
    LoopResult r = PostLoop(stubs, accounts, channels, 64, std::chrono::milliseconds(0), corpus, 4);
    win.End();
    Row row = MakeRow("4 history", "corpus build (API, relaxed, 64 posters)", "meridian", r.latency,
                      r.seconds, "posts/s");
    row.cpu_pct = win.cpu_percent();
    row.peak_rss_mib = win.peak_rss_mib();
    row.note = absl::StrFormat("%d messages in %.1f s; %.0f MiB on disk", r.ok, r.seconds,
                               DirBytes(dir, "") / 1048576.0);
    report.Check(r.ok == static_cast<uint64_t>(corpus) && r.failed == 0,
                 absl::StrCat("corpus: ", r.ok, " posted, ", r.failed, " failed ", r.first_error));
    report.Add(row);
    server.Stop();
  }

  std::mt19937_64 rng(42);
  std::vector<Page> pages;
  for (int i = 0; i < (opts.smoke ? 20 : 300); ++i) {
    pages.push_back({channels[rng() % nch], 51 + rng() % std::max(1, per_channel - 51)});
  }
  Server server(opts, dir, "sync");
  EvictPageCache(dir);
  if (auto s = server.Start(); !s.ok()) return report.Fail(s, "restart meridiand");
  {
    auto conns = MakeChannels(server.address(), 1);
    auto stub = v1::MessageService::NewStub(conns[0]);
    ProcessWindow cold_win(server.pid());
    Histogram cold = FetchPages(*stub, accounts[1], pages, report, "cold pages");
    cold_win.End();
    Row row = MakeRow("4 history", "50-msg page, random point, cold", "meridian", cold, 0, "");
    row.cpu_pct = cold_win.cpu_percent();
    row.peak_rss_mib = cold_win.peak_rss_mib();
    row.note = "first read of each page after restart and page-cache eviction; 1 client";
    report.Add(row);
    ProcessWindow warm_win(server.pid());
    Histogram warm;
    auto t0 = Clock::now();
    for (int pass = 0; pass < 3; ++pass) {
      warm.Merge(FetchPages(*stub, accounts[1], pages, report, "warm pages"));
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    warm_win.End();
    Row wrow =
        MakeRow("4 history", "50-msg page, random point, warm", "meridian", warm, secs, "pages/s");
    wrow.cpu_pct = warm_win.cpu_percent();
    wrow.peak_rss_mib = warm_win.peak_rss_mib();
    wrow.note = "the same pages again, 3 passes; 1 client; target p99 ≤ 2 ms";
    report.Add(wrow);
  }

  report.Progress(absl::StrCat("7/8 recovery: kill -9 under post load with ", corpus,
                               " messages stored, then time to serving"));
  Histogram recovery;
  std::string notes;
  for (int rep = 0; rep < (opts.smoke ? 1 : 3); ++rep) {
    {
      auto conns = MakeChannels(server.address(), 2);
      std::vector<std::unique_ptr<v1::MessageService::Stub>> stubs;
      for (auto& c : conns) stubs.push_back(v1::MessageService::NewStub(c));
      std::thread load([&] {
        PostLoop(stubs, accounts, channels, 16, std::chrono::milliseconds(2000), 0, 100 + rep);
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      uint64_t wal = DirBytes(dir, ".log");
      server.Kill();
      load.join();
      absl::StrAppendFormat(&notes, "%srun %d: WAL %.1f MiB", rep ? "; " : "", rep + 1,
                            wal / 1048576.0);
    }
    auto t0 = Clock::now();
    if (auto s = server.Start(); !s.ok()) return report.Fail(s, "restart after kill -9");
    auto conns = MakeChannels(server.address(), 1);
    SetupClient probe(conns[0]);
    absl::Status health;
    for (int i = 0; i < 1000; ++i) {
      health = probe.HealthCheck(std::chrono::milliseconds(200));
      if (health.ok()) break;
    }
    uint64_t ns = NanosSince(t0);
    recovery.Record(ns);
    report.Fail(health, "health check after restart");
    std::smatch m;
    std::string log = server.log();
    static const std::regex kOpened(R"(opened .* in (\d+) ms)");
    if (std::regex_search(log, m, kOpened))
      absl::StrAppend(&notes, ", Core::Open ", m[1].str(), " ms");
    auto stub = v1::MessageService::NewStub(conns[0]);
    Histogram h = FetchPages(*stub, accounts[1], {pages[0]}, report, "page after recovery");
  }
  Row row = MakeRow("7 recovery", absl::StrCat("kill -9, ", corpus, " messages"), "meridian",
                    recovery, 0, "");
  row.note = notes + "; start → Health/Check SERVING; target ≤ 2 s";
  report.Add(row);
  server.Stop();
}

}  // namespace meridian::bench
