// ScheduleService and NotificationService over real gRPC on a loopback port: authentication,
// status mapping and the wiring of Core's scheduler into the API.
#include "server/rpc/async_handlers.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "server/core/proto_time.h"
#include "server/core/test_util.h"
#include "server/rpc/server.h"

namespace meridian::rpc {
namespace {

class AsyncRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CoreOptions opts;
    opts.data_dir = dir_.path();
    opts.durability = storage::Durability::kBuffered;
    opts.limits.argon2_memory_kib = 64;
    opts.limits.argon2_passes = 1;
    opts.start_scheduler = false;
    core_ = std::move(Core::Open(opts, clock_)).value();
    ServerOptions server_opts;
    server_opts.listen = "127.0.0.1:0";
    server_ = std::move(StartServer(*core_, server_opts)).value();
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                       grpc::InsecureChannelCredentials());
    auth_ = v1::AuthService::NewStub(channel);
    messages_ = v1::MessageService::NewStub(channel);
    schedule_ = v1::ScheduleService::NewStub(channel);
    notifications_ = v1::NotificationService::NewStub(channel);
  }
  void TearDown() override {
    server_.reset();
    core_.reset();
  }

  std::string Register(const std::string& name) {
    grpc::ClientContext ctx;
    v1::RegisterRequest req;
    req.set_name(name);
    req.set_password("correct horse");
    v1::RegisterResponse resp;
    EXPECT_TRUE(auth_->Register(&ctx, req, &resp).ok());
    return resp.token();
  }
  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::MessageService::Stub> messages_;
  std::unique_ptr<v1::ScheduleService::Stub> schedule_;
  std::unique_ptr<v1::NotificationService::Stub> notifications_;
};

TEST_F(AsyncRpcTest, ScheduleRemindAndReadTheFeed) {
  std::string alice = Register("alice");
  std::string bob = Register("bob");

  v1::ScheduleMessageRequest sched;
  sched.set_channel_id("@bob");
  sched.set_text("later, bob");
  sched.mutable_when()->mutable_delay()->set_seconds(3600);
  v1::ScheduleMessageResponse scheduled;
  ASSERT_TRUE(schedule_->ScheduleMessage(As(alice).get(), sched, &scheduled).ok());
  v1::ListScheduledMessagesResponse list;
  ASSERT_TRUE(schedule_->ListScheduledMessages(As(alice).get(), {}, &list).ok());
  ASSERT_EQ(list.scheduled_messages_size(), 1);
  EXPECT_EQ(list.scheduled_messages(0).id(), scheduled.scheduled_message().id());

  v1::CreateReminderRequest remind;
  remind.set_text("stretch");
  remind.mutable_when()->mutable_delay()->set_seconds(1800);
  v1::CreateReminderResponse reminder;
  ASSERT_TRUE(schedule_->CreateReminder(As(bob).get(), remind, &reminder).ok());

  clock_.Advance(absl::Hours(1));
  ASSERT_EQ(core_->scheduler().RunDueNow().value(), 2);

  v1::ListNotificationsResponse feed;
  ASSERT_TRUE(notifications_->ListNotifications(As(bob).get(), {}, &feed).ok());
  ASSERT_EQ(feed.notifications_size(), 2);
  EXPECT_EQ(feed.unseen_count(), 2);
  v1::MarkNotificationsSeenRequest seen;
  seen.set_all(true);
  v1::MarkNotificationsSeenResponse marked;
  ASSERT_TRUE(notifications_->MarkNotificationsSeen(As(bob).get(), seen, &marked).ok());
  EXPECT_EQ(marked.marked(), 2);

  v1::CatchUpResponse catch_up;
  ASSERT_TRUE(notifications_->CatchUp(As(bob).get(), {}, &catch_up).ok());
  ASSERT_EQ(catch_up.items_size(), 1);
  EXPECT_EQ(catch_up.items(0).kind(), v1::CATCH_UP_KIND_DIRECT);
  EXPECT_EQ(catch_up.items(0).first_unread().text(), "later, bob");

  v1::GetOverlapRequest overlap;
  overlap.add_user_ids("@bob");
  v1::GetOverlapResponse grid;
  ASSERT_TRUE(notifications_->GetOverlap(As(alice).get(), overlap, &grid).ok());
  EXPECT_EQ(grid.everyone_slot_count(), 7 * 48);  // both always working

  // Errors keep their codes; no token is UNAUTHENTICATED.
  v1::CancelReminderRequest cancel;
  cancel.set_id(reminder.reminder().id());
  v1::CancelReminderResponse none;
  EXPECT_EQ(schedule_->CancelReminder(As(bob).get(), cancel, &none).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext anonymous;
  EXPECT_EQ(notifications_->CatchUp(&anonymous, {}, &catch_up).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace meridian::rpc
