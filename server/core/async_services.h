// The "asynchronous first" services of issue 6, built and wired together: notifications (and
// the observer that raises them), scheduled messages, reminders, reply-by tracking, catch-up
// and group overlap. Core owns one.
#ifndef MERIDIAN_SERVER_CORE_ASYNC_SERVICES_H_
#define MERIDIAN_SERVER_CORE_ASYNC_SERVICES_H_

#include "server/core/catch_up.h"
#include "server/core/message_service.h"
#include "server/core/notification_observer.h"
#include "server/core/notification_service.h"
#include "server/core/reminders.h"
#include "server/core/reply_by.h"
#include "server/core/scheduled_messages.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// Safe for concurrent use. Borrows everything it is given, which must outlive it; the scheduler
// must be stopped before it is destroyed.
class AsyncServices {
 public:
  // Adds its observers to `messages` and registers its job handlers with `scheduler`; call
  // before serving and before Scheduler::Start.
  AsyncServices(ServiceEnv env, MessageService& messages, schedule::Scheduler& scheduler);

  NotificationService& notifications() { return notifications_; }
  ScheduledMessages& scheduled() { return scheduled_; }
  Reminders& reminders() { return reminders_; }
  ReplyByTracker& reply_by() { return reply_by_; }
  const CatchUpService& catch_up() const { return catch_up_; }
  const ServiceEnv& env() const { return env_; }

 private:
  ServiceEnv env_;
  NotificationService notifications_;
  NotificationObserver observer_;
  ScheduledMessages scheduled_;
  Reminders reminders_;
  ReplyByTracker reply_by_;
  ThreadParticipation participation_;
  CatchUpService catch_up_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_ASYNC_SERVICES_H_
