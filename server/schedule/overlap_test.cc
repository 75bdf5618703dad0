#include "server/schedule/overlap.h"

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

WorkingSchedule Make(const std::string& zone, std::vector<WorkingInterval> intervals) {
  auto ws = WorkingSchedule::Create(Spec(zone, std::move(intervals)));
  EXPECT_TRUE(ws.ok()) << ws.status();
  return *std::move(ws);
}

WorkingSchedule Weekdays(const std::string& zone, int start_minute, int end_minute) {
  std::vector<WorkingInterval> in;
  for (int wd = 1; wd <= 5; ++wd) in.push_back({wd, start_minute, end_minute});
  return Make(zone, in);
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

// The indexes of the kEveryone slots of one day.
std::vector<int> EveryoneSlots(const OverlapGrid& g, int day) {
  std::vector<int> out;
  for (size_t i = 0; i < g.slots[day].size(); ++i) {
    if (g.slots[day][i] == SlotState::kEveryone) out.push_back(static_cast<int>(i));
  }
  return out;
}

TEST(Overlap, KolkataAndBerlinInUtc) {
  // Winter: Kolkata 09:00-17:00 = 03:30-11:30 UTC, Berlin 09:00-17:00 = 08:00-16:00 UTC.
  WorkingSchedule in = Weekdays("Asia/Kolkata", 540, 1020);
  WorkingSchedule de = Weekdays("Europe/Berlin", 540, 1020);
  auto g = ComputeOverlap({&in, &de}, absl::UTCTimeZone(), Utc(2026, 11, 26, 12));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->monday, absl::CivilDay(2026, 11, 23));
  EXPECT_EQ(EveryoneSlots(*g, 0), (std::vector<int>{16, 17, 18, 19, 20, 21, 22}));
  EXPECT_EQ(EveryoneSlots(*g, 4), (std::vector<int>{16, 17, 18, 19, 20, 21, 22}));
  EXPECT_TRUE(EveryoneSlots(*g, 5).empty());
  EXPECT_EQ(g->EveryoneSlotCount(), 35);
  ASSERT_EQ(g->overlap.size(), 5u);
  EXPECT_EQ(g->overlap[0], (TimeRange{Utc(2026, 11, 23, 8), Utc(2026, 11, 23, 11, 30)}));
}

TEST(Overlap, LordHoweAndKolkataSeenFromKolkata) {
  // November: Lord Howe is +11, so 09:00-17:00 there is 22:00-06:00 UTC of the day before;
  // the overlap with Kolkata's 03:30-11:30 UTC is 03:30-06:00 UTC = 09:00-11:30 IST.
  WorkingSchedule lh = Weekdays("Australia/Lord_Howe", 540, 1020);
  WorkingSchedule in = Weekdays("Asia/Kolkata", 540, 1020);
  auto g = ComputeOverlap({&lh, &in}, Zone("Asia/Kolkata"), Utc(2026, 11, 23, 0));
  ASSERT_TRUE(g.ok());
  for (int d = 0; d < 5; ++d)
    EXPECT_EQ(EveryoneSlots(*g, d), (std::vector<int>{18, 19, 20, 21, 22}));
  EXPECT_EQ(g->EveryoneSlotCount(), 25);
  // The same pair seen from UTC: 03:30-06:00 = slots 7..11.
  auto u = ComputeOverlap({&lh, &in}, absl::UTCTimeZone(), Utc(2026, 11, 23, 0));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(EveryoneSlots(*u, 2), (std::vector<int>{7, 8, 9, 10, 11}));
}

TEST(Overlap, QuarterHourZoneNeedsFifteenMinuteSlots) {
  // Kathmandu (+05:45) 09:00-17:00 = 03:15-11:15 UTC.
  WorkingSchedule np = Weekdays("Asia/Kathmandu", 540, 1020);
  auto q = ComputeOverlap({&np}, absl::UTCTimeZone(), Utc(2026, 11, 23, 0), 15);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(EveryoneSlots(*q, 0).size(), 32u);
  EXPECT_EQ(EveryoneSlots(*q, 0).front(), 13);
  // With half-hour slots the partial 03:00-03:30 and 11:00-11:30 slots do not count.
  auto h = ComputeOverlap({&np}, absl::UTCTimeZone(), Utc(2026, 11, 23, 0), 30);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(EveryoneSlots(*h, 0).size(), 15u);
  EXPECT_EQ(EveryoneSlots(*h, 0).front(), 7);
}

TEST(Overlap, ViewerSpringForwardSlotsAreSkipped) {
  WorkingSchedule any = Make("UTC", {});
  auto g = ComputeOverlap({&any}, Zone("America/New_York"), Utc(2026, 3, 5, 12));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->monday, absl::CivilDay(2026, 3, 2));
  // Sunday 2026-03-08 02:00-03:00 does not exist in New York.
  EXPECT_EQ(g->slots[6][3], SlotState::kEveryone);
  EXPECT_EQ(g->slots[6][4], SlotState::kSkipped);
  EXPECT_EQ(g->slots[6][5], SlotState::kSkipped);
  EXPECT_EQ(g->slots[6][6], SlotState::kEveryone);
  EXPECT_EQ(g->EveryoneSlotCount(), 7 * 48 - 2);
}

TEST(Overlap, ViewerFallBackSlotNeedsBothOccurrences) {
  // Sunday 2026-11-01 01:00-02:00 New York time happens at 05:00-06:00 UTC and 06:00-07:00 UTC.
  WorkingSchedule first_only = Make("UTC", {{0, 5 * 60, 6 * 60}});
  auto g = ComputeOverlap({&first_only}, Zone("America/New_York"), Utc(2026, 10, 28, 12));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->monday, absl::CivilDay(2026, 10, 26));
  EXPECT_EQ(EveryoneSlots(*g, 6), std::vector<int>{});
  WorkingSchedule both = Make("UTC", {{0, 5 * 60, 7 * 60}});
  auto h = ComputeOverlap({&both}, Zone("America/New_York"), Utc(2026, 10, 28, 12));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(EveryoneSlots(*h, 6), (std::vector<int>{2, 3}));
}

TEST(Overlap, RejectsBadArguments) {
  WorkingSchedule any = Make("UTC", {});
  EXPECT_EQ(ComputeOverlap({}, absl::UTCTimeZone(), Utc(2026, 1, 1, 0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto bad = ComputeOverlap({&any}, absl::UTCTimeZone(), Utc(2026, 1, 1, 0), 45);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(bad.status().message()).find("slot_minutes is 45"), std::string::npos);
}

}  // namespace
}  // namespace meridian::schedule
