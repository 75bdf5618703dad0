// A hook for what must change in the same write batch as a message: the search index.
#ifndef MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_
#define MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_

#include "server/core/directory.h"
#include "server/core/records.pb.h"
#include "storage/write_batch.h"

namespace meridian {

// Called on the writer thread only, inside the change it observes; must be quick and must not
// block. `before` is null for a new message, `after` null when a message stops existing.
class MessageObserver {
 public:
  virtual ~MessageObserver() = default;
  virtual void OnMessageWrite(const ChannelView& channel, const internal::MessageRecord* before,
                              const internal::MessageRecord* after, storage::WriteBatch& batch) = 0;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_MESSAGE_OBSERVER_H_
