// Notifications: delivered now in working hours, held until the recipient's next working time
// otherwise (across a DST change), urgent and VIP bypass, @here and @channel, mentions that an
// edit adds.
#include "server/core/notification_service.h"

#include <gtest/gtest.h>

#include "server/core/async_test_util.h"
#include "server/core/event_feed.h"

namespace meridian {
namespace {

class NotificationTest : public AsyncTest {
 protected:
  void SetUp() override {
    AsyncTest::SetUp();
    alice_ = Register("alice");  // UTC, always working
    ny_ = Person("ny", "America/New_York");
    berlin_ = Person("berlin", "Europe/Berlin");
    kolkata_ = Person("kolkata", "Asia/Kolkata");
    team_ = Channel(alice_, "team", {ny_, berlin_, kolkata_});
  }

  std::vector<v1::Event> EventsOf(const Caller& c) {
    EventFeed feed(core_->store(), core_->dir(), core_->hub(), c.user_id, 0);
    std::vector<v1::Event> out;
    while (true) {
      std::vector<std::shared_ptr<const HubEvent>> batch;
      auto st = feed.Next(100, &batch);
      EXPECT_TRUE(st.ok()) << st.status();
      for (auto& e : batch) out.push_back(e->record.event());
      if (!st.ok() || *st != EventFeed::State::kEvents) break;
    }
    return out;
  }

  void Edit(const Caller& c, const std::string& message_id, const std::string& text) {
    v1::EditMessageRequest req;
    req.set_message_id(message_id);
    req.set_text(text);
    auto resp = core_->messages().Edit(c, req);
    ASSERT_TRUE(resp.ok()) << resp.status();
  }

  Caller alice_, ny_, berlin_, kolkata_;
  v1::Channel team_;
};

TEST_F(NotificationTest, HeldUntilEachRecipientsWorkingTimeOnThreeContinents) {
  At(2026, 3, 4, 14, 30);  // Wed: New York 09:30, Berlin 15:30, Kolkata 20:00
  v1::Message m = Post(alice_, team_.id(), "@ny @berlin @kolkata standup notes are up");

  ASSERT_EQ(Notifications(ny_).size(), 1u);
  EXPECT_EQ(Notifications(ny_)[0].kind(), v1::NOTIFICATION_KIND_MENTION);
  EXPECT_EQ(Notifications(ny_)[0].message_id(), m.id());
  EXPECT_EQ(Notifications(berlin_).size(), 1u);
  EXPECT_TRUE(Notifications(kolkata_).empty());
  EXPECT_EQ(Held(kolkata_), 1u);

  // The notification reaches New York's event stream, and only theirs.
  int seen = 0;
  for (const auto& e : EventsOf(ny_)) {
    if (e.type() == v1::EVENT_TYPE_NOTIFICATION) {
      ++seen;
      EXPECT_EQ(e.notification().message_id(), m.id());
    }
  }
  EXPECT_EQ(seen, 1);
  for (const auto& e : EventsOf(kolkata_)) EXPECT_NE(e.type(), v1::EVENT_TYPE_NOTIFICATION);

  clock_.Set(Utc(2026, 3, 5, 3, 29));  // 08:59 in Kolkata
  RunDue();
  EXPECT_TRUE(Notifications(kolkata_).empty());
  clock_.Set(Utc(2026, 3, 5, 3, 30));  // 09:00 in Kolkata
  EXPECT_EQ(RunDue(), 1);
  auto k = Notifications(kolkata_);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_FALSE(k[0].held_reason().empty());
  EXPECT_EQ(FromTimestamp(k[0].deliver_time()), Utc(2026, 3, 5, 3, 30));
  EXPECT_EQ(Held(kolkata_), 0u);
  int delivered = 0;
  for (const auto& e : EventsOf(kolkata_)) delivered += e.type() == v1::EVENT_TYPE_NOTIFICATION;
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(RunDue(), 0);
  EXPECT_EQ(Notifications(kolkata_).size(), 1u);
}

TEST_F(NotificationTest, HoldAcrossSpringForwardEndsAtLocalNineOClock) {
  At(2026, 3, 6, 23, 0);  // Fri 18:00 EST; US clocks spring forward on Sun 2026-03-08
  Post(alice_, team_.id(), "@ny weekend deploy done");
  EXPECT_TRUE(Notifications(ny_).empty());
  clock_.Set(Utc(2026, 3, 9, 12, 59));  // Mon 08:59 EDT (13:59 UTC would be 09:59 EDT)
  RunDue();
  EXPECT_TRUE(Notifications(ny_).empty());
  clock_.Set(Utc(2026, 3, 9, 13, 0));  // Mon 09:00 EDT
  RunDue();
  EXPECT_EQ(Notifications(ny_).size(), 1u);
}

TEST_F(NotificationTest, ReDecidesWhenTheHoldEndsInDoNotDisturb) {
  At(2026, 3, 4, 14, 30);
  Post(alice_, team_.id(), "@kolkata a question for tomorrow");
  // Kolkata goes into do-not-disturb until 11:00 their time on Thursday.
  v1::UpdateProfileRequest dnd;
  dnd.add_update_mask("do_not_disturb_until");
  SetTimestamp(dnd.mutable_do_not_disturb_until(), Utc(2026, 3, 5, 5, 30));
  ASSERT_TRUE(core_->users().UpdateProfile(kolkata_, dnd).ok());
  clock_.Set(Utc(2026, 3, 5, 3, 30));
  RunDue();
  EXPECT_TRUE(Notifications(kolkata_).empty());
  EXPECT_EQ(Held(kolkata_), 1u);
  clock_.Set(Utc(2026, 3, 5, 5, 30));
  RunDue();
  EXPECT_EQ(Notifications(kolkata_).size(), 1u);
}

TEST_F(NotificationTest, HeldNotificationOfADeletedMessageIsDropped) {
  At(2026, 3, 4, 14, 30);
  v1::Message m = Post(alice_, team_.id(), "@kolkata oops, wrong person");
  EXPECT_EQ(Held(kolkata_), 1u);
  v1::DeleteMessageRequest del;
  del.set_message_id(m.id());
  ASSERT_TRUE(core_->messages().Delete(alice_, del).ok());
  clock_.Set(Utc(2026, 3, 5, 3, 30));
  EXPECT_EQ(RunDue(), 1);
  EXPECT_TRUE(Notifications(kolkata_).empty());
}

TEST_F(NotificationTest, UrgentAndVipBypassWorkingHours) {
  At(2026, 3, 4, 14, 30);  // Kolkata 20:00, outside hours
  Post(alice_, team_.id(), "@kolkata prod is down", /*urgent=*/true);
  ASSERT_EQ(Notifications(kolkata_).size(), 1u);
  EXPECT_TRUE(Notifications(kolkata_)[0].urgent());

  // VIPs reach them even in do-not-disturb; others wait.
  v1::UpdateProfileRequest req;
  req.add_update_mask("vip_user_ids");
  req.add_update_mask("do_not_disturb_until");
  req.add_vip_user_ids("@berlin");
  SetTimestamp(req.mutable_do_not_disturb_until(), Utc(2026, 3, 6, 0, 0));
  auto user = core_->users().UpdateProfile(kolkata_, req);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->vip_user_ids(0), "u" + std::to_string(berlin_.user_id));
  Post(berlin_, team_.id(), "@kolkata from your VIP");
  Post(ny_, team_.id(), "@kolkata not a VIP");
  EXPECT_EQ(Notifications(kolkata_).size(), 2u);
  EXPECT_EQ(Held(kolkata_), 1u);
}

TEST_F(NotificationTest, HereReachesOnlyThoseInHoursAndChannelWaitsForEachDay) {
  At(2026, 3, 4, 14, 30);
  Post(alice_, team_.id(), "@here who can review?");
  EXPECT_EQ(Notifications(ny_).size(), 1u);
  EXPECT_EQ(Notifications(ny_)[0].kind(), v1::NOTIFICATION_KIND_HERE);
  EXPECT_EQ(Notifications(berlin_).size(), 1u);
  EXPECT_TRUE(Notifications(kolkata_).empty());
  EXPECT_EQ(Held(kolkata_), 0u);  // @here is never held

  Post(alice_, team_.id(), "@channel release on Friday");
  EXPECT_EQ(Notifications(ny_).size(), 2u);
  EXPECT_EQ(Held(kolkata_), 1u);
  clock_.Set(Utc(2026, 3, 5, 3, 30));
  RunDue();
  auto k = Notifications(kolkata_);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].kind(), v1::NOTIFICATION_KIND_CHANNEL);
}

TEST_F(NotificationTest, DirectMessagesNotifyAndSeenMarks) {
  At(2026, 3, 4, 14, 30);
  Post(alice_, "@ny", "quick one");
  Post(alice_, "@ny", "and another");
  auto n = Notifications(ny_);
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].kind(), v1::NOTIFICATION_KIND_DIRECT_MESSAGE);
  EXPECT_EQ(n[0].text(), "and another");       // newest first
  EXPECT_TRUE(Notifications(alice_).empty());  // never to the sender

  v1::MarkNotificationsSeenRequest one;
  one.add_notification_ids(n[1].id());
  ASSERT_EQ(core_->async().notifications().MarkSeen(ny_, one)->marked(), 1);
  v1::ListNotificationsRequest unseen;
  unseen.set_unseen_only(true);
  auto list = core_->async().notifications().List(ny_, unseen);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->notifications_size(), 1);
  EXPECT_EQ(list->unseen_count(), 1);
  v1::MarkNotificationsSeenRequest bad;
  bad.add_notification_ids("msg:nope");
  EXPECT_EQ(core_->async().notifications().MarkSeen(ny_, bad).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(NotificationTest, EditThatAddsAMentionNotifiesOnlyTheNewlyNamed) {
  At(2026, 3, 4, 14, 30);  // Wed: New York 09:30, Berlin 15:30, Kolkata 20:00
  v1::Message m = Post(alice_, team_.id(), "@ny standup notes are up");
  ASSERT_EQ(Notifications(ny_).size(), 1u);
  EXPECT_TRUE(Notifications(berlin_).empty());

  clock_.Advance(absl::Minutes(5));
  Edit(alice_, m.id(), "@ny @berlin @kolkata standup notes are up");
  auto b = Notifications(berlin_);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].kind(), v1::NOTIFICATION_KIND_MENTION);
  EXPECT_EQ(b[0].message_id(), m.id());
  EXPECT_EQ(b[0].text(), "@ny @berlin @kolkata standup notes are up");
  EXPECT_EQ(FromTimestamp(b[0].create_time()), Utc(2026, 3, 4, 14, 35));
  EXPECT_EQ(Notifications(ny_).size(), 1u);  // already named: not notified twice
  // Outside working hours the added mention is held like a posted one.
  EXPECT_TRUE(Notifications(kolkata_).empty());
  EXPECT_EQ(Held(kolkata_), 1u);

  // Neither a text change nor dropping and re-adding a name notifies again.
  Edit(alice_, m.id(), "@ny @berlin @kolkata standup notes are up (v2)");
  Edit(alice_, m.id(), "@ny @kolkata standup notes are up (v3)");
  Edit(alice_, m.id(), "@ny @berlin @kolkata standup notes are up (v4)");
  EXPECT_EQ(Notifications(ny_).size(), 1u);
  EXPECT_EQ(Notifications(berlin_).size(), 1u);
  EXPECT_EQ(Held(kolkata_), 1u);

  clock_.Set(Utc(2026, 3, 5, 3, 30));  // 09:00 in Kolkata
  RunDue();
  ASSERT_EQ(Notifications(kolkata_).size(), 1u);
  EXPECT_EQ(RunDue(), 0);
  EXPECT_EQ(Notifications(kolkata_).size(), 1u);
}

TEST_F(NotificationTest, EditAddedMentionFollowsUrgentAndVipPolicy) {
  At(2026, 3, 4, 14, 30);  // Kolkata 20:00, outside hours
  v1::Message urgent = Post(alice_, team_.id(), "prod is down", /*urgent=*/true);
  Edit(alice_, urgent.id(), "prod is down, @kolkata please look");
  ASSERT_EQ(Notifications(kolkata_).size(), 1u);
  EXPECT_TRUE(Notifications(kolkata_)[0].urgent());

  v1::UpdateProfileRequest vip;
  vip.add_update_mask("vip_user_ids");
  vip.add_vip_user_ids("@berlin");
  ASSERT_TRUE(core_->users().UpdateProfile(kolkata_, vip).ok());
  v1::Message from_vip = Post(berlin_, team_.id(), "a note");
  v1::Message from_other = Post(ny_, team_.id(), "another note");
  Edit(berlin_, from_vip.id(), "a note for @kolkata");
  Edit(ny_, from_other.id(), "another note for @kolkata");
  EXPECT_EQ(Notifications(kolkata_).size(), 2u);
  EXPECT_EQ(Held(kolkata_), 1u);
  // The author naming themselves, or a non-member, notifies nobody.
  Caller outsider = Person("outsider", "UTC");
  Edit(ny_, from_other.id(), "another note for @kolkata @ny @outsider");
  EXPECT_TRUE(Notifications(outsider).empty());
  EXPECT_TRUE(Notifications(ny_).empty());
}

TEST_F(NotificationTest, ListPagesNewestFirst) {
  At(2026, 3, 4, 14, 30);
  for (int i = 0; i < 5; ++i) {
    Post(alice_, "@ny", "m" + std::to_string(i));
    clock_.Advance(absl::Seconds(1));
  }
  v1::ListNotificationsRequest req;
  req.set_page_size(2);
  std::vector<std::string> texts;
  for (int pages = 0; pages < 5; ++pages) {
    auto resp = core_->async().notifications().List(ny_, req);
    ASSERT_TRUE(resp.ok()) << resp.status();
    for (const auto& n : resp->notifications()) texts.push_back(n.text());
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"m4", "m3", "m2", "m1", "m0"}));
}

TEST_F(NotificationTest, ProfileShowsLocalTimeAndWorkingHours) {
  At(2026, 3, 4, 14, 30);
  v1::GetUserRequest req;
  req.set_user_id("@kolkata");
  auto k = core_->users().GetUser(alice_, req);
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(k->in_working_hours());
  EXPECT_NE(k->local_time().find("20:00 Wed"), std::string::npos) << k->local_time();
  req.set_user_id("@ny");
  EXPECT_TRUE(core_->users().GetUser(alice_, req)->in_working_hours());
  v1::UpdateProfileRequest bad;
  bad.add_vip_user_ids("@nobody");
  EXPECT_EQ(core_->users().UpdateProfile(ny_, bad).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace meridian
