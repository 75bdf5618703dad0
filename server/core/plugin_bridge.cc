#include "server/core/plugin_bridge.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/common/text.h"
#include "server/core/auth_service.h"
#include "server/core/proto_time.h"
#include "server/core/resolve.h"

namespace meridian {
namespace {

constexpr char kTimerOwnerPrefix[] = "plugin:";

plugins::PluginMessage ToPluginMessage(const v1::Message& m) {
  plugins::PluginMessage out;
  out.id = m.id();
  out.channel_id = m.channel_id();
  out.user_id = m.author_id();
  out.text = m.text();
  out.thread_root_id = m.thread_root_id();
  out.create_time = FromTimestamp(m.create_time());
  out.urgent = m.urgent();
  return out;
}

// "c3" or "#name"; plugins are trusted server extensions and may see every channel.
absl::StatusOr<ChannelView> FindChannel(const Directory& dir, const std::string& ref) {
  uint64_t id = 0;
  if (absl::StartsWith(ref, "#")) {
    auto found = dir.ChannelIdByName(NormalizeHandle(ref, '#'));
    if (!found) return absl::NotFoundError(absl::StrCat("no channel ", ref));
    id = *found;
  } else {
    ASSIGN_OR_RETURN(id, ParseChannelId(ref, "channel_id"));
  }
  auto view = dir.Channel(id);
  if (!view) return absl::NotFoundError(absl::StrCat("no channel ", ref));
  return *view;
}

}  // namespace

absl::StatusOr<uint64_t> PluginBridge::BotUser(const std::string& plugin_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = bots_.find(plugin_id);
    if (it != bots_.end()) return it->second;
  }
  const std::string name = BotUserName(plugin_id);
  if (absl::Status valid = ValidateUserName(name); !valid.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("plugin id \"", plugin_id, "\" cannot name a bot user: ", valid.message()));
  }
  ASSIGN_OR_RETURN(
      uint64_t id, env_.committer.Run<uint64_t>([&](Txn& txn) -> absl::StatusOr<uint64_t> {
        if (auto existing = env_.dir.UserIdByName(name)) {
          auto rec = env_.dir.User(*existing);
          if (!rec || !rec->user().is_bot()) {
            // Only possible for an account registered before "-bot" names were reserved.
            return absl::FailedPreconditionError(absl::StrCat(
                "the name @", name, " belongs to a person, so plugin ", plugin_id, " has no bot"));
          }
          return *existing;
        }
        internal::UserRecord rec;  // no password_hash: a bot never logs in
        v1::User* u = rec.mutable_user();
        u->set_name(name);
        u->set_display_name(absl::StrCat(plugin_id, " (plugin)"));
        u->set_is_bot(true);
        const uint64_t id = AddUser(txn, env_.dir, &rec);
        MLOG_INFO("created bot user @{} ({}) for plugin {}", name, rec.user().id(), plugin_id);
        return id;
      }));
  absl::MutexLock lock(&mu_);
  bots_[plugin_id] = id;
  return id;
}

absl::StatusOr<Caller> PluginBridge::BotIn(const std::string& plugin_id,
                                           const std::string& channel_ref) {
  // The channel first: a bot is created only where there is something to post to, so it can
  // never be the server's first account (which becomes its administrator).
  ASSIGN_OR_RETURN(ChannelView channel, FindChannel(env_.dir, channel_ref));
  ASSIGN_OR_RETURN(uint64_t bot, BotUser(plugin_id));
  Caller caller{bot, false};
  if (!env_.dir.IsMember(channel.id(), bot)) {
    // A bot joins public channels by posting in them; private ones must invite it.
    v1::JoinChannelRequest join;
    join.set_channel_id(channel.record.channel().id());
    RETURN_IF_ERROR(channels_.Join(caller, join).status());
  }
  return caller;
}

absl::StatusOr<std::string> PluginBridge::PostAsBot(const std::string& plugin_id,
                                                    const std::string& channel_id,
                                                    const std::string& text,
                                                    const std::string& thread_root_id) {
  ASSIGN_OR_RETURN(Caller bot, BotIn(plugin_id, channel_id));
  v1::PostMessageRequest req;
  req.set_channel_id(channel_id);
  req.set_text(text);
  req.set_thread_root_id(thread_root_id);
  ASSIGN_OR_RETURN(v1::PostMessageResponse resp, messages_.Post(bot, req));
  return resp.message().id();
}

absl::Status PluginBridge::EditAsBot(const std::string& plugin_id, const std::string& message_id,
                                     const std::string& text) {
  ASSIGN_OR_RETURN(uint64_t bot, BotUser(plugin_id));
  v1::EditMessageRequest req;
  req.set_message_id(message_id);
  req.set_text(text);
  return messages_.Edit(Caller{bot, false}, req).status();
}

absl::Status PluginBridge::SendEphemeral(const std::string& plugin_id, const std::string& user_id,
                                         const std::string& channel_id, const std::string& text) {
  RETURN_IF_ERROR(ValidateText(text, "text", env_.limits.max_message_bytes));
  ASSIGN_OR_RETURN(uint64_t user, ResolveUser(env_.dir, user_id));
  ASSIGN_OR_RETURN(ChannelView found, FindChannel(env_.dir, channel_id));
  // Only into a channel the user can read, so a plugin cannot reveal one to them.
  ASSIGN_OR_RETURN(ChannelView channel,
                   CheckChannelAccess(env_.dir, Caller{user, false}, found.id(), Access::kRead));
  ASSIGN_OR_RETURN(uint64_t bot, BotUser(plugin_id));
  // It travels as an event for that user alone; the event log keeps it so that a client that
  // reconnects still gets it, but it is never part of the channel's history.
  return env_.committer.Run([&](Txn& txn) -> absl::Status {
    internal::EventRecord ev;
    ev.set_channel(channel.id());
    ev.set_only_user(user);
    v1::Event* e = ev.mutable_event();
    e->set_type(v1::EVENT_TYPE_EPHEMERAL);
    e->set_channel_id(channel.record.channel().id());
    e->set_actor_id(UserIdString(bot));
    v1::Message* m = e->mutable_message();
    m->set_channel_id(channel.record.channel().id());
    m->set_author_id(UserIdString(bot));
    m->set_text(text);
    SetTimestamp(m->mutable_create_time(), txn.now());
    txn.Emit(std::move(ev));
    return absl::OkStatus();
  });
}

absl::StatusOr<plugins::PluginUser> PluginBridge::LookupUser(const std::string& user_id) {
  ASSIGN_OR_RETURN(uint64_t id, ResolveUser(env_.dir, user_id));
  auto rec = env_.dir.User(id);
  if (!rec) return absl::NotFoundError(absl::StrCat("no user ", user_id));
  const v1::User& u = rec->user();
  plugins::PluginUser out;
  out.id = u.id();
  out.name = u.name();
  out.display_name = u.display_name();
  out.time_zone = u.time_zone();
  out.is_bot = u.is_bot();
  for (const v1::WorkingInterval& w : u.working_hours().intervals()) {
    out.working_hours.push_back({w.weekday(), w.start_minute(), w.end_minute()});
  }
  return out;
}

absl::StatusOr<plugins::PluginChannel> PluginBridge::LookupChannel(const std::string& channel_id) {
  ASSIGN_OR_RETURN(ChannelView view, FindChannel(env_.dir, channel_id));
  const v1::Channel& c = view.record.channel();
  plugins::PluginChannel out;
  out.id = c.id();
  out.name = c.name();
  out.topic = c.topic();
  for (uint64_t member : view.members) out.member_ids.push_back(UserIdString(member));
  return out;
}

void PluginBridge::SetScheduler(schedule::Scheduler* scheduler) {
  scheduler_ = scheduler;
  if (scheduler_ == nullptr) return;
  scheduler_->RegisterHandler(
      kPluginTimerJobKind,
      [this](const schedule::Job& job, storage::WriteBatch*) { return FireTimer(job); });
}

absl::Status PluginBridge::FireTimer(const schedule::Job& job) {
  if (!absl::StartsWith(job.owner, kTimerOwnerPrefix)) {
    MLOG_WARN("dropping plugin timer job {} with owner \"{}\"", job.id, job.owner);
    return absl::OkStatus();
  }
  if (manager_ == nullptr) return absl::UnavailableError("the plugin host is not running");
  std::string plugin_id = job.owner.substr(sizeof(kTimerOwnerPrefix) - 1);
  absl::Status s = manager_->TimerFired(plugin_id, job.payload);
  if (absl::IsNotFound(s)) {
    // The plugin was uninstalled; its timers go with it.
    MLOG_WARN("dropping timer {} of missing plugin {}", job.payload, plugin_id);
    return absl::OkStatus();
  }
  return s;  // UNAVAILABLE (stopped, restarting): the scheduler retries with backoff
}

absl::Status PluginBridge::ScheduleTimer(const std::string& plugin_id, const std::string& timer_id,
                                         absl::Time due, absl::Duration period) {
  if (scheduler_ == nullptr) {
    return absl::UnimplementedError("this server runs no scheduler, so plugins have no timers");
  }
  if (period > absl::ZeroDuration() && period < absl::Seconds(1)) {
    return absl::InvalidArgumentError("a periodic timer repeats at most once a second");
  }
  RETURN_IF_ERROR(CancelTimer(plugin_id, timer_id));
  schedule::JobSpec spec;
  spec.kind = kPluginTimerJobKind;
  spec.owner = absl::StrCat(kTimerOwnerPrefix, plugin_id);
  spec.payload = timer_id;
  spec.due = due;
  spec.period = period;
  RETURN_IF_ERROR(scheduler_->Schedule(spec).status());
  scheduler_->Wake();
  return absl::OkStatus();
}

absl::Status PluginBridge::CancelTimer(const std::string& plugin_id, const std::string& timer_id) {
  if (scheduler_ == nullptr) {
    return absl::UnimplementedError("this server runs no scheduler, so plugins have no timers");
  }
  schedule::ListOptions list;
  list.owner = absl::StrCat(kTimerOwnerPrefix, plugin_id);
  list.kind = kPluginTimerJobKind;
  list.limit = 100'000;
  ASSIGN_OR_RETURN(std::vector<schedule::Job> jobs, scheduler_->List(list));
  for (const schedule::Job& job : jobs) {
    if (job.payload != timer_id) continue;
    absl::Status s = scheduler_->Cancel(job.id);
    if (!s.ok() && !absl::IsNotFound(s)) return s;  // NOT_FOUND: it just ran
  }
  return absl::OkStatus();
}

PostVerdict PluginBridge::WillPost(const PostDraft& draft) {
  PostVerdict verdict;
  if (manager_ == nullptr) return verdict;
  plugins::PluginMessage m;
  m.channel_id = draft.channel_id;
  m.user_id = draft.author_id;
  m.text = draft.text;
  m.thread_root_id = draft.thread_root_id;
  m.create_time = draft.time;
  m.urgent = draft.urgent;
  plugins::HookDecision d = manager_->MessageWillBePosted(m);
  switch (d.kind) {
    case plugins::HookDecision::Kind::kAllow:
      break;
    case plugins::HookDecision::Kind::kReject:
      verdict.kind = PostVerdict::Kind::kReject;
      verdict.source = absl::StrCat("plugin ", d.plugin_id);
      verdict.text = d.text;
      break;
    case plugins::HookDecision::Kind::kModify:
      verdict.kind = PostVerdict::Kind::kModify;
      verdict.source = "plugins";
      verdict.text = d.text;
      break;
  }
  return verdict;
}

void PluginBridge::Posted(const v1::Message& message) {
  if (manager_ != nullptr) manager_->MessagePosted(ToPluginMessage(message));
}

bool PluginBridge::HasCommand(const std::string& trigger) {
  if (manager_ == nullptr) return false;
  if (trigger == "help") return true;
  std::vector<plugins::CommandInfo> commands = manager_->Commands();
  return std::any_of(commands.begin(), commands.end(),
                     [&](const plugins::CommandInfo& c) { return c.trigger == trigger; });
}

std::vector<std::string> PluginBridge::CommandTriggers() {
  std::vector<std::string> out;
  if (manager_ == nullptr) return out;
  out.push_back("help");
  for (const plugins::CommandInfo& c : manager_->Commands()) out.push_back(c.trigger);
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::string> PluginBridge::SlashCommand(const std::string& user_id,
                                                       const std::string& channel_id,
                                                       const std::string& line) {
  if (manager_ == nullptr) return absl::UnavailableError("no plugins are running");
  return manager_->SlashCommand(user_id, channel_id, line);
}

}  // namespace meridian
