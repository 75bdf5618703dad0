// Scheduled send: fires once, survives a restart and a crash before the job's deletion, and
// "at the start of the recipient's next working day".
#include "server/core/scheduled_messages.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "server/core/async_test_util.h"

namespace meridian {
namespace {

class ScheduledMessagesTest : public AsyncTest {
 protected:
  void SetUp() override {
    AsyncTest::SetUp();
    At(2026, 3, 4, 14, 30);
    alice_ = Register("alice");
    kolkata_ = Person("kolkata", "Asia/Kolkata");
    team_ = Channel(alice_, "team", {kolkata_});
  }

  v1::ScheduledMessage Schedule(const std::string& channel, const std::string& text,
                                absl::Duration delay) {
    v1::ScheduleMessageRequest req;
    req.set_channel_id(channel);
    req.set_text(text);
    req.mutable_when()->mutable_delay()->set_seconds(absl::ToInt64Seconds(delay));
    auto sm = core_->async().scheduled().Schedule(alice_, req);
    EXPECT_TRUE(sm.ok()) << sm.status();
    return sm.ok() ? *sm : v1::ScheduledMessage();
  }

  std::vector<std::string> History(const std::string& channel) {
    v1::GetHistoryRequest req;
    req.set_channel_id(channel);
    auto h = core_->messages().History(alice_, req);
    EXPECT_TRUE(h.ok()) << h.status();
    std::vector<std::string> out;
    for (const auto& m : h->messages()) out.push_back(m.text());
    return out;
  }

  int Pending() { return core_->async().scheduled().List(alice_)->scheduled_messages_size(); }

  Caller alice_, kolkata_;
  v1::Channel team_;
};

TEST_F(ScheduledMessagesTest, SendsOnceWhenDue) {
  v1::ScheduledMessage sm = Schedule(team_.id(), "good morning", absl::Hours(1));
  EXPECT_EQ(FromTimestamp(sm.send_time()), clock_.Now() + absl::Hours(1));
  EXPECT_EQ(Pending(), 1);
  RunDue();
  EXPECT_TRUE(History(team_.id()).empty());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(History(team_.id()), std::vector<std::string>{"good morning"});
  EXPECT_EQ(Pending(), 0);
  clock_.Advance(absl::Hours(1));
  RunDue();
  EXPECT_EQ(History(team_.id()).size(), 1u);
}

TEST_F(ScheduledMessagesTest, SurvivesRestartWithTheJobPending) {
  Schedule(team_.id(), "after restart", absl::Hours(2));
  Reopen();
  EXPECT_EQ(Pending(), 1);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(History(team_.id()), std::vector<std::string>{"after restart"});
  Reopen();
  RunDue();
  EXPECT_EQ(History(team_.id()).size(), 1u);
}

TEST_F(ScheduledMessagesTest, RerunAfterCrashBeforeJobDeletionDoesNotDuplicate) {
  v1::ScheduledMessage sm = Schedule(team_.id(), "exactly once", absl::Hours(1));
  clock_.Advance(absl::Hours(1));
  // The handler's post committed, then the process died before the scheduler deleted the job:
  // replay that post (same author, same key), reopen, and let the job run again.
  v1::PostMessageRequest post;
  post.set_channel_id(team_.id());
  post.set_text("exactly once");
  post.set_idempotency_key(absl::StrCat("scheduled:", sm.id().substr(1)));
  ASSERT_TRUE(core_->messages().Post(alice_, post).ok());
  Reopen();
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(History(team_.id()), std::vector<std::string>{"exactly once"});
  EXPECT_EQ(Pending(), 0);
}

TEST_F(ScheduledMessagesTest, DirectMessageAtRecipientsNextWorkingDay) {
  // Wed 14:30 UTC is 20:00 in Kolkata; their next working day starts Thu 09:00 IST.
  v1::ScheduleMessageRequest req;
  req.set_channel_id("@kolkata");
  req.set_text("no rush");
  req.mutable_when()->set_next_working_day(true);
  auto sm = core_->async().scheduled().Schedule(alice_, req);
  ASSERT_TRUE(sm.ok()) << sm.status();
  EXPECT_EQ(FromTimestamp(sm->send_time()), Utc(2026, 3, 5, 3, 30));
  clock_.Set(Utc(2026, 3, 5, 3, 30));
  EXPECT_EQ(RunDue(), 1);
  // Posted into the direct conversation, and delivered at once: it is their working time.
  auto n = Notifications(kolkata_);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind(), v1::NOTIFICATION_KIND_DIRECT_MESSAGE);
  EXPECT_EQ(n[0].text(), "no rush");

  req.set_channel_id(team_.id());
  EXPECT_EQ(core_->async().scheduled().Schedule(alice_, req).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ScheduledMessagesTest, EditAndCancel) {
  v1::ScheduledMessage a = Schedule(team_.id(), "draft", absl::Hours(1));
  v1::ScheduledMessage b = Schedule(team_.id(), "never", absl::Hours(1));
  v1::UpdateScheduledMessageRequest upd;
  upd.set_id(a.id());
  upd.set_text("final");
  upd.mutable_when()->mutable_delay()->set_seconds(3 * 3600);
  auto edited = core_->async().scheduled().Update(alice_, upd);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(FromTimestamp(edited->send_time()), clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(core_->async().scheduled().Cancel(alice_, b.id()).ok());
  EXPECT_EQ(core_->async().scheduled().Cancel(alice_, b.id()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->async().scheduled().Cancel(kolkata_, edited->id()).code(),
            absl::StatusCode::kNotFound);  // not theirs
  clock_.Advance(absl::Hours(3));
  RunDue();
  EXPECT_EQ(History(team_.id()), std::vector<std::string>{"final"});
}

TEST_F(ScheduledMessagesTest, RejectsBadInput) {
  v1::ScheduleMessageRequest req;
  req.set_channel_id(team_.id());
  req.set_text("x");
  EXPECT_EQ(core_->async().scheduled().Schedule(alice_, req).status().code(),
            absl::StatusCode::kInvalidArgument);  // no when
  SetTimestamp(req.mutable_when()->mutable_at_time(), clock_.Now() - absl::Minutes(1));
  EXPECT_EQ(core_->async().scheduled().Schedule(alice_, req).status().code(),
            absl::StatusCode::kInvalidArgument);  // in the past
  req.mutable_when()->set_local_time("25:00");
  EXPECT_EQ(core_->async().scheduled().Schedule(alice_, req).status().code(),
            absl::StatusCode::kInvalidArgument);
  req.mutable_when()->set_local_time("tomorrow 09:00");
  auto ok = core_->async().scheduled().Schedule(alice_, req);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(FromTimestamp(ok->send_time()), Utc(2026, 3, 5, 9, 0));  // alice is on UTC
}

}  // namespace
}  // namespace meridian
