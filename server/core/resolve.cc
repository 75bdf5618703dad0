#include "server/core/resolve.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"

namespace meridian {

std::string NormalizeHandle(absl::string_view in, char sigil) {
  if (!in.empty() && in[0] == sigil) in.remove_prefix(1);
  return absl::AsciiStrToLower(in);
}

absl::StatusOr<uint64_t> ResolveUser(const Directory& dir, absl::string_view ref,
                                     absl::string_view field) {
  if (ref.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  if (ref[0] == 'u' && ref.size() > 1 && absl::ascii_isdigit(ref[1])) {
    auto id = ParseUserId(ref, field);
    if (!id.ok()) return id.status();
    if (!dir.User(*id)) return absl::NotFoundError(absl::StrCat("no user ", ref));
    return *id;
  }
  std::string name = NormalizeHandle(ref, '@');
  auto id = dir.UserIdByName(name);
  if (!id) return absl::NotFoundError(absl::StrCat("no user named @", name));
  return *id;
}

absl::StatusOr<ChannelView> CheckChannelAccess(const Directory& dir, const Caller& caller,
                                               uint64_t channel, Access access) {
  auto view = dir.Channel(channel);
  bool member = view && dir.IsMember(channel, caller.user_id);
  if (!view || (view->is_private() && !member)) {
    return absl::NotFoundError(absl::StrCat("no channel ", ChannelIdString(channel)));
  }
  if (access == Access::kWrite) {
    if (!member) {
      return absl::PermissionDeniedError(absl::StrCat(
          "you are not a member of #", view->record.channel().name(), "; join it first"));
    }
    if (view->record.channel().archived()) {
      return absl::FailedPreconditionError("the channel is archived and accepts no changes");
    }
  }
  return *std::move(view);
}

absl::StatusOr<ChannelView> ResolveChannel(const Directory& dir, const Caller& caller,
                                           absl::string_view ref, Access access,
                                           absl::string_view field) {
  if (ref.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  uint64_t id = 0;
  if (ref[0] == '#') {
    std::string name = NormalizeHandle(ref, '#');
    auto found = dir.ChannelIdByName(name);
    if (!found) return absl::NotFoundError(absl::StrCat("no channel #", name));
    id = *found;
  } else if (ref[0] == '@') {
    auto other = ResolveUser(dir, ref, field);
    if (!other.ok()) return other.status();
    std::vector<uint64_t> members = {caller.user_id, *other};
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    auto found = dir.DirectChannel(members);
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("no direct conversation with ", ref, " yet; open one first"));
    }
    id = *found;
  } else {
    auto parsed = ParseChannelId(ref, field);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": \"", ref.substr(0, 64), "\" is neither a channel id (c3), #name nor @user"));
    }
    id = *parsed;
  }
  return CheckChannelAccess(dir, caller, id, access);
}

}  // namespace meridian
