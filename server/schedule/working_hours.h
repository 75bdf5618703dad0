// A person's working hours: an IANA time zone, weekly intervals in local civil time, an optional
// do-not-disturb deadline and the senders they treat as VIPs. Everything is computed with
// absl::TimeZone over the system tzdata, so it stays right across daylight-saving changes.
//
// Semantics, in local civil time of the schedule's zone:
//  - An instant is "working" when its local wall-clock time falls in some interval
//    [start_minute, end_minute) of its local weekday. Intervals never cross midnight; a night
//    shift is two intervals (Mon 22:00-24:00 + Tue 00:00-06:00) and behaves as one period.
//  - A start that the clock skips (spring forward) begins at the transition, the first instant
//    whose local time is at or after the start (absl's TimeInfo::trans; a 02:30 start in New
//    York on 2026-03-08 begins at 03:00 EDT). An interval lying wholly in the gap does not occur
//    that day.
//  - A repeated local time (fall back) is working both times it occurs; a start that occurs twice
//    begins at its first occurrence (TimeInfo::pre).
//  - No intervals at all means "always working".
#ifndef MERIDIAN_SERVER_SCHEDULE_WORKING_HOURS_H_
#define MERIDIAN_SERVER_SCHEDULE_WORKING_HOURS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace meridian::schedule {

// One interval of one weekday, as proto meridian.v1.WorkingInterval.
struct WorkingInterval {
  int weekday = 0;       // 0 = Sunday .. 6 = Saturday
  int start_minute = 0;  // [0, 1440)
  int end_minute = 0;    // (start_minute, 1440]
  friend bool operator==(const WorkingInterval&, const WorkingInterval&) = default;
};

// What is stored per user; converted into a WorkingSchedule by WorkingSchedule::Create.
struct WorkingScheduleSpec {
  std::string time_zone;  // IANA name; empty means UTC
  std::vector<WorkingInterval> intervals;
  std::optional<absl::Time> do_not_disturb_until;
  std::vector<uint64_t> vip_user_ids;
};

// A half-open span of absolute time [start, end).
struct TimeRange {
  absl::Time start;
  absl::Time end;
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

// OK, or INVALID_ARGUMENT naming the first problem: an unknown time zone, a weekday outside 0..6,
// minutes outside [0, 1440) / (start, 1440], or two intervals of one weekday that overlap.
absl::Status ValidateWorkingSchedule(const WorkingScheduleSpec& spec);

// The local-time facts a client shows next to a name: "03:12 Tue, outside working hours".
struct LocalTimeDescription {
  absl::CivilMinute local;        // wall-clock time in the schedule's zone
  int weekday = 0;                // 0 = Sunday .. 6 = Saturday
  std::string zone_abbreviation;  // "CET", "+0530"
  int utc_offset_seconds = 0;
  bool working = false;
  bool do_not_disturb = false;
  // When working: the end of the current working period (InfiniteFuture if always working).
  // Otherwise: the start of the next one.
  absl::Time next_change;
  // "03:12 Tue, outside working hours" / "10:05 Mon, working hours" / "... , do not disturb".
  std::string ToString() const;
};

// An immutable, validated schedule. Safe for concurrent use (all methods are const).
class WorkingSchedule {
 public:
  // INVALID_ARGUMENT as ValidateWorkingSchedule.
  static absl::StatusOr<WorkingSchedule> Create(const WorkingScheduleSpec& spec);
  // UTC, always working, no DND, no VIPs.
  static WorkingSchedule AlwaysWorkingUtc();

  bool IsWorkingAt(absl::Time t) const;
  // `t` itself when working at `t`; otherwise the start of the next working period after `t`.
  // InfiniteFuture only if no interval occurs within 15 days (not possible with real tzdata).
  absl::Time NextWorkingStart(absl::Time t) const;
  // The working periods intersecting [from, to), clipped to it, sorted and merged (adjacent
  // periods such as a night shift across midnight come back as one range).
  std::vector<TimeRange> WorkingPeriods(absl::Time from, absl::Time to) const;

  bool InDoNotDisturbAt(absl::Time t) const {
    return do_not_disturb_until_.has_value() && t < *do_not_disturb_until_;
  }
  bool IsVip(uint64_t user_id) const;
  LocalTimeDescription Describe(absl::Time t) const;

  const absl::TimeZone& zone() const { return zone_; }
  const std::string& zone_name() const { return zone_name_; }
  const std::vector<WorkingInterval>& intervals() const { return intervals_; }
  std::optional<absl::Time> do_not_disturb_until() const { return do_not_disturb_until_; }
  bool always_working() const { return intervals_.empty(); }

 private:
  WorkingSchedule() = default;

  absl::TimeZone zone_;
  std::string zone_name_ = "UTC";
  std::vector<WorkingInterval> intervals_;  // sorted by (weekday, start_minute)
  std::optional<absl::Time> do_not_disturb_until_;
  std::vector<uint64_t> vip_user_ids_;  // sorted
};

// 0 = Sunday .. 6 = Saturday.
int WeekdayIndex(absl::CivilDay day);

// The first instant whose local time in `zone` is at or after `cs`: the instant itself when
// unique, the transition when skipped, the first occurrence when repeated.
absl::Time FirstInstantAtOrAfter(const absl::TimeZone& zone, absl::CivilSecond cs);

}  // namespace meridian::schedule

#endif  // MERIDIAN_SERVER_SCHEDULE_WORKING_HOURS_H_
