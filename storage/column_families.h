// The column families of Meridian's database. SCHEMA.md documents the keys and values of each.
#ifndef MERIDIAN_STORAGE_COLUMN_FAMILIES_H_
#define MERIDIAN_STORAGE_COLUMN_FAMILIES_H_

#include <array>
#include <string_view>

namespace meridian::storage {

// Numeric values index arrays only; the on-disk identity of a column family is its name, so new
// families are appended and none is ever renamed.
enum class Cf : int {
  kMeta = 0,      // counters and format version ("default" column family)
  kUsers,         // user records and the name index
  kSessions,      // session-token hashes
  kChannels,      // channel records, name index, direct-conversation index
  kMembers,       // memberships and read markers, both directions
  kMessages,      // messages by (channel, seq)
  kThreads,       // thread reply index
  kRevisions,     // previous texts of edited messages
  kIdempotency,   // post idempotency keys
  kEvents,        // the global event log
  kPins,          // pinned messages per channel
  kMentions,      // mentions per user for unread counts
  kSearch,        // full-text postings (owned by server/search)
  kPlugins,       // plugin key-value namespaces
  kScheduler,     // the durable job queue
  kAsync,         // notification feed, reply-by lists, thread participation (server/core)
  kSearchBlocks,  // full-text posting blocks, written as table files (owned by server/search)
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<int>(Cf::kCount)> kCfNames = {
    "default", "users",     "sessions",    "channels", "members",       "messages",
    "threads", "revisions", "idempotency", "events",   "pins",          "mentions",
    "search",  "plugins",   "scheduler",   "async",    "search_blocks",
};

inline std::string_view CfName(Cf cf) { return kCfNames[static_cast<int>(cf)]; }

}  // namespace meridian::storage

#endif  // MERIDIAN_STORAGE_COLUMN_FAMILIES_H_
