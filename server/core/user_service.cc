#include "server/core/user_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/auth_service.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"
#include "server/core/user_schedule.h"
#include "storage/keys.h"

namespace meridian {

absl::Status ValidateWorkingHours(const v1::WorkingHours& hours) {
  std::vector<std::tuple<int, int, int>> spans;
  for (int i = 0; i < hours.intervals_size(); ++i) {
    const auto& iv = hours.intervals(i);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("working_hours.intervals[", i, "]: ", why));
    };
    if (iv.weekday() < 0 || iv.weekday() > 6) return bad("weekday must be 0 (Sunday) to 6");
    if (iv.start_minute() < 0 || iv.start_minute() >= 1440)
      return bad("start_minute must be 0..1439");
    if (iv.end_minute() <= iv.start_minute() || iv.end_minute() > 1440) {
      return bad("end_minute must be after start_minute and at most 1440");
    }
    spans.emplace_back(iv.weekday(), iv.start_minute(), iv.end_minute());
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) {
    auto [d0, s0, e0] = spans[i - 1];
    auto [d1, s1, e1] = spans[i];
    if (d0 == d1 && s1 < e0) {
      return absl::InvalidArgumentError(
          absl::StrCat("working_hours: intervals overlap on weekday ", d1));
    }
  }
  if (hours.intervals_size() > 64) {
    return absl::InvalidArgumentError("working_hours: at most 64 intervals");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::User> UserService::GetUser(const Caller& caller,
                                              const v1::GetUserRequest& req) const {
  ASSIGN_OR_RETURN(uint64_t id, ResolveUser(env_.dir, req.user_id()));
  auto rec = env_.dir.User(id);
  if (!rec) return absl::NotFoundError(absl::StrCat("no user ", req.user_id()));
  v1::User user = rec->user();
  DescribeUserAt(&user, env_.clock.Now());
  return user;
}

absl::StatusOr<v1::ListUsersResponse> UserService::ListUsers(
    const Caller& caller, const v1::ListUsersRequest& req) const {
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return absl::InvalidArgumentError("page_size must be between 0 and 1000");
  }
  size_t page = req.page_size() == 0 ? 100 : req.page_size();
  // The page token is the last name of the previous page.
  const std::string& after = req.page_token();
  v1::ListUsersResponse resp;
  for (auto& rec : env_.dir.AllUsers()) {
    if (!after.empty() && rec.user().name() <= after) continue;
    if (rec.user().deactivated()) continue;
    if (static_cast<size_t>(resp.users_size()) == page) {
      resp.set_next_page_token(resp.users(resp.users_size() - 1).name());
      break;
    }
    *resp.add_users() = rec.user();
  }
  const absl::Time now = env_.clock.Now();
  for (auto& u : *resp.mutable_users()) DescribeUserAt(&u, now);
  return resp;
}

absl::StatusOr<v1::User> UserService::UpdateProfile(const Caller& caller,
                                                    const v1::UpdateProfileRequest& req) {
  auto wants = [&](absl::string_view field, bool non_empty) {
    if (req.update_mask().empty()) return non_empty;
    return std::find(req.update_mask().begin(), req.update_mask().end(), field) !=
           req.update_mask().end();
  };
  for (const auto& f : req.update_mask()) {
    if (f != "display_name" && f != "time_zone" && f != "working_hours" && f != "status_text" &&
        f != "do_not_disturb_until" && f != "vip_user_ids") {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown field \"", f,
                       "\" (expected display_name, time_zone, working_hours, status_text, "
                       "do_not_disturb_until or vip_user_ids)"));
    }
  }
  RETURN_IF_ERROR(ValidateText(req.display_name(), "display_name", 128, true));
  RETURN_IF_ERROR(ValidateText(req.status_text(), "status_text", 256, true));
  RETURN_IF_ERROR(ValidateTimeZone(req.time_zone()));
  RETURN_IF_ERROR(ValidateWorkingHours(req.working_hours()));
  constexpr int kMaxVips = 50;
  if (req.vip_user_ids_size() > kMaxVips) {
    return absl::InvalidArgumentError(absl::StrCat("vip_user_ids: at most ", kMaxVips, " people"));
  }
  std::vector<std::string> vips;
  for (const auto& ref : req.vip_user_ids()) {
    ASSIGN_OR_RETURN(uint64_t vip, ResolveUser(env_.dir, ref, "vip_user_ids"));
    std::string id = UserIdString(vip);
    if (std::find(vips.begin(), vips.end(), id) == vips.end()) vips.push_back(std::move(id));
  }

  return env_.committer.Run<v1::User>([&](Txn& txn) -> absl::StatusOr<v1::User> {
    auto rec = env_.dir.User(caller.user_id);
    if (!rec) return absl::NotFoundError("your account no longer exists");
    v1::User* u = rec->mutable_user();
    if (wants("display_name", !req.display_name().empty())) {
      u->set_display_name(req.display_name().empty() ? u->name() : req.display_name());
    }
    if (wants("time_zone", !req.time_zone().empty())) u->set_time_zone(req.time_zone());
    if (wants("working_hours", req.has_working_hours())) {
      *u->mutable_working_hours() = req.working_hours();
    }
    if (wants("status_text", !req.status_text().empty())) u->set_status_text(req.status_text());
    if (wants("do_not_disturb_until", req.has_do_not_disturb_until())) {
      if (req.has_do_not_disturb_until()) {
        *u->mutable_do_not_disturb_until() = req.do_not_disturb_until();
      } else {
        u->clear_do_not_disturb_until();
      }
    }
    if (wants("vip_user_ids", !vips.empty())) {
      u->clear_vip_user_ids();
      for (const auto& v : vips) u->add_vip_user_ids(v);
    }
    txn.batch().Put(storage::Cf::kUsers, storage::keys::User(caller.user_id),
                    rec->SerializeAsString());
    internal::EventRecord ev;
    ev.mutable_event()->set_type(v1::EVENT_TYPE_USER_UPDATED);
    ev.mutable_event()->set_actor_id(u->id());
    *ev.mutable_event()->mutable_user() = *u;
    txn.Emit(std::move(ev));
    txn.OnApplied([dir = &env_.dir, id = caller.user_id, r = *rec] { dir->PutUser(id, r); });
    v1::User out = *u;
    DescribeUserAt(&out, txn.now());
    return out;
  });
}

absl::StatusOr<v1::User> UserService::Deactivate(const Caller& caller,
                                                 const v1::DeactivateUserRequest& req) {
  if (!caller.is_admin) return absl::PermissionDeniedError("only an admin can deactivate users");
  ASSIGN_OR_RETURN(uint64_t id, ResolveUser(env_.dir, req.user_id()));
  if (id == caller.user_id) {
    return absl::FailedPreconditionError("you cannot deactivate your own account");
  }
  return env_.committer.Run<v1::User>([&](Txn& txn) -> absl::StatusOr<v1::User> {
    auto rec = env_.dir.User(id);
    if (!rec) return absl::NotFoundError("no such user");
    rec->mutable_user()->set_deactivated(true);
    txn.batch().Put(storage::Cf::kUsers, storage::keys::User(id), rec->SerializeAsString());
    auto sessions = env_.dir.SessionsOf(id);
    for (const auto& h : sessions) txn.batch().Delete(storage::Cf::kSessions, h);
    internal::EventRecord ev;
    ev.mutable_event()->set_type(v1::EVENT_TYPE_USER_UPDATED);
    ev.mutable_event()->set_actor_id(UserIdString(caller.user_id));
    *ev.mutable_event()->mutable_user() = rec->user();
    txn.Emit(std::move(ev));
    txn.OnApplied([dir = &env_.dir, id, r = *rec, sessions] {
      dir->PutUser(id, r);
      for (const auto& h : sessions) dir->RemoveSession(h);
    });
    return rec->user();
  });
}

}  // namespace meridian
