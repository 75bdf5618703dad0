// What every meridian-bench scenario shares: options, the server it starts, and the report it
// adds its rows to.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_SCENARIO_H_
#define MERIDIAN_TESTS_BENCH_LOAD_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/bench/load/histogram.h"
#include "tests/bench/load/proc_stats.h"
#include "tests/integration/meridiand_process.h"

namespace meridian::bench {

struct BenchOptions {
  std::string meridiand;
  std::string redis_server = "redis-server";
  std::string work_dir;    // scratch space; each server gets a fresh subdirectory
  bool smoke = false;      // every scenario tiny (seconds), for CI
  double duration_s = 5;   // measured interval of each throughput point
  int sim_step_s = 60;     // measured interval of each simulated-user step
  int corpus = 1'000'000;  // messages for history and recovery
  int max_users = 12'000;  // where the simulated-user ramp stops at the latest
  bool batch = true;       // subscribers ask for batched events (false: one per response)
};

// One line of results.
struct Row {
  std::string scenario;  // "2 post throughput"
  std::string label;     // "64 posters, 1 channel"
  std::string system;    // "meridian", "raw RocksDB", "empty RPC", "Redis 7"
  uint64_t count = 0;    // operations measured
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double rate = 0;        // operations per second (see unit)
  std::string rate_unit;  // "posts/s"
  double cpu_pct = -1;    // server CPU, % of one core; -1 unknown
  double peak_rss_mib = -1;
  std::string note;
};

Row MakeRow(std::string scenario, std::string label, std::string system, const Histogram& h,
            double seconds, std::string rate_unit);

// Collects rows, prints each as it arrives, and counts failed sanity checks. Not thread-safe.
class Report {
 public:
  void Progress(const std::string& line);
  void Add(Row row);
  // A sanity check of the smoke run (counts match etc.); a failure makes the bench exit 1.
  void Check(bool ok, const std::string& what);
  void Fail(const absl::Status& s, const std::string& what) {
    Check(s.ok(), what + ": " + s.ToString());
  }
  int failures() const { return failures_; }
  // Markdown: one table per scenario.
  std::string Markdown() const;

 private:
  std::vector<Row> rows_;
  int failures_ = 0;
};

// A meridiand child with a fresh data directory, and its /proc figures.
class Server {
 public:
  // `durability` is "sync" or "relaxed". The data directory is reused when it exists.
  Server(const BenchOptions& opts, const std::string& data_dir, const std::string& durability);
  ~Server();  // kills the server if it still runs
  absl::Status Start();
  void Stop();
  void Kill();
  pid_t pid() const { return process_->pid(); }
  std::string address() const { return process_->address(); }
  const std::string& data_dir() const { return data_dir_; }
  std::string log() const { return process_->log(); }
  // The end of the server's log, for a failure message.
  std::string LogTail() const;

 private:
  std::string data_dir_;
  std::unique_ptr<testing::MeridiandProcess> process_;
  pid_t registered_ = -1;  // in the child registry while it runs
};

// A fresh, empty directory under opts.work_dir.
std::string FreshDir(const BenchOptions& opts, const std::string& name);

// The scenarios; each adds its rows and checks to `report`.
void RunBaselineAndPosts(const BenchOptions& opts, Report& report);    // 1 and 2
void RunFanout(const BenchOptions& opts, Report& report);              // 3
void RunHistoryAndRecovery(const BenchOptions& opts, Report& report);  // 4 and 7
void RunResume(const BenchOptions& opts, Report& report);              // 5
void RunIdleStreams(const BenchOptions& opts, Report& report);         // 6
void RunSimulatedUsers(const BenchOptions& opts, Report& report);      // 8

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_SCENARIO_H_
