#include "clients/cli/text_formatter.h"

#include "clients/cli/json_output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

using meridian::v1::Message;

google::protobuf::Timestamp At(int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}

constexpr int64_t k0904Utc = 1795424640;  // 2026-11-23 09:04:00 UTC, a Monday

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

TextFormatter MakeFormatter(const char* zone = "Europe/Berlin") {
  NameBook names;
  names.self_id = "u1";
  names.users = {{"u1", "alice"}, {"u2", "bob"}, {"u3", "carol"}};
  names.channels = {{"c3", "#general"}};
  return TextFormatter(Zone(zone), names);
}

Message SampleMessage() {
  Message m;
  m.set_id("m3-42");
  m.set_channel_id("c3");
  m.set_seq(42);
  m.set_author_id("u2");
  m.set_text("hello");
  *m.mutable_create_time() = At(k0904Utc);
  return m;
}

TEST(TextFormatterTest, TimesInCallersZone) {
  EXPECT_EQ(MakeFormatter("Europe/Berlin").Time(At(k0904Utc)), "2026-11-23 10:04 CET");
  EXPECT_EQ(MakeFormatter("America/New_York").Time(At(k0904Utc)), "2026-11-23 04:04 EST");
  EXPECT_EQ(MakeFormatter("Asia/Tokyo").Time(At(k0904Utc)), "2026-11-23 18:04 JST");
  EXPECT_EQ(MakeFormatter().Time(google::protobuf::Timestamp()), "-");
}

TEST(TextFormatterTest, PlainMessage) {
  EXPECT_EQ(MakeFormatter().MessageBlock(SampleMessage()),
            "2026-11-23 10:04 CET  @bob: hello  [m3-42]\n");
}

TEST(TextFormatterTest, MessageAnnotations) {
  Message m = SampleMessage();
  *m.mutable_edit_time() = At(k0904Utc + 60);
  m.set_reply_count(3);
  m.set_pinned(true);
  m.set_urgent(true);
  auto* reaction = m.add_reactions();
  reaction->set_emoji(":+1:");
  reaction->add_user_ids("u1");
  reaction->add_user_ids("u3");
  EXPECT_EQ(MakeFormatter().MessageBlock(m),
            "2026-11-23 10:04 CET  @bob: hello  [m3-42] (urgent) (edited) (pinned) (3 replies) "
            ":+1: 2\n");
}

TEST(TextFormatterTest, DeletedAndMultilineAndIndented) {
  Message m = SampleMessage();
  m.set_deleted(true);
  m.set_text("");
  EXPECT_EQ(MakeFormatter().MessageBlock(m), "2026-11-23 10:04 CET  @bob: (deleted)  [m3-42]\n");
  Message multi = SampleMessage();
  multi.set_text("line one\nline two");
  EXPECT_EQ(MakeFormatter().MessageBlock(multi, 4),
            "    2026-11-23 10:04 CET  @bob: line one\n"
            "                                line two  [m3-42]\n");
}

TEST(TextFormatterTest, UnknownIdsShownAsIds) {
  Message m = SampleMessage();
  m.set_author_id("u99");
  EXPECT_THAT(MakeFormatter().MessageBlock(m), testing::HasSubstr("u99: hello"));
  EXPECT_EQ(MakeFormatter().Channel("c77"), "c77");
}

TEST(TextFormatterTest, DirectChannelNamedByOtherMembers) {
  meridian::v1::Channel dm;
  dm.set_id("c9");
  dm.set_kind(meridian::v1::CHANNEL_KIND_DIRECT);
  dm.add_member_ids("u1");
  dm.add_member_ids("u2");
  dm.add_member_ids("u3");
  TextFormatter formatter = MakeFormatter();
  EXPECT_EQ(ChannelDisplayName(dm, formatter.names()), "@bob,@carol");
  formatter.names().AddChannel(dm);
  EXPECT_EQ(formatter.Channel("c9"), "@bob,@carol");
  meridian::v1::Channel pub;
  pub.set_kind(meridian::v1::CHANNEL_KIND_PUBLIC);
  pub.set_name("random");
  EXPECT_EQ(ChannelDisplayName(pub, formatter.names()), "#random");
}

TEST(TextFormatterTest, UnreadTableIsAligned) {
  std::vector<meridian::v1::UnreadCount> counts(2);
  counts[0].set_channel_id("c3");
  counts[0].set_unread(12);
  counts[0].set_mentions(1);
  counts[1].set_channel_id("c77");
  counts[1].set_unread(3);
  EXPECT_EQ(MakeFormatter().UnreadTable(counts),
            "CHANNEL   UNREAD  MENTIONS\n"
            "#general  12      1\n"
            "c77       3       0\n");
  EXPECT_EQ(MakeFormatter().UnreadTable({}), "no unread messages\n");
}

TEST(TextFormatterTest, TableCountsCodePointsNotBytes) {
  EXPECT_EQ(FormatTable({{"A", "B"}, {"ü", "x"}}), "A  B\nü  x\n");
  // An empty last column leaves no trailing spaces.
  EXPECT_EQ(FormatTable({{"topic:", ""}, {"id:", "c1"}}), "topic:\nid:     c1\n");
}

TEST(TextFormatterTest, NotificationAndEphemeralEventLines) {
  TextFormatter formatter = MakeFormatter();
  meridian::v1::Event n;
  n.set_type(meridian::v1::EVENT_TYPE_NOTIFICATION);
  *n.mutable_time() = At(k0904Utc);
  n.mutable_notification()->set_actor_id("u2");
  n.mutable_notification()->set_channel_id("c3");
  n.mutable_notification()->set_message_id("m3-42");
  n.mutable_notification()->set_text("hello @alice");
  n.mutable_notification()->set_urgent(true);
  EXPECT_EQ(formatter.EventLine(n),
            "2026-11-23 10:04 CET  notification (urgent) from @bob in #general: hello @alice  "
            "[m3-42]");

  meridian::v1::Event e;
  e.set_type(meridian::v1::EVENT_TYPE_EPHEMERAL);
  *e.mutable_time() = At(k0904Utc);
  e.set_channel_id("c3");
  *e.mutable_message() = SampleMessage();
  EXPECT_EQ(formatter.EventLine(e), "2026-11-23 10:04 CET  #general  (only you) @bob: hello");
}

TEST(TextFormatterTest, EventLines) {
  TextFormatter formatter = MakeFormatter();
  meridian::v1::Event posted;
  posted.set_type(meridian::v1::EVENT_TYPE_MESSAGE_POSTED);
  *posted.mutable_time() = At(k0904Utc);
  posted.set_actor_id("u2");
  posted.set_channel_id("c3");
  *posted.mutable_message() = SampleMessage();
  EXPECT_EQ(formatter.EventLine(posted), "2026-11-23 10:04 CET  #general  @bob: hello  [m3-42]");

  meridian::v1::Event reaction = posted;
  reaction.set_type(meridian::v1::EVENT_TYPE_REACTION_ADDED);
  reaction.set_actor_id("u3");
  reaction.set_emoji(":tada:");
  EXPECT_EQ(formatter.EventLine(reaction),
            "2026-11-23 10:04 CET  #general  @carol reacted :tada: to [m3-42]");

  meridian::v1::Event joined;
  joined.set_type(meridian::v1::EVENT_TYPE_MEMBER_JOINED);
  *joined.mutable_time() = At(k0904Utc);
  joined.set_actor_id("u1");
  joined.set_channel_id("c3");
  joined.mutable_user()->set_id("u3");
  EXPECT_EQ(formatter.EventLine(joined), "2026-11-23 10:04 CET  #general  @alice added @carol");
}

TEST(TextFormatterTest, UserDetailsShowTheirLocalTimeAndHours) {
  meridian::v1::User user;
  user.set_id("u2");
  user.set_name("bob");
  user.set_time_zone("Asia/Tokyo");
  auto* interval = user.mutable_working_hours()->add_intervals();
  interval->set_weekday(1);
  interval->set_start_minute(540);
  interval->set_end_minute(1020);
  std::string text = MakeFormatter().UserDetails(user, absl::FromUnixSeconds(k0904Utc));
  EXPECT_THAT(text, testing::HasSubstr("Mon 2026-11-23 18:04 JST"));
  EXPECT_THAT(text, testing::HasSubstr("mon 09:00-17:00"));
  EXPECT_THAT(text, testing::HasSubstr("@bob"));
}

TEST(JsonOutputTest, SnakeCaseAndDefaultsIncluded) {
  meridian::v1::GetHistoryResponse response;
  *response.add_messages() = SampleMessage();
  absl::StatusOr<std::string> json = ToJson(response, /*pretty=*/false);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, testing::HasSubstr("\"author_id\":\"u2\""));
  EXPECT_THAT(*json, testing::HasSubstr("\"reply_count\":\"0\""));
  EXPECT_THAT(*json, testing::HasSubstr("\"create_time\":\"2026-11-23T09:04:00Z\""));
  EXPECT_THAT(*json, testing::HasSubstr("\"next_cursor\":\"\""));
  EXPECT_EQ(json->find('\n'), std::string::npos);
}

}  // namespace
}  // namespace meridian::cli
