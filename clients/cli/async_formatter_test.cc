#include "clients/cli/async_formatter.h"

#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

using testing::HasSubstr;

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time Berlin(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Zone("Europe/Berlin"));
}

TextFormatter MakeFormatter() {
  NameBook names;
  names.self_id = "u1";
  names.users = {{"u1", "alice"}, {"u2", "bob"}, {"u3", "carol"}};
  names.channels = {{"c3", "#general"}, {"c7", "@bob"}};
  return TextFormatter(Zone("Europe/Berlin"), names);
}

TEST(AsyncFormatterTest, SnippetCutsAtCharactersAndLines) {
  EXPECT_EQ(Snippet("short", 10), "short");
  EXPECT_EQ(Snippet("first line\nsecond", 40), "first line…");
  EXPECT_EQ(Snippet("ääääää", 3), "äää…");
  EXPECT_EQ(Snippet("exactly", 7), "exactly");
}

TEST(AsyncFormatterTest, ScheduledAndReminderTables) {
  meridian::v1::ScheduledMessage sm;
  sm.set_id("s12");
  sm.set_channel_id("c7");
  sm.set_text("morning!\nmore");
  sm.set_urgent(true);
  *sm.mutable_send_time() = At(Berlin(2026, 11, 25, 9));
  meridian::v1::ScheduledMessage by_name = sm;
  by_name.set_id("s13");
  by_name.set_channel_id("#ops");
  by_name.set_urgent(false);
  std::string table = ScheduledTable(MakeFormatter(), {sm, by_name});
  EXPECT_THAT(table, HasSubstr("ID   SEND AT               TO    TEXT"));
  EXPECT_THAT(table, HasSubstr("s12  2026-11-25 09:00 CET  @bob  (urgent) morning!…"));
  EXPECT_THAT(table, HasSubstr("s13  2026-11-25 09:00 CET  #ops  morning!…"));
  EXPECT_EQ(ScheduledTable(MakeFormatter(), {}), "no scheduled messages\n");

  meridian::v1::Reminder r;
  r.set_id("r4");
  r.set_target_user_id("u3");
  r.set_text("review");
  r.set_message_id("m3-42");
  *r.mutable_remind_time() = At(Berlin(2026, 11, 26, 9));
  EXPECT_THAT(ReminderTable(MakeFormatter(), {r}),
              HasSubstr("r4  2026-11-26 09:00 CET  @carol  review  [m3-42]"));
  EXPECT_EQ(ReminderTable(MakeFormatter(), {}), "no reminders\n");
}

TEST(AsyncFormatterTest, NotificationLines) {
  meridian::v1::Notification n;
  n.set_id("msg:m3-42");
  n.set_kind(meridian::v1::NOTIFICATION_KIND_MENTION);
  n.set_actor_id("u2");
  n.set_channel_id("c3");
  n.set_text("@alice look");
  *n.mutable_create_time() = At(Berlin(2026, 11, 25, 3, 12));
  *n.mutable_deliver_time() = At(Berlin(2026, 11, 25, 9));
  n.set_held_reason("outside working hours (Europe/Berlin)");
  EXPECT_EQ(NotificationLine(MakeFormatter(), n),
            "* 2026-11-25 09:00 CET  mention from @bob in #general: @alice look  [msg:m3-42]  "
            "(held from 2026-11-25 03:12 CET: outside working hours (Europe/Berlin))\n");
  n.set_seen(true);
  n.set_urgent(true);
  n.clear_held_reason();
  n.set_kind(meridian::v1::NOTIFICATION_KIND_REPLY_OVERDUE);
  n.add_pending_user_ids("u3");
  EXPECT_EQ(NotificationLine(MakeFormatter(), n),
            "  2026-11-25 09:00 CET  reply overdue (urgent) from @bob in #general: @alice look "
            "(waiting for @carol)  [msg:m3-42]\n");
  meridian::v1::Notification reminder;
  reminder.set_id("rem:5");
  reminder.set_kind(meridian::v1::NOTIFICATION_KIND_REMINDER);
  reminder.set_actor_id("u2");
  reminder.set_message_id("m3-42");
  *reminder.mutable_deliver_time() = At(Berlin(2026, 11, 25, 9));
  EXPECT_EQ(NotificationLine(MakeFormatter(), reminder),
            "* 2026-11-25 09:00 CET  reminder from @bob: message m3-42  [rem:5]\n");
}

TEST(AsyncFormatterTest, CatchUpHeaderAndAwaiting) {
  meridian::v1::CatchUpItem item;
  item.set_kind(meridian::v1::CATCH_UP_KIND_MENTIONS);
  item.set_channel_id("c3");
  item.set_unread(3);
  item.set_mentions(1);
  EXPECT_EQ(CatchUpHeader(MakeFormatter(), item, 1, 4),
            "[1/4] mentions in #general  3 unread, 1 mention\n");
  item.set_kind(meridian::v1::CATCH_UP_KIND_THREAD);
  item.set_thread_root_id("m3-40");
  item.set_unread(1);
  item.set_mentions(0);
  EXPECT_EQ(CatchUpHeader(MakeFormatter(), item, 2, 4),
            "[2/4] thread in #general (m3-40)  1 unread reply\n");
  item.set_kind(meridian::v1::CATCH_UP_KIND_DIRECT);
  item.set_channel_id("c7");
  item.clear_thread_root_id();
  EXPECT_EQ(CatchUpHeader(MakeFormatter(), item, 3, 4),
            "[3/4] direct messages with @bob  1 unread\n");

  meridian::v1::AwaitingReply awaiting;
  auto* m = awaiting.mutable_message();
  m->set_id("m3-50");
  m->set_channel_id("c3");
  m->set_author_id("u1");
  m->set_text("can you review?");
  *m->mutable_create_time() = At(Berlin(2026, 11, 24, 10));
  *m->mutable_reply_by_time() = At(Berlin(2026, 11, 25, 17));
  awaiting.add_pending_user_ids("u2");
  awaiting.add_pending_user_ids("u3");
  awaiting.set_overdue(true);
  EXPECT_EQ(AwaitingBlock(MakeFormatter(), awaiting),
            "2026-11-24 10:00 CET  @alice in #general: can you review?  [m3-50]\n"
            "    reply by 2026-11-25 17:00 CET (overdue) — waiting for @bob, @carol\n");
}

// A week in Berlin with hourly slots: Monday 09:00-11:00 shared, Sunday's 02:00 skipped.
meridian::v1::GetOverlapResponse SampleOverlap(int slot_minutes) {
  meridian::v1::GetOverlapResponse overlap;
  overlap.set_time_zone("Europe/Berlin");
  overlap.set_slot_minutes(slot_minutes);
  overlap.add_user_ids("u1");
  overlap.add_user_ids("u2");
  const int per_day = 24 * 60 / slot_minutes;
  for (int d = 0; d < 7; ++d) {
    auto* day = overlap.add_days();
    day->set_date(absl::FormatCivilTime(absl::CivilDay(2026, 3, 23) + d));
    for (int s = 0; s < per_day; ++s) {
      const int minute = s * slot_minutes;
      auto state = meridian::v1::OVERLAP_SLOT_NONE;
      if (d == 0 && minute >= 9 * 60 && minute < 11 * 60)
        state = meridian::v1::OVERLAP_SLOT_EVERYONE;
      if (d == 6 && minute >= 2 * 60 && minute < 3 * 60) state = meridian::v1::OVERLAP_SLOT_SKIPPED;
      day->add_slots(state);
    }
  }
  auto* range = overlap.add_overlap();
  *range->mutable_start_time() = At(Berlin(2026, 3, 23, 9));
  *range->mutable_end_time() = At(Berlin(2026, 3, 23, 11));
  return overlap;
}

TEST(AsyncFormatterTest, OverlapGridRowsPerDayColumnsPerSlot) {
  std::string grid = OverlapGrid(MakeFormatter(), SampleOverlap(30));
  std::vector<std::string> lines = absl::StrSplit(grid, '\n');
  ASSERT_GE(lines.size(), 12u) << grid;
  EXPECT_EQ(lines[0], "Working hours shared by @alice, @bob");
  EXPECT_EQ(lines[1], "times in Europe/Berlin, 30-minute slots");
  EXPECT_EQ(lines[2], "           00  02  04  06  08  10  12  14  16  18  20  22");
  EXPECT_EQ(lines[3], "Mon 03-23  ..................####..........................");
  EXPECT_EQ(lines[4].substr(0, 11), "Tue 03-24  ");
  EXPECT_EQ(lines[9], "Sun 03-29  ....~~..........................................");
  EXPECT_THAT(grid, HasSubstr("~ skipped by a clock change"));
  EXPECT_THAT(grid, HasSubstr("\nMon 2026-03-23 09:00-11:00\n"));
  EXPECT_THAT(grid, HasSubstr("shared: 2h this week"));
  // Every day row is as wide as the ruler's 24 hours.
  for (int i = 3; i < 10; ++i) EXPECT_EQ(lines[i].size(), 11u + 48u) << lines[i];

  std::vector<std::string> hourly =
      absl::StrSplit(OverlapGrid(MakeFormatter(), SampleOverlap(60)), '\n');
  EXPECT_EQ(hourly[2], "           00 03 06 09 12 15 18 21");
  EXPECT_EQ(hourly[3], "Mon 03-23  .........##.............");

  meridian::v1::GetOverlapResponse none = SampleOverlap(60);
  none.clear_overlap();
  EXPECT_THAT(OverlapGrid(MakeFormatter(), none), HasSubstr("no shared working hours this week"));
}

}  // namespace
}  // namespace meridian::cli
