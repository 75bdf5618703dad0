// What the bench reads about the server process it started: CPU time from /proc/<pid>/stat and
// resident memory from /proc/<pid>/status.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_PROC_STATS_H_
#define MERIDIAN_TESTS_BENCH_LOAD_PROC_STATS_H_

#include <sys/types.h>

#include <chrono>
#include <string>

namespace meridian::bench {

// user + system CPU seconds of `pid` (a thread group); -1 when it cannot be read.
double ProcessCpuSeconds(pid_t pid);
// A "VmRSS"/"VmHWM"-style field of /proc/<pid>/status in KiB; -1 when absent.
long ProcessStatusKib(pid_t pid, const std::string& field);
// Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs); false if refused.
bool ResetPeakRss(pid_t pid);
// Parses the utime+stime fields (clock ticks) out of a /proc/<pid>/stat line; -1 if malformed.
long long ParseStatCpuTicks(const std::string& stat_line);

// One measurement window over a process: CPU used (as % of one core) and peak RSS in it.
// Not safe for concurrent use.
class ProcessWindow {
 public:
  explicit ProcessWindow(pid_t pid);  // starts the window (and resets the peak)
  // Ends the window; may be called once.
  void End();
  double cpu_percent() const { return cpu_percent_; }
  double peak_rss_mib() const { return peak_rss_kib_ / 1024.0; }
  double rss_mib() const { return rss_kib_ / 1024.0; }

 private:
  pid_t pid_;
  double cpu0_;
  std::chrono::steady_clock::time_point t0_;
  double cpu_percent_ = 0;
  long peak_rss_kib_ = 0, rss_kib_ = 0;
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_PROC_STATS_H_
