// The working-hours overlap of a channel's members or of a set of users, laid out in the
// caller's time zone (schedule::ComputeOverlap over their profiles).
#ifndef MERIDIAN_SERVER_CORE_GROUP_OVERLAP_H_
#define MERIDIAN_SERVER_CORE_GROUP_OVERLAP_H_

#include "absl/status/statusor.h"
#include "meridian/v1/notifications.pb.h"
#include "server/core/service_env.h"

namespace meridian {

// INVALID_ARGUMENT for a bad slot size, no channel and no users, or more than 1000 people;
// NOT_FOUND / PERMISSION_DENIED as channel and user resolution. Safe for concurrent use.
absl::StatusOr<v1::GetOverlapResponse> GetGroupOverlap(const ServiceEnv& env, const Caller& caller,
                                                       const v1::GetOverlapRequest& req);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_GROUP_OVERLAP_H_
