// Reply-by: awaiting lists for both sides; the sender is notified only when a named person has
// not replied by the deadline.
#include "server/core/reply_by.h"

#include <gtest/gtest.h>

#include "server/core/async_test_util.h"

namespace meridian {
namespace {

class ReplyByTest : public AsyncTest {
 protected:
  void SetUp() override {
    AsyncTest::SetUp();
    At(2026, 3, 4, 14, 30);
    alice_ = Register("alice");
    bob_ = Register("bob");
    carol_ = Register("carol");
    ch_ = Channel(alice_, "plans", {bob_, carol_});
  }

  v1::Message Ask() {
    v1::PostMessageRequest req;
    req.set_channel_id(ch_.id());
    req.set_text("can you both confirm?");
    req.add_reply_by_user_ids("@bob");
    req.add_reply_by_user_ids("@carol");
    SetTimestamp(req.mutable_reply_by_time(), clock_.Now() + absl::Hours(4));
    auto resp = core_->messages().Post(alice_, req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return resp->message();
  }

  std::vector<v1::Notification> Overdue(const Caller& c) {
    std::vector<v1::Notification> out;
    for (auto& n : Notifications(c)) {
      if (n.kind() == v1::NOTIFICATION_KIND_REPLY_OVERDUE) out.push_back(n);
    }
    return out;
  }

  Caller alice_, bob_, carol_;
  v1::Channel ch_;
};

TEST_F(ReplyByTest, ListsAndNoNotificationWhenEveryoneReplied) {
  v1::Message m = Ask();
  auto mine = core_->async().reply_by().AwaitingMine(bob_);
  ASSERT_EQ(mine->items_size(), 1);
  EXPECT_EQ(mine->items(0).message().id(), m.id());
  auto others = core_->async().reply_by().AwaitingOthers(alice_);
  ASSERT_EQ(others->items_size(), 1);
  EXPECT_EQ(others->items(0).pending_user_ids_size(), 2);

  Post(bob_, ch_.id(), "yes", false, m.id());
  EXPECT_EQ(core_->async().reply_by().AwaitingMine(bob_)->items_size(), 0);
  EXPECT_EQ(core_->async().reply_by().AwaitingOthers(alice_)->items(0).pending_user_ids_size(), 1);
  Post(carol_, ch_.id(), "confirmed", false, m.id());
  EXPECT_EQ(core_->async().reply_by().AwaitingOthers(alice_)->items_size(), 0);

  clock_.Advance(absl::Hours(4));
  EXPECT_EQ(RunDue(), 1);
  EXPECT_TRUE(Overdue(alice_).empty());
}

TEST_F(ReplyByTest, SenderNotifiedWhenNobodyReplied) {
  v1::Message m = Ask();
  Post(alice_, ch_.id(), "(bump)", false, m.id());      // the sender's own reply does not count
  Post(bob_, ch_.id(), "unrelated top-level message");  // nor a message outside the thread
  clock_.Advance(absl::Hours(4) - absl::Seconds(1));
  RunDue();
  EXPECT_TRUE(Overdue(alice_).empty());
  clock_.Advance(absl::Seconds(1));
  RunDue();
  auto late = Overdue(alice_);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].message_id(), m.id());
  EXPECT_EQ(late[0].pending_user_ids_size(), 2);
  EXPECT_EQ(late[0].text(), "no reply yet from @bob, @carol");
  EXPECT_TRUE(Overdue(bob_).empty());
  auto mine = core_->async().reply_by().AwaitingMine(carol_);
  ASSERT_EQ(mine->items_size(), 1);
  EXPECT_TRUE(mine->items(0).overdue());
}

}  // namespace
}  // namespace meridian
