#include "server/core/search_service.h"

#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/core/auth_service.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"

namespace meridian {
namespace {

constexpr int kMaxQueryBytes = 1000;

}  // namespace

search::AccessScope SearchService::ScopeOf(const Caller& caller) const {
  search::AccessScope scope;
  // Membership covers private channels and direct conversations; CheckChannelAccess is the one
  // rule for "may read", so search cannot drift from history.
  for (uint64_t ch : env_.dir.ChannelsOf(caller.user_id)) {
    if (CheckChannelAccess(env_.dir, caller, ch, Access::kRead).ok()) {
      scope.readable_channels.push_back(ch);
    }
  }
  for (const ChannelView& view : env_.dir.PublicChannels()) {
    if (!view.is_private()) scope.readable_channels.push_back(view.id());
  }
  return scope;
}

absl::StatusOr<v1::SearchResponse> SearchService::Search(const Caller& caller,
                                                         const v1::SearchRequest& req) const {
  if (req.query().size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("query is ", req.query().size(), " bytes; at most ", kMaxQueryBytes));
  }
  if (req.page_size() < 0 || req.page_size() > 100) {
    return absl::InvalidArgumentError("page_size must be between 1 and 100 (0 for default)");
  }
  search::SearchQuery q;
  q.text = req.query();
  q.sort = req.sort() == v1::SEARCH_SORT_NEWEST ? search::SearchSort::kNewest
                                                : search::SearchSort::kRelevance;
  q.page_size = req.page_size();
  q.page_token = req.page_token();
  std::string zone = req.time_zone();
  if (zone.empty()) {
    if (auto me = env_.dir.User(caller.user_id)) zone = me->user().time_zone();
  } else {
    RETURN_IF_ERROR(ValidateTimeZone(zone));
  }
  if (!zone.empty() && !absl::LoadTimeZone(zone, &q.time_zone)) q.time_zone = absl::UTCTimeZone();
  // A #channel the caller may not read resolves as unknown, so the query cannot probe for it.
  q.resolve = [this, &caller](std::string_view name) -> absl::StatusOr<uint64_t> {
    absl::string_view ref(name.data(), name.size());
    if (!ref.empty() && ref[0] == '#') {
      ASSIGN_OR_RETURN(ChannelView view, ResolveChannel(env_.dir, caller, ref, Access::kRead));
      return view.id();
    }
    return ResolveUser(env_.dir, ref);
  };

  ASSIGN_OR_RETURN(search::SearchResults results, index_.Search(q, ScopeOf(caller)));
  v1::SearchResponse resp;
  resp.set_total_count(static_cast<int64_t>(results.total_count));
  resp.set_next_page_token(results.next_page_token);
  for (search::SearchHit& h : results.hits) {
    v1::SearchHit* out = resp.add_hits();
    out->set_message_id(MessageIdString({h.channel, h.seq}));
    out->set_channel_id(ChannelIdString(h.channel));
    out->set_author_id(UserIdString(h.author));
    SetTimestamp(out->mutable_create_time(), absl::FromUnixMicros(h.time_us));
    out->set_score(h.score);
    v1::Snippet* snippet = out->mutable_snippet();
    snippet->set_text(std::move(h.snippet));
    for (const search::HighlightRange& r : h.highlights) {
      v1::HighlightRange* hr = snippet->add_highlights();
      hr->set_start(r.begin);
      hr->set_end(r.end);
    }
  }
  return resp;
}

}  // namespace meridian
