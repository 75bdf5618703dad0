#include "clients/cli/when_parser.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/working_hours_spec.h"

namespace meridian::cli {
namespace {

constexpr int kDefaultMinute = 9 * 60;  // "tomorrow" alone means tomorrow at 09:00
constexpr absl::Duration kMaxDelay = absl::Hours(24 * 366);

absl::Status WhenError(absl::string_view text, absl::string_view detail) {
  return UsageError(absl::StrCat("cannot read the time \"", text, "\": ", detail,
                                 " (try \"in 2h\", \"tomorrow 9:00\", \"2026-11-25 09:00\" or "
                                 "\"next working day\")"));
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "9", "09:30", "5pm", "12:15am", "noon", "midnight" -> minutes after midnight.
std::optional<int> ParseClock(absl::string_view text) {
  if (text == "noon") return 12 * 60;
  if (text == "midnight") return 0;
  absl::StatusOr<int> minutes = ParseClockTime(text, /*allow_end_of_day=*/false);
  if (!minutes.ok()) return std::nullopt;
  return *minutes;
}

// "2026-11-25" -> the day, validating the calendar (no 2026-02-30).
std::optional<absl::CivilDay> ParseDate(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2 ||
      !AllDigits(parts[0]) || !AllDigits(parts[1]) || !AllDigits(parts[2])) {
    return std::nullopt;
  }
  int y = 0, m = 0, d = 0;
  if (!absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return std::nullopt;
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day;
}

std::optional<absl::Duration> UnitOf(absl::string_view unit) {
  static const std::pair<const char*, absl::Duration> kUnits[] = {
      {"s", absl::Seconds(1)},       {"sec", absl::Seconds(1)},     {"secs", absl::Seconds(1)},
      {"second", absl::Seconds(1)},  {"seconds", absl::Seconds(1)}, {"m", absl::Minutes(1)},
      {"min", absl::Minutes(1)},     {"mins", absl::Minutes(1)},    {"minute", absl::Minutes(1)},
      {"minutes", absl::Minutes(1)}, {"h", absl::Hours(1)},         {"hr", absl::Hours(1)},
      {"hrs", absl::Hours(1)},       {"hour", absl::Hours(1)},      {"hours", absl::Hours(1)},
      {"d", absl::Hours(24)},        {"day", absl::Hours(24)},      {"days", absl::Hours(24)},
      {"w", absl::Hours(24 * 7)},    {"wk", absl::Hours(24 * 7)},   {"week", absl::Hours(24 * 7)},
      {"weeks", absl::Hours(24 * 7)}};
  for (const auto& [name, length] : kUnits) {
    if (unit == name) return length;
  }
  return std::nullopt;
}

// "2h30m" (spaces already removed, lowercase) -> duration; nullopt unless every piece is
// digits followed by a unit.
std::optional<absl::Duration> SumDurations(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  while (i < text.size()) {
    size_t digits_end = i;
    while (digits_end < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[digits_end]))) {
      ++digits_end;
    }
    size_t unit_end = digits_end;
    while (unit_end < text.size() &&
           absl::ascii_isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    int64_t count = 0;
    if (digits_end == i || digits_end - i > 6 || unit_end == digits_end ||
        !absl::SimpleAtoi(text.substr(i, digits_end - i), &count)) {
      return std::nullopt;
    }
    std::optional<absl::Duration> unit = UnitOf(text.substr(digits_end, unit_end - digits_end));
    if (!unit) return std::nullopt;
    total += count * *unit;
    i = unit_end;
  }
  return total;
}

bool IsNextWorkingDay(absl::string_view text) {
  static const char* kPhrases[] = {"next working day",     "next-working-day",
                                   "next workday",         "their next working day",
                                   "next morning",         "their next morning",
                                   "next working morning", "their next working morning"};
  for (const char* phrase : kPhrases) {
    if (text == phrase) return true;
  }
  return false;
}

}  // namespace

int WeekdayIndex(absl::CivilDay day) {
  // absl::Weekday counts from Monday = 0.
  return (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;
}

absl::Time WallClockInstant(absl::TimeZone zone, absl::CivilDay day, int minute) {
  absl::CivilSecond cs(day.year(), day.month(), day.day(), minute / 60, minute % 60, 0);
  absl::TimeZone::TimeInfo info = zone.At(cs);
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::StatusOr<absl::Duration> ParseDelay(absl::string_view text) {
  std::string compact = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  compact.erase(
      std::remove_if(compact.begin(), compact.end(),
                     [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); }),
      compact.end());
  // "2 hours and 30 minutes", "2h,30m".
  compact = absl::StrJoin(absl::StrSplit(compact, absl::ByAnyChar(",")), "");
  absl::StrReplaceAll({{"and", ""}}, &compact);
  std::optional<absl::Duration> delay = SumDurations(compact);
  if (!delay) {
    return UsageError(
        absl::StrCat("cannot read the duration \"", text, "\" (try 30m, 2h, 1h30m, 2 days or 1w)"));
  }
  if (*delay <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat("the duration \"", text, "\" must be longer than zero"));
  }
  if (*delay > kMaxDelay) {
    return UsageError(absl::StrCat("the duration \"", text, "\" is longer than a year"));
  }
  return *delay;
}

namespace {

// "2026-11-25T09:00:00Z", "2026-11-25T09:00+05:30": an instant in any zone.
std::optional<absl::Time> ParseRfc3339(const std::vector<std::string>& words) {
  if (words.size() != 1) return std::nullopt;
  const std::string upper = absl::AsciiStrToUpper(words[0]);
  absl::Time t;
  std::string ignored;
  if (absl::ParseTime(absl::RFC3339_full, upper, &t, &ignored) ||
      absl::ParseTime("%Y-%m-%d%ET%H:%M%Ez", upper, &t, &ignored)) {
    return t;
  }
  return std::nullopt;
}

// "[day] [time]" in `zone`: a bare time is its next occurrence, a weekday its next occurrence
// (today if still ahead), a day without a time means 09:00.
absl::StatusOr<absl::Time> ParseWallClock(absl::string_view text, std::vector<std::string> words,
                                          absl::Time now, absl::TimeZone zone) {
  if (words.size() >= 2 && (words.back() == "am" || words.back() == "pm")) {
    words[words.size() - 2] += words.back();  // "9 am"
    words.pop_back();
  }
  if (words.size() == 1 && words[0].size() > 10 && words[0][10] == 't' &&
      ParseDate(words[0].substr(0, 10))) {
    words = {words[0].substr(0, 10), words[0].substr(11)};  // "2026-11-25t09:00"
  }
  if (words.size() > 2) return WhenError(text, "too many words");
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  std::optional<int> minute = ParseClock(words.back());
  if (minute) words.pop_back();
  if (words.empty()) {
    absl::Time t = WallClockInstant(zone, today, *minute);
    return t > now ? t : WallClockInstant(zone, today + 1, *minute);
  }
  if (words.size() == 2) {
    return WhenError(text,
                     absl::StrCat("\"", words[1], "\" is not a time like 9:00, 09:30 or 5pm"));
  }
  const std::string& day_word = words[0];
  absl::CivilDay day;
  bool weekly = false;
  if (day_word == "today") {
    if (!minute) return WhenError(text, "give a time for today, as in \"today 17:00\"");
    day = today;
  } else if (day_word == "tomorrow") {
    day = today + 1;
  } else if (std::optional<int> weekday = ParseWeekday(day_word)) {
    day = today + (*weekday - WeekdayIndex(today) + 7) % 7;
    weekly = true;
  } else if (std::optional<absl::CivilDay> date = ParseDate(day_word)) {
    day = *date;
  } else {
    return WhenError(text, absl::StrCat("\"", day_word, "\" is not a day, a time or a duration"));
  }
  const int at_minute = minute.value_or(kDefaultMinute);
  absl::Time t = WallClockInstant(zone, day, at_minute);
  if (t <= now && weekly) t = WallClockInstant(zone, day + 7, at_minute);
  if (t <= now) {
    return WhenError(text, absl::StrCat("that is in the past (it is now ",
                                        absl::FormatTime("%Y-%m-%d %H:%M %Z", now, zone), ")"));
  }
  return t;
}

}  // namespace

absl::StatusOr<ParsedWhen> ParseWhen(absl::string_view text, absl::Time now, absl::TimeZone zone) {
  std::vector<std::string> words =
      absl::StrSplit(absl::AsciiStrToLower(text), ' ', absl::SkipWhitespace());
  if (!words.empty() && words[0] == "at") words.erase(words.begin());
  if (words.empty()) return WhenError(text, "it is empty");
  const std::string joined = absl::StrJoin(words, " ");

  ParsedWhen when;
  if (IsNextWorkingDay(joined)) {
    when.kind = ParsedWhen::Kind::kNextWorkingDay;
    return when;
  }
  if (words[0] == "in" && words.size() == 1) {
    return WhenError(text, "\"in\" needs a duration, as in \"in 2h\"");
  }
  // "in 2h" must be a duration; a bare "2h" may be.
  absl::StatusOr<absl::Duration> delay = ParseDelay(words[0] == "in" ? joined.substr(3) : joined);
  if (delay.ok() || words[0] == "in") {
    if (!delay.ok()) return delay.status();
    when.kind = ParsedWhen::Kind::kDelay;
    when.delay = *delay;
    return when;
  }
  if (std::optional<absl::Time> absolute = ParseRfc3339(words)) {
    if (*absolute <= now) return WhenError(text, "that is in the past");
    when.at = *absolute;
    return when;
  }
  absl::StatusOr<absl::Time> at = ParseWallClock(text, std::move(words), now, zone);
  if (!at.ok()) return at.status();
  when.at = *at;
  return when;
}

meridian::v1::When ToApiWhen(const ParsedWhen& when) {
  meridian::v1::When api;
  switch (when.kind) {
    case ParsedWhen::Kind::kAt: {
      const int64_t seconds = absl::ToUnixSeconds(when.at);
      api.mutable_at_time()->set_seconds(seconds);
      api.mutable_at_time()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(when.at - absl::FromUnixSeconds(seconds))));
      break;
    }
    case ParsedWhen::Kind::kDelay:
      api.mutable_delay()->set_seconds(absl::ToInt64Seconds(when.delay));
      break;
    case ParsedWhen::Kind::kNextWorkingDay:
      api.set_next_working_day(true);
      break;
  }
  return api;
}

absl::StatusOr<absl::Time> ResolveWhenNow(const ParsedWhen& when, absl::Time now,
                                          absl::string_view what) {
  switch (when.kind) {
    case ParsedWhen::Kind::kAt:
      return when.at;
    case ParsedWhen::Kind::kDelay:
      return now + when.delay;
    case ParsedWhen::Kind::kNextWorkingDay:
      break;
  }
  return UsageError(absl::StrCat(what,
                                 " takes a time or a duration (\"tomorrow 17:00\", \"in 2d\"), "
                                 "not \"next working day\""));
}

}  // namespace meridian::cli
