#include "clients/cli/working_hours_spec.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli/cli_status.h"

namespace meridian::cli {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Interval {
  int weekday;
  int start;
  int end;
};

absl::Status SpecError(absl::string_view spec, absl::string_view detail) {
  return UsageError(absl::StrCat("working hours \"", spec, "\": ", detail));
}

// Adds the weekdays named by one comma-separated item ("mon", "mon-fri", "weekdays") to `days`.
absl::Status AddDays(absl::string_view spec, absl::string_view item, std::vector<int>& days) {
  if (item == "weekdays") {
    for (int d = 1; d <= 5; ++d) days.push_back(d);
    return absl::OkStatus();
  }
  if (item == "weekend" || item == "weekends") {
    days.push_back(6);
    days.push_back(0);
    return absl::OkStatus();
  }
  if (item == "daily" || item == "everyday" || item == "all") {
    for (int d = 0; d < 7; ++d) days.push_back(d);
    return absl::OkStatus();
  }
  std::vector<absl::string_view> ends = absl::StrSplit(item, '-');
  if (ends.size() > 2) {
    return SpecError(spec, absl::StrCat("\"", item, "\" is not a day or a day range like mon-fri"));
  }
  std::vector<int> numbers;
  for (absl::string_view end : ends) {
    std::optional<int> number = ParseWeekday(end);
    if (!number) {
      return SpecError(spec, absl::StrCat("unknown weekday \"", end,
                                          "\" (use mon, tue, wed, thu, fri, sat, sun, "
                                          "weekdays, weekend or daily)"));
    }
    numbers.push_back(*number);
  }
  // A range may wrap past Saturday ("fri-mon").
  for (int d = numbers.front();; d = (d + 1) % 7) {
    days.push_back(d);
    if (d == numbers.back()) break;
  }
  return absl::OkStatus();
}

// Parses "9", "09:30", "5pm", "12:15am", "24:00" into minutes after midnight.
absl::StatusOr<int> ParseTime(absl::string_view spec, absl::string_view text) {
  absl::StatusOr<int> minutes = ParseClockTime(text, /*allow_end_of_day=*/true);
  if (!minutes.ok()) {
    return SpecError(spec, absl::StrCat("bad time \"", text, "\": ", minutes.status().message()));
  }
  return minutes;
}

// Parses one "start-end" range for every day in `days`, splitting overnight ranges.
absl::Status AddRange(absl::string_view spec, absl::string_view range, const std::vector<int>& days,
                      std::vector<Interval>& out) {
  std::vector<absl::string_view> ends = absl::StrSplit(range, '-');
  if (ends.size() != 2) {
    return SpecError(spec, absl::StrCat("\"", range, "\" is not a time range like 09:00-17:00"));
  }
  absl::StatusOr<int> start = ParseTime(spec, ends[0]);
  if (!start.ok()) return start.status();
  absl::StatusOr<int> end = ParseTime(spec, ends[1]);
  if (!end.ok()) return end.status();
  if (*start == kMinutesPerDay) {
    return SpecError(spec, absl::StrCat("\"", range, "\" starts at 24:00; start at 00:00"));
  }
  if (*start == *end) return SpecError(spec, absl::StrCat("\"", range, "\" is empty"));
  for (int day : days) {
    if (*start < *end) {
      out.push_back({day, *start, *end});
    } else {
      out.push_back({day, *start, kMinutesPerDay});
      if (*end > 0) out.push_back({(day + 1) % 7, 0, *end});
    }
  }
  return absl::OkStatus();
}

absl::Status ParseClause(absl::string_view spec, absl::string_view clause,
                         std::vector<Interval>& out) {
  // The days end where the first digit appears; spaces inside either part do not matter.
  size_t first_digit = clause.find_first_of("0123456789");
  std::string days_text =
      absl::StrReplaceAll(clause.substr(0, first_digit), {{" ", ""}, {"\t", ""}});
  if (first_digit == absl::string_view::npos) {
    return SpecError(spec,
                     absl::StrCat("\"", clause, "\" has no times (as in mon-fri 09:00-17:00)"));
  }
  if (days_text.empty()) {
    return SpecError(
        spec, absl::StrCat("\"", clause, "\" names no weekdays (as in mon-fri 09:00-17:00)"));
  }
  std::string times_text = absl::StrReplaceAll(clause.substr(first_digit), {{" ", ""}, {"\t", ""}});
  std::vector<int> days;
  for (absl::string_view item : absl::StrSplit(days_text, ',')) {
    if (item.empty()) return SpecError(spec, "empty weekday in a list");
    if (absl::Status s = AddDays(spec, item, days); !s.ok()) return s;
  }
  for (absl::string_view range : absl::StrSplit(times_text, ',')) {
    if (range.empty()) return SpecError(spec, "empty time range in a list");
    if (absl::Status s = AddRange(spec, range, days, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string FormatMinute(int minute) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%02d:%02d", minute / 60, minute % 60);
  return buffer;
}

std::string DescribeInterval(const Interval& i) {
  return absl::StrCat(kDayNames[i.weekday], " ", FormatMinute(i.start), "-", FormatMinute(i.end));
}

}  // namespace

absl::StatusOr<meridian::v1::WorkingHours> ParseWorkingHours(absl::string_view spec) {
  std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(spec));
  meridian::v1::WorkingHours hours;
  if (lowered == "none" || lowered == "off") return hours;
  if (lowered.empty()) {
    return SpecError(spec, "empty; write something like \"mon-fri 09:00-17:00\" or \"none\"");
  }
  std::vector<Interval> intervals;
  for (absl::string_view clause : absl::StrSplit(lowered, ';')) {
    clause = absl::StripAsciiWhitespace(clause);
    if (clause.empty()) return SpecError(spec, "empty clause between ';'");
    if (absl::Status s = ParseClause(spec, clause, intervals); !s.ok()) return s;
  }
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
    return std::tie(a.weekday, a.start) < std::tie(b.weekday, b.start);
  });
  std::vector<Interval> merged;
  for (const Interval& next : intervals) {
    if (!merged.empty() && merged.back().weekday == next.weekday) {
      Interval& last = merged.back();
      if (next.start < last.end) {
        return SpecError(
            spec, absl::StrCat(DescribeInterval(next), " overlaps ", DescribeInterval(last)));
      }
      if (next.start == last.end) {
        last.end = next.end;
        continue;
      }
    }
    merged.push_back(next);
  }
  for (const Interval& i : merged) {
    meridian::v1::WorkingInterval* out = hours.add_intervals();
    out->set_weekday(i.weekday);
    out->set_start_minute(i.start);
    out->set_end_minute(i.end);
  }
  return hours;
}

std::string FormatWorkingHours(const meridian::v1::WorkingHours& hours) {
  // Ranges per weekday, each day's list rendered as "09:00-12:00,13:00-17:00".
  std::array<std::vector<std::string>, 7> per_day;
  for (const auto& i : hours.intervals()) {
    if (i.weekday() < 0 || i.weekday() > 6) continue;
    per_day[i.weekday()].push_back(
        absl::StrCat(FormatMinute(i.start_minute()), "-", FormatMinute(i.end_minute())));
  }
  // Display in work-week order, Monday first; days with identical ranges share one clause.
  constexpr std::array<int, 7> kOrder = {1, 2, 3, 4, 5, 6, 0};
  std::vector<std::pair<std::string, std::vector<int>>> clauses;  // ranges -> positions in kOrder
  for (int pos = 0; pos < 7; ++pos) {
    if (per_day[kOrder[pos]].empty()) continue;
    std::string ranges = absl::StrJoin(per_day[kOrder[pos]], ",");
    auto it = std::find_if(clauses.begin(), clauses.end(),
                           [&](const auto& c) { return c.first == ranges; });
    if (it == clauses.end()) {
      clauses.push_back({ranges, {pos}});
    } else {
      it->second.push_back(pos);
    }
  }
  if (clauses.empty()) return "none";
  std::vector<std::string> rendered;
  for (const auto& [ranges, positions] : clauses) {
    std::vector<std::string> day_items;
    for (size_t i = 0; i < positions.size();) {
      size_t j = i;
      while (j + 1 < positions.size() && positions[j + 1] == positions[j] + 1) ++j;
      std::string item = kDayNames[kOrder[positions[i]]];
      if (j > i) absl::StrAppend(&item, "-", kDayNames[kOrder[positions[j]]]);
      day_items.push_back(item);
      i = j + 1;
    }
    rendered.push_back(absl::StrCat(absl::StrJoin(day_items, ","), " ", ranges));
  }
  return absl::StrJoin(rendered, "; ");
}

std::optional<int> ParseWeekday(absl::string_view word) {
  static const std::pair<const char*, int> kWords[] = {
      {"sun", 0},      {"sunday", 0}, {"mon", 1},       {"monday", 1}, {"tue", 2},     {"tues", 2},
      {"tuesday", 2},  {"wed", 3},    {"wednesday", 3}, {"thu", 4},    {"thur", 4},    {"thurs", 4},
      {"thursday", 4}, {"fri", 5},    {"friday", 5},    {"sat", 6},    {"saturday", 6}};
  for (const auto& [name, number] : kWords) {
    if (word == name) return number;
  }
  return std::nullopt;
}

absl::StatusOr<int> ParseClockTime(absl::string_view text, bool allow_end_of_day) {
  constexpr char kExpected[] = "expected HH:MM, H or Ham/Hpm";
  absl::string_view rest = text;
  int meridiem = 0;  // 0 none, 1 am, 2 pm
  if (absl::ConsumeSuffix(&rest, "am")) {
    meridiem = 1;
  } else if (absl::ConsumeSuffix(&rest, "pm")) {
    meridiem = 2;
  }
  absl::string_view hour_text = rest;
  absl::string_view minute_text = "0";
  if (size_t colon = rest.find(':'); colon != absl::string_view::npos) {
    hour_text = rest.substr(0, colon);
    minute_text = rest.substr(colon + 1);
    if (minute_text.size() != 2) {
      return absl::InvalidArgumentError("minutes need two digits, as in 09:30");
    }
  }
  if (hour_text.empty() || hour_text.size() > 2) return absl::InvalidArgumentError(kExpected);
  for (char c : absl::StrCat(hour_text, minute_text)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(kExpected);
    }
  }
  int hour = 0;
  int minute = 0;
  if (!absl::SimpleAtoi(hour_text, &hour) || !absl::SimpleAtoi(minute_text, &minute)) {
    return absl::InvalidArgumentError(kExpected);
  }
  if (minute > 59) return absl::InvalidArgumentError("minutes must be 00..59");
  if (meridiem != 0) {
    if (hour < 1 || hour > 12) {
      return absl::InvalidArgumentError("with am/pm the hour must be 1..12");
    }
    hour = hour % 12 + (meridiem == 2 ? 12 : 0);
  } else if (allow_end_of_day ? (hour > 24 || (hour == 24 && minute != 0)) : hour > 23) {
    return absl::InvalidArgumentError(allow_end_of_day ? "hours must be 0..23 (24:00 ends a day)"
                                                       : "hours must be 0..23");
  }
  return hour * 60 + minute;
}

}  // namespace meridian::cli
