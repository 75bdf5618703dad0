#include "clients/cli/recipient_notes.h"

#include "absl/time/civil_time.h"
#include "clients/cli/working_hours_spec.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

absl::Time Local(const char* zone, int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Zone(zone));
}

meridian::v1::WorkingHours Hours(const char* spec) { return *ParseWorkingHours(spec); }

std::string Format(absl::Time t, const char* zone) {
  return absl::FormatTime("%a %Y-%m-%d %H:%M %Z", t, Zone(zone));
}

TEST(NextWorkingStartTest, WithinHoursIsNowOtherwiseTheNextStart) {
  const auto hours = Hours("mon-fri 09:00-17:00");
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  const absl::Time tuesday_10 = Local("Europe/Berlin", 2026, 11, 24, 10);
  EXPECT_EQ(NextWorkingStart(hours, berlin, tuesday_10), tuesday_10);
  EXPECT_EQ(Format(NextWorkingStart(hours, berlin, Local("Europe/Berlin", 2026, 11, 24, 3, 12)),
                   "Europe/Berlin"),
            "Tue 2026-11-24 09:00 CET");
  EXPECT_EQ(Format(NextWorkingStart(hours, berlin, Local("Europe/Berlin", 2026, 11, 27, 17)),
                   "Europe/Berlin"),
            "Mon 2026-11-30 09:00 CET");
  // No hours: always working.
  EXPECT_EQ(NextWorkingStart(meridian::v1::WorkingHours(), berlin, tuesday_10), tuesday_10);
}

TEST(NextWorkingStartTest, AcrossDaylightSavingChanges) {
  const absl::TimeZone ny = Zone("America/New_York");
  // Friday evening before the spring-forward weekend: Monday 09:00 is EDT.
  EXPECT_EQ(Format(NextWorkingStart(Hours("mon-fri 09:00-17:00"), ny,
                                    Local("America/New_York", 2026, 3, 6, 18)),
                   "America/New_York"),
            "Mon 2026-03-09 09:00 EDT");
  // A start inside the skipped hour begins when the clock resumes.
  EXPECT_EQ(Format(NextWorkingStart(Hours("sun 02:30-04:00"), ny,
                                    Local("America/New_York", 2026, 3, 7, 12)),
                   "America/New_York"),
            "Sun 2026-03-08 03:00 EDT");
  // Kolkata's half-hour offset.
  EXPECT_EQ(absl::FormatTime("%H:%M",
                             NextWorkingStart(Hours("mon-fri 09:00-17:00"), Zone("Asia/Kolkata"),
                                              Local("Asia/Kolkata", 2026, 11, 24, 20)),
                             absl::UTCTimeZone()),
            "03:30");
}

class RecipientNoteTest : public testing::Test {
 protected:
  void SetUp() override {
    bob_.set_id("u2");
    bob_.set_name("bob");
    bob_.set_time_zone("Europe/Berlin");
    *bob_.mutable_working_hours() = Hours("mon-fri 09:00-17:00");
  }
  // Bob as GetUser describes him at `now`.
  meridian::v1::User BobAt(absl::Time now, bool working) {
    meridian::v1::User user = bob_;
    user.set_local_time(absl::FormatTime("%H:%M %a", now, Zone("Europe/Berlin")) +
                        (working ? ", working hours" : ", outside working hours"));
    user.set_in_working_hours(working);
    return user;
  }
  meridian::v1::User bob_;
};

TEST_F(RecipientNoteTest, OutsideHoursHeldUntilTheirStart) {
  const absl::Time night = Local("Europe/Berlin", 2026, 11, 24, 3, 12);
  EXPECT_EQ(RecipientNote(BobAt(night, false), "u1", false, night),
            "note: it is 03:12 Tue for @bob (Europe/Berlin), outside working hours — "
            "notification held until 09:00");
  const absl::Time friday_evening = Local("Europe/Berlin", 2026, 11, 27, 19, 30);
  EXPECT_EQ(RecipientNote(BobAt(friday_evening, false), "u1", false, friday_evening),
            "note: it is 19:30 Fri for @bob (Europe/Berlin), outside working hours — "
            "notification held until Mon 09:00");
}

TEST_F(RecipientNoteTest, UrgentAndVipGoThrough) {
  const absl::Time night = Local("Europe/Berlin", 2026, 11, 24, 3, 12);
  EXPECT_EQ(RecipientNote(BobAt(night, false), "u1", true, night),
            "note: it is 03:12 Tue for @bob (Europe/Berlin), outside working hours — "
            "marked urgent, so they are notified now");
  meridian::v1::User vip = BobAt(night, false);
  vip.add_vip_user_ids("u1");
  EXPECT_EQ(RecipientNote(vip, "u1", false, night),
            "note: it is 03:12 Tue for @bob (Europe/Berlin), outside working hours — "
            "you are on their VIP list, so they are notified now");
}

TEST_F(RecipientNoteTest, WorkingIsSilentDoNotDisturbIsNot) {
  const absl::Time ten = Local("Europe/Berlin", 2026, 11, 24, 10);
  EXPECT_EQ(RecipientNote(BobAt(ten, true), "u1", false, ten), "");
  meridian::v1::User dnd = BobAt(ten, true);
  dnd.mutable_do_not_disturb_until()->set_seconds(
      absl::ToUnixSeconds(Local("Europe/Berlin", 2026, 11, 24, 11)));
  EXPECT_EQ(RecipientNote(dnd, "u1", false, ten),
            "note: it is 10:00 Tue for @bob (Europe/Berlin), in do-not-disturb until 11:00 — "
            "notification held until 11:00");
  // Past the end of the day: the next working start after do-not-disturb; urgent only waits
  // for do-not-disturb to end.
  dnd.mutable_do_not_disturb_until()->set_seconds(
      absl::ToUnixSeconds(Local("Europe/Berlin", 2026, 11, 24, 18)));
  EXPECT_EQ(RecipientNote(dnd, "u1", false, ten),
            "note: it is 10:00 Tue for @bob (Europe/Berlin), in do-not-disturb until 18:00 — "
            "notification held until Wed 09:00");
  EXPECT_EQ(RecipientNote(dnd, "u1", true, ten),
            "note: it is 10:00 Tue for @bob (Europe/Berlin), in do-not-disturb until 18:00 — "
            "notification held until 18:00");
  // A do-not-disturb that has ended is ignored.
  EXPECT_EQ(RecipientNote(dnd, "u1", false, Local("Europe/Berlin", 2026, 11, 25, 10)), "");
}

}  // namespace
}  // namespace meridian::cli
