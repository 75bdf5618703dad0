#include "clients/cli/recipient_notes.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "clients/cli/text_formatter.h"
#include "clients/cli/when_parser.h"

namespace meridian::cli {
namespace {

// Bounds the extra GetUser calls a post makes: the notes are advice, not worth a slow post.
constexpr int kMaxLookups = 10;
// Working hours repeat weekly; two weeks cover any gap a daylight-saving change opens.
constexpr int kSearchDays = 15;

// "09:00" on the recipient's current day, "Mon 09:00" within the week, else with the date.
std::string TheirTime(absl::Time t, absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  if (day == today) return absl::FormatTime("%H:%M", t, zone);
  if (day - today < 7) return absl::FormatTime("%a %H:%M", t, zone);
  return absl::FormatTime("%a %Y-%m-%d %H:%M", t, zone);
}

}  // namespace

absl::Time NextWorkingStart(const meridian::v1::WorkingHours& hours, absl::TimeZone zone,
                            absl::Time t) {
  if (hours.intervals().empty()) return t;
  const absl::CivilDay today = absl::ToCivilDay(t, zone);
  absl::Time best = absl::InfiniteFuture();
  for (int k = 0; k < kSearchDays; ++k) {
    const absl::CivilDay day = today + k;
    const int weekday = WeekdayIndex(day);
    for (const auto& interval : hours.intervals()) {
      if (interval.weekday() != weekday) continue;
      const absl::Time start = WallClockInstant(zone, day, interval.start_minute());
      const absl::Time end = WallClockInstant(zone, day, interval.end_minute());
      if (start <= t && t < end) return t;
      if (start >= t) best = std::min(best, start);
    }
  }
  return best;
}

std::string RecipientNote(const meridian::v1::User& recipient, const std::string& sender_id,
                          bool urgent, absl::Time now) {
  const std::string zone_name = recipient.time_zone().empty() ? "UTC" : recipient.time_zone();
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(zone_name, &zone);
  const absl::Time dnd_end = recipient.has_do_not_disturb_until()
                                 ? ToAbslTime(recipient.do_not_disturb_until())
                                 : absl::InfinitePast();
  const bool dnd = dnd_end > now;
  if (recipient.in_working_hours() && !dnd) return "";

  const bool vip = std::find(recipient.vip_user_ids().begin(), recipient.vip_user_ids().end(),
                             sender_id) != recipient.vip_user_ids().end();
  // GetUser's local_time reads "03:12 Tue, outside working hours"; the clock part is enough.
  std::string clock = recipient.local_time().substr(0, recipient.local_time().find(','));
  if (clock.empty()) clock = absl::FormatTime("%H:%M %a", now, zone);
  const std::string state =
      dnd ? absl::StrCat("in do-not-disturb until ", TheirTime(dnd_end, now, zone))
          : "outside working hours";

  std::string outcome;
  absl::Time held_until = absl::InfinitePast();
  if (vip) {
    outcome = "you are on their VIP list, so they are notified now";
  } else if (dnd) {
    held_until = urgent ? dnd_end : NextWorkingStart(recipient.working_hours(), zone, dnd_end);
  } else if (urgent) {
    outcome = "marked urgent, so they are notified now";
  } else {
    held_until = NextWorkingStart(recipient.working_hours(), zone, now);
  }
  if (outcome.empty()) {
    outcome = held_until == absl::InfiniteFuture()
                  ? "notification held"
                  : absl::StrCat("notification held until ", TheirTime(held_until, now, zone));
  }
  return absl::StrCat("note: it is ", clock, " for @", recipient.name(), " (", zone_name, "), ",
                      state, " — ", outcome);
}

void PrintRecipientNotes(CliContext& ctx, const meridian::v1::Message& message,
                         const std::vector<std::string>& direct_members,
                         const std::string& channel_label) {
  if (ctx.options().json) return;
  absl::StatusOr<Connection*> conn = ctx.Authenticated();
  absl::StatusOr<meridian::v1::User> me = ctx.Me();
  if (!conn.ok() || !me.ok()) return;

  std::vector<std::string> recipients;
  std::set<std::string> seen = {me->id()};
  for (const std::string& id : direct_members) {
    if (seen.insert(id).second) recipients.push_back(id);
  }
  bool names_someone = false;
  for (const auto& mention : message.mentions()) {
    if (mention.kind() != meridian::v1::MENTION_KIND_USER) continue;
    names_someone = true;
    if (seen.insert(mention.user_id()).second) recipients.push_back(mention.user_id());
  }
  if (recipients.empty()) return;

  // Only members are notified of a mention; the others deserve a different note.
  std::set<std::string> members(direct_members.begin(), direct_members.end());
  if (direct_members.empty() && names_someone) {
    meridian::v1::ListMembersRequest request;
    request.set_channel_id(message.channel_id());
    auto response = (*conn)->Call(&meridian::v1::ChannelService::Stub::ListMembers,
                                  (*conn)->channels(), request);
    if (!response.ok()) return;
    members.insert(response->user_ids().begin(), response->user_ids().end());
  }

  const absl::Time now = absl::Now();
  int lookups = 0;
  for (const std::string& id : recipients) {
    if (lookups++ == kMaxLookups) break;
    meridian::v1::GetUserRequest request;
    request.set_user_id(id);
    auto response =
        (*conn)->Call(&meridian::v1::UserService::Stub::GetUser, (*conn)->users(), request);
    if (!response.ok()) continue;
    const meridian::v1::User& user = response->user();
    if (members.count(id) == 0) {
      ctx.err() << "note: @" << user.name() << " is not a member of " << channel_label
                << " and was not notified\n";
      continue;
    }
    std::string note = RecipientNote(user, me->id(), message.urgent(), now);
    if (!note.empty()) ctx.err() << note << "\n";
  }
}

}  // namespace meridian::cli
