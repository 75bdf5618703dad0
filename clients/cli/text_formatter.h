#ifndef MERIDIAN_CLIENTS_CLI_TEXT_FORMATTER_H_
#define MERIDIAN_CLIENTS_CLI_TEXT_FORMATTER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "meridian/v1/channels.pb.h"
#include "meridian/v1/events.pb.h"
#include "meridian/v1/messages.pb.h"
#include "meridian/v1/users.pb.h"

namespace meridian::cli {

// What the formatter knows about names; ids it does not know are shown as ids.
struct NameBook {
  std::string self_id;                          // the caller, left out of DM names
  std::map<std::string, std::string> users;     // user id -> name (without '@')
  std::map<std::string, std::string> channels;  // channel id -> display name ("#general", "@bob")

  // Records a channel's display name (see ChannelDisplayName).
  void AddChannel(const meridian::v1::Channel& channel);
};

// Renders API objects as the plain-text lines `meridian` prints. Times are shown in `zone`, the
// caller's profile time zone. Pure functions of their inputs; safe for concurrent use.
class TextFormatter {
 public:
  TextFormatter(absl::TimeZone zone, NameBook names);

  NameBook& names() { return names_; }
  const absl::TimeZone& zone() const { return zone_; }

  // "2026-11-23 10:04 CET"; "-" for an unset timestamp.
  std::string Time(const google::protobuf::Timestamp& time) const;
  // "@alice" for a known user, else the id.
  std::string User(const std::string& user_id) const;
  // "#general", "@bob" for a DM, else the id.
  std::string Channel(const std::string& channel_id) const;

  // One message: "2026-11-23 10:04 CET  @alice: text  [m3-42] (edited) ...", with continuation
  // lines of multi-line text indented. `indent` prefixes every line (thread replies).
  std::string MessageBlock(const meridian::v1::Message& message, int indent = 0) const;
  // "#general  c3  public  5 members  topic..." style table of channels.
  std::string ChannelTable(const std::vector<meridian::v1::Channel>& channels) const;
  // Several "key: value" lines describing a channel.
  std::string ChannelDetails(const meridian::v1::Channel& channel) const;
  // Several "key: value" lines describing a user, including their local time at `now`.
  std::string UserDetails(const meridian::v1::User& user, absl::Time now) const;
  std::string UserTable(const std::vector<meridian::v1::User>& users, absl::Time now) const;
  // CHANNEL / UNREAD / MENTIONS table.
  std::string UnreadTable(const std::vector<meridian::v1::UnreadCount>& counts) const;
  // One line for a streamed event, as `meridian tail` prints it.
  std::string EventLine(const meridian::v1::Event& event) const;

 private:
  absl::TimeZone zone_;
  NameBook names_;
};

// "#name" for public/private channels; "@a,@b" (members other than `self_id`) for DMs.
std::string ChannelDisplayName(const meridian::v1::Channel& channel, const NameBook& names);

// Left-aligned columns separated by two spaces; the first row is the header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

absl::Time ToAbslTime(const google::protobuf::Timestamp& time);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_TEXT_FORMATTER_H_
