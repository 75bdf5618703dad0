#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/load/child_registry.h"
#include "tests/bench/load/scenario.h"

namespace meridian::bench {

Row MakeRow(std::string scenario, std::string label, std::string system, const Histogram& h,
            double seconds, std::string rate_unit) {
  Row r;
  r.scenario = std::move(scenario);
  r.label = std::move(label);
  r.system = std::move(system);
  r.count = h.count();
  r.p50_ms = h.Percentile(0.5) / 1e6;
  r.p99_ms = h.Percentile(0.99) / 1e6;
  r.max_ms = h.max() / 1e6;
  r.rate = seconds > 0 ? h.count() / seconds : 0;
  r.rate_unit = std::move(rate_unit);
  return r;
}

void Report::Progress(const std::string& line) {
  std::fprintf(stderr, "[meridian-bench] %s\n", line.c_str());
}

void Report::Add(Row row) {
  std::string line = absl::StrFormat(
      "  %-22s %-34s %-12s n=%-8d p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  %10.1f %s",
      row.scenario, row.label, row.system, row.count, row.p50_ms, row.p99_ms, row.max_ms, row.rate,
      row.rate_unit);
  if (row.cpu_pct >= 0) absl::StrAppendFormat(&line, "  server CPU %5.1f%%", row.cpu_pct);
  if (row.peak_rss_mib >= 0) absl::StrAppendFormat(&line, "  peak RSS %7.1f MiB", row.peak_rss_mib);
  if (!row.note.empty()) absl::StrAppend(&line, "  (", row.note, ")");
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  rows_.push_back(std::move(row));
}

void Report::Check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures_;
  std::fprintf(stderr, "[meridian-bench] CHECK FAILED: %s\n", what.c_str());
}

std::string Report::Markdown() const {
  std::string out;
  std::string current;
  for (const auto& r : rows_) {
    if (r.scenario != current) {
      current = r.scenario;
      absl::StrAppend(&out, "\n#### ", current, "\n\n",
                      "| case | system | n | p50 ms | p99 ms | max ms | rate | server CPU % | peak "
                      "RSS MiB | note |\n|---|---|---|---|---|---|---|---|---|---|\n");
    }
    absl::StrAppendFormat(&out, "| %s | %s | %d | %.3f | %.3f | %.3f | %.1f %s | %s | %s | %s |\n",
                          r.label, r.system, r.count, r.p50_ms, r.p99_ms, r.max_ms, r.rate,
                          r.rate_unit, r.cpu_pct >= 0 ? absl::StrFormat("%.0f", r.cpu_pct) : "",
                          r.peak_rss_mib >= 0 ? absl::StrFormat("%.1f", r.peak_rss_mib) : "",
                          r.note);
  }
  return out;
}

Server::Server(const BenchOptions& opts, const std::string& data_dir, const std::string& durability)
    : data_dir_(data_dir),
      process_(std::make_unique<testing::MeridiandProcess>(
          opts.meridiand, data_dir, std::vector<std::string>{"--durability", durability})) {}

Server::~Server() {
  UnregisterChild(registered_);
  process_.reset();
}

absl::Status Server::Start() {
  UnregisterChild(registered_);
  registered_ = -1;
  // Registered as soon as it is forked, not once Start returns: a crash of the bench while it
  // waits for the server to listen must kill it too. It stays registered when the start fails,
  // since a child that never answered may still run until MeridiandProcess reaps it.
  process_->set_on_fork([this](pid_t pid) {
    registered_ = pid;
    RegisterChild(pid);
  });
  bool started = process_->Start();
  if (!started) {
    return absl::UnavailableError(absl::StrCat("meridiand did not start:\n", process_->log()));
  }
  return absl::OkStatus();
}

std::string Server::LogTail() const {
  std::string log = process_->log();
  return log.size() > 3000 ? log.substr(log.size() - 3000) : log;
}

void Server::Stop() {
  UnregisterChild(registered_);
  registered_ = -1;
  process_->Stop();
}

void Server::Kill() {
  UnregisterChild(registered_);
  registered_ = -1;
  process_->Kill();
}

std::string FreshDir(const BenchOptions& opts, const std::string& name) {
  std::filesystem::path p = std::filesystem::path(opts.work_dir) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p.parent_path());
  return p.string();
}

}  // namespace meridian::bench
