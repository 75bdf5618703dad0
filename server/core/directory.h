// Directory holds users, sessions, channels and memberships in memory. They are small (thousands
// of users, not millions) and read on every call for authentication and access control, so they
// are loaded from storage at start and kept current by the writer thread after each change.
// Messages and events are never held here.
#ifndef MERIDIAN_SERVER_CORE_DIRECTORY_H_
#define MERIDIAN_SERVER_CORE_DIRECTORY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/core/records.pb.h"
#include "storage/kv_store.h"

namespace meridian {

struct MemberState {
  int64_t join_us = 0;
  uint64_t last_read_seq = 0;
  uint64_t last_read_ordinal = 0;
};

// A copy of one channel's state at the moment it was read.
struct ChannelView {
  internal::ChannelRecord record;
  std::vector<uint64_t> members;  // sorted
  uint64_t id() const;
  bool is_direct() const;
  bool is_private() const;  // private or direct: invisible to non-members
};

// Reads are safe for concurrent use. Mutators are called only from the writer thread
// (Txn::OnApplied), after the change they mirror is written.
class Directory {
 public:
  // Reads every user, session, channel and membership from `store`.
  static absl::StatusOr<std::unique_ptr<Directory>> Load(const storage::KvStore& store);

  // Users.
  std::optional<internal::UserRecord> User(uint64_t id) const;
  std::optional<uint64_t> UserIdByName(std::string_view name) const;
  std::vector<internal::UserRecord> AllUsers() const;  // sorted by name
  size_t user_count() const;
  uint64_t AllocateUserId();
  void PutUser(uint64_t id, internal::UserRecord rec);

  // Sessions, by token hash.
  std::optional<uint64_t> SessionUser(std::string_view token_hash) const;
  std::vector<std::string> SessionsOf(uint64_t user) const;
  void PutSession(std::string token_hash, uint64_t user);
  void RemoveSession(std::string_view token_hash);

  // Channels.
  std::optional<ChannelView> Channel(uint64_t id) const;
  std::optional<uint64_t> ChannelIdByName(std::string_view name) const;
  std::optional<uint64_t> DirectChannel(const std::vector<uint64_t>& sorted_members) const;
  std::vector<ChannelView> PublicChannels() const;  // sorted by name
  uint64_t AllocateChannelId();
  void PutChannel(uint64_t id, internal::ChannelRecord rec);

  // Membership.
  bool IsMember(uint64_t channel, uint64_t user) const;
  std::optional<MemberState> Member(uint64_t channel, uint64_t user) const;
  std::vector<uint64_t> ChannelsOf(uint64_t user) const;
  void PutMember(uint64_t channel, uint64_t user, MemberState state);
  void RemoveMember(uint64_t channel, uint64_t user);

 private:
  struct ChannelEntry {
    internal::ChannelRecord record;
    absl::flat_hash_map<uint64_t, MemberState> members;
  };
  static std::string DirectKey(const std::vector<uint64_t>& sorted_members);
  ChannelView ViewOf(const ChannelEntry& e) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, internal::UserRecord> users_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> user_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, absl::flat_hash_set<std::string>> user_sessions_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, ChannelEntry> channels_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> channel_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> directs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, absl::flat_hash_set<uint64_t>> user_channels_ ABSL_GUARDED_BY(mu_);
  uint64_t max_user_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t max_channel_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_DIRECTORY_H_
