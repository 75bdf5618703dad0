#include "server/core/group_overlap.h"

#include <algorithm>

#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"
#include "server/core/user_schedule.h"
#include "server/schedule/overlap.h"

namespace meridian {
namespace {

constexpr size_t kMaxPeople = 1000;

v1::OverlapSlot ApiSlot(schedule::SlotState s) {
  switch (s) {
    case schedule::SlotState::kNone:
      return v1::OVERLAP_SLOT_NONE;
    case schedule::SlotState::kEveryone:
      return v1::OVERLAP_SLOT_EVERYONE;
    case schedule::SlotState::kSkipped:
      return v1::OVERLAP_SLOT_SKIPPED;
  }
  return v1::OVERLAP_SLOT_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<v1::GetOverlapResponse> GetGroupOverlap(const ServiceEnv& env, const Caller& caller,
                                                       const v1::GetOverlapRequest& req) {
  std::vector<uint64_t> people{caller.user_id};
  if (!req.channel_id().empty()) {
    ASSIGN_OR_RETURN(ChannelView ch,
                     ResolveChannel(env.dir, caller, req.channel_id(), Access::kRead));
    people.insert(people.end(), ch.members.begin(), ch.members.end());
  } else if (req.user_ids().empty()) {
    return absl::InvalidArgumentError("set channel_id or user_ids");
  }
  for (const auto& ref : req.user_ids()) {
    ASSIGN_OR_RETURN(uint64_t u, ResolveUser(env.dir, ref, "user_ids"));
    people.push_back(u);
  }
  std::sort(people.begin(), people.end());
  people.erase(std::unique(people.begin(), people.end()), people.end());
  if (people.size() > kMaxPeople) {
    return absl::InvalidArgumentError("overlap is limited to 1000 people");
  }
  std::vector<schedule::WorkingSchedule> schedules;
  schedules.reserve(people.size());
  for (uint64_t u : people) schedules.push_back(ScheduleOf(env.dir, u));
  std::vector<const schedule::WorkingSchedule*> members;
  for (const auto& s : schedules) members.push_back(&s);

  const schedule::WorkingSchedule viewer = ScheduleOf(env.dir, caller.user_id);
  const absl::Time reference =
      req.has_reference_time() ? FromTimestamp(req.reference_time()) : env.clock.Now();
  const int slot = req.slot_minutes() == 0 ? 30 : req.slot_minutes();
  ASSIGN_OR_RETURN(schedule::OverlapGrid grid,
                   schedule::ComputeOverlap(members, viewer.zone(), reference, slot));

  v1::GetOverlapResponse resp;
  resp.set_time_zone(viewer.zone_name());
  resp.set_slot_minutes(grid.slot_minutes);
  for (size_t d = 0; d < grid.slots.size(); ++d) {
    v1::OverlapDay* day = resp.add_days();
    day->set_date(absl::FormatCivilTime(grid.monday + static_cast<int>(d)));
    for (schedule::SlotState s : grid.slots[d]) day->add_slots(ApiSlot(s));
  }
  for (const auto& r : grid.overlap) {
    v1::TimeRange* out = resp.add_overlap();
    SetTimestamp(out->mutable_start_time(), r.start);
    SetTimestamp(out->mutable_end_time(), r.end);
  }
  for (uint64_t u : people) resp.add_user_ids(UserIdString(u));
  resp.set_everyone_slot_count(grid.EveryoneSlotCount());
  return resp;
}

}  // namespace meridian
