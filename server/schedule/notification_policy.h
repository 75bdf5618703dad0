// When a notification reaches its recipient: now, held until the start of their working day, or
// never. This is the "asynchronous first" rule of DESIGN.md in one pure function.
//
// Rules, applied in order (the policy is a snapshot at `now`; whoever holds a notification
// re-evaluates it with the recipient's then-current schedule when the hold ends):
//  1. The sender never notifies themselves: drop.
//  2. A VIP sender (on the recipient's VIP list) is delivered now, through working hours and
//     through do-not-disturb: DND is the recipient's "only people I chose" switch.
//  3. @here is for people who are around now: delivered now if the recipient is in working hours
//     (or the message is urgent) and not in DND; otherwise dropped, never held.
//  4. Urgent overrides working hours but not DND: delivered now, or held until DND ends.
//  5. Everything else (direct @mention, DM, @channel) is delivered now within working hours and
//     not in DND; otherwise held until the first working start at or after the end of DND.
//     @channel thus reaches each member at the start of their own day.
#ifndef MERIDIAN_SERVER_SCHEDULE_NOTIFICATION_POLICY_H_
#define MERIDIAN_SERVER_SCHEDULE_NOTIFICATION_POLICY_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "server/schedule/working_hours.h"

namespace meridian::schedule {

enum class MentionKind {
  kDirect,         // @name in a channel or thread
  kDirectMessage,  // any message in a direct conversation
  kHere,           // @here: members in working hours now
  kChannel,        // @channel: every member, at the start of their day
};

struct NotificationRequest {
  uint64_t sender_id = 0;
  uint64_t recipient_id = 0;
  MentionKind kind = MentionKind::kDirect;
  bool urgent = false;
  absl::Time now;
};

struct NotificationDecision {
  enum class Action { kDeliverNow, kHold, kDrop };
  Action action = Action::kDrop;
  // kDeliverNow: `now`; kHold: when to deliver (strictly after `now`); kDrop: InfinitePast.
  absl::Time deliver_at = absl::InfinitePast();
  // Why, for logs and the API ("outside working hours (Asia/Kolkata) until 09:00").
  std::string reason;
};

// Decides per the rules above. Pure; safe for concurrent use. `recipient` is borrowed.
NotificationDecision DecideNotification(const WorkingSchedule& recipient,
                                        const NotificationRequest& request);

const char* ActionName(NotificationDecision::Action action);

}  // namespace meridian::schedule

#endif  // MERIDIAN_SERVER_SCHEDULE_NOTIFICATION_POLICY_H_
