#include "tests/bench/load/proc_stats.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace meridian::bench {

long long ParseStatCpuTicks(const std::string& line) {
  // The command name (field 2) may hold spaces and ')' itself: fields resume after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(line.substr(close + 1));
  std::string field;
  long long utime = -1, stime = -1;
  // Field 3 (state) is the first after ')'; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && (in >> field); ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  if (utime < 0 || stime < 0) return -1;
  return utime + stime;
}

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  long long ticks = ParseStatCpuTicks(line);
  if (ticks < 0) return -1;
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long ProcessStatusKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size() + 1, field + ":") == 0) {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return -1;
}

bool ResetPeakRss(pid_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/clear_refs").c_str(), "w");
  if (!f) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

ProcessWindow::ProcessWindow(pid_t pid) : pid_(pid) {
  ResetPeakRss(pid_);
  cpu0_ = ProcessCpuSeconds(pid_);
  t0_ = std::chrono::steady_clock::now();
}

void ProcessWindow::End() {
  double cpu1 = ProcessCpuSeconds(pid_);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  cpu_percent_ = wall > 0 && cpu1 >= 0 ? 100.0 * (cpu1 - cpu0_) / wall : -1;
  peak_rss_kib_ = ProcessStatusKib(pid_, "VmHWM");
  rss_kib_ = ProcessStatusKib(pid_, "VmRSS");
}

}  // namespace meridian::bench
