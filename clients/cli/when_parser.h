#ifndef MERIDIAN_CLIENTS_CLI_WHEN_PARSER_H_
#define MERIDIAN_CLIENTS_CLI_WHEN_PARSER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "meridian/v1/schedule.pb.h"

namespace meridian::cli {

// What a person typed for "when", resolved against a clock and a time zone.
struct ParsedWhen {
  enum class Kind {
    kAt,              // an absolute instant (`at`)
    kDelay,           // this long from when the server receives it (`delay`)
    kNextWorkingDay,  // the start of the recipient's next working day, decided by the server
  };
  Kind kind = Kind::kAt;
  absl::Time at;
  absl::Duration delay;
};

// Parses the `--at` forms of `meridian schedule`, `remind` and `post --reply-by`, case-insensitive,
// with wall-clock times read in `zone` (the caller's profile time zone):
//
//   in 2h | in 90m | in 1h30m | in 2 days | 45m      a delay (units s, m, h, d, w and their words)
//   9:00 | 09:00 | 9 | 9am | 5:30pm                  the next such wall-clock time (today or
//                                                     tomorrow)
//   today 17:00 | tomorrow 9:00 | tomorrow           a day, at 09:00 when no time is given
//   mon 9:00 | friday 5pm                            the next such weekday (today if still ahead)
//   2026-11-25 09:00 | 2026-11-25T09:00 | 2026-11-25 a date (09:00 when no time is given)
//   2026-11-25T09:00:00Z | ...+01:00                 RFC 3339 with an explicit offset
//   next working day | their next morning | next morning    the server picks the time
//
// An optional leading "at " is ignored. A wall-clock time that a daylight-saving change skips
// becomes the first instant after the gap; a repeated one, its first occurrence. Returns a usage
// error (INVALID_ARGUMENT) naming the problem for anything else and for a time not after `now`.
absl::StatusOr<ParsedWhen> ParseWhen(absl::string_view text, absl::Time now, absl::TimeZone zone);

// Parses a duration such as "2h", "90m", "1h30m", "2 hours", "1 day" (positive, at most 366
// days). Usage error otherwise.
absl::StatusOr<absl::Duration> ParseDelay(absl::string_view text);

// The API form of `when`.
meridian::v1::When ToApiWhen(const ParsedWhen& when);

// The instant `when` stands for, for requests that take a timestamp (PostMessage's
// reply_by_time): `at`, or `now` + delay. A usage error for kNextWorkingDay, which only the
// server can resolve; `what` names the option in that message.
absl::StatusOr<absl::Time> ResolveWhenNow(const ParsedWhen& when, absl::Time now,
                                          absl::string_view what);

// 0 = Sunday .. 6 = Saturday, as WorkingInterval.weekday.
int WeekdayIndex(absl::CivilDay day);

// The instant at `minute` after midnight (0..1440) of `day` in `zone`: the end of the gap for a
// wall-clock time a daylight-saving change skips, the first occurrence of a repeated one (the
// server's rule too).
absl::Time WallClockInstant(absl::TimeZone zone, absl::CivilDay day, int minute);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_WHEN_PARSER_H_
