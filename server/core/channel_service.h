// Channels and direct conversations: creation, membership, topic and purpose, archiving.
#ifndef MERIDIAN_SERVER_CORE_CHANNEL_SERVICE_H_
#define MERIDIAN_SERVER_CORE_CHANNEL_SERVICE_H_

#include "absl/status/statusor.h"
#include "meridian/v1/channels.pb.h"
#include "server/core/service_env.h"

namespace meridian {

// Safe for concurrent use.
class ChannelService {
 public:
  explicit ChannelService(ServiceEnv env) : env_(env) {}

  absl::StatusOr<v1::Channel> Create(const Caller& caller, const v1::CreateChannelRequest& req);
  absl::StatusOr<v1::Channel> Get(const Caller& caller, const v1::GetChannelRequest& req) const;
  absl::StatusOr<v1::BrowseChannelsResponse> Browse(const Caller& caller,
                                                    const v1::BrowseChannelsRequest& req) const;
  v1::ListMyChannelsResponse ListMine(const Caller& caller) const;
  absl::StatusOr<v1::ListMembersResponse> ListMembers(const Caller& caller,
                                                      const v1::ListMembersRequest& req) const;
  absl::StatusOr<v1::Channel> Join(const Caller& caller, const v1::JoinChannelRequest& req);
  absl::Status Leave(const Caller& caller, const v1::LeaveChannelRequest& req);
  absl::StatusOr<v1::Channel> Invite(const Caller& caller, const v1::InviteMembersRequest& req);
  absl::Status Remove(const Caller& caller, const v1::RemoveMemberRequest& req);
  absl::StatusOr<v1::Channel> Update(const Caller& caller, const v1::UpdateChannelRequest& req);
  absl::StatusOr<v1::Channel> Archive(const Caller& caller, const v1::ArchiveChannelRequest& req);
  // Same member set, same conversation: returns the existing one or creates it.
  absl::StatusOr<v1::Channel> OpenDirect(const Caller& caller, const v1::OpenDirectRequest& req);

  // The channel as the API shows it (member count; member ids for direct conversations).
  static v1::Channel ToApi(const ChannelView& view);

 private:
  // Writes the membership of `user` in `channel` (read marker at the newest message) and its
  // event into txn.
  void AddMember(Txn& txn, const ChannelView& channel, uint64_t user, uint64_t actor);
  void RemoveMember(Txn& txn, const ChannelView& channel, uint64_t user, uint64_t actor);

  ServiceEnv env_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_CHANNEL_SERVICE_H_
