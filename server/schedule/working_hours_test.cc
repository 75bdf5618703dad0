#include "server/schedule/working_hours.h"

#include <gtest/gtest.h>

namespace meridian::schedule {
namespace {

WorkingScheduleSpec Spec(std::string zone, std::vector<WorkingInterval> intervals = {},
                         std::optional<absl::Time> dnd = std::nullopt,
                         std::vector<uint64_t> vips = {}) {
  WorkingScheduleSpec spec;
  spec.time_zone = std::move(zone);
  spec.intervals = std::move(intervals);
  spec.do_not_disturb_until = dnd;
  spec.vip_user_ids = std::move(vips);
  return spec;
}

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

std::vector<WorkingInterval> Weekdays(int start_minute, int end_minute) {
  std::vector<WorkingInterval> out;
  for (int wd = 1; wd <= 5; ++wd) out.push_back({wd, start_minute, end_minute});
  return out;
}

WorkingSchedule Make(const std::string& zone, std::vector<WorkingInterval> intervals) {
  auto ws = WorkingSchedule::Create(Spec(zone, std::move(intervals)));
  EXPECT_TRUE(ws.ok()) << ws.status();
  return *std::move(ws);
}

void ExpectInvalid(const WorkingScheduleSpec& spec, const std::string& fragment) {
  absl::Status s = ValidateWorkingSchedule(spec);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s.message();
  EXPECT_FALSE(WorkingSchedule::Create(spec).ok());
}

TEST(WorkingHoursValidation, RejectsBadInputWithPreciseMessages) {
  ExpectInvalid(Spec("Mars/Olympus_Mons"), "\"Mars/Olympus_Mons\" is not a known IANA");
  ExpectInvalid(Spec("../../etc/passwd"), "not a known IANA");
  ExpectInvalid(Spec("/etc/localtime"), "not a known IANA");
  ExpectInvalid(Spec("", {{7, 0, 60}}), "intervals[0].weekday is 7");
  ExpectInvalid(Spec("", {{1, 0, 60}, {2, -5, 60}}), "intervals[1].start_minute is -5");
  ExpectInvalid(Spec("", {{1, 1440, 1441}}), "start_minute is 1440");
  ExpectInvalid(Spec("", {{1, 600, 600}}), "end_minute is 600; it must be in (start_minute=600");
  ExpectInvalid(Spec("", {{1, 600, 1441}}), "end_minute is 1441");
  ExpectInvalid(Spec("", {{1, 540, 720}, {2, 540, 1020}, {1, 660, 1020}}),
                "intervals[2] (Mon 11:00-17:00) overlaps intervals[0] (Mon 09:00-12:00)");
}

TEST(WorkingHoursValidation, AcceptsAdjacentIntervalsAndEmptyZoneAsUtc) {
  EXPECT_TRUE(ValidateWorkingSchedule(Spec("", {{1, 540, 720}, {1, 720, 1440}})).ok());
  WorkingSchedule ws = Make("", {{1, 540, 1020}});
  EXPECT_EQ(ws.zone_name(), "UTC");
  EXPECT_TRUE(ws.IsWorkingAt(Utc(2026, 11, 23, 9)));  // a Monday
  EXPECT_FALSE(ws.IsWorkingAt(Utc(2026, 11, 23, 17)));
}

TEST(WorkingHours, EmptyScheduleIsAlwaysWorking) {
  WorkingSchedule ws = Make("Asia/Tokyo", {});
  const absl::Time t = Utc(2026, 11, 28, 3, 17);
  EXPECT_TRUE(ws.IsWorkingAt(t));
  EXPECT_EQ(ws.NextWorkingStart(t), t);
  EXPECT_EQ(ws.Describe(t).next_change, absl::InfiniteFuture());
}

TEST(WorkingHours, NewYorkSpringForwardMovesMondayStartByAnHour) {
  WorkingSchedule ny = Make("America/New_York", Weekdays(9 * 60, 17 * 60));
  // Friday 2026-03-06 is EST (-5): 16:59 works, 17:00 does not.
  EXPECT_TRUE(ny.IsWorkingAt(Utc(2026, 3, 6, 21, 59)));
  EXPECT_FALSE(ny.IsWorkingAt(Utc(2026, 3, 6, 22, 0)));
  // Clocks spring forward on Sunday 2026-03-08, so Monday 09:00 is EDT (-4) = 13:00 UTC.
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 3, 6, 23)), Utc(2026, 3, 9, 13));
  // Within hours, the answer is the time itself.
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 3, 9, 15, 7)), Utc(2026, 3, 9, 15, 7));
}

TEST(WorkingHours, SkippedStartBeginsAtTheTransition) {
  // Sunday 02:30 does not exist in New York on 2026-03-08; the clock jumps 02:00 EST -> 03:00 EDT
  // at 07:00 UTC, which is the first instant at or after 02:30 local.
  WorkingSchedule ny = Make("America/New_York", {{0, 150, 240}});
  EXPECT_FALSE(ny.IsWorkingAt(Utc(2026, 3, 8, 6, 59)));
  EXPECT_TRUE(ny.IsWorkingAt(Utc(2026, 3, 8, 7, 0)));
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 3, 8, 6)), Utc(2026, 3, 8, 7));
  EXPECT_EQ(ny.WorkingPeriods(Utc(2026, 3, 8, 0), Utc(2026, 3, 9, 0)),
            (std::vector<TimeRange>{{Utc(2026, 3, 8, 7), Utc(2026, 3, 8, 8)}}));
  // An interval wholly inside the gap does not occur that day: next Sunday's 02:00 EDT instead.
  WorkingSchedule gap = Make("America/New_York", {{0, 120, 150}});
  EXPECT_EQ(gap.NextWorkingStart(Utc(2026, 3, 8, 6)), Utc(2026, 3, 15, 6));
}

TEST(WorkingHours, RepeatedHourWorksTwiceStartingAtFirstOccurrence) {
  // 2026-11-01: New York falls back 02:00 EDT -> 01:00 EST at 06:00 UTC; 01:00-01:30 happens at
  // 05:00 UTC (EDT) and again at 06:00 UTC (EST).
  WorkingSchedule ny = Make("America/New_York", {{0, 60, 90}});
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 11, 1, 4, 59)), Utc(2026, 11, 1, 5));
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 11, 1, 5, 30)), Utc(2026, 11, 1, 6));
  EXPECT_EQ(ny.WorkingPeriods(Utc(2026, 11, 1, 0), Utc(2026, 11, 2, 0)),
            (std::vector<TimeRange>{{Utc(2026, 11, 1, 5), Utc(2026, 11, 1, 5, 30)},
                                    {Utc(2026, 11, 1, 6), Utc(2026, 11, 1, 6, 30)}}));
}

TEST(WorkingHours, NewYorkFallBackMovesMondayStartByAnHour) {
  WorkingSchedule ny = Make("America/New_York", Weekdays(9 * 60, 17 * 60));
  // Friday 2026-10-30 is EDT; Monday 2026-11-02 09:00 is EST = 14:00 UTC.
  EXPECT_EQ(ny.NextWorkingStart(Utc(2026, 10, 30, 23)), Utc(2026, 11, 2, 14));
  EXPECT_EQ(ny.Describe(Utc(2026, 11, 2, 14)).zone_abbreviation, "EST");
}

TEST(WorkingHours, BerlinAcrossBothEuropeanChanges) {
  WorkingSchedule berlin = Make("Europe/Berlin", Weekdays(9 * 60, 17 * 60));
  // Summer time begins 2026-03-29: Monday 09:00 CEST = 07:00 UTC.
  EXPECT_EQ(berlin.NextWorkingStart(Utc(2026, 3, 28, 12)), Utc(2026, 3, 30, 7));
  // And ends 2026-10-25: Monday 09:00 CET = 08:00 UTC.
  EXPECT_EQ(berlin.NextWorkingStart(Utc(2026, 10, 24, 12)), Utc(2026, 10, 26, 8));
  EXPECT_FALSE(berlin.IsWorkingAt(Utc(2026, 10, 26, 7, 59)));
}

TEST(WorkingHours, LordHoweHalfHourShifts) {
  WorkingSchedule lh = Make("Australia/Lord_Howe", Weekdays(9 * 60, 17 * 60));
  // Friday 2026-04-03 09:00 at +11 = Thursday 22:00 UTC.
  EXPECT_EQ(lh.NextWorkingStart(Utc(2026, 4, 2, 12)), Utc(2026, 4, 2, 22));
  // DST ends Sunday 2026-04-05 (+11 -> +10:30): Monday 09:00 = Sunday 22:30 UTC.
  EXPECT_EQ(lh.NextWorkingStart(Utc(2026, 4, 3, 12)), Utc(2026, 4, 5, 22, 30));
  // 01:30-02:00 repeats on 2026-04-05: at 14:30 UTC (+11) and at 15:00 UTC (+10:30).
  WorkingSchedule night = Make("Australia/Lord_Howe", {{0, 90, 105}});
  EXPECT_EQ(night.WorkingPeriods(Utc(2026, 4, 4, 12), Utc(2026, 4, 4, 18)),
            (std::vector<TimeRange>{{Utc(2026, 4, 4, 14, 30), Utc(2026, 4, 4, 14, 45)},
                                    {Utc(2026, 4, 4, 15, 0), Utc(2026, 4, 4, 15, 15)}}));
  // DST begins Sunday 2026-10-04, 02:00 -> 02:30 at 15:30 UTC on the 3rd: a 02:15 start begins
  // at the jump, and 02:00-02:30 does not exist that day.
  WorkingSchedule early = Make("Australia/Lord_Howe", {{0, 135, 180}});
  EXPECT_EQ(early.NextWorkingStart(Utc(2026, 10, 3, 12)), Utc(2026, 10, 3, 15, 30));
  WorkingSchedule gap = Make("Australia/Lord_Howe", {{0, 120, 150}});
  EXPECT_EQ(gap.NextWorkingStart(Utc(2026, 10, 3, 12)), Utc(2026, 10, 10, 15, 0));
}

TEST(WorkingHours, KolkataDescribeForTheCli) {
  WorkingSchedule in = Make("Asia/Kolkata", Weekdays(9 * 60, 17 * 60 + 30));
  // Tuesday 21:42 UTC is Wednesday 03:12 IST (+05:30).
  const LocalTimeDescription d = in.Describe(Utc(2026, 11, 24, 21, 42));
  EXPECT_EQ(d.ToString(), "03:12 Wed, outside working hours");
  EXPECT_EQ(d.local, absl::CivilMinute(2026, 11, 25, 3, 12));
  EXPECT_EQ(d.weekday, 3);
  EXPECT_EQ(d.zone_abbreviation, "IST");
  EXPECT_EQ(d.utc_offset_seconds, 19800);
  EXPECT_FALSE(d.working);
  EXPECT_EQ(d.next_change, Utc(2026, 11, 25, 3, 30));
  const LocalTimeDescription w = in.Describe(Utc(2026, 11, 25, 4));
  EXPECT_EQ(w.ToString(), "09:30 Wed, working hours");
  EXPECT_EQ(w.next_change, Utc(2026, 11, 25, 12));  // 17:30 IST
}

TEST(WorkingHours, NightShiftAcrossMidnightIsOnePeriod) {
  WorkingSchedule ws = Make("Europe/Berlin", {{1, 22 * 60, 1440}, {2, 0, 6 * 60}});
  // Monday 2026-11-23 23:00 CET = 22:00 UTC; the period ends Tuesday 06:00 CET = 05:00 UTC.
  EXPECT_EQ(ws.Describe(Utc(2026, 11, 23, 22)).next_change, Utc(2026, 11, 24, 5));
  EXPECT_EQ(ws.WorkingPeriods(Utc(2026, 11, 23, 0), Utc(2026, 11, 25, 0)),
            (std::vector<TimeRange>{{Utc(2026, 11, 23, 21), Utc(2026, 11, 24, 5)}}));
}

TEST(WorkingHours, DoNotDisturbAndVips) {
  auto ws = WorkingSchedule::Create(Spec("", {}, Utc(2026, 11, 24, 8), {7, 3, 7}));
  ASSERT_TRUE(ws.ok());
  EXPECT_TRUE(ws->InDoNotDisturbAt(Utc(2026, 11, 24, 7, 59)));
  EXPECT_FALSE(ws->InDoNotDisturbAt(Utc(2026, 11, 24, 8)));
  EXPECT_TRUE(ws->IsVip(3));
  EXPECT_TRUE(ws->IsVip(7));
  EXPECT_FALSE(ws->IsVip(4));
  EXPECT_EQ(ws->Describe(Utc(2026, 11, 24, 7)).ToString(), "07:00 Tue, do not disturb");
}

}  // namespace
}  // namespace meridian::schedule
