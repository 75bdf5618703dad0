#include "clients/cli/async_formatter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace meridian::cli {
namespace {

using meridian::v1::Notification;

constexpr size_t kSnippetChars = 60;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// "#general" for a channel id the book knows; "#name" and "@user" references as given.
std::string Destination(const TextFormatter& f, const std::string& ref) {
  if (!ref.empty() && (ref[0] == '#' || ref[0] == '@')) return ref;
  return f.Channel(ref);
}

std::string Users(const TextFormatter& f,
                  const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::vector<std::string> names;
  for (const std::string& id : ids) names.push_back(f.User(id));
  return absl::StrJoin(names, ", ");
}

std::string KindText(const Notification& n) {
  switch (n.kind()) {
    case meridian::v1::NOTIFICATION_KIND_MENTION:
      return "mention";
    case meridian::v1::NOTIFICATION_KIND_DIRECT_MESSAGE:
      return "direct message";
    case meridian::v1::NOTIFICATION_KIND_HERE:
      return "@here";
    case meridian::v1::NOTIFICATION_KIND_CHANNEL:
      return "@channel";
    case meridian::v1::NOTIFICATION_KIND_REMINDER:
      return "reminder";
    case meridian::v1::NOTIFICATION_KIND_REPLY_OVERDUE:
      return "reply overdue";
    default:
      return "notification";
  }
}

std::string CatchUpKindText(meridian::v1::CatchUpKind kind) {
  switch (kind) {
    case meridian::v1::CATCH_UP_KIND_MENTIONS:
      return "mentions in";
    case meridian::v1::CATCH_UP_KIND_DIRECT:
      return "direct messages with";
    case meridian::v1::CATCH_UP_KIND_THREAD:
      return "thread in";
    case meridian::v1::CATCH_UP_KIND_CHANNEL:
      return "channel";
    default:
      return "unread in";
  }
}

char SlotChar(meridian::v1::OverlapSlot slot) {
  switch (slot) {
    case meridian::v1::OVERLAP_SLOT_EVERYONE:
      return '#';
    case meridian::v1::OVERLAP_SLOT_SKIPPED:
      return '~';
    default:
      return '.';
  }
}

std::string Plural(int64_t n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

}  // namespace

std::string Snippet(const std::string& text, size_t max_chars) {
  std::string line = text.substr(0, text.find('\n'));
  bool cut = line.size() < text.size();
  size_t chars = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (IsContinuationByte(line[i])) continue;
    if (chars == max_chars) {
      line.resize(i);
      cut = true;
      break;
    }
    ++chars;
  }
  return cut ? absl::StrCat(line, "…") : line;
}

std::string ScheduledTable(const TextFormatter& f,
                           const std::vector<meridian::v1::ScheduledMessage>& messages) {
  if (messages.empty()) return "no scheduled messages\n";
  std::vector<std::vector<std::string>> rows = {{"ID", "SEND AT", "TO", "TEXT"}};
  for (const auto& m : messages) {
    std::string to = Destination(f, m.channel_id());
    if (!m.thread_root_id().empty()) absl::StrAppend(&to, " (thread ", m.thread_root_id(), ")");
    std::string text = Snippet(m.text(), kSnippetChars);
    if (m.urgent()) text = absl::StrCat("(urgent) ", text);
    rows.push_back({m.id(), f.Time(m.send_time()), to, text});
  }
  return FormatTable(rows);
}

std::string ReminderTable(const TextFormatter& f,
                          const std::vector<meridian::v1::Reminder>& reminders) {
  if (reminders.empty()) return "no reminders\n";
  std::vector<std::vector<std::string>> rows = {{"ID", "WHEN", "FOR", "ABOUT"}};
  for (const auto& r : reminders) {
    std::string about = Snippet(r.text(), kSnippetChars);
    if (!r.message_id().empty()) {
      about = about.empty() ? absl::StrCat("[", r.message_id(), "]")
                            : absl::StrCat(about, "  [", r.message_id(), "]");
    }
    rows.push_back({r.id(), f.Time(r.remind_time()), f.User(r.target_user_id()), about});
  }
  return FormatTable(rows);
}

std::string NotificationLine(const TextFormatter& f, const Notification& n) {
  std::string line = absl::StrCat(n.seen() ? "  " : "* ", f.Time(n.deliver_time()), "  ",
                                  KindText(n), n.urgent() ? " (urgent)" : "");
  if (!n.actor_id().empty()) absl::StrAppend(&line, " from ", f.User(n.actor_id()));
  if (!n.channel_id().empty()) absl::StrAppend(&line, " in ", f.Channel(n.channel_id()));
  // A reminder about a message may carry no text of its own.
  std::string text = Snippet(n.text(), 2 * kSnippetChars);
  if (text.empty() && !n.message_id().empty()) text = absl::StrCat("message ", n.message_id());
  absl::StrAppend(&line, ": ", text);
  if (n.pending_user_ids_size() > 0) {
    absl::StrAppend(&line, " (waiting for ", Users(f, n.pending_user_ids()), ")");
  }
  absl::StrAppend(&line, "  [", n.id(), "]");
  if (!n.held_reason().empty()) {
    absl::StrAppend(&line, "  (held from ", f.Time(n.create_time()), ": ", n.held_reason(), ")");
  }
  return absl::StrCat(line, "\n");
}

std::string CatchUpHeader(const TextFormatter& f, const meridian::v1::CatchUpItem& item,
                          int64_t position, int64_t total) {
  std::string head = absl::StrCat("[", position, "/", total, "] ", CatchUpKindText(item.kind()),
                                  " ", f.Channel(item.channel_id()));
  if (!item.thread_root_id().empty()) absl::StrAppend(&head, " (", item.thread_root_id(), ")");
  absl::StrAppend(
      &head, "  ",
      Plural(item.unread(),
             item.kind() == meridian::v1::CATCH_UP_KIND_THREAD ? "unread reply" : "unread",
             item.kind() == meridian::v1::CATCH_UP_KIND_THREAD ? "unread replies" : "unread"));
  if (item.mentions() > 0)
    absl::StrAppend(&head, ", ", Plural(item.mentions(), "mention", "mentions"));
  return absl::StrCat(head, "\n");
}

std::string AwaitingBlock(const TextFormatter& f, const meridian::v1::AwaitingReply& item) {
  const auto& m = item.message();
  std::string block = absl::StrCat(f.Time(m.create_time()), "  ", f.User(m.author_id()), " in ",
                                   f.Channel(m.channel_id()), ": ",
                                   Snippet(m.text(), 2 * kSnippetChars), "  [", m.id(), "]\n");
  absl::StrAppend(&block, "    reply by ", f.Time(m.reply_by_time()),
                  item.overdue() ? " (overdue)" : "");
  if (item.pending_user_ids_size() > 0) {
    absl::StrAppend(&block, " — waiting for ", Users(f, item.pending_user_ids()));
  }
  return absl::StrCat(block, "\n");
}

std::string OverlapGrid(const TextFormatter& f, const meridian::v1::GetOverlapResponse& overlap) {
  absl::TimeZone zone = absl::UTCTimeZone();
  const std::string zone_name = overlap.time_zone().empty() ? "UTC" : overlap.time_zone();
  absl::LoadTimeZone(zone_name, &zone);
  const int slot = overlap.slot_minutes() > 0 ? overlap.slot_minutes() : 30;
  const int per_hour = std::max(1, 60 / slot);
  // A label every `step` hours, at least three columns apart ("00 03 06" for hourly slots).
  int step = 1;
  while (step * per_hour < 3) ++step;
  while (24 % step != 0) ++step;

  std::string out = absl::StrCat("Working hours shared by ", Users(f, overlap.user_ids()),
                                 "\ntimes in ", zone_name, ", ", slot, "-minute slots\n");
  const std::string margin(11, ' ');  // "Mon 03-09  "
  std::string ruler = margin;
  for (int hour = 0; hour < 24; hour += step) {
    std::string label = absl::StrCat(hour < 10 ? "0" : "", hour);
    label.resize(static_cast<size_t>(step * per_hour), ' ');
    absl::StrAppend(&ruler, label);
  }
  absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(ruler), "\n");
  for (const auto& day : overlap.days()) {
    absl::CivilDay civil;
    std::string label = day.date();
    if (absl::ParseCivilTime(day.date(), &civil)) {
      label = absl::FormatCivilTime(civil).substr(5);  // "03-09"
      static const char* kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
      label = absl::StrCat(kNames[static_cast<int>(absl::GetWeekday(civil))], " ", label);
    }
    label.resize(margin.size(), ' ');
    std::string cells;
    for (int s : day.slots()) cells.push_back(SlotChar(static_cast<meridian::v1::OverlapSlot>(s)));
    absl::StrAppend(&out, label, cells, "\n");
  }
  bool skipped = false;
  for (const auto& day : overlap.days()) {
    for (int s : day.slots()) skipped |= s == meridian::v1::OVERLAP_SLOT_SKIPPED;
  }
  absl::StrAppend(&out, "# everyone in working hours   . someone is not",
                  skipped ? "   ~ skipped by a clock change" : "", "\n");

  if (overlap.overlap().empty()) {
    absl::StrAppend(&out, "no shared working hours this week\n");
    return out;
  }
  absl::Duration total;
  for (const auto& range : overlap.overlap()) {
    const absl::Time start = ToAbslTime(range.start_time());
    const absl::Time end = ToAbslTime(range.end_time());
    total += end - start;
    const bool same_day =
        absl::ToCivilDay(start, zone) == absl::ToCivilDay(end - absl::Nanoseconds(1), zone);
    absl::StrAppend(&out, absl::FormatTime("%a %Y-%m-%d %H:%M", start, zone), "-",
                    absl::FormatTime(same_day ? "%H:%M" : "%a %H:%M", end, zone), "\n");
  }
  absl::StrAppend(&out, "shared: ", absl::FormatDuration(total), " this week\n");
  return out;
}

}  // namespace meridian::cli
