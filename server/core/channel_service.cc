#include "server/core/channel_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"
#include "storage/keys.h"

namespace meridian {
namespace {

constexpr size_t kMaxTopic = 250;
constexpr size_t kMaxPurpose = 250;
constexpr int kMaxDirectOthers = 8;

absl::Status ValidateChannelName(absl::string_view name) {
  if (name.empty() || name.size() > 64) {
    return absl::InvalidArgumentError("channel name must be 1 to 64 characters");
  }
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "channel name \"", name, "\" may contain only lowercase letters, digits, '-' and '_'"));
    }
  }
  return absl::OkStatus();
}

void PutChannelRecord(Txn& txn, Directory& dir, uint64_t id, const internal::ChannelRecord& rec) {
  txn.batch().Put(storage::Cf::kChannels, storage::keys::Channel(id), rec.SerializeAsString());
  txn.OnApplied([&dir, id, rec] { dir.PutChannel(id, rec); });
}

internal::EventRecord ChannelEvent(v1::EventType type, uint64_t channel, uint64_t actor) {
  internal::EventRecord ev;
  ev.set_channel(channel);
  ev.mutable_event()->set_type(type);
  ev.mutable_event()->set_channel_id(ChannelIdString(channel));
  ev.mutable_event()->set_actor_id(UserIdString(actor));
  return ev;
}

}  // namespace

v1::Channel ChannelService::ToApi(const ChannelView& view) {
  v1::Channel c = view.record.channel();
  c.set_member_count(static_cast<int64_t>(view.members.size()));
  if (view.is_direct()) {
    for (uint64_t m : view.members) c.add_member_ids(UserIdString(m));
  }
  return c;
}

void ChannelService::AddMember(Txn& txn, const ChannelView& channel, uint64_t user,
                               uint64_t actor) {
  uint64_t id = channel.id();
  internal::MemberRecord m;
  m.set_join_us(ToMicros(txn.now()));
  m.set_last_read_seq(channel.record.channel().last_seq());
  m.set_last_read_ordinal(channel.record.top_level_count());
  txn.batch().Put(storage::Cf::kMembers, storage::keys::Member(id, user), m.SerializeAsString());
  auto ev = ChannelEvent(v1::EVENT_TYPE_MEMBER_JOINED, id, actor);
  *ev.mutable_event()->mutable_channel() = ToApi(channel);
  if (auto u = env_.dir.User(user)) *ev.mutable_event()->mutable_user() = u->user();
  // Emitted after the directory knows the member, so the new member sees it too.
  ev.set_also_user(user);
  txn.Emit(std::move(ev));
  txn.OnApplied([dir = &env_.dir, id, user, m] {
    dir->PutMember(id, user, MemberState{m.join_us(), m.last_read_seq(), m.last_read_ordinal()});
  });
}

void ChannelService::RemoveMember(Txn& txn, const ChannelView& channel, uint64_t user,
                                  uint64_t actor) {
  uint64_t id = channel.id();
  txn.batch().Delete(storage::Cf::kMembers, storage::keys::Member(id, user));
  auto ev = ChannelEvent(v1::EVENT_TYPE_MEMBER_LEFT, id, actor);
  if (auto u = env_.dir.User(user)) *ev.mutable_event()->mutable_user() = u->user();
  ev.set_also_user(user);  // the one who left learns it too
  txn.Emit(std::move(ev));
  txn.OnApplied([dir = &env_.dir, id, user] { dir->RemoveMember(id, user); });
}

absl::StatusOr<v1::Channel> ChannelService::Create(const Caller& caller,
                                                   const v1::CreateChannelRequest& req) {
  std::string name = NormalizeHandle(req.name(), '#');
  RETURN_IF_ERROR(ValidateChannelName(name));
  if (req.kind() != v1::CHANNEL_KIND_PUBLIC && req.kind() != v1::CHANNEL_KIND_PRIVATE &&
      req.kind() != v1::CHANNEL_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "kind must be PUBLIC or PRIVATE; use OpenDirect for direct conversations");
  }
  RETURN_IF_ERROR(ValidateText(req.topic(), "topic", kMaxTopic, true));
  RETURN_IF_ERROR(ValidateText(req.purpose(), "purpose", kMaxPurpose, true));
  std::vector<uint64_t> invitees;
  for (const auto& ref : req.member_ids()) {
    ASSIGN_OR_RETURN(uint64_t u, ResolveUser(env_.dir, ref, "member_ids"));
    if (u != caller.user_id) invitees.push_back(u);
  }
  std::sort(invitees.begin(), invitees.end());
  invitees.erase(std::unique(invitees.begin(), invitees.end()), invitees.end());

  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    if (env_.dir.ChannelIdByName(name)) {
      return absl::AlreadyExistsError(absl::StrCat("a channel named #", name, " already exists"));
    }
    uint64_t id = env_.dir.AllocateChannelId();
    ChannelView view;
    v1::Channel* c = view.record.mutable_channel();
    c->set_id(ChannelIdString(id));
    c->set_name(name);
    c->set_kind(req.kind() == v1::CHANNEL_KIND_PRIVATE ? v1::CHANNEL_KIND_PRIVATE
                                                       : v1::CHANNEL_KIND_PUBLIC);
    c->set_topic(req.topic());
    c->set_purpose(req.purpose());
    c->set_creator_id(UserIdString(caller.user_id));
    SetTimestamp(c->mutable_create_time(), txn.now());
    PutChannelRecord(txn, env_.dir, id, view.record);
    std::string id_bytes;
    storage::AppendU64(&id_bytes, id);
    txn.batch().Put(storage::Cf::kChannels, storage::keys::ChannelName(name), id_bytes);

    auto created = ChannelEvent(v1::EVENT_TYPE_CHANNEL_CREATED, id, caller.user_id);
    view.members.push_back(caller.user_id);
    for (uint64_t u : invitees) view.members.push_back(u);
    *created.mutable_event()->mutable_channel() = ToApi(view);
    txn.Emit(std::move(created));
    AddMember(txn, view, caller.user_id, caller.user_id);
    for (uint64_t u : invitees) AddMember(txn, view, u, caller.user_id);
    return ToApi(view);
  });
}

absl::StatusOr<v1::Channel> ChannelService::Get(const Caller& caller,
                                                const v1::GetChannelRequest& req) const {
  ASSIGN_OR_RETURN(ChannelView view,
                   ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
  return ToApi(view);
}

absl::StatusOr<v1::BrowseChannelsResponse> ChannelService::Browse(
    const Caller& caller, const v1::BrowseChannelsRequest& req) const {
  if (req.page_size() < 0 || req.page_size() > env_.limits.max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", env_.limits.max_page_size));
  }
  size_t page = req.page_size() == 0 ? 100 : req.page_size();
  v1::BrowseChannelsResponse resp;
  for (const auto& view : env_.dir.PublicChannels()) {
    const std::string& name = view.record.channel().name();
    if (!req.page_token().empty() && name <= req.page_token()) continue;
    if (static_cast<size_t>(resp.channels_size()) == page) {
      resp.set_next_page_token(resp.channels(resp.channels_size() - 1).name());
      break;
    }
    *resp.add_channels() = ToApi(view);
  }
  return resp;
}

v1::ListMyChannelsResponse ChannelService::ListMine(const Caller& caller) const {
  v1::ListMyChannelsResponse resp;
  for (uint64_t id : env_.dir.ChannelsOf(caller.user_id)) {
    if (auto view = env_.dir.Channel(id)) *resp.add_channels() = ToApi(*view);
  }
  return resp;
}

absl::StatusOr<v1::ListMembersResponse> ChannelService::ListMembers(
    const Caller& caller, const v1::ListMembersRequest& req) const {
  ASSIGN_OR_RETURN(ChannelView view,
                   ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
  v1::ListMembersResponse resp;
  for (uint64_t m : view.members) resp.add_user_ids(UserIdString(m));
  return resp;
}

absl::StatusOr<v1::Channel> ChannelService::Join(const Caller& caller,
                                                 const v1::JoinChannelRequest& req) {
  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
    if (view.record.channel().archived()) {
      return absl::FailedPreconditionError("the channel is archived");
    }
    if (view.is_private()) {
      // Members of a private channel are already in; others were answered NOT_FOUND above.
      return ToApi(view);
    }
    if (!std::binary_search(view.members.begin(), view.members.end(), caller.user_id)) {
      AddMember(txn, view, caller.user_id, caller.user_id);
      view.members.insert(
          std::upper_bound(view.members.begin(), view.members.end(), caller.user_id),
          caller.user_id);
    }
    return ToApi(view);
  });
}

absl::Status ChannelService::Leave(const Caller& caller, const v1::LeaveChannelRequest& req) {
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
    if (view.is_direct()) {
      return absl::FailedPreconditionError("you cannot leave a direct conversation");
    }
    if (!env_.dir.IsMember(view.id(), caller.user_id)) {
      return absl::FailedPreconditionError("you are not a member of this channel");
    }
    RemoveMember(txn, view, caller.user_id, caller.user_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Channel> ChannelService::Invite(const Caller& caller,
                                                   const v1::InviteMembersRequest& req) {
  if (req.user_ids().empty()) return absl::InvalidArgumentError("user_ids is empty");
  std::vector<uint64_t> users;
  for (const auto& ref : req.user_ids()) {
    ASSIGN_OR_RETURN(uint64_t u, ResolveUser(env_.dir, ref, "user_ids"));
    users.push_back(u);
  }
  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kWrite));
    if (view.is_direct()) {
      return absl::FailedPreconditionError(
          "members cannot be added to a direct conversation; open a new one with everyone");
    }
    for (uint64_t u : users) {
      if (std::binary_search(view.members.begin(), view.members.end(), u)) continue;
      AddMember(txn, view, u, caller.user_id);
      view.members.insert(std::upper_bound(view.members.begin(), view.members.end(), u), u);
    }
    return ToApi(view);
  });
}

absl::Status ChannelService::Remove(const Caller& caller, const v1::RemoveMemberRequest& req) {
  ASSIGN_OR_RETURN(uint64_t user, ResolveUser(env_.dir, req.user_id()));
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kRead));
    if (view.is_direct()) {
      return absl::FailedPreconditionError("nobody can be removed from a direct conversation");
    }
    if (view.record.channel().creator_id() != UserIdString(caller.user_id) && !caller.is_admin) {
      return absl::PermissionDeniedError(
          "only the channel's creator or an admin can remove members");
    }
    if (!std::binary_search(view.members.begin(), view.members.end(), user)) {
      return absl::NotFoundError("that user is not a member of this channel");
    }
    RemoveMember(txn, view, user, caller.user_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Channel> ChannelService::Update(const Caller& caller,
                                                   const v1::UpdateChannelRequest& req) {
  bool topic = req.update_mask().empty(), purpose = req.update_mask().empty();
  for (const auto& f : req.update_mask()) {
    if (f == "topic") {
      topic = true;
    } else if (f == "purpose") {
      purpose = true;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown field \"", f, "\" (expected topic or purpose)"));
    }
  }
  RETURN_IF_ERROR(ValidateText(req.topic(), "topic", kMaxTopic, true));
  RETURN_IF_ERROR(ValidateText(req.purpose(), "purpose", kMaxPurpose, true));
  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kWrite));
    if (topic) view.record.mutable_channel()->set_topic(req.topic());
    if (purpose) view.record.mutable_channel()->set_purpose(req.purpose());
    uint64_t id = view.id();
    PutChannelRecord(txn, env_.dir, id, view.record);
    auto ev = ChannelEvent(v1::EVENT_TYPE_CHANNEL_UPDATED, id, caller.user_id);
    *ev.mutable_event()->mutable_channel() = ToApi(view);
    txn.Emit(std::move(ev));
    return ToApi(view);
  });
}

absl::StatusOr<v1::Channel> ChannelService::Archive(const Caller& caller,
                                                    const v1::ArchiveChannelRequest& req) {
  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    ASSIGN_OR_RETURN(ChannelView view,
                     ResolveChannel(env_.dir, caller, req.channel_id(), Access::kWrite));
    if (view.is_direct()) {
      return absl::FailedPreconditionError("direct conversations cannot be archived");
    }
    if (view.record.channel().creator_id() != UserIdString(caller.user_id) && !caller.is_admin) {
      return absl::PermissionDeniedError("only the channel's creator or an admin can archive it");
    }
    view.record.mutable_channel()->set_archived(true);
    uint64_t id = view.id();
    PutChannelRecord(txn, env_.dir, id, view.record);
    auto ev = ChannelEvent(v1::EVENT_TYPE_CHANNEL_UPDATED, id, caller.user_id);
    *ev.mutable_event()->mutable_channel() = ToApi(view);
    txn.Emit(std::move(ev));
    return ToApi(view);
  });
}

absl::StatusOr<v1::Channel> ChannelService::OpenDirect(const Caller& caller,
                                                       const v1::OpenDirectRequest& req) {
  if (req.user_ids().empty()) {
    return absl::InvalidArgumentError("user_ids is empty: name at least one other user");
  }
  if (req.user_ids_size() > kMaxDirectOthers) {
    return absl::InvalidArgumentError(
        absl::StrCat("a direct conversation has at most ", kMaxDirectOthers, " other users"));
  }
  std::vector<uint64_t> members = {caller.user_id};
  for (const auto& ref : req.user_ids()) {
    ASSIGN_OR_RETURN(uint64_t u, ResolveUser(env_.dir, ref, "user_ids"));
    auto rec = env_.dir.User(u);
    if (rec && rec->user().deactivated()) {
      return absl::FailedPreconditionError(
          absl::StrCat("@", rec->user().name(), " is deactivated"));
    }
    members.push_back(u);
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());

  return env_.committer.Run<v1::Channel>([&](Txn& txn) -> absl::StatusOr<v1::Channel> {
    if (auto existing = env_.dir.DirectChannel(members)) {
      auto view = env_.dir.Channel(*existing);
      if (view) return ToApi(*view);
    }
    uint64_t id = env_.dir.AllocateChannelId();
    ChannelView view;
    v1::Channel* c = view.record.mutable_channel();
    c->set_id(ChannelIdString(id));
    c->set_kind(v1::CHANNEL_KIND_DIRECT);
    c->set_creator_id(UserIdString(caller.user_id));
    SetTimestamp(c->mutable_create_time(), txn.now());
    for (uint64_t m : members) view.record.add_direct_members(m);
    view.members = members;
    PutChannelRecord(txn, env_.dir, id, view.record);
    auto created = ChannelEvent(v1::EVENT_TYPE_CHANNEL_CREATED, id, caller.user_id);
    *created.mutable_event()->mutable_channel() = ToApi(view);
    txn.Emit(std::move(created));
    for (uint64_t m : members) AddMember(txn, view, m, caller.user_id);
    return ToApi(view);
  });
}

}  // namespace meridian
