// When a group overlaps: the weekly grid of slots in which every member is in working hours,
// shown in the viewer's time zone. DST makes the answer week-dependent, so it is computed for
// one concrete week: the 7 local days starting at the viewer's Monday 00:00 of the week that
// contains `reference`.
#ifndef MERIDIAN_SERVER_SCHEDULE_OVERLAP_H_
#define MERIDIAN_SERVER_SCHEDULE_OVERLAP_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/schedule/working_hours.h"

namespace meridian::schedule {

enum class SlotState {
  kNone,      // at least one member is outside working hours for part of the slot
  kEveryone,  // every member works throughout every instant whose viewer-local time is in it
  kSkipped,   // the viewer's clock skips this slot (spring forward); it does not exist
};

struct OverlapGrid {
  absl::CivilDay monday;  // the viewer-local Monday the grid starts on
  int slot_minutes = 30;
  // slots[d][i]: local day monday + d (0 = Monday .. 6 = Sunday), minutes [i, i+1) * slot_minutes.
  std::vector<std::vector<SlotState>> slots;
  // The exact absolute periods of the week in which everyone works, sorted and merged.
  std::vector<TimeRange> overlap;

  int EveryoneSlotCount() const;
};

// INVALID_ARGUMENT when `members` is empty or `slot_minutes` is not one of 15, 30, 60 (15 is
// needed for +05:45 zones such as Asia/Kathmandu; 30 for Asia/Kolkata and Australia/Lord_Howe).
// `members` and `viewer` are borrowed for the call. A slot whose local time repeats (fall back)
// counts only if everyone works through both occurrences.
absl::StatusOr<OverlapGrid> ComputeOverlap(const std::vector<const WorkingSchedule*>& members,
                                           const absl::TimeZone& viewer, absl::Time reference,
                                           int slot_minutes = 30);

// Intersection of two sorted, merged range lists.
std::vector<TimeRange> IntersectRanges(const std::vector<TimeRange>& a,
                                       const std::vector<TimeRange>& b);

}  // namespace meridian::schedule

#endif  // MERIDIAN_SERVER_SCHEDULE_OVERLAP_H_
