#include "server/schedule/overlap.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace meridian::schedule {
namespace {

// The last instant range end for local time `cs`: for a repeated time the second occurrence,
// so a slot's absolute span covers both of its occurrences.
absl::Time LastInstantAt(const absl::TimeZone& zone, absl::CivilSecond cs) {
  const absl::TimeZone::TimeInfo ti = zone.At(cs);
  switch (ti.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return ti.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      return ti.post;
    default:
      return ti.pre;
  }
}

bool Covered(const std::vector<TimeRange>& ranges, absl::Time start, absl::Time end) {
  // The last range starting at or before `start`.
  auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                             [](absl::Time t, const TimeRange& r) { return t < r.start; });
  if (it == ranges.begin()) return false;
  --it;
  return it->start <= start && end <= it->end;
}

// Offset-constant pieces of the viewer's zone; within one, local = UTC + offset.
struct Segment {
  absl::Time start;
  absl::Time end;
  absl::Duration offset;
};

std::vector<Segment> Segments(const absl::TimeZone& zone, absl::Time from, absl::Time to) {
  std::vector<Segment> segments;
  absl::Time start = from;
  absl::TimeZone::CivilTransition tr;
  for (absl::Time t = from; zone.NextTransition(t, &tr);) {
    const absl::Time at = zone.At(tr.to).trans;
    if (at >= to || at <= t) break;
    segments.push_back({start, at, absl::Seconds(zone.At(start).offset)});
    start = t = at;
  }
  segments.push_back({start, to, absl::Seconds(zone.At(start).offset)});
  return segments;
}

// The absolute instants whose local time lies in [cs, ce): one range per offset segment that
// shows such a local time (two for a slot repeated by a fall-back, none for a skipped slot).
std::vector<TimeRange> InstantsWithLocalTime(const std::vector<Segment>& segments,
                                             absl::CivilSecond cs, absl::CivilSecond ce) {
  std::vector<TimeRange> out;
  const absl::Time cs_utc = absl::FromCivil(cs, absl::UTCTimeZone());
  const absl::Time ce_utc = absl::FromCivil(ce, absl::UTCTimeZone());
  for (const Segment& seg : segments) {
    const absl::Time start = std::max(cs_utc - seg.offset, seg.start);
    const absl::Time end = std::min(ce_utc - seg.offset, seg.end);
    if (start < end) out.push_back({start, end});
  }
  return out;
}

}  // namespace

int OverlapGrid::EveryoneSlotCount() const {
  int n = 0;
  for (const auto& day : slots) n += std::count(day.begin(), day.end(), SlotState::kEveryone);
  return n;
}

std::vector<TimeRange> IntersectRanges(const std::vector<TimeRange>& a,
                                       const std::vector<TimeRange>& b) {
  std::vector<TimeRange> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const absl::Time start = std::max(a[i].start, b[j].start);
    const absl::Time end = std::min(a[i].end, b[j].end);
    if (start < end) out.push_back({start, end});
    (a[i].end < b[j].end) ? ++i : ++j;
  }
  return out;
}

absl::StatusOr<OverlapGrid> ComputeOverlap(const std::vector<const WorkingSchedule*>& members,
                                           const absl::TimeZone& viewer, absl::Time reference,
                                           int slot_minutes) {
  if (members.empty()) return absl::InvalidArgumentError("overlap needs at least one member");
  if (slot_minutes != 15 && slot_minutes != 30 && slot_minutes != 60) {
    return absl::InvalidArgumentError(
        absl::StrCat("slot_minutes is ", slot_minutes, "; it must be 15, 30 or 60"));
  }
  OverlapGrid grid;
  grid.slot_minutes = slot_minutes;
  const absl::CivilDay today(viewer.At(reference).cs);
  grid.monday = today - (WeekdayIndex(today) + 6) % 7;
  const absl::CivilDay next_monday = grid.monday + 7;
  const absl::Time week_start = FirstInstantAtOrAfter(viewer, absl::CivilSecond(grid.monday));
  const absl::Time week_end = LastInstantAt(viewer, absl::CivilSecond(next_monday));

  grid.overlap = members.front()->WorkingPeriods(week_start, week_end);
  for (size_t m = 1; m < members.size() && !grid.overlap.empty(); ++m) {
    grid.overlap = IntersectRanges(grid.overlap, members[m]->WorkingPeriods(week_start, week_end));
  }

  // A day of margin on each side so that the first and last slots see their whole segments.
  const std::vector<Segment> segments =
      Segments(viewer, week_start - absl::Hours(24), week_end + absl::Hours(24));
  const int per_day = 24 * 60 / slot_minutes;
  grid.slots.assign(7, std::vector<SlotState>(per_day, SlotState::kNone));
  for (int d = 0; d < 7; ++d) {
    const absl::CivilSecond day(grid.monday + d);
    for (int i = 0; i < per_day; ++i) {
      const std::vector<TimeRange> pieces = InstantsWithLocalTime(
          segments, day + i * slot_minutes * 60, day + (i + 1) * slot_minutes * 60);
      if (pieces.empty()) {
        grid.slots[d][i] = SlotState::kSkipped;
      } else if (std::all_of(pieces.begin(), pieces.end(), [&](const TimeRange& r) {
                   return Covered(grid.overlap, r.start, r.end);
                 })) {
        grid.slots[d][i] = SlotState::kEveryone;
      }
    }
  }
  return grid;
}

}  // namespace meridian::schedule
