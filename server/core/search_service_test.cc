// Search wired into the core: the observer keeps the index in step with every message change,
// and SearchService decides scope, time zone and names per call.
#include "server/core/search_service.h"

#include <gtest/gtest.h>

#include "server/core/core.h"
#include "server/core/test_util.h"

namespace meridian {
namespace {

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 23:30 UTC on 10 March 2026 is already 11 March in Tokyo.
    clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 3, 10, 23, 30, 0), absl::UTCTimeZone()));
    Reopen();
  }

  void Reopen() {
    core_.reset();
    CoreOptions opts;
    opts.data_dir = dir_.path();
    opts.limits.argon2_memory_kib = 64;  // fast hashing in tests
    opts.limits.argon2_passes = 1;
    opts.start_scheduler = false;
    core_ = std::move(Core::Open(opts, clock_)).value();
  }

  Caller Register(const std::string& name, const std::string& zone = "") {
    v1::RegisterRequest req;
    req.set_name(name);
    req.set_password("correct horse");
    req.set_time_zone(zone);
    auto resp = core_->auth().Register(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return core_->auth().Authenticate(resp->token()).value();
  }

  std::string Post(const Caller& c, const std::string& channel, const std::string& text,
                   const std::string& root = "") {
    v1::PostMessageRequest req;
    req.set_channel_id(channel);
    req.set_text(text);
    req.set_thread_root_id(root);
    return core_->messages().Post(c, req).value().message().id();
  }

  std::vector<std::string> Ids(const Caller& c, const std::string& query) {
    v1::SearchRequest req;
    req.set_query(query);
    req.set_sort(v1::SEARCH_SORT_NEWEST);
    auto resp = core_->search().Search(c, req);
    EXPECT_TRUE(resp.ok()) << query << ": " << resp.status();
    std::vector<std::string> ids;
    if (!resp.ok()) return ids;
    for (const auto& h : resp->hits()) ids.push_back(h.message_id());
    EXPECT_EQ(resp->total_count(), static_cast<int64_t>(ids.size()));
    return ids;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Core> core_;
};

using IdList = std::vector<std::string>;

TEST_F(SearchServiceTest, ReactionsPinsAndThreadsUpdateTheFilters) {
  Caller alice = Register("alice");
  v1::CreateChannelRequest create;
  create.set_name("general");
  ASSERT_TRUE(core_->channels().Create(alice, create).ok());
  std::string root = Post(alice, "#general", "lunch plans");
  std::string other = Post(alice, "#general", "lunch menu");
  EXPECT_EQ(Ids(alice, "lunch is:thread"), IdList{});
  std::string reply = Post(alice, "#general", "pizza", root);
  EXPECT_EQ(Ids(alice, "is:thread"), (IdList{reply, root}));
  EXPECT_EQ(Ids(alice, "lunch -is:thread"), IdList{other});

  ASSERT_TRUE(core_->messages().React(alice, other, "👍", true).ok());
  EXPECT_EQ(Ids(alice, "has:reaction"), IdList{other});
  ASSERT_TRUE(core_->messages().React(alice, other, "👍", false).ok());
  EXPECT_EQ(Ids(alice, "has:reaction"), IdList{});
  ASSERT_TRUE(core_->messages().Pin(alice, root, true).ok());
  EXPECT_EQ(Ids(alice, "lunch is:pinned"), IdList{root});

  // The index is in the database: it survives a restart.
  Reopen();
  EXPECT_EQ(Ids(alice, "lunch is:pinned"), IdList{root});
  EXPECT_EQ(Ids(alice, "pizza from:@alice in:#general"), IdList{reply});
}

TEST_F(SearchServiceTest, DatesAreInTheSearchersTimeZone) {
  Caller tokyo = Register("kenji", "Asia/Tokyo");
  Caller london = Register("amy", "Europe/London");
  v1::CreateChannelRequest create;
  create.set_name("general");
  ASSERT_TRUE(core_->channels().Create(tokyo, create).ok());
  std::string m = Post(tokyo, "#general", "standup notes");
  EXPECT_EQ(Ids(tokyo, "standup on:2026-03-11"), IdList{m});
  EXPECT_EQ(Ids(tokyo, "standup on:2026-03-10"), IdList{});
  EXPECT_EQ(Ids(london, "standup on:2026-03-10"), IdList{m});
  // An explicit zone in the request wins over the profile.
  v1::SearchRequest req;
  req.set_query("standup on:2026-03-11");
  req.set_time_zone("Pacific/Auckland");
  EXPECT_EQ(core_->search().Search(london, req).value().total_count(), 1);
  req.set_time_zone("Mars/Olympus");
  EXPECT_EQ(core_->search().Search(london, req).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian
