// Scenarios 5 and 6: catching up after being away for 10,000 events, and the memory an idle
// subscriber costs the server.
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/load/bench_client.h"
#include "tests/bench/load/scenario.h"
#include "tests/bench/load/subscriber.h"

namespace meridian::bench {

void RunResume(const BenchOptions& opts, Report& report) {
  const int away = opts.smoke ? 300 : 10'000;
  report.Progress(absl::StrCat("5/8 resume: re-subscribe after ", away, " missed events"));
  Server server(opts, FreshDir(opts, "resume/data"), "sync");
  if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
  auto conns = MakeChannels(server.address(), 4);
  SetupClient setup(conns[0]);
  auto accounts = RegisterMany(setup, "res", 4, 2);
  if (!accounts.ok()) return report.Fail(accounts.status(), "register");
  std::vector<std::string> ids;
  for (auto& a : *accounts) ids.push_back(a.id);
  auto channel = setup.CreateChannel((*accounts)[0], "resume", ids);
  if (!channel.ok()) return report.Fail(channel.status(), "create channel");
  std::vector<std::unique_ptr<v1::MessageService::Stub>> posters;
  for (auto& c : conns) posters.push_back(v1::MessageService::NewStub(c));
  auto events = v1::EventService::NewStub(conns[3]);
  const Account& reader = (*accounts)[1];

  Histogram catch_up;
  uint64_t delivered = 0;
  std::string cpu_notes;
  ProcessWindow win(server.pid());
  for (int rep = 0; rep < (opts.smoke ? 1 : 3); ++rep) {
    // Be online, learn the cursor, go away.
    std::string cursor;
    {
      Subscriber s(events.get(), reader.token, "", opts.batch, nullptr);
      s.Start();
      report.Check(s.WaitCaughtUp(std::chrono::seconds(30)), "first subscribe caught up");
      auto m = setup.Post((*accounts)[0], *channel, "still here?");
      report.Fail(m.status(), "post");
      for (int i = 0; i < 3000 && s.events() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      cursor = s.cursor();
      s.Cancel();
      s.WaitDone();
    }
    report.Check(!cursor.empty(), "cursor learnt before going away");
    LoopResult r =
        PostLoop(posters, *accounts, {*channel}, 64, std::chrono::milliseconds(0), away, rep + 1);
    report.Check(r.ok == static_cast<uint64_t>(away), absl::StrCat("posted while away: ", r.ok));
    std::atomic<uint64_t> posted_events{0};
    auto t0 = Clock::now();
    Subscriber s(events.get(), reader.token, cursor, opts.batch, [&](const v1::Event& e) {
      if (e.type() == v1::EVENT_TYPE_MESSAGE_POSTED) ++posted_events;
    });
    s.Start();
    bool up = s.WaitCaughtUp(std::chrono::seconds(120));
    catch_up.Record(NanosSince(t0));
    report.Check(up && posted_events.load() == static_cast<uint64_t>(away),
                 absl::StrCat("resume delivered ", posted_events.load(), " of ", away,
                              " missed posts before caught_up"));
    delivered += posted_events.load();
    s.Cancel();
    s.WaitDone();
  }
  win.End();
  Row row =
      MakeRow("5 resume", absl::StrCat("away for ", away, " events"), "meridian", catch_up, 0, "");
  row.rate = catch_up.mean() > 0 ? away / (catch_up.mean() / 1e9) : 0;
  row.rate_unit = "events/s replayed";
  row.cpu_pct = win.cpu_percent();
  row.peak_rss_mib = win.peak_rss_mib();
  row.note =
      "re-subscribe with since_cursor → caught_up; latency = time to caught up (CPU and RSS "
      "include posting the missed events)";
  report.Add(row);
  server.Stop();
}

void RunIdleStreams(const BenchOptions& opts, Report& report) {
  const std::vector<int> counts =
      opts.smoke ? std::vector<int>{50} : std::vector<int>{1000, 10'000};
  report.Progress("6/8 idle streams: server RSS per connected idle subscriber");
  const std::string dir = FreshDir(opts, "idle/data");
  std::vector<Account> accounts;
  {
    Server server(opts, dir, "sync");
    if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
    SetupClient setup(MakeChannels(server.address(), 1)[0]);
    auto acc = RegisterMany(setup, "idle", opts.smoke ? 5 : 100, 2);
    if (!acc.ok()) return report.Fail(acc.status(), "register");
    accounts = *acc;
    std::vector<std::string> ids;
    for (auto& a : accounts) ids.push_back(a.id);
    report.Fail(setup.CreateChannel(accounts[0], "lobby", ids).status(), "create channel");
    server.Stop();
  }
  for (int n : counts) {
    // A fresh process for each count, so memory freed by an earlier round does not hide growth.
    Server server(opts, dir, "sync");
    if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
    const int per_conn = 100;
    auto conns = MakeChannels(server.address(), (n + per_conn - 1) / per_conn);
    std::vector<std::unique_ptr<v1::EventService::Stub>> stubs;
    for (auto& c : conns) stubs.push_back(v1::EventService::NewStub(c));
    {
      // Warm-up: one stream per connection, so connection and thread set-up is in the base.
      std::vector<std::unique_ptr<Subscriber>> warm;
      for (size_t i = 0; i < stubs.size(); ++i) {
        warm.push_back(std::make_unique<Subscriber>(stubs[i].get(), accounts[0].token, "",
                                                    opts.batch, nullptr));
        warm.back()->Start();
      }
      for (auto& w : warm) w->WaitCaughtUp(std::chrono::seconds(30));
      for (auto& w : warm) w->Cancel();
      for (auto& w : warm) w->WaitDone();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    long base_kib = ProcessStatusKib(server.pid(), "VmRSS");
    long client_base = ProcessStatusKib(getpid(), "VmRSS");
    ProcessWindow win(server.pid());
    std::vector<std::unique_ptr<Subscriber>> subs;
    std::vector<Clock::time_point> started(n);
    Histogram open_latency;
    std::mutex mu;
    for (int i = 0; i < n; ++i) {
      started[i] = Clock::now();
      subs.push_back(std::make_unique<Subscriber>(stubs[i / per_conn].get(),
                                                  accounts[i % accounts.size()].token, "",
                                                  opts.batch, nullptr, [&, i] {
                                                    std::lock_guard<std::mutex> l(mu);
                                                    open_latency.Record(NanosSince(started[i]));
                                                  }));
      subs.back()->Start();
    }
    int up = 0;
    for (auto& s : subs) up += s->WaitCaughtUp(std::chrono::seconds(120));
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // let the server settle
    long after_kib = ProcessStatusKib(server.pid(), "VmRSS");
    long client_after = ProcessStatusKib(getpid(), "VmRSS");
    win.End();
    report.Check(up == n, absl::StrCat(up, " of ", n, " idle streams caught up"));
    Row row = MakeRow("6 idle streams", absl::StrCat(n, " idle subscribers"), "meridian",
                      open_latency, 0, "");
    row.rate = double(after_kib - base_kib) / n;
    row.rate_unit = "KiB server RSS/stream";
    row.cpu_pct = win.cpu_percent();
    row.peak_rss_mib = win.peak_rss_mib();
    row.note = absl::StrFormat(
        "latency = subscribe → caught_up; server RSS %.1f → %.1f MiB over %d connections; client "
        "%.1f KiB/stream; target ≤ 30 KB",
        base_kib / 1024.0, after_kib / 1024.0, conns.size(),
        double(client_after - client_base) / n);
    report.Add(row);
    for (auto& s : subs) s->Cancel();
    for (auto& s : subs) s->WaitDone();
    server.Stop();
  }
}

}  // namespace meridian::bench
