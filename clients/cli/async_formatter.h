#ifndef MERIDIAN_CLIENTS_CLI_ASYNC_FORMATTER_H_
#define MERIDIAN_CLIENTS_CLI_ASYNC_FORMATTER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/cli/text_formatter.h"
#include "meridian/v1/notifications.pb.h"
#include "meridian/v1/schedule.pb.h"

namespace meridian::cli {

// Plain-text rendering of the "asynchronous first" API objects (scheduled messages, reminders,
// notifications, catch-up items, reply-by lists, overlap grids). Times are shown in the
// formatter's zone, names through its NameBook. Pure functions; safe for concurrent use.

// The first line of `text`, cut to `max_chars` code points with "…" when longer.
std::string Snippet(const std::string& text, size_t max_chars);

// ID / SEND AT / TO / TEXT.
std::string ScheduledTable(const TextFormatter& f,
                           const std::vector<meridian::v1::ScheduledMessage>& messages);
// ID / WHEN / FOR / ABOUT.
std::string ReminderTable(const TextFormatter& f,
                          const std::vector<meridian::v1::Reminder>& reminders);

// "* 2026-11-25 09:00 CET  mention from @alice in #general: text  [msg:m3-4]"; '*' marks unseen,
// and a held notification says since when and why.
std::string NotificationLine(const TextFormatter& f, const meridian::v1::Notification& n);

// "[2/5] thread in #general  3 unread" (plus ", N mentions" when there are).
std::string CatchUpHeader(const TextFormatter& f, const meridian::v1::CatchUpItem& item,
                          int64_t position, int64_t total);

// The message, then "reply by <time> (overdue) — waiting for @a, @b".
std::string AwaitingBlock(const TextFormatter& f, const meridian::v1::AwaitingReply& item);

// The weekly grid of GetOverlap in its time zone: one row per day (Monday first), one column per
// slot ('#' everyone in working hours, '.' someone is not, '~' skipped by a clock change), an
// hour ruler on top, a legend, then the shared ranges as text. The formatter supplies names.
std::string OverlapGrid(const TextFormatter& f, const meridian::v1::GetOverlapResponse& overlap);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_ASYNC_FORMATTER_H_
