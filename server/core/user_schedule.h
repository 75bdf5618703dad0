// A user's working schedule (time zone, working hours, do-not-disturb, VIPs) from their profile,
// and the "when" of scheduled messages and reminders.
#ifndef MERIDIAN_SERVER_CORE_USER_SCHEDULE_H_
#define MERIDIAN_SERVER_CORE_USER_SCHEDULE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "meridian/v1/schedule.pb.h"
#include "meridian/v1/users.pb.h"
#include "server/core/directory.h"
#include "server/schedule/working_hours.h"

namespace meridian {

// The schedule of `user`. A profile that no longer validates (tzdata lost a zone) falls back to
// UTC, always working, so that nobody's notifications are held forever.
schedule::WorkingSchedule ScheduleOfUser(const v1::User& user);
// As above by id; an unknown user is UTC, always working.
schedule::WorkingSchedule ScheduleOf(const Directory& dir, uint64_t user);

// Fills the read-time fields local_time and in_working_hours of `user` for `now`.
void DescribeUserAt(v1::User* user, absl::Time now);

// The start of the next working period of `s` after the one in progress at `now` (or the next
// one, when not working at `now`): "the start of their next working day". `now` itself only for
// a schedule that is always working.
absl::Time NextWorkingDayStart(const schedule::WorkingSchedule& s, absl::Time now);

// The time `when` names, strictly after `now` and within a year. `local` is the caller's
// schedule (for local_time), `target` whose next working day next_working_day means (null when
// there is no single target). INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::Time> ResolveWhen(const v1::When& when, absl::Time now,
                                       const schedule::WorkingSchedule& local,
                                       const schedule::WorkingSchedule* target,
                                       absl::string_view field = "when");

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_USER_SCHEDULE_H_
