// Search through a real meridiand: postings commit with the post, edits and deletes update
// results, access control holds for hits, counts and snippets, CJK and filters work.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/search.grpc.pb.h"
#include "tests/integration/meridiand_process.h"
#include "tests/integration/test_client.h"

namespace meridian {
namespace {

namespace v1 = ::meridian::v1;
using ::meridian::testing::MeridiandProcess;

// A registered user's stubs.
struct Client : ::meridian::testing::TestClient {
  using TestClient::TestClient;

  void Register(const std::string& name) {
    grpc::Status s = TestClient::Register(name);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Channel CreateChannel(const std::string& name, bool priv) {
    v1::CreateChannelRequest req;
    req.set_name(name);
    req.set_kind(priv ? v1::CHANNEL_KIND_PRIVATE : v1::CHANNEL_KIND_PUBLIC);
    v1::CreateChannelResponse resp;
    auto ctx = Ctx();
    grpc::Status s = channels->CreateChannel(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.channel();
  }

  grpc::Status Join(const std::string& channel_id) {
    v1::JoinChannelRequest req;
    req.set_channel_id(channel_id);
    v1::JoinChannelResponse resp;
    auto ctx = Ctx();
    return channels->JoinChannel(ctx.get(), req, &resp);
  }

  grpc::Status Invite(const std::string& channel_id, const std::string& user) {
    v1::InviteMembersRequest req;
    req.set_channel_id(channel_id);
    req.add_user_ids(user);
    v1::InviteMembersResponse resp;
    auto ctx = Ctx();
    return channels->InviteMembers(ctx.get(), req, &resp);
  }

  grpc::Status Leave(const std::string& channel_id) {
    v1::LeaveChannelRequest req;
    req.set_channel_id(channel_id);
    v1::LeaveChannelResponse resp;
    auto ctx = Ctx();
    return channels->LeaveChannel(ctx.get(), req, &resp);
  }

  v1::Message Post(const std::string& channel_id, const std::string& text,
                   const std::string& root = "") {
    v1::PostMessageRequest req;
    req.set_channel_id(channel_id);
    req.set_text(text);
    req.set_thread_root_id(root);
    v1::PostMessageResponse resp;
    auto ctx = Ctx();
    grpc::Status s = messages->PostMessage(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.message();
  }

  grpc::Status Search(const std::string& query, v1::SearchResponse* resp,
                      v1::SearchSort sort = v1::SEARCH_SORT_RELEVANCE, int page_size = 0,
                      const std::string& page_token = "") {
    v1::SearchRequest req;
    req.set_query(query);
    req.set_sort(sort);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    auto ctx = Ctx();
    return search->Search(ctx.get(), req, resp);
  }

  // The ids of the hits of `query`, which must succeed.
  std::vector<std::string> Ids(const std::string& query) {
    v1::SearchResponse resp;
    grpc::Status s = Search(query, &resp);
    EXPECT_TRUE(s.ok()) << query << ": " << s.error_message();
    std::vector<std::string> ids;
    for (const auto& h : resp.hits()) ids.push_back(h.message_id());
    EXPECT_EQ(resp.total_count(), static_cast<int64_t>(ids.size())) << query;
    return ids;
  }
};

// The highlighted substrings of a snippet.
std::vector<std::string> Highlighted(const v1::Snippet& s) {
  std::vector<std::string> out;
  for (const auto& r : s.highlights()) {
    EXPECT_LE(r.start(), r.end());
    EXPECT_LE(r.end(), s.text().size());
    out.push_back(s.text().substr(r.start(), r.end() - r.start()));
  }
  return out;
}

using Ids = std::vector<std::string>;

class SearchE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-search-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    server_ = std::make_unique<MeridiandProcess>(MERIDIAND_PATH, (dir_ / "data").string());
    ASSERT_TRUE(server_->Start()) << server_->log();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<MeridiandProcess> server_;
};

TEST_F(SearchE2eTest, AcknowledgedPostIsSearchableAndEditsAndDeletesUpdateResults) {
  Client alice(server_->address());
  alice.Register("alice");
  v1::Channel general = alice.CreateChannel("general", false);
  v1::Message m = alice.Post(general.id(), "Please review the quarterly budget spreadsheet");

  // No waiting: the postings were in the post's own write batch.
  v1::SearchResponse resp;
  grpc::Status s = alice.Search("budget", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.hits_size(), 1);
  EXPECT_EQ(resp.total_count(), 1);
  const v1::SearchHit& hit = resp.hits(0);
  EXPECT_EQ(hit.message_id(), m.id());
  EXPECT_EQ(hit.channel_id(), general.id());
  EXPECT_EQ(hit.author_id(), m.author_id());
  EXPECT_EQ(hit.create_time().seconds(), m.create_time().seconds());
  EXPECT_GT(hit.score(), 0);
  EXPECT_EQ(hit.snippet().text(), "Please review the quarterly budget spreadsheet");
  EXPECT_EQ(Highlighted(hit.snippet()), std::vector<std::string>{"budget"});
  // Stemming: "reviewed" finds "review".
  EXPECT_EQ(alice.Ids("reviewed"), Ids{m.id()});

  v1::EditMessageRequest edit;
  edit.set_message_id(m.id());
  edit.set_text("Please review the annual forecast spreadsheet");
  v1::EditMessageResponse edited;
  auto ctx = alice.Ctx();
  ASSERT_TRUE(alice.messages->EditMessage(ctx.get(), edit, &edited).ok());
  EXPECT_EQ(alice.Ids("budget"), Ids{});
  EXPECT_EQ(alice.Ids("forecast"), Ids{m.id()});
  EXPECT_EQ(alice.Ids("\"annual forecast\""), Ids{m.id()});

  v1::DeleteMessageRequest del;
  del.set_message_id(m.id());
  v1::DeleteMessageResponse deleted;
  ctx = alice.Ctx();
  ASSERT_TRUE(alice.messages->DeleteMessage(ctx.get(), del, &deleted).ok());
  EXPECT_EQ(alice.Ids("forecast"), Ids{});
  EXPECT_EQ(alice.Ids("spreadsheet"), Ids{});
}

TEST_F(SearchE2eTest, PrivateContentNeverReachesNonMembersAndLeavingRemovesIt) {
  Client alice(server_->address()), bob(server_->address()), carol(server_->address());
  alice.Register("alice");
  bob.Register("bob");
  carol.Register("carol");
  v1::Channel general = alice.CreateChannel("general", false);
  v1::Channel secret = alice.CreateChannel("secret", true);
  ASSERT_TRUE(alice.Invite(secret.id(), "@bob").ok());
  v1::Message open = alice.Post(general.id(), "zebra picnic on friday");
  v1::Message hidden = alice.Post(secret.id(), "zebra launch codes are 1234");
  // A public channel's content is searchable by non-members (carol never joined #general).
  for (Client* c : {&alice, &bob}) {
    EXPECT_EQ(c->Ids("zebra").size(), 2u);
  }
  v1::SearchResponse resp;
  ASSERT_TRUE(carol.Search("zebra", &resp).ok());
  EXPECT_EQ(resp.total_count(), 1);
  ASSERT_EQ(resp.hits_size(), 1);
  EXPECT_EQ(resp.hits(0).message_id(), open.id());
  for (const auto& h : resp.hits()) {
    EXPECT_EQ(h.snippet().text().find("launch"), std::string::npos);
  }
  EXPECT_EQ(carol.Ids("launch"), Ids{});
  EXPECT_EQ(carol.Ids("zebra OR launch"), Ids{open.id()});
  // Naming the channel reveals nothing: the same error as a channel that does not exist.
  grpc::Status probe = carol.Search("in:#secret zebra", &resp);
  grpc::Status unknown = carol.Search("in:#nosuch zebra", &resp);
  EXPECT_EQ(probe.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(unknown.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(probe.error_message().find("byte 3"), std::string::npos) << probe.error_message();

  // A direct conversation is searchable by its members only.
  auto ctx = alice.Ctx();
  v1::OpenDirectRequest open_dm;
  open_dm.add_user_ids("@bob");
  v1::OpenDirectResponse dm;
  ASSERT_TRUE(alice.channels->OpenDirect(ctx.get(), open_dm, &dm).ok());
  v1::Message whisper = alice.Post(dm.channel().id(), "zebra whisper");
  EXPECT_EQ(bob.Ids("whisper"), Ids{whisper.id()});
  EXPECT_EQ(bob.Ids("zebra with:@alice"), Ids{whisper.id()});
  EXPECT_EQ(carol.Ids("whisper"), Ids{});

  // Leaving #secret takes its content out of bob's very next search.
  EXPECT_EQ(bob.Ids("launch"), Ids{hidden.id()});
  ASSERT_TRUE(bob.Leave(secret.id()).ok());
  EXPECT_EQ(bob.Ids("launch"), Ids{});
  ASSERT_TRUE(bob.Search("zebra", &resp).ok());
  EXPECT_EQ(resp.total_count(), 2);  // #general and the DM
  for (const auto& h : resp.hits()) EXPECT_NE(h.channel_id(), secret.id());
}

TEST_F(SearchE2eTest, JapaneseAndChineseQueriesFindTheirMessages) {
  Client alice(server_->address());
  alice.Register("alice");
  v1::Channel general = alice.CreateChannel("general", false);
  v1::Message ja = alice.Post(general.id(), "明日の会議は東京で行います");
  v1::Message zh = alice.Post(general.id(), "我们明天讨论预算问题");
  alice.Post(general.id(), "nothing asian here");
  EXPECT_EQ(alice.Ids("会議"), Ids{ja.id()});
  EXPECT_EQ(alice.Ids("東京"), Ids{ja.id()});
  EXPECT_EQ(alice.Ids("预算"), Ids{zh.id()});
  EXPECT_EQ(alice.Ids("讨论预算"), Ids{zh.id()});
  v1::SearchResponse resp;
  ASSERT_TRUE(alice.Search("会議", &resp).ok());
  ASSERT_EQ(resp.hits_size(), 1);
  std::string marked;
  for (const std::string& h : Highlighted(resp.hits(0).snippet())) marked += h;
  EXPECT_EQ(marked, "会議");
}

TEST_F(SearchE2eTest, FiltersSortingPagingAndMalformedQueries) {
  Client alice(server_->address()), bob(server_->address());
  alice.Register("alice");
  bob.Register("bob");
  v1::Channel general = alice.CreateChannel("general", false);
  v1::Channel ops = alice.CreateChannel("ops", false);
  ASSERT_TRUE(bob.Join(general.id()).ok());
  ASSERT_TRUE(bob.Join(ops.id()).ok());
  v1::Message a1 = alice.Post(general.id(), "deploy the web tier");
  v1::Message b1 = bob.Post(general.id(), "deploy finished");
  v1::Message b2 = bob.Post(ops.id(), "deploy rollback plan");
  v1::Message r = alice.Post(ops.id(), "rollback is tested", b2.id());

  EXPECT_EQ(alice.Ids("deploy from:@bob").size(), 2u);
  EXPECT_EQ(alice.Ids("deploy from:@alice"), Ids{a1.id()});
  EXPECT_EQ(alice.Ids("deploy in:#ops"), Ids{b2.id()});
  EXPECT_EQ(alice.Ids("deploy -in:#ops").size(), 2u);
  EXPECT_EQ(alice.Ids("rollback is:thread").size(), 2u);  // the root with a reply, the reply
  EXPECT_EQ(alice.Ids("from:@alice in:#ops"), Ids{r.id()});

  // Newest first, one per page, to the end.
  std::vector<std::string> pages;
  std::string token;
  do {
    v1::SearchResponse resp;
    grpc::Status s = alice.Search("deploy", &resp, v1::SEARCH_SORT_NEWEST, 1, token);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.total_count(), 3);
    for (const auto& h : resp.hits()) pages.push_back(h.message_id());
    token = resp.next_page_token();
  } while (!token.empty() && pages.size() < 10);
  EXPECT_EQ(pages, (Ids{b2.id(), b1.id(), a1.id()}));

  v1::SearchResponse resp;
  grpc::Status s = alice.Search("deploy \"unclosed", &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("byte 7"), std::string::npos) << s.error_message();
  s = alice.Search("deploy from:@nobody", &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("@nobody"), std::string::npos) << s.error_message();
  EXPECT_EQ(alice.Search("", &resp).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(alice.Search("deploy", &resp, v1::SEARCH_SORT_NEWEST, 1, "garbage").error_code(),
            grpc::INVALID_ARGUMENT);
  Client anonymous(server_->address());
  EXPECT_EQ(anonymous.Search("deploy", &resp).error_code(), grpc::UNAUTHENTICATED);
}

}  // namespace
}  // namespace meridian
