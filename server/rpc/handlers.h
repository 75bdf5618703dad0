// The gRPC services of meridiand. Each handler authenticates, calls one domain method and maps
// its status; nothing else happens here.
#ifndef MERIDIAN_SERVER_RPC_HANDLERS_H_
#define MERIDIAN_SERVER_RPC_HANDLERS_H_

#include "meridian/v1/auth.grpc.pb.h"
#include "meridian/v1/channels.grpc.pb.h"
#include "meridian/v1/messages.grpc.pb.h"
#include "meridian/v1/users.grpc.pb.h"
#include "server/core/core.h"

namespace meridian::rpc {

// Each borrows `core`, which must outlive the server. All are safe for concurrent use.
class AuthHandler final : public v1::AuthService::Service {
 public:
  explicit AuthHandler(Core& core) : core_(core) {}
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest*,
                        v1::RegisterResponse*) override;
  grpc::Status Login(grpc::ServerContext*, const v1::LoginRequest*, v1::LoginResponse*) override;
  grpc::Status Logout(grpc::ServerContext*, const v1::LogoutRequest*, v1::LogoutResponse*) override;
  grpc::Status WhoAmI(grpc::ServerContext*, const v1::WhoAmIRequest*, v1::WhoAmIResponse*) override;

 private:
  Core& core_;
};

class UserHandler final : public v1::UserService::Service {
 public:
  explicit UserHandler(Core& core) : core_(core) {}
  grpc::Status GetUser(grpc::ServerContext*, const v1::GetUserRequest*,
                       v1::GetUserResponse*) override;
  grpc::Status ListUsers(grpc::ServerContext*, const v1::ListUsersRequest*,
                         v1::ListUsersResponse*) override;
  grpc::Status UpdateProfile(grpc::ServerContext*, const v1::UpdateProfileRequest*,
                             v1::UpdateProfileResponse*) override;
  grpc::Status DeactivateUser(grpc::ServerContext*, const v1::DeactivateUserRequest*,
                              v1::DeactivateUserResponse*) override;

 private:
  Core& core_;
};

class ChannelHandler final : public v1::ChannelService::Service {
 public:
  explicit ChannelHandler(Core& core) : core_(core) {}
  grpc::Status CreateChannel(grpc::ServerContext*, const v1::CreateChannelRequest*,
                             v1::CreateChannelResponse*) override;
  grpc::Status GetChannel(grpc::ServerContext*, const v1::GetChannelRequest*,
                          v1::GetChannelResponse*) override;
  grpc::Status BrowseChannels(grpc::ServerContext*, const v1::BrowseChannelsRequest*,
                              v1::BrowseChannelsResponse*) override;
  grpc::Status ListMyChannels(grpc::ServerContext*, const v1::ListMyChannelsRequest*,
                              v1::ListMyChannelsResponse*) override;
  grpc::Status ListMembers(grpc::ServerContext*, const v1::ListMembersRequest*,
                           v1::ListMembersResponse*) override;
  grpc::Status JoinChannel(grpc::ServerContext*, const v1::JoinChannelRequest*,
                           v1::JoinChannelResponse*) override;
  grpc::Status LeaveChannel(grpc::ServerContext*, const v1::LeaveChannelRequest*,
                            v1::LeaveChannelResponse*) override;
  grpc::Status InviteMembers(grpc::ServerContext*, const v1::InviteMembersRequest*,
                             v1::InviteMembersResponse*) override;
  grpc::Status RemoveMember(grpc::ServerContext*, const v1::RemoveMemberRequest*,
                            v1::RemoveMemberResponse*) override;
  grpc::Status UpdateChannel(grpc::ServerContext*, const v1::UpdateChannelRequest*,
                             v1::UpdateChannelResponse*) override;
  grpc::Status ArchiveChannel(grpc::ServerContext*, const v1::ArchiveChannelRequest*,
                              v1::ArchiveChannelResponse*) override;
  grpc::Status OpenDirect(grpc::ServerContext*, const v1::OpenDirectRequest*,
                          v1::OpenDirectResponse*) override;

 private:
  Core& core_;
};

class MessageHandler final : public v1::MessageService::Service {
 public:
  explicit MessageHandler(Core& core) : core_(core) {}
  grpc::Status PostMessage(grpc::ServerContext*, const v1::PostMessageRequest*,
                           v1::PostMessageResponse*) override;
  grpc::Status EditMessage(grpc::ServerContext*, const v1::EditMessageRequest*,
                           v1::EditMessageResponse*) override;
  grpc::Status ListRevisions(grpc::ServerContext*, const v1::ListRevisionsRequest*,
                             v1::ListRevisionsResponse*) override;
  grpc::Status DeleteMessage(grpc::ServerContext*, const v1::DeleteMessageRequest*,
                             v1::DeleteMessageResponse*) override;
  grpc::Status GetHistory(grpc::ServerContext*, const v1::GetHistoryRequest*,
                          v1::GetHistoryResponse*) override;
  grpc::Status GetThread(grpc::ServerContext*, const v1::GetThreadRequest*,
                         v1::GetThreadResponse*) override;
  grpc::Status GetMessage(grpc::ServerContext*, const v1::GetMessageRequest*,
                          v1::GetMessageResponse*) override;
  grpc::Status AddReaction(grpc::ServerContext*, const v1::AddReactionRequest*,
                           v1::AddReactionResponse*) override;
  grpc::Status RemoveReaction(grpc::ServerContext*, const v1::RemoveReactionRequest*,
                              v1::RemoveReactionResponse*) override;
  grpc::Status PinMessage(grpc::ServerContext*, const v1::PinMessageRequest*,
                          v1::PinMessageResponse*) override;
  grpc::Status UnpinMessage(grpc::ServerContext*, const v1::UnpinMessageRequest*,
                            v1::UnpinMessageResponse*) override;
  grpc::Status ListPins(grpc::ServerContext*, const v1::ListPinsRequest*,
                        v1::ListPinsResponse*) override;
  grpc::Status MarkRead(grpc::ServerContext*, const v1::MarkReadRequest*,
                        v1::MarkReadResponse*) override;
  grpc::Status GetUnreadCounts(grpc::ServerContext*, const v1::GetUnreadCountsRequest*,
                               v1::GetUnreadCountsResponse*) override;

 private:
  Core& core_;
};

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_HANDLERS_H_
