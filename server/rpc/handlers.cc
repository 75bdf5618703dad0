#include "server/rpc/handlers.h"

#include "server/common/ids.h"
#include "server/rpc/status.h"

namespace meridian::rpc {
// --- AuthService ---

grpc::Status AuthHandler::Register(grpc::ServerContext*, const v1::RegisterRequest* req,
                                   v1::RegisterResponse* resp) {
  return ToGrpc(Into(core_.auth().Register(*req), resp));
}

grpc::Status AuthHandler::Login(grpc::ServerContext*, const v1::LoginRequest* req,
                                v1::LoginResponse* resp) {
  return ToGrpc(Into(core_.auth().Login(*req), resp));
}

grpc::Status AuthHandler::Logout(grpc::ServerContext* ctx, const v1::LogoutRequest*,
                                 v1::LogoutResponse*) {
  return Authed(ctx, core_, [&](const Caller&) { return core_.auth().Logout(BearerToken(*ctx)); });
}

grpc::Status AuthHandler::WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest*,
                                 v1::WhoAmIResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    v1::GetUserRequest req;
    req.set_user_id(UserIdString(c.user_id));
    return Into(core_.users().GetUser(c, req), resp->mutable_user());
  });
}

// --- UserService ---

grpc::Status UserHandler::GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                                  v1::GetUserResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.users().GetUser(c, *req), resp->mutable_user());
  });
}

grpc::Status UserHandler::ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                                    v1::ListUsersResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.users().ListUsers(c, *req), resp); });
}

grpc::Status UserHandler::UpdateProfile(grpc::ServerContext* ctx,
                                        const v1::UpdateProfileRequest* req,
                                        v1::UpdateProfileResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.users().UpdateProfile(c, *req), resp->mutable_user());
  });
}

grpc::Status UserHandler::DeactivateUser(grpc::ServerContext* ctx,
                                         const v1::DeactivateUserRequest* req,
                                         v1::DeactivateUserResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.users().Deactivate(c, *req), resp->mutable_user());
  });
}

// --- ChannelService ---

grpc::Status ChannelHandler::CreateChannel(grpc::ServerContext* ctx,
                                           const v1::CreateChannelRequest* req,
                                           v1::CreateChannelResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Create(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::GetChannel(grpc::ServerContext* ctx, const v1::GetChannelRequest* req,
                                        v1::GetChannelResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Get(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::BrowseChannels(grpc::ServerContext* ctx,
                                            const v1::BrowseChannelsRequest* req,
                                            v1::BrowseChannelsResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.channels().Browse(c, *req), resp); });
}

grpc::Status ChannelHandler::ListMyChannels(grpc::ServerContext* ctx,
                                            const v1::ListMyChannelsRequest*,
                                            v1::ListMyChannelsResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    *resp = core_.channels().ListMine(c);
    return absl::OkStatus();
  });
}

grpc::Status ChannelHandler::ListMembers(grpc::ServerContext* ctx,
                                         const v1::ListMembersRequest* req,
                                         v1::ListMembersResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.channels().ListMembers(c, *req), resp); });
}

grpc::Status ChannelHandler::JoinChannel(grpc::ServerContext* ctx,
                                         const v1::JoinChannelRequest* req,
                                         v1::JoinChannelResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Join(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::LeaveChannel(grpc::ServerContext* ctx,
                                          const v1::LeaveChannelRequest* req,
                                          v1::LeaveChannelResponse*) {
  return Authed(ctx, core_, [&](const Caller& c) { return core_.channels().Leave(c, *req); });
}

grpc::Status ChannelHandler::InviteMembers(grpc::ServerContext* ctx,
                                           const v1::InviteMembersRequest* req,
                                           v1::InviteMembersResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Invite(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::RemoveMember(grpc::ServerContext* ctx,
                                          const v1::RemoveMemberRequest* req,
                                          v1::RemoveMemberResponse*) {
  return Authed(ctx, core_, [&](const Caller& c) { return core_.channels().Remove(c, *req); });
}

grpc::Status ChannelHandler::UpdateChannel(grpc::ServerContext* ctx,
                                           const v1::UpdateChannelRequest* req,
                                           v1::UpdateChannelResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Update(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::ArchiveChannel(grpc::ServerContext* ctx,
                                            const v1::ArchiveChannelRequest* req,
                                            v1::ArchiveChannelResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().Archive(c, *req), resp->mutable_channel());
  });
}

grpc::Status ChannelHandler::OpenDirect(grpc::ServerContext* ctx, const v1::OpenDirectRequest* req,
                                        v1::OpenDirectResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.channels().OpenDirect(c, *req), resp->mutable_channel());
  });
}

// --- MessageService ---

grpc::Status MessageHandler::PostMessage(grpc::ServerContext* ctx,
                                         const v1::PostMessageRequest* req,
                                         v1::PostMessageResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.messages().Post(c, *req), resp); });
}

grpc::Status MessageHandler::EditMessage(grpc::ServerContext* ctx,
                                         const v1::EditMessageRequest* req,
                                         v1::EditMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().Edit(c, *req), resp->mutable_message());
  });
}

grpc::Status MessageHandler::ListRevisions(grpc::ServerContext* ctx,
                                           const v1::ListRevisionsRequest* req,
                                           v1::ListRevisionsResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().ListRevisions(c, *req), resp);
  });
}

grpc::Status MessageHandler::DeleteMessage(grpc::ServerContext* ctx,
                                           const v1::DeleteMessageRequest* req,
                                           v1::DeleteMessageResponse*) {
  return Authed(ctx, core_, [&](const Caller& c) { return core_.messages().Delete(c, *req); });
}

grpc::Status MessageHandler::GetHistory(grpc::ServerContext* ctx, const v1::GetHistoryRequest* req,
                                        v1::GetHistoryResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.messages().History(c, *req), resp); });
}

grpc::Status MessageHandler::GetThread(grpc::ServerContext* ctx, const v1::GetThreadRequest* req,
                                       v1::GetThreadResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.messages().Thread(c, *req), resp); });
}

grpc::Status MessageHandler::GetMessage(grpc::ServerContext* ctx, const v1::GetMessageRequest* req,
                                        v1::GetMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().Get(c, *req), resp->mutable_message());
  });
}

grpc::Status MessageHandler::AddReaction(grpc::ServerContext* ctx,
                                         const v1::AddReactionRequest* req,
                                         v1::AddReactionResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().React(c, req->message_id(), req->emoji(), true),
                resp->mutable_message());
  });
}

grpc::Status MessageHandler::RemoveReaction(grpc::ServerContext* ctx,
                                            const v1::RemoveReactionRequest* req,
                                            v1::RemoveReactionResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().React(c, req->message_id(), req->emoji(), false),
                resp->mutable_message());
  });
}

grpc::Status MessageHandler::PinMessage(grpc::ServerContext* ctx, const v1::PinMessageRequest* req,
                                        v1::PinMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().Pin(c, req->message_id(), true), resp->mutable_message());
  });
}

grpc::Status MessageHandler::UnpinMessage(grpc::ServerContext* ctx,
                                          const v1::UnpinMessageRequest* req,
                                          v1::UnpinMessageResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) {
    return Into(core_.messages().Pin(c, req->message_id(), false), resp->mutable_message());
  });
}

grpc::Status MessageHandler::ListPins(grpc::ServerContext* ctx, const v1::ListPinsRequest* req,
                                      v1::ListPinsResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.messages().ListPins(c, *req), resp); });
}

grpc::Status MessageHandler::MarkRead(grpc::ServerContext* ctx, const v1::MarkReadRequest* req,
                                      v1::MarkReadResponse* resp) {
  return Authed(ctx, core_, [&](const Caller& c) -> absl::Status {
    auto seq = core_.messages().MarkRead(c, *req);
    if (!seq.ok()) return seq.status();
    resp->set_last_read_seq(*seq);
    return absl::OkStatus();
  });
}

grpc::Status MessageHandler::GetUnreadCounts(grpc::ServerContext* ctx,
                                             const v1::GetUnreadCountsRequest*,
                                             v1::GetUnreadCountsResponse* resp) {
  return Authed(ctx, core_,
                [&](const Caller& c) { return Into(core_.messages().UnreadCounts(c), resp); });
}

}  // namespace meridian::rpc
