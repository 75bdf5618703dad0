#include "clients/cli/text_formatter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli/working_hours_spec.h"

namespace meridian::cli {
namespace {

using meridian::v1::Channel;
using meridian::v1::Event;
using meridian::v1::Message;

bool IsSet(const google::protobuf::Timestamp& time) {
  return time.seconds() != 0 || time.nanos() != 0;
}

// Terminal columns taken by UTF-8 text, counting one per code point.
size_t DisplayWidth(const std::string& text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string KindName(meridian::v1::ChannelKind kind) {
  switch (kind) {
    case meridian::v1::CHANNEL_KIND_PUBLIC:
      return "public";
    case meridian::v1::CHANNEL_KIND_PRIVATE:
      return "private";
    case meridian::v1::CHANNEL_KIND_DIRECT:
      return "direct";
    default:
      return "unknown";
  }
}

// Indents every line after the first by `width` spaces.
std::string IndentContinuation(const std::string& text, size_t width) {
  return absl::StrJoin(absl::StrSplit(text, '\n'), absl::StrCat("\n", std::string(width, ' ')));
}

}  // namespace

void NameBook::AddChannel(const Channel& channel) {
  channels[channel.id()] = ChannelDisplayName(channel, *this);
}

std::string ChannelDisplayName(const Channel& channel, const NameBook& names) {
  if (channel.kind() != meridian::v1::CHANNEL_KIND_DIRECT) return absl::StrCat("#", channel.name());
  std::vector<std::string> others;
  for (const std::string& id : channel.member_ids()) {
    if (id == names.self_id) continue;
    auto it = names.users.find(id);
    others.push_back(it == names.users.end() ? id : absl::StrCat("@", it->second));
  }
  if (others.empty()) return names.self_id.empty() ? channel.id() : "@me";
  return absl::StrJoin(others, ",");
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  return out;
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

TextFormatter::TextFormatter(absl::TimeZone zone, NameBook names)
    : zone_(zone), names_(std::move(names)) {}

std::string TextFormatter::Time(const google::protobuf::Timestamp& time) const {
  if (!IsSet(time)) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", ToAbslTime(time), zone_);
}

std::string TextFormatter::User(const std::string& user_id) const {
  if (user_id.empty()) return "(system)";
  auto it = names_.users.find(user_id);
  return it == names_.users.end() ? user_id : absl::StrCat("@", it->second);
}

std::string TextFormatter::Channel(const std::string& channel_id) const {
  auto it = names_.channels.find(channel_id);
  return it == names_.channels.end() ? channel_id : it->second;
}

std::string TextFormatter::MessageBlock(const Message& message, int indent) const {
  std::string prefix(indent, ' ');
  std::string head =
      absl::StrCat(prefix, Time(message.create_time()), "  ", User(message.author_id()), ": ");
  std::string body = message.deleted() ? "(deleted)" : message.text();
  std::vector<std::string> notes = {absl::StrCat("[", message.id(), "]")};
  if (message.urgent()) notes.push_back("(urgent)");
  if (IsSet(message.edit_time()) && !message.deleted()) notes.push_back("(edited)");
  if (message.pinned()) notes.push_back("(pinned)");
  if (message.reply_count() > 0) {
    notes.push_back(absl::StrCat("(", message.reply_count(),
                                 message.reply_count() == 1 ? " reply)" : " replies)"));
  }
  for (const auto& reaction : message.reactions()) {
    notes.push_back(absl::StrCat(reaction.emoji(), " ", reaction.user_ids_size()));
  }
  return absl::StrCat(head, IndentContinuation(body, DisplayWidth(head)), "  ",
                      absl::StrJoin(notes, " "), "\n");
}

std::string TextFormatter::ChannelTable(const std::vector<meridian::v1::Channel>& channels) const {
  if (channels.empty()) return "no channels\n";
  std::vector<std::vector<std::string>> rows = {{"CHANNEL", "ID", "KIND", "MEMBERS", "TOPIC"}};
  for (const auto& channel : channels) {
    std::string name = ChannelDisplayName(channel, names_);
    if (channel.archived()) absl::StrAppend(&name, " (archived)");
    rows.push_back({name, channel.id(), KindName(channel.kind()),
                    absl::StrCat(channel.member_count()), channel.topic()});
  }
  return FormatTable(rows);
}

std::string TextFormatter::ChannelDetails(const meridian::v1::Channel& channel) const {
  std::vector<std::vector<std::string>> rows = {
      {"channel:", ChannelDisplayName(channel, names_)},
      {"id:", channel.id()},
      {"kind:", KindName(channel.kind())},
      {"topic:", channel.topic()},
      {"purpose:", channel.purpose()},
      {"creator:", User(channel.creator_id())},
      {"created:", Time(channel.create_time())},
      {"members:", absl::StrCat(channel.member_count())},
      {"messages:", absl::StrCat(channel.last_seq())},
      {"last message:", Time(channel.last_message_time())},
      {"archived:", channel.archived() ? "yes" : "no"},
  };
  return FormatTable(rows);
}

std::string TextFormatter::UserDetails(const meridian::v1::User& user, absl::Time now) const {
  absl::TimeZone their_zone = absl::UTCTimeZone();
  std::string zone_name = user.time_zone().empty() ? "UTC" : user.time_zone();
  absl::LoadTimeZone(zone_name, &their_zone);
  std::vector<std::vector<std::string>> rows = {
      {"user:", absl::StrCat("@", user.name())},
      {"id:", user.id()},
      {"display name:", user.display_name()},
      {"time zone:", zone_name},
      {"local time:", absl::FormatTime("%a %Y-%m-%d %H:%M %Z", now, their_zone)},
      {"working hours:", FormatWorkingHours(user.working_hours())},
      {"status:", user.status_text()},
      {"joined:", Time(user.create_time())},
  };
  if (user.is_admin()) rows.push_back({"role:", "admin"});
  if (user.is_bot()) rows.push_back({"bot:", "yes"});
  if (user.deactivated()) rows.push_back({"deactivated:", "yes"});
  return FormatTable(rows);
}

std::string TextFormatter::UserTable(const std::vector<meridian::v1::User>& users,
                                     absl::Time now) const {
  if (users.empty()) return "no users\n";
  std::vector<std::vector<std::string>> rows = {
      {"USER", "ID", "DISPLAY NAME", "TIME ZONE", "LOCAL TIME", "STATUS"}};
  for (const auto& user : users) {
    absl::TimeZone their_zone = absl::UTCTimeZone();
    std::string zone_name = user.time_zone().empty() ? "UTC" : user.time_zone();
    absl::LoadTimeZone(zone_name, &their_zone);
    rows.push_back({absl::StrCat("@", user.name()), user.id(), user.display_name(), zone_name,
                    absl::FormatTime("%a %H:%M", now, their_zone), user.status_text()});
  }
  return FormatTable(rows);
}

std::string TextFormatter::UnreadTable(const std::vector<meridian::v1::UnreadCount>& counts) const {
  if (counts.empty()) return "no unread messages\n";
  std::vector<std::vector<std::string>> rows = {{"CHANNEL", "UNREAD", "MENTIONS"}};
  for (const auto& count : counts) {
    rows.push_back({Channel(count.channel_id()), absl::StrCat(count.unread()),
                    absl::StrCat(count.mentions())});
  }
  return FormatTable(rows);
}

std::string TextFormatter::EventLine(const Event& event) const {
  const Message& m = event.message();
  const std::string when = Time(event.time());
  const std::string where = Channel(event.channel_id());
  const std::string who = User(event.actor_id().empty() ? event.user().id() : event.actor_id());
  std::string what;
  switch (event.type()) {
    case meridian::v1::EVENT_TYPE_MESSAGE_POSTED: {
      std::string thread =
          m.thread_root_id().empty() ? "" : absl::StrCat(" (in thread ", m.thread_root_id(), ")");
      std::string urgent = m.urgent() ? " (urgent)" : "";
      std::string head = absl::StrCat(when, "  ", where, "  ", User(m.author_id()), thread, ": ");
      return absl::StrCat(head, IndentContinuation(m.text(), DisplayWidth(head)), "  [", m.id(),
                          "]", urgent);
    }
    case meridian::v1::EVENT_TYPE_MESSAGE_EDITED:
      what = absl::StrCat("edited [", m.id(), "]: ", m.text());
      break;
    case meridian::v1::EVENT_TYPE_MESSAGE_DELETED:
      what = absl::StrCat("deleted [", m.id(), "]");
      break;
    case meridian::v1::EVENT_TYPE_REACTION_ADDED:
      what = absl::StrCat("reacted ", event.emoji(), " to [", m.id(), "]");
      break;
    case meridian::v1::EVENT_TYPE_REACTION_REMOVED:
      what = absl::StrCat("removed reaction ", event.emoji(), " from [", m.id(), "]");
      break;
    case meridian::v1::EVENT_TYPE_MESSAGE_PINNED:
      what = absl::StrCat("pinned [", m.id(), "]");
      break;
    case meridian::v1::EVENT_TYPE_MESSAGE_UNPINNED:
      what = absl::StrCat("unpinned [", m.id(), "]");
      break;
    case meridian::v1::EVENT_TYPE_CHANNEL_CREATED:
      what = "created the channel";
      break;
    case meridian::v1::EVENT_TYPE_CHANNEL_UPDATED:
      what = event.channel().archived() ? "archived the channel"
                                        : absl::StrCat("set the topic: ", event.channel().topic());
      break;
    case meridian::v1::EVENT_TYPE_MEMBER_JOINED:
      what = event.user().id() == event.actor_id() || event.user().id().empty()
                 ? "joined"
                 : absl::StrCat("added ", User(event.user().id()));
      break;
    case meridian::v1::EVENT_TYPE_MEMBER_LEFT:
      what = event.user().id() == event.actor_id() || event.user().id().empty()
                 ? "left"
                 : absl::StrCat("removed ", User(event.user().id()));
      break;
    case meridian::v1::EVENT_TYPE_READ_MARKER_MOVED:
      what = absl::StrCat("read up to ", event.read_seq());
      break;
    case meridian::v1::EVENT_TYPE_USER_UPDATED:
      what = "updated their profile";
      break;
    case meridian::v1::EVENT_TYPE_USER_CREATED:
      what = "joined the server";
      break;
    case meridian::v1::EVENT_TYPE_NOTIFICATION: {
      const auto& n = event.notification();
      std::string ref = n.message_id().empty() ? "" : absl::StrCat("  [", n.message_id(), "]");
      return absl::StrCat(
          when, "  notification", n.urgent() ? " (urgent)" : "", " from ", User(n.actor_id()),
          n.channel_id().empty() ? "" : absl::StrCat(" in ", Channel(n.channel_id())), ": ",
          n.text(), ref);
    }
    case meridian::v1::EVENT_TYPE_EPHEMERAL:
      return absl::StrCat(when, "  ", where, "  (only you) ", User(m.author_id()), ": ", m.text());
    default:
      what = absl::StrCat("event type ", static_cast<int>(event.type()));
      break;
  }
  if (event.channel_id().empty()) return absl::StrCat(when, "  ", who, " ", what);
  return absl::StrCat(when, "  ", where, "  ", who, " ", what);
}

}  // namespace meridian::cli
