// meridian-bench: starts its own meridiand (and redis-server) on free loopback ports with temp
// data directories, drives them with asynchronous gRPC load, and prints p50/p99/max latency,
// throughput, server CPU and peak RSS for each scenario of issue 4.
#include <execinfo.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/bench/load/child_registry.h"
#include "tests/bench/load/scenario.h"

namespace {

// A crash of the bench itself (seen once in CI as "Subprocess aborted", without a trace) kills
// the servers it started (they would otherwise keep running, holding ports, memory and data
// directories) and prints the stack to stderr before the default action, so the next one can be
// diagnosed. SIGTERM/SIGINT (a ctest timeout, Ctrl-C) kill the servers too.
void OnFatalSignal(int sig) {
  meridian::bench::KillRegisteredChildren();
  if (sig == SIGTERM || sig == SIGINT) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  void* frames[64];
  int n = backtrace(frames, 64);
  static const char kHeader[] = "meridian-bench: fatal signal; stack:\n";
  (void)!write(STDERR_FILENO, kHeader, sizeof(kHeader) - 1);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT}) {
    signal(sig, OnFatalSignal);
  }
  using namespace meridian::bench;
  BenchOptions opts;
  std::string markdown;
  std::vector<int> only;
  bool keep = false;
  CLI::App app{
      "meridian-bench - load generator for meridiand.\n\n"
      "Scenarios: 1 empty RPC, 2 durable posts (+ raw RocksDB), 3 fan-out (+ Redis), 4 history, "
      "5 resume, 6 idle streams, 7 recovery, 8 simulated users. Rows go to stdout, progress to "
      "stderr.",
      "meridian-bench"};
  app.add_option("--meridiand", opts.meridiand, "the meridiand binary")->required();
  app.add_option("--redis-server", opts.redis_server, "redis-server binary for the baseline");
  app.add_option("--work-dir", opts.work_dir,
                 "scratch directory (default: a new one under $TMPDIR, removed at the end)");
  app.add_flag("--smoke", opts.smoke, "every scenario tiny (seconds), for CI");
  app.add_flag("!--no-batch", opts.batch,
               "subscribe in the one-event-per-response mode of older clients (default: batched "
               "SubscribeResponse.events)");
  app.add_option("--only", only, "run only these scenarios (1-8)");
  app.add_option("--duration", opts.duration_s, "seconds per throughput point (default 5)");
  app.add_option("--sim-step", opts.sim_step_s, "seconds per simulated-user step (default 60)");
  app.add_option("--corpus", opts.corpus, "messages for history and recovery (default 1000000)");
  app.add_option("--max-users", opts.max_users, "largest simulated-user step (default 12000)");
  app.add_option("--markdown", markdown, "also write the results as Markdown tables here");
  app.add_flag("--keep", keep, "keep the work directory");
  CLI11_PARSE(app, argc, argv);

  // 10k streams and 5k Redis subscribers need file descriptors.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  bool own_dir = opts.work_dir.empty();
  if (own_dir) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "meridian-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      std::perror("meridian-bench: mkdtemp");
      return 2;
    }
    opts.work_dir = tmpl;
  }
  std::set<int> run(only.begin(), only.end());
  auto wanted = [&](int n) { return run.empty() || run.count(n) > 0; };

  Report report;
  report.Progress(absl::StrCat("work dir ", opts.work_dir, opts.smoke ? " (smoke sizes)" : ""));
  if (wanted(1) || wanted(2)) RunBaselineAndPosts(opts, report);
  if (wanted(3)) RunFanout(opts, report);
  if (wanted(4) || wanted(7)) RunHistoryAndRecovery(opts, report);
  if (wanted(5)) RunResume(opts, report);
  if (wanted(6)) RunIdleStreams(opts, report);
  if (wanted(8)) RunSimulatedUsers(opts, report);

  if (!markdown.empty()) std::ofstream(markdown) << report.Markdown();
  if (own_dir && !keep) std::filesystem::remove_all(opts.work_dir);
  report.Progress(report.failures() ? absl::StrCat(report.failures(), " check(s) FAILED")
                                    : "done; all checks passed");
  return report.failures() ? 1 : 0;
}
