#include "server/core/directory.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace meridian {
namespace {

template <typename Rec>
absl::Status ParseInto(Rec* rec, std::string_view bytes, std::string_view what) {
  if (!rec->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt ", std::string(what), " record"));
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t ChannelView::id() const {
  // Channel ids are "c<n>"; the record keeps the string form, parsed once here.
  return std::strtoull(record.channel().id().c_str() + 1, nullptr, 10);
}
bool ChannelView::is_direct() const { return record.channel().kind() == v1::CHANNEL_KIND_DIRECT; }
bool ChannelView::is_private() const { return record.channel().kind() != v1::CHANNEL_KIND_PUBLIC; }

absl::StatusOr<std::unique_ptr<Directory>> Directory::Load(const storage::KvStore& store) {
  auto dir = std::make_unique<Directory>();
  absl::MutexLock l(&dir->mu_);

  auto users = store.NewIterator(storage::Cf::kUsers);
  for (users->Seek(storage::keys::kUserPrefix); users->Valid() && users->key()[0] == 'u';
       users->Next()) {
    internal::UserRecord rec;
    if (auto s = ParseInto(&rec, users->value(), "user"); !s.ok()) return s;
    uint64_t id = *storage::ReadU64(users->key().substr(1));
    dir->user_names_[rec.user().name()] = id;
    dir->max_user_id_ = std::max(dir->max_user_id_, id);
    dir->users_[id] = std::move(rec);
  }
  if (auto s = users->status(); !s.ok()) return s;

  auto sessions = store.NewIterator(storage::Cf::kSessions);
  for (sessions->SeekToFirst(); sessions->Valid(); sessions->Next()) {
    internal::SessionRecord rec;
    if (auto s = ParseInto(&rec, sessions->value(), "session"); !s.ok()) return s;
    std::string hash(sessions->key());
    dir->sessions_[hash] = rec.user_id();
    dir->user_sessions_[rec.user_id()].insert(hash);
  }
  if (auto s = sessions->status(); !s.ok()) return s;

  auto channels = store.NewIterator(storage::Cf::kChannels);
  for (channels->Seek(storage::keys::kChannelPrefix);
       channels->Valid() && channels->key()[0] == 'c'; channels->Next()) {
    internal::ChannelRecord rec;
    if (auto s = ParseInto(&rec, channels->value(), "channel"); !s.ok()) return s;
    uint64_t id = *storage::ReadU64(channels->key().substr(1));
    dir->max_channel_id_ = std::max(dir->max_channel_id_, id);
    if (!rec.channel().name().empty()) dir->channel_names_[rec.channel().name()] = id;
    if (rec.direct_members_size() > 0) {
      std::vector<uint64_t> m(rec.direct_members().begin(), rec.direct_members().end());
      dir->directs_[DirectKey(m)] = id;
    }
    dir->channels_[id].record = std::move(rec);
  }
  if (auto s = channels->status(); !s.ok()) return s;

  auto members = store.NewIterator(storage::Cf::kMembers);
  for (members->Seek(storage::keys::kMemberPrefix); members->Valid() && members->key()[0] == 'm';
       members->Next()) {
    internal::MemberRecord rec;
    if (auto s = ParseInto(&rec, members->value(), "member"); !s.ok()) return s;
    std::string_view k = members->key().substr(1);
    uint64_t channel = *storage::ReadU64(k), user = *storage::ReadU64(k.substr(8));
    dir->channels_[channel].members[user] =
        MemberState{rec.join_us(), rec.last_read_seq(), rec.last_read_ordinal()};
    dir->user_channels_[user].insert(channel);
  }
  if (auto s = members->status(); !s.ok()) return s;
  return dir;
}

std::string Directory::DirectKey(const std::vector<uint64_t>& sorted_members) {
  std::string key;
  for (uint64_t m : sorted_members) storage::AppendU64(&key, m);
  return key;
}

std::optional<internal::UserRecord> Directory::User(uint64_t id) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> Directory::UserIdByName(std::string_view name) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = user_names_.find(std::string(name));
  if (it == user_names_.end()) return std::nullopt;
  return it->second;
}

std::vector<internal::UserRecord> Directory::AllUsers() const {
  std::vector<internal::UserRecord> out;
  {
    absl::ReaderMutexLock l(&mu_);
    out.reserve(users_.size());
    for (const auto& [id, rec] : users_) out.push_back(rec);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.user().name() < b.user().name(); });
  return out;
}

size_t Directory::user_count() const {
  absl::ReaderMutexLock l(&mu_);
  return users_.size();
}

uint64_t Directory::AllocateUserId() {
  absl::MutexLock l(&mu_);
  return ++max_user_id_;
}

void Directory::PutUser(uint64_t id, internal::UserRecord rec) {
  absl::MutexLock l(&mu_);
  user_names_[rec.user().name()] = id;
  max_user_id_ = std::max(max_user_id_, id);
  users_[id] = std::move(rec);
}

std::optional<uint64_t> Directory::SessionUser(std::string_view token_hash) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = sessions_.find(std::string(token_hash));
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Directory::SessionsOf(uint64_t user) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = user_sessions_.find(user);
  if (it == user_sessions_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void Directory::PutSession(std::string token_hash, uint64_t user) {
  absl::MutexLock l(&mu_);
  user_sessions_[user].insert(token_hash);
  sessions_[std::move(token_hash)] = user;
}

void Directory::RemoveSession(std::string_view token_hash) {
  absl::MutexLock l(&mu_);
  auto it = sessions_.find(std::string(token_hash));
  if (it == sessions_.end()) return;
  user_sessions_[it->second].erase(it->first);
  sessions_.erase(it);
}

ChannelView Directory::ViewOf(const ChannelEntry& e) const {
  ChannelView v;
  v.record = e.record;
  v.members.reserve(e.members.size());
  for (const auto& [user, state] : e.members) v.members.push_back(user);
  std::sort(v.members.begin(), v.members.end());
  v.record.mutable_channel()->set_member_count(static_cast<int64_t>(v.members.size()));
  return v;
}

std::optional<ChannelView> Directory::Channel(uint64_t id) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  return ViewOf(it->second);
}

std::optional<uint64_t> Directory::ChannelIdByName(std::string_view name) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = channel_names_.find(std::string(name));
  if (it == channel_names_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> Directory::DirectChannel(
    const std::vector<uint64_t>& sorted_members) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = directs_.find(DirectKey(sorted_members));
  if (it == directs_.end()) return std::nullopt;
  return it->second;
}

std::vector<ChannelView> Directory::PublicChannels() const {
  std::vector<ChannelView> out;
  {
    absl::ReaderMutexLock l(&mu_);
    for (const auto& [id, e] : channels_) {
      if (e.record.channel().kind() == v1::CHANNEL_KIND_PUBLIC) out.push_back(ViewOf(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.record.channel().name() < b.record.channel().name();
  });
  return out;
}

uint64_t Directory::AllocateChannelId() {
  absl::MutexLock l(&mu_);
  return ++max_channel_id_;
}

void Directory::PutChannel(uint64_t id, internal::ChannelRecord rec) {
  absl::MutexLock l(&mu_);
  max_channel_id_ = std::max(max_channel_id_, id);
  if (!rec.channel().name().empty()) channel_names_[rec.channel().name()] = id;
  if (rec.direct_members_size() > 0) {
    std::vector<uint64_t> m(rec.direct_members().begin(), rec.direct_members().end());
    directs_[DirectKey(m)] = id;
  }
  channels_[id].record = std::move(rec);
}

bool Directory::IsMember(uint64_t channel, uint64_t user) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second.members.contains(user);
}

std::optional<MemberState> Directory::Member(uint64_t channel, uint64_t user) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return std::nullopt;
  auto m = it->second.members.find(user);
  if (m == it->second.members.end()) return std::nullopt;
  return m->second;
}

std::vector<uint64_t> Directory::ChannelsOf(uint64_t user) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = user_channels_.find(user);
  if (it == user_channels_.end()) return {};
  std::vector<uint64_t> out(it->second.begin(), it->second.end());
  std::sort(out.begin(), out.end());
  return out;
}

void Directory::PutMember(uint64_t channel, uint64_t user, MemberState state) {
  absl::MutexLock l(&mu_);
  channels_[channel].members[user] = state;
  user_channels_[user].insert(channel);
}

void Directory::RemoveMember(uint64_t channel, uint64_t user) {
  absl::MutexLock l(&mu_);
  channels_[channel].members.erase(user);
  user_channels_[user].erase(channel);
}

}  // namespace meridian
