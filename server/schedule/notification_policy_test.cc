#include "server/schedule/notification_policy.h"

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

using Action = NotificationDecision::Action;

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

constexpr uint64_t kSender = 100;
constexpr uint64_t kAlice = 1;   // New York
constexpr uint64_t kBhavna = 2;  // Kolkata
constexpr uint64_t kChloe = 3;   // Berlin

WorkingSchedule Make(const std::string& zone, int start_minute, int end_minute,
                     std::optional<absl::Time> dnd = std::nullopt,
                     std::vector<uint64_t> vips = {}) {
  WorkingScheduleSpec spec = Spec(zone, {}, dnd, vips);
  for (int wd = 1; wd <= 5; ++wd) spec.intervals.push_back({wd, start_minute, end_minute});
  auto ws = WorkingSchedule::Create(spec);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return *std::move(ws);
}

class NotificationPolicyTest : public ::testing::Test {
 protected:
  NotificationDecision Decide(const WorkingSchedule& ws, uint64_t recipient, MentionKind kind,
                              absl::Time now, bool urgent = false, uint64_t sender = kSender) {
    return DecideNotification(ws, {.sender_id = sender,
                                   .recipient_id = recipient,
                                   .kind = kind,
                                   .urgent = urgent,
                                   .now = now});
  }

  WorkingSchedule alice_ = Make("America/New_York", 9 * 60, 17 * 60);
  WorkingSchedule bhavna_ = Make("Asia/Kolkata", 9 * 60 + 30, 18 * 60);
  WorkingSchedule chloe_ = Make("Europe/Berlin", 9 * 60, 17 * 60);
  // Tuesday 2026-11-24 15:00 UTC: 10:00 in New York, 20:30 in Kolkata, 16:00 in Berlin.
  absl::Time now_ = Utc(2026, 11, 24, 15);
};

TEST_F(NotificationPolicyTest, ChannelReachesEachMemberAtTheStartOfTheirDay) {
  EXPECT_EQ(Decide(alice_, kAlice, MentionKind::kChannel, now_).action, Action::kDeliverNow);
  EXPECT_EQ(Decide(chloe_, kChloe, MentionKind::kChannel, now_).action, Action::kDeliverNow);
  const NotificationDecision b = Decide(bhavna_, kBhavna, MentionKind::kChannel, now_);
  EXPECT_EQ(b.action, Action::kHold);
  EXPECT_EQ(b.deliver_at, Utc(2026, 11, 25, 4));  // Wednesday 09:30 IST
  EXPECT_NE(b.reason.find("Asia/Kolkata"), std::string::npos) << b.reason;
}

TEST_F(NotificationPolicyTest, DirectMentionsAndDmsAreHeldOutsideHours) {
  for (MentionKind kind : {MentionKind::kDirect, MentionKind::kDirectMessage}) {
    const NotificationDecision d = Decide(bhavna_, kBhavna, kind, now_);
    EXPECT_EQ(d.action, Action::kHold);
    EXPECT_EQ(d.deliver_at, Utc(2026, 11, 25, 4));
    const NotificationDecision n = Decide(alice_, kAlice, kind, now_);
    EXPECT_EQ(n.action, Action::kDeliverNow);
    EXPECT_EQ(n.deliver_at, now_);
  }
  // A Friday-evening message reaches Berlin on Monday 09:00 CET.
  const NotificationDecision weekend =
      Decide(chloe_, kChloe, MentionKind::kDirect, Utc(2026, 11, 27, 22));
  EXPECT_EQ(weekend.deliver_at, Utc(2026, 11, 30, 8));
  // Held across New York's fall-back: Monday 09:00 EST is 14:00 UTC, not 13:00.
  const NotificationDecision dst =
      Decide(alice_, kAlice, MentionKind::kDirect, Utc(2026, 10, 30, 23));
  EXPECT_EQ(dst.deliver_at, Utc(2026, 11, 2, 14));
}

TEST_F(NotificationPolicyTest, HereIsDroppedOutsideHoursNeverHeld) {
  EXPECT_EQ(Decide(bhavna_, kBhavna, MentionKind::kHere, now_).action, Action::kDrop);
  EXPECT_EQ(Decide(alice_, kAlice, MentionKind::kHere, now_).action, Action::kDeliverNow);
  // Urgent @here overrides working hours.
  EXPECT_EQ(Decide(bhavna_, kBhavna, MentionKind::kHere, now_, true).action, Action::kDeliverNow);
}

TEST_F(NotificationPolicyTest, UrgentOverridesHoursButNotDoNotDisturb) {
  EXPECT_EQ(Decide(bhavna_, kBhavna, MentionKind::kDirect, now_, true).action, Action::kDeliverNow);
  // Wednesday 05:00 UTC = 10:30 IST, working, but in DND until 06:00 UTC.
  const absl::Time wed = Utc(2026, 11, 25, 5);
  WorkingSchedule dnd = Make("Asia/Kolkata", 9 * 60 + 30, 18 * 60, Utc(2026, 11, 25, 6), {42});
  const NotificationDecision urgent = Decide(dnd, kBhavna, MentionKind::kDirect, wed, true);
  EXPECT_EQ(urgent.action, Action::kHold);
  EXPECT_EQ(urgent.deliver_at, Utc(2026, 11, 25, 6));
  const NotificationDecision plain = Decide(dnd, kBhavna, MentionKind::kDirectMessage, wed);
  EXPECT_EQ(plain.action, Action::kHold);
  EXPECT_EQ(plain.deliver_at, Utc(2026, 11, 25, 6));
  EXPECT_EQ(Decide(dnd, kBhavna, MentionKind::kHere, wed, true).action, Action::kDrop);
  // DND ending after hours holds until the next working start, not the DND end.
  WorkingSchedule late = Make("Asia/Kolkata", 9 * 60 + 30, 18 * 60, Utc(2026, 11, 25, 13));
  EXPECT_EQ(Decide(late, kBhavna, MentionKind::kDirect, wed).deliver_at, Utc(2026, 11, 26, 4));
}

TEST_F(NotificationPolicyTest, VipSenderPiercesDoNotDisturbAndHours) {
  // 21:00 UTC = 02:30 IST, outside hours and in DND.
  WorkingSchedule dnd = Make("Asia/Kolkata", 9 * 60 + 30, 18 * 60, Utc(2026, 11, 25, 6), {42});
  const absl::Time night = Utc(2026, 11, 24, 21);
  const NotificationDecision vip = Decide(dnd, kBhavna, MentionKind::kDirectMessage, night,
                                          /*urgent=*/false, /*sender=*/42);
  EXPECT_EQ(vip.action, Action::kDeliverNow);
  EXPECT_EQ(vip.deliver_at, night);
  EXPECT_EQ(Decide(dnd, kBhavna, MentionKind::kDirect, night).deliver_at, Utc(2026, 11, 25, 6));
}

TEST_F(NotificationPolicyTest, NoNotificationToOneself) {
  EXPECT_EQ(Decide(alice_, kAlice, MentionKind::kDirect, now_, true, kAlice).action, Action::kDrop);
  EXPECT_STREQ(ActionName(Action::kHold), "hold");
}

}  // namespace
}  // namespace meridian::schedule
