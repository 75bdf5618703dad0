// Rough costs of the schedule library on this machine: working-hours queries, overlap grids and
// the durable scheduler's schedule/run path (fsynced RocksDB writes). Not a test.
//   schedule_bench [db_dir]
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/time/clock.h"
#include "server/common/clock.h"
#include "server/schedule/notification_policy.h"
#include "server/schedule/overlap.h"
#include "server/schedule/scheduler.h"
#include "server/schedule/working_hours.h"

namespace ms = meridian::schedule;

namespace {

ms::WorkingSchedule Weekdays(const std::string& zone) {
  ms::WorkingScheduleSpec spec;
  spec.time_zone = zone;
  for (int wd = 1; wd <= 5; ++wd) spec.intervals.push_back({wd, 540, 1020});
  return *ms::WorkingSchedule::Create(spec);
}

double Micros(absl::Duration d, int n) { return absl::ToDoubleMicroseconds(d) / n; }

}  // namespace

int main(int argc, char** argv) {
  const std::string zones[] = {"America/New_York",    "Europe/Berlin",       "Asia/Kolkata",
                               "Australia/Lord_Howe", "America/Los_Angeles", "Asia/Tokyo",
                               "Europe/London",       "America/Sao_Paulo",   "Africa/Lagos",
                               "Asia/Kathmandu"};
  std::vector<ms::WorkingSchedule> schedules;
  for (const auto& z : zones) schedules.push_back(Weekdays(z));
  const absl::Time t0 = absl::FromUnixSeconds(1'795'000'000);

  constexpr int kQueries = 100'000;
  absl::Time start = absl::Now();
  int64_t sink = 0;
  for (int i = 0; i < kQueries; ++i) {
    const auto& ws = schedules[i % schedules.size()];
    ms::NotificationRequest req;
    req.sender_id = 1;
    req.recipient_id = 2;
    req.kind = ms::MentionKind::kChannel;
    req.now = t0 + absl::Minutes(37 * i);
    sink += absl::ToUnixSeconds(ms::DecideNotification(ws, req).deliver_at);
  }
  std::printf("DecideNotification (@channel, 10 zones): %.2f us/call\n",
              Micros(absl::Now() - start, kQueries));

  std::vector<const ms::WorkingSchedule*> members;
  for (const auto& ws : schedules) members.push_back(&ws);
  members.resize(3);  // New York, Berlin, Kolkata: 10 zones round the world never overlap
  constexpr int kGrids = 200;
  start = absl::Now();
  for (int i = 0; i < kGrids; ++i) {
    sink += ms::ComputeOverlap(members, absl::UTCTimeZone(), t0 + absl::Hours(24 * 7 * i))
                ->EveryoneSlotCount();
  }
  std::printf("ComputeOverlap (3 members, 30-min slots): %.1f us/grid\n",
              Micros(absl::Now() - start, kGrids));

  const std::string dir = argc > 1 ? argv[1]
                                   : (std::filesystem::temp_directory_path() /
                                      ("schedule-bench-" + std::to_string(::getpid())))
                                         .string();
  std::filesystem::remove_all(dir);
  {
    meridian::storage::OpenOptions open;
    open.path = dir;
    auto store = meridian::storage::OpenRocksDbStore(open);
    meridian::FakeClock clock(t0);
    auto scheduler = ms::NewKvStoreScheduler(**store, clock);
    (*scheduler)->RegisterHandler("noop", [](const ms::Job& job, meridian::storage::WriteBatch* b) {
      b->Put(meridian::storage::Cf::kMessages, "n" + std::to_string(job.id), job.payload);
      return absl::OkStatus();
    });
    constexpr int kJobs = 1000;
    start = absl::Now();
    for (int i = 0; i < kJobs; ++i) {
      ms::JobSpec spec;
      spec.kind = "noop";
      spec.owner = "u" + std::to_string(i % 50);
      spec.payload = std::string(100, 'x');
      spec.due = t0 + absl::Seconds(i % 97);
      (void)(*scheduler)->Schedule(spec);
    }
    std::printf("Schedule (fsynced): %.0f us/job\n", Micros(absl::Now() - start, kJobs));
    start = absl::Now();
    clock.Advance(absl::Minutes(5));
    const int ran = *(*scheduler)->RunDueNow();
    std::printf("RunDueNow: %d jobs, %.0f us/job\n", ran, Micros(absl::Now() - start, ran));
  }
  std::filesystem::remove_all(dir);
  return sink == 42 ? 1 : 0;
}
