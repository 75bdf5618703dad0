// Scenario 8: simulated users with a mix and think time modelled on Mattermost's load test
// (mattermost-load-test-ng's SimulController defaults: an action every 1-39 s, 20 s on average,
// chosen with its relative frequencies). Users are added in steps; each step is measured over a
// fixed window and the largest user count whose p99 RPC latency stays under 200 ms is reported.
#include <algorithm>
#include <atomic>
#include <map>
#include <queue>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/load/bench_client.h"
#include "tests/bench/load/scenario.h"
#include "tests/bench/load/subscriber.h"

namespace meridian::bench {

namespace {

enum class Action { kSwitch, kScroll, kDirect, kUnread, kThread, kPost, kReact, kSearch };
// Relative frequencies from the SimulController's action list: SwitchChannel 6.52,
// ScrollChannel 1.99, OpenDirectOrGroupChannel 0.98, UnreadCheck 1.0, ViewThread 0.28,
// CreatePost 1.0, AddReaction 0.13, SearchPosts+SearchUsers+SearchChannels ≈ 0.07.
constexpr std::pair<Action, double> kMix[] = {
    {Action::kSwitch, 6.52}, {Action::kScroll, 1.99}, {Action::kDirect, 0.98},
    {Action::kUnread, 1.0},  {Action::kThread, 0.28}, {Action::kPost, 1.0},
    {Action::kReact, 0.13},  {Action::kSearch, 0.07},
};
constexpr double kReplyShare = 0.18;  // PercentReplies
constexpr const char* kEmoji[] = {":+1:",     ":smile:", ":tada:", ":eyes:", ":heart:",
                                  ":rocket:", ":ok:",    ":fire:", ":100:",  ":wave:"};

struct StepStats {
  std::mutex mu;
  Histogram all, lag;
  std::map<std::string, Histogram> by_rpc;
  uint64_t errors = 0;
  std::string first_error;
  std::atomic<uint64_t> events{0};
};

struct SimUser {
  const Account* account = nullptr;
  std::vector<std::string> channels;
  std::string current, older_cursor;
  std::vector<std::string> recent;  // ids of messages seen in the last page
  std::mt19937_64 rng;
  std::unique_ptr<Subscriber> stream;
};

class Simulation {
 public:
  Simulation(const BenchOptions& opts, const std::string& address,
             const std::vector<Account>& accounts)
      : opts_(opts),
        accounts_(accounts),
        min_idle_ms_(opts.smoke ? 20 : 1000),
        avg_idle_ms_(opts.smoke ? 100 : 20'000) {
    for (auto& c : MakeChannels(address, 8)) {
      messages_.push_back(v1::MessageService::NewStub(c));
      channels_.push_back(v1::ChannelService::NewStub(c));
      search_.push_back(v1::SearchService::NewStub(c));
    }
    address_ = address;
    double total = 0;
    for (auto [a, w] : kMix) total += w;
    double acc = 0;
    for (auto [a, w] : kMix) cumulative_.emplace_back(acc += w / total, a);
    stats_ = std::make_shared<StepStats>();
    // Workers index users_ while Grow appends: it must never reallocate.
    users_.reserve(opts.max_users + 1000);
  }
  ~Simulation() { Stop(); }

  // Adds users (with their event streams) until there are `n`; their first actions are spread
  // over one think time.
  bool Grow(int n, const std::vector<std::vector<std::string>>& membership) {
    const int per_conn = 200;
    int first = static_cast<int>(users_.size());
    std::vector<SimUser*> added;
    for (int i = first; i < n; ++i) {
      if (i % per_conn == 0) {
        event_stubs_.push_back(
            v1::EventService::NewStub(MakeChannel(address_, 1000 + i / per_conn)));
      }
      auto u = std::make_unique<SimUser>();
      u->account = &accounts_[i % accounts_.size()];
      u->channels = membership[i % accounts_.size()];
      u->current = u->channels[0];
      u->rng.seed(i * 7919 + 1);
      u->stream = std::make_unique<Subscriber>(event_stubs_[i / per_conn].get(), u->account->token,
                                               "", opts_.batch, [this](const v1::Event&) {
                                                 CurrentStats()->events.fetch_add(
                                                     1, std::memory_order_relaxed);
                                               });
      u->stream->Start();
      added.push_back(u.get());
      users_.push_back(std::move(u));
    }
    bool ok = true;
    for (auto* u : added) ok = u->stream->WaitCaughtUp(std::chrono::seconds(60)) && ok;
    std::lock_guard<std::mutex> l(mu_);
    auto now = Clock::now();
    for (int i = first; i < n; ++i) {
      auto delay = std::chrono::milliseconds(users_[i]->rng() % (2 * avg_idle_ms_));
      queue_.push({now + delay, i});
    }
    cv_.notify_all();
    return ok;
  }

  void StartWorkers(int n) {
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (auto& t : workers_) t.join();
    workers_.clear();
    for (auto& u : users_) u->stream->Cancel();
    for (auto& u : users_) u->stream->WaitDone();
    users_.clear();
  }

  // Starts a new measurement window and returns the previous one.
  std::shared_ptr<StepStats> Swap() {
    auto fresh = std::make_shared<StepStats>();
    std::lock_guard<std::mutex> l(stats_mu_);
    std::swap(fresh, stats_);
    return fresh;
  }

 private:
  struct Due {
    Clock::time_point when;
    int user;
    bool operator>(const Due& o) const { return when > o.when; }
  };

  std::shared_ptr<StepStats> CurrentStats() {
    std::lock_guard<std::mutex> l(stats_mu_);
    return stats_;
  }

  void WorkerLoop() {
    for (;;) {
      Due d;
      {
        std::unique_lock<std::mutex> l(mu_);
        for (;;) {
          if (stopping_) return;
          if (!queue_.empty() && queue_.top().when <= Clock::now()) break;
          if (queue_.empty()) {
            cv_.wait(l);
          } else {
            cv_.wait_until(l, queue_.top().when);
          }
        }
        d = queue_.top();
        queue_.pop();
      }
      SimUser& u = *users_[d.user];
      auto stats = CurrentStats();
      {
        std::lock_guard<std::mutex> l(stats->mu);
        stats->lag.Record(NanosSince(d.when));
      }
      RunAction(u, d.user, *stats);
      auto think =
          std::chrono::milliseconds(min_idle_ms_ + u.rng() % (2 * avg_idle_ms_ - 2 * min_idle_ms_));
      std::lock_guard<std::mutex> l(mu_);
      queue_.push({Clock::now() + think, d.user});
      cv_.notify_one();
    }
  }

  template <typename Fn>
  void Timed(StepStats& stats, const char* rpc, Fn&& fn) {
    auto t0 = Clock::now();
    grpc::Status s = fn();
    uint64_t ns = NanosSince(t0);
    std::lock_guard<std::mutex> l(stats.mu);
    stats.all.Record(ns);
    stats.by_rpc[rpc].Record(ns);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      if (stats.errors++ == 0) {
        stats.first_error = absl::StrCat(rpc, ": ", s.error_code(), " ", s.error_message());
      }
    }
  }

  void History(SimUser& u, int conn, StepStats& stats, const std::string& channel,
               const std::string& before) {
    grpc::ClientContext ctx;
    Authorize(&ctx, u.account->token);
    v1::GetHistoryRequest req;
    req.set_channel_id(channel);
    req.set_before_cursor(before);
    req.set_page_size(50);
    v1::GetHistoryResponse resp;
    Timed(stats, "GetHistory", [&] { return messages_[conn]->GetHistory(&ctx, req, &resp); });
    u.older_cursor = resp.next_cursor();
    if (resp.messages_size() > 0) {
      u.recent.clear();
      for (const auto& m : resp.messages()) u.recent.push_back(m.id());
    }
  }

  const std::string& RecentMessage(SimUser& u) { return u.recent[u.rng() % u.recent.size()]; }

  void RunAction(SimUser& u, int idx, StepStats& stats) {
    int conn = idx % messages_.size();
    double x = (u.rng() >> 11) * (1.0 / 9007199254740992.0);
    Action a =
        std::lower_bound(cumulative_.begin(), cumulative_.end(), std::make_pair(x, Action::kSwitch))
            ->second;
    if ((a == Action::kThread || a == Action::kReact) && u.recent.empty()) a = Action::kSwitch;
    switch (a) {
      case Action::kSwitch: {
        u.current = u.channels[u.rng() % u.channels.size()];
        History(u, conn, stats, u.current, "");
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::MarkReadRequest req;
        req.set_channel_id(u.current);
        v1::MarkReadResponse resp;
        Timed(stats, "MarkRead", [&] { return messages_[conn]->MarkRead(&ctx, req, &resp); });
        break;
      }
      case Action::kScroll:
        History(u, conn, stats, u.current, u.older_cursor);
        break;
      case Action::kDirect: {
        const Account& other = accounts_[u.rng() % accounts_.size()];
        if (&other == u.account) break;
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::OpenDirectRequest req;
        req.add_user_ids(other.id);
        v1::OpenDirectResponse resp;
        Timed(stats, "OpenDirect", [&] { return channels_[conn]->OpenDirect(&ctx, req, &resp); });
        if (!resp.channel().id().empty()) History(u, conn, stats, resp.channel().id(), "");
        break;
      }
      case Action::kUnread: {
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::GetUnreadCountsRequest req;
        v1::GetUnreadCountsResponse resp;
        Timed(stats, "GetUnreadCounts",
              [&] { return messages_[conn]->GetUnreadCounts(&ctx, req, &resp); });
        break;
      }
      case Action::kThread: {
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::GetThreadRequest req;
        req.set_message_id(RecentMessage(u));
        v1::GetThreadResponse resp;
        Timed(stats, "GetThread", [&] { return messages_[conn]->GetThread(&ctx, req, &resp); });
        break;
      }
      case Action::kPost: {
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::PostMessageRequest req;
        req.set_channel_id(u.current);
        TextGenerator text(u.rng());
        req.set_text(text.Next());
        if (!u.recent.empty() && (u.rng() % 1000) < kReplyShare * 1000) {
          req.set_thread_root_id(RecentMessage(u));
        }
        v1::PostMessageResponse resp;
        Timed(stats, "PostMessage", [&] { return messages_[conn]->PostMessage(&ctx, req, &resp); });
        break;
      }
      case Action::kReact: {
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::AddReactionRequest req;
        req.set_message_id(RecentMessage(u));
        req.set_emoji(kEmoji[u.rng() % std::size(kEmoji)]);
        v1::AddReactionResponse resp;
        Timed(stats, "AddReaction", [&] { return messages_[conn]->AddReaction(&ctx, req, &resp); });
        break;
      }
      case Action::kSearch: {
        grpc::ClientContext ctx;
        Authorize(&ctx, u.account->token);
        v1::SearchRequest req;
        TextGenerator text(u.rng());
        req.set_query(text.Word());
        req.set_page_size(20);
        v1::SearchResponse resp;
        Timed(stats, "Search", [&] { return search_[conn]->Search(&ctx, req, &resp); });
        break;
      }
    }
  }

  const BenchOptions& opts_;
  const std::vector<Account>& accounts_;
  const int min_idle_ms_, avg_idle_ms_;
  std::string address_;
  std::vector<std::pair<double, Action>> cumulative_;
  std::vector<std::unique_ptr<v1::MessageService::Stub>> messages_;
  std::vector<std::unique_ptr<v1::ChannelService::Stub>> channels_;
  std::vector<std::unique_ptr<v1::SearchService::Stub>> search_;
  std::vector<std::unique_ptr<v1::EventService::Stub>> event_stubs_;
  std::vector<std::unique_ptr<SimUser>> users_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;
  bool stopping_ = false;
  std::mutex stats_mu_;
  std::shared_ptr<StepStats> stats_;
};

}  // namespace

void RunSimulatedUsers(const BenchOptions& opts, Report& report) {
  std::vector<int> steps =
      opts.smoke ? std::vector<int>{10, 20} : std::vector<int>{500,  1000, 2000,   3000,   4000,
                                                               6000, 8000, 10'000, 12'000, 16'000};
  steps.erase(std::remove_if(steps.begin(), steps.end(),
                             [&](int s) { return s > opts.max_users && !opts.smoke; }),
              steps.end());
  const int n_accounts = opts.smoke ? 10 : std::min(1000, steps.back());
  const int n_channels = opts.smoke ? 5 : 100;
  const int per_user = opts.smoke ? 2 : 10;
  report.Progress(absl::StrCat("8/8 simulated users: ", n_accounts, " accounts, ", n_channels,
                               " channels, ramp ", steps.front(), " → ", steps.back(), " users"));
  Server server(opts, FreshDir(opts, "users/data"), "sync");
  if (auto s = server.Start(); !s.ok()) return report.Fail(s, "start meridiand");
  auto conns = MakeChannels(server.address(), 4);
  SetupClient setup(conns[0]);
  auto accounts = RegisterMany(setup, "sim", n_accounts, 2);
  if (!accounts.ok()) {
    return report.Fail(accounts.status(), "register; server log ends:\n" + server.LogTail());
  }
  // Each account joins per_user channels; account 0 owns and joins all (it seeds history).
  std::mt19937_64 rng(8);
  std::vector<std::vector<std::string>> members(n_channels);
  std::vector<std::vector<int>> chosen(n_accounts);
  for (int a = 0; a < n_accounts; ++a) {
    while (static_cast<int>(chosen[a].size()) < per_user) {
      int c = static_cast<int>(rng() % n_channels);
      if (std::find(chosen[a].begin(), chosen[a].end(), c) == chosen[a].end()) {
        chosen[a].push_back(c);
        members[c].push_back((*accounts)[a].id);
      }
    }
  }
  std::vector<std::string> channel_ids;
  for (int c = 0; c < n_channels; ++c) {
    auto id = setup.CreateChannel((*accounts)[0], absl::StrCat("team", c), members[c]);
    if (!id.ok()) return report.Fail(id.status(), "create channel");
    channel_ids.push_back(*id);
  }
  std::vector<std::vector<std::string>> membership(n_accounts);
  for (int a = 0; a < n_accounts; ++a) {
    for (int c : chosen[a]) membership[a].push_back(channel_ids[c]);
  }
  {
    std::vector<std::unique_ptr<v1::MessageService::Stub>> stubs;
    for (auto& c : conns) stubs.push_back(v1::MessageService::NewStub(c));
    LoopResult seeded =
        PostLoop(stubs, {(*accounts)[0]}, channel_ids, 64, std::chrono::milliseconds(0),
                 n_channels * (opts.smoke ? 10 : 100), 8);
    report.Check(seeded.failed == 0, "seed history: " + seeded.first_error);
  }

  Simulation sim(opts, server.address(), *accounts);
  sim.StartWorkers(opts.smoke ? 8 : 64);
  const auto window = std::chrono::seconds(opts.smoke ? 2 : opts.sim_step_s);
  int best = 0;
  for (int users : steps) {
    bool up = sim.Grow(users, membership);
    report.Check(up, absl::StrCat("all ", users, " user streams caught up"));
    if (!opts.smoke) std::this_thread::sleep_for(std::chrono::seconds(5));
    sim.Swap();
    ProcessWindow win(server.pid());
    auto t0 = Clock::now();
    std::this_thread::sleep_for(window);
    auto stats = sim.Swap();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    win.End();
    std::lock_guard<std::mutex> l(stats->mu);
    Row row = MakeRow("8 simulated users", absl::StrCat(users, " users"), "meridian", stats->all,
                      secs, "RPCs/s");
    row.cpu_pct = win.cpu_percent();
    row.peak_rss_mib = win.peak_rss_mib();
    std::string per_rpc;
    for (auto& [name, h] : stats->by_rpc) {
      absl::StrAppendFormat(&per_rpc, "%s%s %d p99 %.1f", per_rpc.empty() ? "" : ", ", name,
                            h.count(), h.Percentile(0.99) / 1e6);
    }
    row.note = absl::StrFormat("%s; events %.0f/s; client lag p99 %.1f ms; errors %d %s", per_rpc,
                               stats->events.load() / secs, stats->lag.Percentile(0.99) / 1e6,
                               stats->errors, stats->first_error);
    bool pass =
        stats->all.count() > 0 && row.p99_ms < 200 && stats->errors * 100 <= stats->all.count();
    report.Check(stats->all.count() > 0 && stats->errors == 0,
                 absl::StrCat(users, " users: ", stats->all.count(), " RPCs, ", stats->errors,
                              " errors ", stats->first_error));
    report.Add(row);
    if (!pass) break;
    best = users;
  }
  report.Progress(absl::StrCat("   largest user count with p99 < 200 ms: ", best));
  Row summary;
  summary.scenario = "8 simulated users";
  summary.label = "largest count with p99 < 200 ms";
  summary.system = "meridian";
  summary.rate = best;
  summary.rate_unit = "users";
  summary.note = "target ≥ 2,000";
  report.Add(summary);
  sim.Stop();
  server.Stop();
}

}  // namespace meridian::bench
