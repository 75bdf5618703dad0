#include "server/schedule/notification_policy.h"

#include "absl/strings/str_cat.h"

namespace meridian::schedule {
namespace {

using Action = NotificationDecision::Action;

NotificationDecision Now(absl::Time now, std::string reason) {
  return {Action::kDeliverNow, now, std::move(reason)};
}

NotificationDecision Drop(std::string reason) {
  return {Action::kDrop, absl::InfinitePast(), std::move(reason)};
}

NotificationDecision HoldOrNow(absl::Time now, absl::Time at, std::string reason) {
  if (at <= now) return Now(now, "");
  return {Action::kHold, at, std::move(reason)};
}

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kDeliverNow:
      return "deliver_now";
    case Action::kHold:
      return "hold";
    case Action::kDrop:
      return "drop";
  }
  return "unknown";
}

NotificationDecision DecideNotification(const WorkingSchedule& recipient,
                                        const NotificationRequest& request) {
  const absl::Time now = request.now;
  if (request.sender_id == request.recipient_id) return Drop("sender is the recipient");
  if (recipient.IsVip(request.sender_id)) return Now(now, "VIP sender");

  const bool dnd = recipient.InDoNotDisturbAt(now);
  const bool working = recipient.IsWorkingAt(now);
  if (request.kind == MentionKind::kHere) {
    if (dnd) return Drop("@here while recipient is in do-not-disturb");
    if (!working && !request.urgent) {
      return Drop(absl::StrCat("@here while recipient is outside working hours (",
                               recipient.zone_name(), ")"));
    }
    return Now(now, request.urgent ? "urgent @here" : "@here within working hours");
  }
  // Rules 4 and 5: never before DND ends.
  const absl::Time earliest = dnd ? *recipient.do_not_disturb_until() : now;
  if (request.urgent) {
    NotificationDecision d = HoldOrNow(now, earliest, "urgent, held until do-not-disturb ends");
    if (d.action == Action::kDeliverNow) d.reason = "urgent";
    return d;
  }
  NotificationDecision d =
      HoldOrNow(now, recipient.NextWorkingStart(earliest),
                dnd ? "do-not-disturb, then until the next working start"
                    : absl::StrCat("outside working hours (", recipient.zone_name(), ")"));
  if (d.action == Action::kDeliverNow) d.reason = "within working hours";
  return d;
}

}  // namespace meridian::schedule
