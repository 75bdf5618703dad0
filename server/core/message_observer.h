// A hook for what must change in the same change as a message: search postings, notifications,
// reply-by deadlines.
#ifndef MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_
#define MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_

#include "server/core/directory.h"
#include "server/core/records.pb.h"
#include "server/core/txn.h"

namespace meridian {

// Called on the writer thread only, inside the change it observes (add writes to txn.batch(),
// events with txn.Emit); must be quick and must not block. `before` is null for a new message,
// `after` null when a message stops existing (deletion).
class MessageObserver {
 public:
  virtual ~MessageObserver() = default;
  virtual void OnMessageWrite(Txn& txn, const ChannelView& channel,
                              const internal::MessageRecord* before,
                              const internal::MessageRecord* after) = 0;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_
