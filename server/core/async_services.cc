#include "server/core/async_services.h"

namespace meridian {

AsyncServices::AsyncServices(ServiceEnv env, MessageService& messages,
                             schedule::Scheduler& scheduler)
    : env_(env),
      notifications_(env, scheduler),
      observer_(notifications_),
      scheduled_(env, messages, scheduler),
      reminders_(env, notifications_, scheduler),
      reply_by_(env, notifications_, scheduler),
      catch_up_(env) {
  messages.AddObserver(&observer_);
  messages.AddObserver(&reply_by_);
  messages.AddObserver(&participation_);
  notifications_.RegisterHandlers();
  scheduled_.RegisterHandlers();
  reminders_.RegisterHandlers();
  reply_by_.RegisterHandlers();
}

}  // namespace meridian
