#include "server/schedule/working_hours.h"

#include <algorithm>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace meridian::schedule {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
// Every weekday recurs within a week; two extra days cover intervals that a DST gap removes.
constexpr absl::Duration kSearchHorizon = absl::Hours(24 * 15);
constexpr const char* kWeekdayNames[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::string IntervalLabel(const WorkingInterval& in) {
  const char* day = (in.weekday >= 0 && in.weekday < 7) ? kWeekdayNames[in.weekday] : "?";
  return absl::StrFormat("%s %02d:%02d-%02d:%02d", day, in.start_minute / 60, in.start_minute % 60,
                         in.end_minute / 60, in.end_minute % 60);
}

absl::Status LoadZone(const std::string& name, absl::TimeZone* zone) {
  if (name.empty()) {
    *zone = absl::UTCTimeZone();
    return absl::OkStatus();
  }
  // cctz resolves names as paths under the tzdata directory; refuse anything path-like.
  if (name.front() == '/' || name.find("..") != std::string::npos ||
      !absl::LoadTimeZone(name, zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time_zone \"", name, "\" is not a known IANA time zone (e.g. \"Europe/Berlin\")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateInterval(const WorkingInterval& in, size_t index) {
  const std::string where = absl::StrCat("working_hours.intervals[", index, "]");
  if (in.weekday < 0 || in.weekday > 6) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".weekday is ", in.weekday, "; it must be 0 (Sunday) .. 6 (Saturday)"));
  }
  if (in.start_minute < 0 || in.start_minute >= kMinutesPerDay) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".start_minute is ", in.start_minute, "; it must be in [0, 1440)"));
  }
  if (in.end_minute <= in.start_minute || in.end_minute > kMinutesPerDay) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".end_minute is ", in.end_minute, "; it must be in (start_minute=", in.start_minute,
        ", 1440]; split intervals that cross midnight in two"));
  }
  return absl::OkStatus();
}

}  // namespace

int WeekdayIndex(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::sunday:
      return 0;
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
  }
  return 0;
}

absl::Time FirstInstantAtOrAfter(const absl::TimeZone& zone, absl::CivilSecond cs) {
  const absl::TimeZone::TimeInfo ti = zone.At(cs);
  return ti.kind == absl::TimeZone::TimeInfo::SKIPPED ? ti.trans : ti.pre;
}

absl::Status ValidateWorkingSchedule(const WorkingScheduleSpec& spec) {
  absl::TimeZone zone;
  if (absl::Status s = LoadZone(spec.time_zone, &zone); !s.ok()) return s;
  for (size_t i = 0; i < spec.intervals.size(); ++i) {
    if (absl::Status s = ValidateInterval(spec.intervals[i], i); !s.ok()) return s;
  }
  for (size_t i = 0; i < spec.intervals.size(); ++i) {
    for (size_t j = i + 1; j < spec.intervals.size(); ++j) {
      const WorkingInterval& a = spec.intervals[i];
      const WorkingInterval& b = spec.intervals[j];
      if (a.weekday == b.weekday && a.start_minute < b.end_minute &&
          b.start_minute < a.end_minute) {
        return absl::InvalidArgumentError(absl::StrCat("working_hours.intervals[", j, "] (",
                                                       IntervalLabel(b), ") overlaps intervals[", i,
                                                       "] (", IntervalLabel(a), ")"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<WorkingSchedule> WorkingSchedule::Create(const WorkingScheduleSpec& spec) {
  if (absl::Status s = ValidateWorkingSchedule(spec); !s.ok()) return s;
  WorkingSchedule ws;
  if (absl::Status s = LoadZone(spec.time_zone, &ws.zone_); !s.ok()) return s;
  ws.zone_name_ = spec.time_zone.empty() ? "UTC" : spec.time_zone;
  ws.intervals_ = spec.intervals;
  std::sort(ws.intervals_.begin(), ws.intervals_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.weekday, a.start_minute) < std::tie(b.weekday, b.start_minute);
  });
  ws.do_not_disturb_until_ = spec.do_not_disturb_until;
  ws.vip_user_ids_ = spec.vip_user_ids;
  std::sort(ws.vip_user_ids_.begin(), ws.vip_user_ids_.end());
  ws.vip_user_ids_.erase(std::unique(ws.vip_user_ids_.begin(), ws.vip_user_ids_.end()),
                         ws.vip_user_ids_.end());
  return ws;
}

WorkingSchedule WorkingSchedule::AlwaysWorkingUtc() {
  WorkingSchedule ws;
  ws.zone_ = absl::UTCTimeZone();
  return ws;
}

bool WorkingSchedule::IsVip(uint64_t user_id) const {
  return std::binary_search(vip_user_ids_.begin(), vip_user_ids_.end(), user_id);
}

bool WorkingSchedule::IsWorkingAt(absl::Time t) const {
  if (intervals_.empty()) return true;
  const absl::CivilSecond cs = zone_.At(t).cs;
  const int weekday = WeekdayIndex(absl::CivilDay(cs));
  const int minute = cs.hour() * 60 + cs.minute();
  for (const WorkingInterval& in : intervals_) {
    if (in.weekday == weekday && in.start_minute <= minute && minute < in.end_minute) return true;
  }
  return false;
}

std::vector<TimeRange> WorkingSchedule::WorkingPeriods(absl::Time from, absl::Time to) const {
  std::vector<TimeRange> periods;
  if (from >= to) return periods;
  if (intervals_.empty()) {
    periods.push_back({from, to});
    return periods;
  }
  // Working status can only change where the local clock reaches an interval's start or end, or
  // where it jumps (a zone transition). Between consecutive such instants it is constant, so
  // evaluating it once per boundary is exact.
  std::vector<absl::Time> bounds = {from};
  auto add = [&](absl::Time t) {
    if (t > from && t < to) bounds.push_back(t);
  };
  const absl::CivilDay first_day = absl::CivilDay(zone_.At(from).cs) - 1;
  const absl::CivilDay last_day = absl::CivilDay(zone_.At(to).cs) + 1;
  for (absl::CivilDay day = first_day; day <= last_day; ++day) {
    const int weekday = WeekdayIndex(day);
    for (const WorkingInterval& in : intervals_) {
      if (in.weekday != weekday) continue;
      for (int minute : {in.start_minute, in.end_minute}) {
        const absl::TimeZone::TimeInfo ti = zone_.At(absl::CivilSecond(day) + minute * 60);
        add(ti.pre);
        add(ti.trans);
        add(ti.post);
      }
    }
  }
  absl::TimeZone::CivilTransition tr;
  for (absl::Time t = from; zone_.NextTransition(t, &tr);) {
    const absl::Time at = zone_.At(tr.to).trans;
    if (at >= to || at <= t) break;
    add(at);
    t = at;
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!IsWorkingAt(bounds[i])) continue;
    const absl::Time end = i + 1 < bounds.size() ? bounds[i + 1] : to;
    if (!periods.empty() && periods.back().end == bounds[i]) {
      periods.back().end = end;
    } else {
      periods.push_back({bounds[i], end});
    }
  }
  return periods;
}

absl::Time WorkingSchedule::NextWorkingStart(absl::Time t) const {
  if (IsWorkingAt(t)) return t;
  const std::vector<TimeRange> periods = WorkingPeriods(t, t + kSearchHorizon);
  return periods.empty() ? absl::InfiniteFuture() : periods.front().start;
}

LocalTimeDescription WorkingSchedule::Describe(absl::Time t) const {
  const absl::TimeZone::CivilInfo info = zone_.At(t);
  LocalTimeDescription d;
  d.local = absl::CivilMinute(info.cs);
  d.weekday = WeekdayIndex(absl::CivilDay(info.cs));
  d.zone_abbreviation = info.zone_abbr;
  d.utc_offset_seconds = info.offset;
  d.working = IsWorkingAt(t);
  d.do_not_disturb = InDoNotDisturbAt(t);
  if (d.working) {
    const absl::Time horizon = t + kSearchHorizon;
    const std::vector<TimeRange> periods = WorkingPeriods(t, horizon);
    d.next_change = (periods.empty() || periods.front().end == horizon) ? absl::InfiniteFuture()
                                                                        : periods.front().end;
  } else {
    d.next_change = NextWorkingStart(t);
  }
  return d;
}

std::string LocalTimeDescription::ToString() const {
  const char* state = do_not_disturb ? "do not disturb"
                      : working      ? "working hours"
                                     : "outside working hours";
  return absl::StrFormat("%02d:%02d %s, %s", local.hour(), local.minute(), kWeekdayNames[weekday],
                         state);
}

}  // namespace meridian::schedule
