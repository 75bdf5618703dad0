// Scenario 3: time from a post's acknowledgement to its receipt on every subscribed stream,
// beside Redis 7 pub/sub with the same payload size and subscriber count.
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/load/bench_client.h"
#include "tests/bench/load/resp.h"
#include "tests/bench/load/scenario.h"
#include "tests/bench/load/subscriber.h"

namespace meridian::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Receipts of one stream: (message key, receive time in ns). Written only by that stream.
struct Receipts {
  std::vector<std::pair<uint64_t, int64_t>> got;
};

// Counts receipts and lets the poster wait for a total.
struct Counter {
  std::atomic<uint64_t> n{0}, target{UINT64_MAX};
  std::mutex mu;
  std::condition_variable cv;
  void Add() {
    if (n.fetch_add(1, std::memory_order_acq_rel) + 1 >= target.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> l(mu);  // no lost wake-up between the waiter's check and wait
      cv.notify_all();
    }
  }
  bool WaitFor(uint64_t t, std::chrono::milliseconds timeout) {
    target.store(t, std::memory_order_release);
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, timeout, [&] { return n.load(std::memory_order_acquire) >= t; });
  }
};

struct FanoutResult {
  Histogram from_ack, from_send, last_from_ack;
  uint64_t before_ack = 0, expected = 0, received = 0;
  uint64_t responses = 0, events = 0;  // Subscribe responses and the events they carried
  double seconds = 0;
};

// Turns receipts and per-post ack/send times into latencies.
void Tally(const std::vector<Receipts*>& all, const std::vector<int64_t>& ack,
           const std::vector<int64_t>& send, FanoutResult* r) {
  std::vector<int64_t> last(ack.size(), 0);
  for (auto* rc : all) {
    for (auto [k, t] : rc->got) {
      if (k >= ack.size()) continue;
      ++r->received;
      int64_t d = t - ack[k];
      if (d < 0) ++r->before_ack;
      r->from_ack.Record(d < 0 ? 0 : d);
      r->from_send.Record(t - send[k]);
      last[k] = std::max(last[k], d);
    }
  }
  for (int64_t d : last) r->last_from_ack.Record(d < 0 ? 0 : d);
}

FanoutResult MeridianFanout(const std::string& address, const std::vector<Account>& accounts,
                            const std::string& channel, int subscribers, int posts, bool batch,
                            size_t* event_bytes, Report& report, pid_t server_pid, Row* row) {
  FanoutResult r;
  const int per_conn = 100;
  auto conns = MakeChannels(address, (subscribers + per_conn - 1) / per_conn + 1);
  std::vector<std::unique_ptr<v1::EventService::Stub>> stubs;
  for (size_t i = 1; i < conns.size(); ++i) stubs.push_back(v1::EventService::NewStub(conns[i]));
  SetupClient poster(conns[0]);
  // Message ids are opaque: map each to its post number as the ack comes back. Receipts may
  // arrive before the ack (the server publishes, then answers), so they record the id's hash and
  // are matched afterwards.
  Counter counter;
  std::vector<std::unique_ptr<Receipts>> receipts;
  std::vector<std::unique_ptr<Subscriber>> subs;
  std::atomic<size_t> bytes{0};
  for (int i = 0; i < subscribers; ++i) {
    receipts.push_back(std::make_unique<Receipts>());
    Receipts* rc = receipts.back().get();
    subs.push_back(std::make_unique<Subscriber>(
        stubs[i / per_conn].get(), accounts[i % accounts.size()].token, "", batch,
        [rc, &counter, &channel, &bytes](const v1::Event& e) {
          if (e.type() != v1::EVENT_TYPE_MESSAGE_POSTED || e.channel_id() != channel) return;
          int64_t t = NowNs();
          rc->got.emplace_back(std::hash<std::string>()(e.message().id()), t);
          bytes.store(e.ByteSizeLong(), std::memory_order_relaxed);
          counter.Add();
        }));
    subs.back()->Start();
  }
  bool all_up = true;
  for (auto& s : subs) all_up = all_up && s->WaitCaughtUp(std::chrono::seconds(120));
  report.Check(all_up, absl::StrCat("all ", subscribers, " streams caught up"));

  std::vector<int64_t> ack, send;
  absl::flat_hash_map<uint64_t, uint64_t> index;  // id hash -> post number
  TextGenerator text(subscribers);
  ProcessWindow win(server_pid);
  auto t0 = Clock::now();
  for (int k = 0; k < posts; ++k) {
    int64_t ts = NowNs();
    auto m = poster.Post(accounts[0], channel, text.Next());
    int64_t ta = NowNs();
    if (!m.ok()) {
      report.Fail(m.status(), "fan-out post");
      break;
    }
    index[std::hash<std::string>()(m->id())] = k;
    send.push_back(ts);
    ack.push_back(ta);
    if (!counter.WaitFor(static_cast<uint64_t>(k + 1) * subscribers, std::chrono::seconds(30))) {
      report.Check(false, absl::StrCat("post ", k, " reached only ",
                                       counter.n.load() - uint64_t(k) * subscribers, " of ",
                                       subscribers, " streams in 30 s"));
      break;
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  win.End();
  row->cpu_pct = win.cpu_percent();
  row->peak_rss_mib = win.peak_rss_mib();
  for (auto& s : subs) s->Cancel();
  for (auto& s : subs) s->WaitDone();
  for (auto& s : subs) {
    r.responses += s->responses();
    r.events += s->events();
  }
  // Re-key receipts from id hash to post number.
  std::vector<Receipts*> all;
  for (auto& rc : receipts) {
    for (auto& [k, t] : rc->got) {
      auto it = index.find(k);
      k = it == index.end() ? UINT64_MAX : it->second;
    }
    all.push_back(rc.get());
  }
  Tally(all, ack, send, &r);
  r.expected = static_cast<uint64_t>(ack.size()) * subscribers;
  *event_bytes = bytes.load();
  return r;
}

absl::StatusOr<FanoutResult> RedisFanout(int port, int subscribers, int posts, size_t payload,
                                         Report& report) {
  FanoutResult r;
  std::vector<int> fds;
  auto cleanup = [&] {
    for (int fd : fds) close(fd);
  };
  for (int i = 0; i < subscribers; ++i) {
    auto fd = ConnectLoopback(port);
    if (!fd.ok()) {
      cleanup();
      return fd.status();
    }
    fds.push_back(*fd);
    if (auto s = WriteAll(*fd, EncodeCommand({"SUBSCRIBE", "fanout"})); !s.ok()) {
      cleanup();
      return s;
    }
  }
  std::vector<RespParser> parsers(subscribers);
  for (int i = 0; i < subscribers; ++i) {
    auto v = ReadValue(fds[i], parsers[i]);  // the subscribe confirmation
    if (!v.ok()) {
      cleanup();
      return v.status();
    }
  }
  int ep = epoll_create1(0);
  for (int i = 0; i < subscribers; ++i) {
    fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  Counter counter;
  Receipts receipts;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::vector<epoll_event> evs(256);
    char buf[65536];
    while (!stop.load()) {
      int n = epoll_wait(ep, evs.data(), evs.size(), 50);
      for (int j = 0; j < n; ++j) {
        int i = evs[j].data.u32;
        ssize_t got = read(fds[i], buf, sizeof(buf));
        if (got <= 0) continue;
        int64_t t = NowNs();
        parsers[i].Feed(buf, got);
        RespValue v;
        std::string error;
        while (parsers[i].Next(&v, &error)) {
          if (v.elems.size() == 3 && v.elems[0].str == "message") {
            uint64_t k = 0;
            size_t bar = v.elems[2].str.find('|');
            if (absl::SimpleAtoi(v.elems[2].str.substr(0, bar), &k)) {
              receipts.got.emplace_back(k, t);
              counter.Add();
            }
          }
        }
      }
    }
  });
  auto pub = ConnectLoopback(port);
  if (!pub.ok()) {
    stop = true;
    reader.join();
    cleanup();
    return pub.status();
  }
  RespParser pub_parser;
  std::vector<int64_t> ack, send;
  auto t0 = Clock::now();
  for (int k = 0; k < posts; ++k) {
    std::string msg = absl::StrCat(k, "|");
    msg.resize(std::max(payload, msg.size()), 'x');
    int64_t ts = NowNs();
    absl::Status s = WriteAll(*pub, EncodeCommand({"PUBLISH", "fanout", msg}));
    auto v = s.ok() ? ReadValue(*pub, pub_parser) : absl::StatusOr<RespValue>(s);
    int64_t ta = NowNs();
    if (!v.ok()) {
      report.Fail(v.status(), "redis PUBLISH");
      break;
    }
    send.push_back(ts);
    ack.push_back(ta);
    if (!counter.WaitFor(static_cast<uint64_t>(k + 1) * subscribers, std::chrono::seconds(30))) {
      report.Check(false, absl::StrCat("redis message ", k, " did not reach every subscriber"));
      break;
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  stop = true;
  reader.join();
  close(ep);
  close(*pub);
  cleanup();
  Tally({&receipts}, ack, send, &r);
  r.expected = static_cast<uint64_t>(ack.size()) * subscribers;
  return r;
}

Row FanoutRow(const std::string& system, int subscribers, const FanoutResult& r) {
  Row row = MakeRow("3 fan-out", absl::StrCat(subscribers, " subscribers"), system, r.from_ack,
                    r.seconds, "deliveries/s");
  row.note = absl::StrFormat(
      "ack→receipt; send→receipt p50 %.3f p99 %.3f ms; ack→last stream p99 %.3f ms; %d of %d "
      "receipts before the ack",
      r.from_send.Percentile(0.5) / 1e6, r.from_send.Percentile(0.99) / 1e6,
      r.last_from_ack.Percentile(0.99) / 1e6, r.before_ack, r.received);
  return row;
}

}  // namespace

void RunFanout(const BenchOptions& opts, Report& report) {
  report.Progress("3/8 fan-out: post ack to receipt on every stream, beside Redis pub/sub");
  const std::vector<int> counts =
      opts.smoke ? std::vector<int>{1, 20} : std::vector<int>{1, 100, 1000, 5000};
  const int posts = opts.smoke ? 10 : 100;
  Server server(opts, FreshDir(opts, "fanout/data"), "sync");
  if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
  auto conns = MakeChannels(server.address(), 1);
  SetupClient setup(conns[0]);
  auto accounts = RegisterMany(setup, "fan", opts.smoke ? 5 : 100, 2);
  if (!accounts.ok()) return report.Fail(accounts.status(), "register");
  std::vector<std::string> ids;
  for (auto& a : *accounts) ids.push_back(a.id);
  auto channel = setup.CreateChannel((*accounts)[0], "fanout", ids);
  if (!channel.ok()) return report.Fail(channel.status(), "create channel");

  auto redis = RedisServer::Start(opts.redis_server);
  if (!redis.ok()) report.Progress("   Redis baseline skipped: " + redis.status().ToString());
  for (int n : counts) {
    size_t event_bytes = 0;
    Row row;
    FanoutResult m = MeridianFanout(server.address(), *accounts, *channel, n, posts, opts.batch,
                                    &event_bytes, report, server.pid(), &row);
    Row out = FanoutRow("meridian", n, m);
    out.note += absl::StrFormat("; %s: %d events in %d responses", opts.batch ? "batch" : "single",
                                m.events, m.responses);
    out.cpu_pct = row.cpu_pct;
    out.peak_rss_mib = row.peak_rss_mib;
    report.Check(
        m.received == m.expected && m.expected == uint64_t(posts) * n,
        absl::StrCat("meridian fan-out to ", n, ": ", m.received, " of ", m.expected, " receipts"));
    report.Add(out);
    if (!redis.ok()) continue;
    ProcessWindow win((*redis)->pid());
    auto r = RedisFanout((*redis)->port(), n, posts, event_bytes, report);
    win.End();
    if (!r.ok()) {
      report.Fail(r.status(), "redis fan-out");
      continue;
    }
    Row rrow = FanoutRow("Redis 7", n, *r);
    rrow.cpu_pct = win.cpu_percent();
    rrow.peak_rss_mib = win.peak_rss_mib();
    rrow.note +=
        absl::StrFormat("; payload %d B; meridian p99 ÷ Redis p99 = %.2f", event_bytes,
                        r->from_ack.Percentile(0.99)
                            ? double(m.from_ack.Percentile(0.99)) / r->from_ack.Percentile(0.99)
                            : 0);
    report.Check(r->received == r->expected, "redis receipts match");
    report.Add(rrow);
  }
  server.Stop();
}

}  // namespace meridian::bench
