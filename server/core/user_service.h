// Reading people and editing one's own profile.
#ifndef MERIDIAN_SERVER_CORE_USER_SERVICE_H_
#define MERIDIAN_SERVER_CORE_USER_SERVICE_H_

#include "absl/status/statusor.h"
#include "meridian/v1/users.pb.h"
#include "server/core/service_env.h"

namespace meridian {

// Safe for concurrent use.
class UserService {
 public:
  explicit UserService(ServiceEnv env) : env_(env) {}

  absl::StatusOr<v1::User> GetUser(const Caller& caller, const v1::GetUserRequest& req) const;
  absl::StatusOr<v1::ListUsersResponse> ListUsers(const Caller& caller,
                                                  const v1::ListUsersRequest& req) const;
  absl::StatusOr<v1::User> UpdateProfile(const Caller& caller, const v1::UpdateProfileRequest& req);
  // Admin only. Revokes every session of the user in the same change.
  absl::StatusOr<v1::User> Deactivate(const Caller& caller, const v1::DeactivateUserRequest& req);

 private:
  ServiceEnv env_;
};

// INVALID_ARGUMENT naming the first bad interval: weekday outside 0..6, minutes outside the day,
// start not before end, or overlapping intervals on one day.
absl::Status ValidateWorkingHours(const v1::WorkingHours& hours);

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_USER_SERVICE_H_
