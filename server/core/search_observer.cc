#include "server/core/search_observer.h"

#include "server/common/ids.h"
#include "server/core/proto_time.h"

namespace meridian {

std::optional<search::IndexedMessage> ToIndexedMessage(const ChannelView& channel,
                                                       const internal::MessageRecord& record) {
  const v1::Message& m = record.message();
  if (m.deleted()) return std::nullopt;
  auto author = ParseUserId(m.author_id());
  if (!author.ok() || !m.has_create_time()) return std::nullopt;
  search::IndexedMessage out;
  out.channel = channel.id();
  out.seq = m.seq();
  out.author = *author;
  // Creation time, never the edit time: the posting keys are ordered by it.
  out.time_us = absl::ToUnixMicros(FromTimestamp(m.create_time()));
  out.text = m.text();
  out.has_reaction = m.reactions_size() > 0;
  out.pinned = m.pinned();
  out.in_thread = !m.thread_root_id().empty() || m.reply_count() > 0;
  out.is_direct = channel.is_direct();
  if (out.is_direct) {
    out.direct_members.assign(channel.record.direct_members().begin(),
                              channel.record.direct_members().end());
  }
  return out;
}

void SearchObserver::OnMessageWrite(Txn& txn, const ChannelView& channel,
                                    const internal::MessageRecord* before,
                                    const internal::MessageRecord* after) {
  std::optional<search::IndexedMessage> previous, current;
  if (before != nullptr) previous = ToIndexedMessage(channel, *before);
  if (after != nullptr) current = ToIndexedMessage(channel, *after);
  if (!previous && !current) return;
  index_.IndexMessage(previous ? &*previous : nullptr, current ? &*current : nullptr, &txn.batch());
  txn.OnApplied([index = &index_] { index->Commit(); });
  txn.OnFailed([index = &index_] { index->Abandon(); });
}

}  // namespace meridian
