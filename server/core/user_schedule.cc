#include "server/core/user_schedule.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/ids.h"
#include "server/core/proto_time.h"

namespace meridian {
namespace {

constexpr absl::Duration kMaxAhead = absl::Hours(24 * 366);

// "09:00" -> minutes after midnight.
std::optional<int> ParseClock(absl::string_view s) {
  std::vector<absl::string_view> parts = absl::StrSplit(s, ':');
  int h = 0, m = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m) ||
      h < 0 || h > 23 || m < 0 || m > 59 || parts[1].size() != 2) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::optional<int> ParseWeekday(absl::string_view s) {
  static constexpr const char* kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string lower = absl::AsciiStrToLower(s);
  if (lower.size() < 3) return std::nullopt;
  for (int d = 0; d < 7; ++d) {
    if (lower.compare(0, 3, kNames[d]) == 0) return d;
  }
  return std::nullopt;
}

absl::StatusOr<absl::Time> ResolveLocal(absl::string_view text, absl::Time now,
                                        const schedule::WorkingSchedule& local,
                                        absl::string_view field) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".local_time: expected \"HH:MM\", \"tomorrow HH:MM\" or \"mon HH:MM\", got \"", text,
        "\""));
  };
  std::vector<absl::string_view> words = absl::StrSplit(text, ' ', absl::SkipWhitespace());
  if (words.empty() || words.size() > 2) return bad();
  std::optional<int> minute = ParseClock(words.back());
  if (!minute) return bad();
  const absl::TimeZone& zone = local.zone();
  absl::CivilDay today = absl::ToCivilDay(now, zone);
  auto at = [&](absl::CivilDay day) {
    return schedule::FirstInstantAtOrAfter(
        zone, absl::CivilSecond(day.year(), day.month(), day.day(), *minute / 60, *minute % 60));
  };
  if (words.size() == 1) {
    absl::Time t = at(today);
    return t > now ? t : at(today + 1);
  }
  std::string first = absl::AsciiStrToLower(words[0]);
  if (first == "today") return at(today);
  if (first == "tomorrow") return at(today + 1);
  std::optional<int> weekday = ParseWeekday(first);
  if (!weekday) return bad();
  int ahead = (*weekday - schedule::WeekdayIndex(today) + 7) % 7;
  absl::Time t = at(today + ahead);
  return t > now ? t : at(today + ahead + 7);
}

}  // namespace

schedule::WorkingSchedule ScheduleOfUser(const v1::User& user) {
  schedule::WorkingScheduleSpec spec;
  spec.time_zone = user.time_zone();
  for (const auto& iv : user.working_hours().intervals()) {
    spec.intervals.push_back({iv.weekday(), iv.start_minute(), iv.end_minute()});
  }
  if (user.has_do_not_disturb_until()) {
    spec.do_not_disturb_until = FromTimestamp(user.do_not_disturb_until());
  }
  for (const auto& v : user.vip_user_ids()) {
    if (auto id = ParseUserId(v); id.ok()) spec.vip_user_ids.push_back(*id);
  }
  auto s = schedule::WorkingSchedule::Create(spec);
  return s.ok() ? *std::move(s) : schedule::WorkingSchedule::AlwaysWorkingUtc();
}

schedule::WorkingSchedule ScheduleOf(const Directory& dir, uint64_t user) {
  auto rec = dir.User(user);
  if (!rec) return schedule::WorkingSchedule::AlwaysWorkingUtc();
  return ScheduleOfUser(rec->user());
}

void DescribeUserAt(v1::User* user, absl::Time now) {
  schedule::LocalTimeDescription d = ScheduleOfUser(*user).Describe(now);
  user->set_local_time(d.ToString());
  user->set_in_working_hours(d.working);
}

absl::Time NextWorkingDayStart(const schedule::WorkingSchedule& s, absl::Time now) {
  if (s.always_working()) return now;
  if (!s.IsWorkingAt(now)) return s.NextWorkingStart(now);
  absl::Time end = s.Describe(now).next_change;
  return end == absl::InfiniteFuture() ? now : s.NextWorkingStart(end);
}

absl::StatusOr<absl::Time> ResolveWhen(const v1::When& when, absl::Time now,
                                       const schedule::WorkingSchedule& local,
                                       const schedule::WorkingSchedule* target,
                                       absl::string_view field) {
  absl::Time t;
  switch (when.when_case()) {
    case v1::When::kAtTime:
      t = FromTimestamp(when.at_time());
      if (t <= now) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".at_time must be in the future"));
      }
      break;
    case v1::When::kDelay: {
      absl::Duration d =
          absl::Seconds(when.delay().seconds()) + absl::Nanoseconds(when.delay().nanos());
      if (d <= absl::ZeroDuration()) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".delay must be positive"));
      }
      t = now + d;
      break;
    }
    case v1::When::kLocalTime: {
      auto r = ResolveLocal(when.local_time(), now, local, field);
      if (!r.ok()) return r.status();
      t = *r;
      break;
    }
    case v1::When::kNextWorkingDay:
      if (target == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(field,
                         ".next_working_day needs a single recipient (a direct conversation or a "
                         "reminder's target)"));
      }
      t = NextWorkingDayStart(*target, now);
      if (t <= now) t = now + absl::Seconds(1);  // always working: as soon as possible
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, " is required (at_time, delay, local_time or next_working_day)"));
  }
  if (t - now > kMaxAhead) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be within a year"));
  }
  return t;
}

}  // namespace meridian
