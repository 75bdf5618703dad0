#include "clients/cli/working_hours_spec.h"

#include <string>
#include <tuple>
#include <vector>

#include "clients/cli/cli_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

using Triple = std::tuple<int, int, int>;  // weekday, start minute, end minute

std::vector<Triple> Intervals(absl::string_view spec) {
  absl::StatusOr<meridian::v1::WorkingHours> hours = ParseWorkingHours(spec);
  EXPECT_TRUE(hours.ok()) << spec << ": " << hours.status();
  std::vector<Triple> out;
  if (!hours.ok()) return out;
  for (const auto& i : hours->intervals()) {
    out.emplace_back(i.weekday(), i.start_minute(), i.end_minute());
  }
  return out;
}

std::string ErrorOf(absl::string_view spec) {
  absl::StatusOr<meridian::v1::WorkingHours> hours = ParseWorkingHours(spec);
  EXPECT_FALSE(hours.ok()) << spec << " parsed";
  if (hours.ok()) return "";
  EXPECT_EQ(hours.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsUsageError(hours.status()));
  return std::string(hours.status().message());
}

TEST(WorkingHoursSpecTest, WeekdayRange) {
  EXPECT_EQ(Intervals("mon-fri 09:00-17:00"),
            (std::vector<Triple>{
                {1, 540, 1020}, {2, 540, 1020}, {3, 540, 1020}, {4, 540, 1020}, {5, 540, 1020}}));
}

TEST(WorkingHoursSpecTest, ListsClausesAndShortTimes) {
  EXPECT_EQ(Intervals("mon,wed 9-12,13-17; sat 10am-2pm"),
            (std::vector<Triple>{
                {1, 540, 720}, {1, 780, 1020}, {3, 540, 720}, {3, 780, 1020}, {6, 600, 840}}));
}

TEST(WorkingHoursSpecTest, CaseAndSpacesDoNotMatter) {
  EXPECT_EQ(Intervals("  Mon - Wed  9:30 AM - 5:15PM "),
            (std::vector<Triple>{{1, 570, 1035}, {2, 570, 1035}, {3, 570, 1035}}));
}

TEST(WorkingHoursSpecTest, SundayIsZeroAndRangesWrap) {
  EXPECT_EQ(Intervals("sun-thu 08:00-16:30"),
            (std::vector<Triple>{
                {0, 480, 990}, {1, 480, 990}, {2, 480, 990}, {3, 480, 990}, {4, 480, 990}}));
  EXPECT_EQ(Intervals("fri-mon 10-11"),
            (std::vector<Triple>{{0, 600, 660}, {1, 600, 660}, {5, 600, 660}, {6, 600, 660}}));
}

TEST(WorkingHoursSpecTest, NamedDaySets) {
  EXPECT_EQ(Intervals("weekdays 9-17"), Intervals("mon-fri 09:00-17:00"));
  EXPECT_EQ(Intervals("weekend 10-12"), (std::vector<Triple>{{0, 600, 720}, {6, 600, 720}}));
  EXPECT_EQ(Intervals("daily 8-9").size(), 7u);
}

TEST(WorkingHoursSpecTest, MidnightAndNoonAndEndOfDay) {
  EXPECT_EQ(Intervals("tue 12am-12pm"), (std::vector<Triple>{{2, 0, 720}}));
  EXPECT_EQ(Intervals("tue 18:00-24:00"), (std::vector<Triple>{{2, 1080, 1440}}));
}

TEST(WorkingHoursSpecTest, OvernightRangeIsSplitAtMidnight) {
  EXPECT_EQ(Intervals("fri 22:00-02:00"), (std::vector<Triple>{{5, 1320, 1440}, {6, 0, 120}}));
  // Saturday night runs into Sunday (weekday 0).
  EXPECT_EQ(Intervals("sat 23:00-01:00"), (std::vector<Triple>{{0, 0, 60}, {6, 1380, 1440}}));
  EXPECT_EQ(Intervals("mon 22:00-00:00"), (std::vector<Triple>{{1, 1320, 1440}}));
}

TEST(WorkingHoursSpecTest, TouchingRangesMerge) {
  EXPECT_EQ(Intervals("mon 9-12; mon 12-15"), (std::vector<Triple>{{1, 540, 900}}));
}

TEST(WorkingHoursSpecTest, NoneClears) {
  EXPECT_TRUE(Intervals("none").empty());
  EXPECT_TRUE(Intervals("OFF").empty());
}

TEST(WorkingHoursSpecTest, RejectsWithPreciseMessages) {
  EXPECT_THAT(ErrorOf(""), testing::HasSubstr("empty"));
  EXPECT_THAT(ErrorOf("mon-fry 9-17"), testing::HasSubstr("unknown weekday \"fry\""));
  EXPECT_THAT(ErrorOf("mon 25:00-26:00"), testing::HasSubstr("hours must be 0..23"));
  EXPECT_THAT(ErrorOf("mon 24:30-25"), testing::HasSubstr("hours must be 0..23"));
  EXPECT_THAT(ErrorOf("mon 9:5-10"), testing::HasSubstr("two digits"));
  EXPECT_THAT(ErrorOf("mon 9:75-10"), testing::HasSubstr("minutes must be 00..59"));
  EXPECT_THAT(ErrorOf("mon 9-9"), testing::HasSubstr("is empty"));
  EXPECT_THAT(ErrorOf("mon 9-12; mon 11-13"),
              testing::HasSubstr("mon 11:00-13:00 overlaps mon 09:00-12:00"));
  EXPECT_THAT(ErrorOf("09:00-17:00"), testing::HasSubstr("names no weekdays"));
  EXPECT_THAT(ErrorOf("mon-fri"), testing::HasSubstr("has no times"));
  EXPECT_THAT(ErrorOf("mon 9to5"), testing::HasSubstr("\"9to5\" is not a time range"));
  EXPECT_THAT(ErrorOf("mon 9h-10"), testing::HasSubstr("bad time \"9h\""));
  EXPECT_THAT(ErrorOf("mon 9-10-11"), testing::HasSubstr("not a time range"));
  EXPECT_THAT(ErrorOf("mon 13pm-2pm"), testing::HasSubstr("1..12"));
  EXPECT_THAT(ErrorOf("mon 24:00-10"), testing::HasSubstr("starts at 24:00"));
  EXPECT_THAT(ErrorOf("mon 9-12;;tue 9-12"), testing::HasSubstr("empty clause"));
  EXPECT_THAT(ErrorOf("mon,,tue 9-12"), testing::HasSubstr("empty weekday"));
  EXPECT_THAT(ErrorOf("mon-tue-wed 9-12"), testing::HasSubstr("not a day or a day range"));
  // The whole spec is quoted so the person sees which flag was wrong.
  EXPECT_THAT(ErrorOf("mon-fry 9-17"), testing::StartsWith("working hours \"mon-fry 9-17\": "));
}

TEST(WorkingHoursSpecTest, FormatsCompactly) {
  EXPECT_EQ(FormatWorkingHours(*ParseWorkingHours("mon-fri 9-17")), "mon-fri 09:00-17:00");
  EXPECT_EQ(FormatWorkingHours(*ParseWorkingHours("mon,wed,fri 9-12,13-17; sat 10am-2pm")),
            "mon,wed,fri 09:00-12:00,13:00-17:00; sat 10:00-14:00");
  EXPECT_EQ(FormatWorkingHours(*ParseWorkingHours("sat-sun 10-12")), "sat-sun 10:00-12:00");
  EXPECT_EQ(FormatWorkingHours(meridian::v1::WorkingHours()), "none");
}

TEST(WorkingHoursSpecTest, FormatRoundTrips) {
  for (const char* spec : {"mon-fri 09:00-17:00", "mon,wed 9-12,13-17; sat 10am-2pm",
                           "fri 22:00-02:00", "sun-thu 8-16:30", "daily 0-24", "fri-mon 9-10"}) {
    std::vector<Triple> first = Intervals(spec);
    std::string formatted = FormatWorkingHours(*ParseWorkingHours(spec));
    EXPECT_EQ(Intervals(formatted), first) << spec << " -> " << formatted;
  }
}

}  // namespace
}  // namespace meridian::cli
