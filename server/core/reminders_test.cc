// Reminders: fire as notifications to their target; snooze, reschedule, cancel; durable.
#include "server/core/reminders.h"

#include <gtest/gtest.h>

#include "server/core/async_test_util.h"

namespace meridian {
namespace {

class RemindersTest : public AsyncTest {
 protected:
  void SetUp() override {
    AsyncTest::SetUp();
    At(2026, 3, 4, 14, 30);
    alice_ = Register("alice");
    berlin_ = Person("berlin", "Europe/Berlin");
  }

  v1::Reminder Remind(const std::string& target, const std::string& text, v1::When when) {
    v1::CreateReminderRequest req;
    req.set_target_user_id(target);
    req.set_text(text);
    *req.mutable_when() = when;
    auto r = core_->async().reminders().Create(alice_, req);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::Reminder();
  }
  static v1::When In(absl::Duration d) {
    v1::When w;
    w.mutable_delay()->set_seconds(absl::ToInt64Seconds(d));
    return w;
  }

  Caller alice_, berlin_;
};

TEST_F(RemindersTest, FiresOnceAsANotification) {
  v1::Reminder r = Remind("", "water the plants", In(absl::Hours(2)));
  EXPECT_EQ(r.target_user_id(), "u" + std::to_string(alice_.user_id));
  EXPECT_EQ(core_->async().reminders().List(alice_)->reminders_size(), 1);
  Reopen();  // durable
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(RunDue(), 1);
  auto n = Notifications(alice_);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind(), v1::NOTIFICATION_KIND_REMINDER);
  EXPECT_EQ(n[0].text(), "water the plants");
  EXPECT_EQ(core_->async().reminders().List(alice_)->reminders_size(), 0);
  RunDue();
  EXPECT_EQ(Notifications(alice_).size(), 1u);
}

TEST_F(RemindersTest, SnoozeRescheduleCancel) {
  v1::Reminder a = Remind("me", "a", In(absl::Hours(1)));
  v1::Reminder b = Remind("me", "b", In(absl::Hours(1)));
  clock_.Advance(absl::Minutes(50));
  v1::SnoozeReminderRequest snooze;
  snooze.set_id(a.id());
  snooze.mutable_delay()->set_seconds(30 * 60);
  auto snoozed = core_->async().reminders().Snooze(alice_, snooze);
  ASSERT_TRUE(snoozed.ok()) << snoozed.status();
  EXPECT_EQ(FromTimestamp(snoozed->remind_time()), clock_.Now() + absl::Minutes(30));
  ASSERT_TRUE(core_->async().reminders().Cancel(alice_, b.id()).ok());
  EXPECT_EQ(core_->async().reminders().Cancel(alice_, b.id()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->async().reminders().Cancel(alice_, "x1").code(),
            absl::StatusCode::kInvalidArgument);

  clock_.Advance(absl::Minutes(10));  // a's original time: snoozed, b cancelled
  RunDue();
  EXPECT_TRUE(Notifications(alice_).empty());
  clock_.Advance(absl::Minutes(20));
  RunDue();
  ASSERT_EQ(Notifications(alice_).size(), 1u);
  EXPECT_EQ(Notifications(alice_)[0].text(), "a");
  EXPECT_EQ(core_->async().reminders().Snooze(alice_, snooze).status().code(),
            absl::StatusCode::kNotFound);  // already fired
}

TEST_F(RemindersTest, SomeoneElseAtTheirNextMorning) {
  // Wed 14:30 UTC is 15:30 in Berlin (working): their next working day starts Thu 09:00 CET.
  v1::When w;
  w.set_next_working_day(true);
  v1::Reminder r = Remind("@berlin", "send the report", w);
  EXPECT_EQ(FromTimestamp(r.remind_time()), Utc(2026, 3, 5, 8, 0));
  EXPECT_TRUE(core_->async().reminders().List(berlin_)->reminders().empty());  // alice's
  v1::RescheduleReminderRequest re;
  re.set_id(r.id());
  re.mutable_when()->set_local_time("tomorrow 10:00");  // alice's zone: UTC
  auto moved = core_->async().reminders().Reschedule(alice_, re);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(FromTimestamp(moved->remind_time()), Utc(2026, 3, 5, 10, 0));
  clock_.Set(Utc(2026, 3, 5, 10, 0));
  RunDue();
  ASSERT_EQ(Notifications(berlin_).size(), 1u);
  EXPECT_EQ(Notifications(berlin_)[0].actor_id(), "u" + std::to_string(alice_.user_id));
  EXPECT_TRUE(Notifications(alice_).empty());
}

TEST_F(RemindersTest, AboutAMessage) {
  v1::Channel ch = Channel(alice_, "general", {berlin_});
  v1::Message m = Post(berlin_, ch.id(), "please review");
  v1::CreateReminderRequest req;
  req.set_message_id(m.id());
  *req.mutable_when() = In(absl::Minutes(5));
  ASSERT_TRUE(core_->async().reminders().Create(alice_, req).ok());
  clock_.Advance(absl::Minutes(5));
  RunDue();
  auto n = Notifications(alice_);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].message_id(), m.id());
  EXPECT_EQ(n[0].channel_id(), ch.id());
  req.clear_message_id();
  EXPECT_EQ(core_->async().reminders().Create(alice_, req).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian
