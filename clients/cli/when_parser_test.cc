#include "clients/cli/when_parser.h"

#include <string>

#include "absl/time/civil_time.h"
#include "clients/cli/cli_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

// Wednesday 2026-11-25 14:30 in Berlin (CET, UTC+1) = 13:30 UTC.
class WhenParserTest : public testing::Test {
 protected:
  absl::TimeZone berlin_ = Zone("Europe/Berlin");
  absl::Time now_ = absl::FromCivil(absl::CivilMinute(2026, 11, 25, 14, 30), berlin_);

  // The instant `text` names, printed in Berlin time.
  std::string At(const std::string& text) {
    absl::StatusOr<ParsedWhen> when = ParseWhen(text, now_, berlin_);
    EXPECT_TRUE(when.ok()) << text << ": " << when.status();
    if (!when.ok()) return "error";
    EXPECT_EQ(when->kind, ParsedWhen::Kind::kAt) << text;
    return absl::FormatTime("%a %Y-%m-%d %H:%M %Z", when->at, berlin_);
  }
  absl::Duration Delay(const std::string& text) {
    absl::StatusOr<ParsedWhen> when = ParseWhen(text, now_, berlin_);
    EXPECT_TRUE(when.ok()) << text << ": " << when.status();
    if (!when.ok()) return absl::ZeroDuration();
    EXPECT_EQ(when->kind, ParsedWhen::Kind::kDelay) << text;
    return when->delay;
  }
  std::string ErrorOf(const std::string& text) {
    absl::StatusOr<ParsedWhen> when = ParseWhen(text, now_, berlin_);
    EXPECT_FALSE(when.ok()) << text << " parsed";
    if (when.ok()) return "";
    EXPECT_TRUE(IsUsageError(when.status())) << when.status();
    return std::string(when.status().message());
  }
};

TEST_F(WhenParserTest, Delays) {
  EXPECT_EQ(Delay("in 2h"), absl::Hours(2));
  EXPECT_EQ(Delay("in 90m"), absl::Minutes(90));
  EXPECT_EQ(Delay("in 1h30m"), absl::Minutes(90));
  EXPECT_EQ(Delay("In 2 Hours and 30 minutes"), absl::Minutes(150));
  EXPECT_EQ(Delay("in 2 days"), absl::Hours(48));
  EXPECT_EQ(Delay("45m"), absl::Minutes(45));
  EXPECT_EQ(Delay("1w"), absl::Hours(24 * 7));
}

TEST_F(WhenParserTest, BareTimesAreTheNextOccurrence) {
  EXPECT_EQ(At("17:00"), "Wed 2026-11-25 17:00 CET");
  EXPECT_EQ(At("9:00"), "Thu 2026-11-26 09:00 CET");  // 09:00 today has passed
  EXPECT_EQ(At("9"), "Thu 2026-11-26 09:00 CET");
  EXPECT_EQ(At("5pm"), "Wed 2026-11-25 17:00 CET");
  EXPECT_EQ(At("5:45 pm"), "Wed 2026-11-25 17:45 CET");
  EXPECT_EQ(At("12am"), "Thu 2026-11-26 00:00 CET");
  EXPECT_EQ(At("at noon"), "Thu 2026-11-26 12:00 CET");
}

TEST_F(WhenParserTest, DaysAndDates) {
  EXPECT_EQ(At("tomorrow 9:00"), "Thu 2026-11-26 09:00 CET");
  EXPECT_EQ(At("Tomorrow"), "Thu 2026-11-26 09:00 CET");
  EXPECT_EQ(At("today 17:30"), "Wed 2026-11-25 17:30 CET");
  EXPECT_EQ(At("fri 10am"), "Fri 2026-11-27 10:00 CET");
  EXPECT_EQ(At("monday"), "Mon 2026-11-30 09:00 CET");
  EXPECT_EQ(At("wed 15:00"), "Wed 2026-11-25 15:00 CET");  // later today
  EXPECT_EQ(At("wed 9:00"), "Wed 2026-12-02 09:00 CET");   // a week ahead
  EXPECT_EQ(At("2026-12-01 08:15"), "Tue 2026-12-01 08:15 CET");
  EXPECT_EQ(At("2026-12-01T08:15"), "Tue 2026-12-01 08:15 CET");
  EXPECT_EQ(At("2026-12-01"), "Tue 2026-12-01 09:00 CET");
  EXPECT_EQ(At("at 2026-12-01 8:15am"), "Tue 2026-12-01 08:15 CET");
}

TEST_F(WhenParserTest, Rfc3339WithOffset) {
  EXPECT_EQ(At("2026-12-01T08:15:00Z"), "Tue 2026-12-01 09:15 CET");
  EXPECT_EQ(At("2026-12-01T08:15+05:30"), "Tue 2026-12-01 03:45 CET");
}

TEST_F(WhenParserTest, NextWorkingDayIsLeftToTheServer) {
  for (const char* text :
       {"next working day", "at their next morning", "Next Morning", "next-working-day"}) {
    absl::StatusOr<ParsedWhen> when = ParseWhen(text, now_, berlin_);
    ASSERT_TRUE(when.ok()) << text << ": " << when.status();
    EXPECT_EQ(when->kind, ParsedWhen::Kind::kNextWorkingDay) << text;
    EXPECT_TRUE(ToApiWhen(*when).next_working_day());
    EXPECT_FALSE(ResolveWhenNow(*when, now_, "--reply-by").ok());
  }
}

TEST_F(WhenParserTest, WallClockAcrossDaylightSavingChanges) {
  // New York springs forward on 2026-03-08: 02:30 does not exist and becomes 03:00 EDT.
  absl::TimeZone ny = Zone("America/New_York");
  absl::Time before = absl::FromCivil(absl::CivilMinute(2026, 3, 7, 12, 0), ny);
  absl::StatusOr<ParsedWhen> gap = ParseWhen("2026-03-08 02:30", before, ny);
  ASSERT_TRUE(gap.ok()) << gap.status();
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M %Z", gap->at, ny), "2026-03-08 03:00 EDT");
  // From Saturday 12:00 EST, Sunday 09:00 EDT is 20 hours ahead, not 21.
  absl::StatusOr<ParsedWhen> tomorrow = ParseWhen("tomorrow 9:00", before, ny);
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_EQ(tomorrow->at - before, absl::Hours(20));
  // It falls back on 2026-11-01: 01:30 happens twice; the first (EDT) is meant.
  absl::Time fall = absl::FromCivil(absl::CivilMinute(2026, 10, 31, 12, 0), ny);
  absl::StatusOr<ParsedWhen> twice = ParseWhen("2026-11-01 01:30", fall, ny);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(absl::FormatTime("%H:%M %Z", twice->at, ny), "01:30 EDT");
  // Kolkata's half-hour offset and Lord Howe's half-hour DST shift.
  absl::TimeZone kolkata = Zone("Asia/Kolkata");
  absl::StatusOr<ParsedWhen> k = ParseWhen("2026-11-26 09:00", now_, kolkata);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(absl::FormatTime("%H:%M", k->at, absl::UTCTimeZone()), "03:30");
  absl::TimeZone lord_howe = Zone("Australia/Lord_Howe");
  // Lord Howe moves from +10:30 to +11 at 02:00 on 2026-10-04; 02:15 does not exist.
  absl::Time lh = absl::FromCivil(absl::CivilMinute(2026, 10, 3, 12, 0), lord_howe);
  absl::StatusOr<ParsedWhen> lhs = ParseWhen("2026-10-04 02:15", lh, lord_howe);
  ASSERT_TRUE(lhs.ok());
  EXPECT_EQ(absl::FormatTime("%H:%M %z", lhs->at, lord_howe), "02:30 +1100");
}

TEST_F(WhenParserTest, ApiForm) {
  absl::StatusOr<ParsedWhen> at = ParseWhen("2026-12-01 08:15", now_, berlin_);
  ASSERT_TRUE(at.ok());
  meridian::v1::When api = ToApiWhen(*at);
  ASSERT_TRUE(api.has_at_time());
  EXPECT_EQ(api.at_time().seconds(),
            absl::ToUnixSeconds(
                absl::FromCivil(absl::CivilMinute(2026, 12, 1, 7, 15), absl::UTCTimeZone())));
  absl::StatusOr<ParsedWhen> delay = ParseWhen("in 2h", now_, berlin_);
  ASSERT_TRUE(delay.ok());
  EXPECT_EQ(ToApiWhen(*delay).delay().seconds(), 7200);
  EXPECT_EQ(*ResolveWhenNow(*delay, now_, "--reply-by"), now_ + absl::Hours(2));
}

TEST_F(WhenParserTest, RejectsWithAReason) {
  EXPECT_THAT(ErrorOf(""), testing::HasSubstr("empty"));
  EXPECT_THAT(ErrorOf("2026-11-24 09:00"), testing::HasSubstr("in the past"));
  EXPECT_THAT(ErrorOf("today 9:00"), testing::HasSubstr("in the past"));
  EXPECT_THAT(ErrorOf("today"), testing::HasSubstr("give a time"));
  EXPECT_THAT(ErrorOf("2026-02-30 09:00"), testing::HasSubstr("not a day"));
  EXPECT_THAT(ErrorOf("someday"), testing::HasSubstr("\"someday\" is not a day"));
  EXPECT_THAT(ErrorOf("tomorrow 25:00"), testing::HasSubstr("\"25:00\" is not a time"));
  EXPECT_THAT(ErrorOf("tomorrow 9:5"), testing::HasSubstr("try \"in 2h\""));
  EXPECT_THAT(ErrorOf("in"), testing::HasSubstr("needs a duration"));
  EXPECT_THAT(ErrorOf("in 2 fortnights"), testing::HasSubstr("duration"));
  EXPECT_THAT(ErrorOf("in 0m"), testing::HasSubstr("longer than zero"));
  EXPECT_THAT(ErrorOf("in 400 days"), testing::HasSubstr("longer than a year"));
  EXPECT_THAT(ErrorOf("next tuesday at 9 maybe"), testing::HasSubstr("too many words"));
}

TEST(ParseDelayTest, Durations) {
  EXPECT_EQ(*ParseDelay("2h"), absl::Hours(2));
  EXPECT_EQ(*ParseDelay(" 1 hour 15 min "), absl::Minutes(75));
  EXPECT_EQ(*ParseDelay("1d"), absl::Hours(24));
  EXPECT_FALSE(ParseDelay("2").ok());
  EXPECT_FALSE(ParseDelay("h").ok());
  EXPECT_FALSE(ParseDelay("9am").ok());
  EXPECT_FALSE(ParseDelay("-2h").ok());
}

}  // namespace
}  // namespace meridian::cli
