// Keeps the full-text index in step with messages: each message change puts its postings into
// the same write batch, so a message is searchable exactly when its post is acknowledged.
#ifndef MERIDIAN_SERVER_CORE_SEARCH_OBSERVER_H_
#define MERIDIAN_SERVER_CORE_SEARCH_OBSERVER_H_

#include <optional>

#include "server/core/message_observer.h"
#include "server/search/search_index.h"

namespace meridian {

// What the index stores of a message record: nullopt for a deleted message or a record whose
// ids or time are unreadable (which are then not indexed).
std::optional<search::IndexedMessage> ToIndexedMessage(const ChannelView& channel,
                                                       const internal::MessageRecord& record);

// Runs on the writer thread only. Borrows `index`, which must outlive it.
//
// The index makes a change's postings visible once its batch is written (Txn::OnApplied), and
// forgets what the change did in memory when it is not (its function failed later, or the write
// failed: Txn::OnFailed).
class SearchObserver final : public MessageObserver {
 public:
  explicit SearchObserver(search::SearchIndex& index) : index_(index) {}

  void OnMessageWrite(Txn& txn, const ChannelView& channel, const internal::MessageRecord* before,
                      const internal::MessageRecord* after) override;

 private:
  search::SearchIndex& index_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_SEARCH_OBSERVER_H_
