// Catch-up: mentions, then direct conversations, then threads, then channels by activity;
// resumable after reading some of it.
#include "server/core/catch_up.h"

#include <gtest/gtest.h>

#include "server/core/async_test_util.h"

namespace meridian {
namespace {

class CatchUpTest : public AsyncTest {};

TEST_F(CatchUpTest, OrdersTheQueueAndResumes) {
  At(2026, 3, 4, 14, 30);
  Caller me = Register("me");
  Caller x = Register("x");
  v1::Channel a = Channel(me, "a", {x});
  v1::Channel b = Channel(me, "b", {x});
  v1::Channel c = Channel(me, "c", {x});
  v1::Channel d = Channel(me, "d", {x});
  auto tick = [&] { clock_.Advance(absl::Minutes(1)); };

  v1::Message root = Post(me, a.id(), "my question");
  tick();
  Post(x, c.id(), "older channel news");
  tick();
  v1::Message reply = Post(x, a.id(), "an answer", false, root.id());
  tick();
  v1::Message mention = Post(x, b.id(), "@me have a look");
  Post(x, b.id(), "and more");
  tick();
  v1::Message dm = Post(x, "@me", "psst");
  tick();
  Post(x, d.id(), "newer channel news");

  auto q = core_->async().catch_up().CatchUp(me, {});
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->items_size(), 5);
  EXPECT_EQ(q->items(0).kind(), v1::CATCH_UP_KIND_MENTIONS);
  EXPECT_EQ(q->items(0).channel_id(), b.id());
  EXPECT_EQ(q->items(0).mentions(), 1);
  EXPECT_EQ(q->items(0).unread(), 2);
  EXPECT_EQ(q->items(0).first_unread().id(), mention.id());
  EXPECT_EQ(q->items(1).kind(), v1::CATCH_UP_KIND_DIRECT);
  EXPECT_EQ(q->items(1).first_unread().id(), dm.id());
  EXPECT_EQ(q->items(2).kind(), v1::CATCH_UP_KIND_THREAD);
  EXPECT_EQ(q->items(2).thread_root_id(), root.id());
  EXPECT_EQ(q->items(2).first_unread().id(), reply.id());
  EXPECT_EQ(q->items(3).kind(), v1::CATCH_UP_KIND_CHANNEL);
  EXPECT_EQ(q->items(3).channel_id(), d.id());  // most recent activity first
  EXPECT_EQ(q->items(4).channel_id(), c.id());
  EXPECT_EQ(q->total_items(), 5);
  EXPECT_EQ(q->total_mentions(), 1);

  // Page of two, read them, resume: the rest follows in order.
  v1::CatchUpRequest req;
  req.set_page_size(2);
  auto p1 = core_->async().catch_up().CatchUp(me, req);
  ASSERT_EQ(p1->items_size(), 2);
  for (const auto& item : p1->items()) {
    v1::MarkReadRequest mark;
    mark.set_channel_id(item.channel_id());
    ASSERT_TRUE(core_->messages().MarkRead(me, mark).ok());
  }
  req.set_page_token(p1->next_page_token());
  auto p2 = core_->async().catch_up().CatchUp(me, req);
  ASSERT_TRUE(p2.ok()) << p2.status();
  ASSERT_EQ(p2->items_size(), 2);
  EXPECT_EQ(p2->items(0).kind(), v1::CATCH_UP_KIND_THREAD);
  EXPECT_EQ(p2->items(1).channel_id(), d.id());
  EXPECT_EQ(p2->total_items(), 3);
  req.set_page_token(p2->next_page_token());
  auto p3 = core_->async().catch_up().CatchUp(me, req);
  ASSERT_EQ(p3->items_size(), 1);
  EXPECT_EQ(p3->items(0).channel_id(), c.id());
  EXPECT_TRUE(p3->next_page_token().empty());

  req.set_page_token("garbage");
  EXPECT_EQ(core_->async().catch_up().CatchUp(me, req).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian
