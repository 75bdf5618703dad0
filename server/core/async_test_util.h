// A fixture for tests of the issue-6 services: a real Core on a temp directory, a FakeClock,
// the scheduler driven only by RunDueNow, and people with working hours in several zones.
#ifndef MERIDIAN_SERVER_CORE_ASYNC_TEST_UTIL_H_
#define MERIDIAN_SERVER_CORE_ASYNC_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "server/core/core.h"
#include "server/core/proto_time.h"
#include "server/core/test_util.h"

namespace meridian {

class AsyncTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    core_.reset();
    CoreOptions opts;
    opts.data_dir = dir_.path();
    opts.durability = storage::Durability::kBuffered;
    opts.limits.argon2_memory_kib = 64;
    opts.limits.argon2_passes = 1;
    opts.live_buffer = 1024;
    opts.start_scheduler = false;
    core_ = std::move(Core::Open(opts, clock_)).value();
  }

  // Sets the fake clock to a UTC civil time.
  void At(int y, int mo, int d, int h, int mi = 0) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
  }
  static absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
    return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
  }

  Caller Register(const std::string& name) {
    v1::RegisterRequest req;
    req.set_name(name);
    req.set_password("correct horse");
    auto resp = core_->auth().Register(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return core_->auth().Authenticate(resp->token()).value();
  }

  // Registers `name` working Monday to Friday, 09:00-17:00 in `zone`.
  Caller Person(const std::string& name, const std::string& zone) {
    Caller c = Register(name);
    v1::UpdateProfileRequest req;
    req.set_time_zone(zone);
    for (int d = 1; d <= 5; ++d) {
      auto* iv = req.mutable_working_hours()->add_intervals();
      iv->set_weekday(d);
      iv->set_start_minute(9 * 60);
      iv->set_end_minute(17 * 60);
    }
    EXPECT_TRUE(core_->users().UpdateProfile(c, req).ok());
    return c;
  }

  v1::Channel Channel(const Caller& owner, const std::string& name,
                      const std::vector<Caller>& members) {
    v1::CreateChannelRequest req;
    req.set_name(name);
    req.set_kind(v1::CHANNEL_KIND_PUBLIC);
    v1::Channel ch = core_->channels().Create(owner, req).value();
    for (const Caller& m : members) {
      v1::JoinChannelRequest join;
      join.set_channel_id(ch.id());
      EXPECT_TRUE(core_->channels().Join(m, join).ok());
    }
    return ch;
  }

  v1::Message Post(const Caller& c, const std::string& channel, const std::string& text,
                   bool urgent = false, const std::string& root = "") {
    v1::PostMessageRequest req;
    req.set_channel_id(channel);
    req.set_text(text);
    req.set_urgent(urgent);
    req.set_thread_root_id(root);
    auto resp = core_->messages().Post(c, req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return resp.ok() ? resp->message() : v1::Message();
  }

  std::vector<v1::Notification> Notifications(const Caller& c) {
    auto resp = core_->async().notifications().List(c, {});
    EXPECT_TRUE(resp.ok()) << resp.status();
    return {resp->notifications().begin(), resp->notifications().end()};
  }

  size_t Held(const Caller& c) {
    auto jobs = core_->scheduler().List(
        {.owner = "u" + std::to_string(c.user_id), .kind = NotificationService::kReleaseKind});
    return jobs.ok() ? jobs->size() : 0;
  }

  int RunDue() {
    core_->committer().Drain();
    auto ran = core_->scheduler().RunDueNow();
    EXPECT_TRUE(ran.ok()) << ran.status();
    return ran.ok() ? *ran : -1;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Core> core_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_ASYNC_TEST_UTIL_H_
