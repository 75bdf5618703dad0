#include "server/plugins/plugin_manager.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "meridian/plugin.h"
#include "server/common/logging.h"
#include "server/plugins/plugin_slot.h"

namespace meridian::plugins {

using plugin_wire::Deadline;
using plugin_wire::Frame;
using plugin_wire::HookOp;

namespace {

Deadline After(absl::Duration d) {
  return std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(d);
}

absl::Status FromPluginCode(int64_t code, const std::string& message) {
  switch (code) {
    case MERIDIAN_OK:
      return absl::OkStatus();
    case MERIDIAN_ERR_INVALID_ARGUMENT:
      return absl::InvalidArgumentError(message);
    case MERIDIAN_ERR_NOT_FOUND:
      return absl::NotFoundError(message);
    case MERIDIAN_ERR_ALREADY_EXISTS:
      return absl::AlreadyExistsError(message);
    case MERIDIAN_ERR_FAILED_PRECONDITION:
      return absl::FailedPreconditionError(message);
    case MERIDIAN_ERR_PERMISSION_DENIED:
      return absl::PermissionDeniedError(message);
    case MERIDIAN_ERR_RESOURCE_EXHAUSTED:
      return absl::ResourceExhaustedError(message);
    case MERIDIAN_ERR_UNAVAILABLE:
      return absl::UnavailableError(message);
    case MERIDIAN_ERR_UNIMPLEMENTED:
      return absl::UnimplementedError(message);
    case MERIDIAN_ERR_DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(message);
    default:
      return absl::InternalError(message);
  }
}

// The hook's reply on success, or its status with the reply (if any) as the message.
absl::StatusOr<std::string> ReplyOrError(const std::string& plugin_id, std::string_view what,
                                         const Frame& result) {
  std::string reply(result.S(0));
  if (result.I(0) == MERIDIAN_OK) return reply;
  if (reply.empty()) {
    reply = absl::StrCat("plugin ", plugin_id, " failed ", std::string(what), " (status ",
                         result.I(0), ")");
  }
  return FromPluginCode(result.I(0), reply);
}

Frame MessageArgs(const PluginMessage& m) {
  Frame f;
  f.s = {m.id, m.channel_id, m.user_id, m.text, m.thread_root_id};
  f.i = {ToMicros(m.create_time), m.urgent ? 1 : 0};
  return f;
}

}  // namespace

PluginManager::PluginManager(PluginManagerOptions options, storage::KvStore* store,
                             PluginServices* services, const Clock* clock)
    : options_(std::move(options)), services_(services), clock_(clock), kv_(store, clock) {}

PluginManager::~PluginManager() { Stop(); }

absl::Status PluginManager::Start() {
  absl::StatusOr<std::vector<DiscoveredManifest>> found = DiscoverManifests(options_.plugin_dir);
  if (!found.ok()) return found.status();
  PluginSlotDeps deps{&options_, &kv_, services_, &registry_, clock_, [this] { WakeSupervisor(); }};
  std::vector<std::shared_ptr<PluginSlot>> to_start;
  {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::FailedPreconditionError("plugin manager already started");
    for (DiscoveredManifest& d : *found) {
      std::shared_ptr<PluginSlot> slot;
      if (!d.manifest.ok()) {
        std::string id = std::filesystem::path(d.path).parent_path().filename().string();
        MLOG_ERROR("{}", std::string(d.manifest.status().message()));
        slot = std::make_shared<PluginSlot>(id, d.path, std::string(d.manifest.status().message()),
                                            deps);
      } else if (slots_.count(d.manifest->id)) {
        MLOG_ERROR("plugin manifest {} repeats id {}; ignored", d.path, d.manifest->id);
        continue;
      } else {
        slot = std::make_shared<PluginSlot>(*std::move(d.manifest), deps);
      }
      if (slots_.count(slot->id())) continue;
      slots_[slot->id()] = slot;
      to_start.push_back(slot);
    }
    started_ = true;
    stopping_ = false;
  }
  for (const std::shared_ptr<PluginSlot>& slot : to_start) {
    absl::StatusOr<std::optional<bool>> enabled = kv_.Enabled(slot->id());
    if (enabled.ok() && enabled->value_or(options_.enable_by_default) == false) {
      slot->Stop(PluginState::kDisabled);
      continue;
    }
    absl::StatusOr<std::optional<std::string>> failed = kv_.AutoDisabled(slot->id());
    if (!failed.ok()) {
      MLOG_ERROR("plugin {}: cannot read its stored state: {}", slot->id(),
                 std::string(failed.status().message()));
    } else if (failed->has_value()) {
      slot->RestoreAutoDisabled(**failed);
      continue;
    }
    slot->Start().IgnoreError();  // the slot logs and records why
  }
  posted_thread_ = std::thread([this] { PostedWorker(); });
  {
    absl::MutexLock lock(&supervisor_mu_);
    supervisor_stop_ = false;
  }
  if (options_.supervise_interval > absl::ZeroDuration()) {
    supervisor_thread_ = std::thread([this] { Supervisor(); });
  }
  return absl::OkStatus();
}

void PluginManager::Stop() {
  std::map<std::string, std::shared_ptr<PluginSlot>> slots;
  {
    absl::MutexLock lock(&mu_);
    if (!started_) return;
    stopping_ = true;
  }
  {
    absl::MutexLock lock(&supervisor_mu_);
    supervisor_stop_ = true;
  }
  if (posted_thread_.joinable()) posted_thread_.join();
  if (supervisor_thread_.joinable()) supervisor_thread_.join();
  {
    absl::MutexLock lock(&mu_);
    slots.swap(slots_);
    started_ = false;
  }
  for (auto& [id, slot] : slots) slot->Stop(PluginState::kStopped);
}

std::shared_ptr<PluginSlot> PluginManager::Find(const std::string& plugin_id) const {
  absl::MutexLock lock(&mu_);
  auto it = slots_.find(plugin_id);
  return it == slots_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<PluginSlot>> PluginManager::Slots() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<PluginSlot>> out;
  for (const auto& [id, slot] : slots_) out.push_back(slot);
  return out;
}

std::vector<PluginInfo> PluginManager::List() const {
  std::vector<PluginInfo> out;
  for (const auto& slot : Slots()) out.push_back(slot->Info());
  return out;
}

absl::StatusOr<PluginInfo> PluginManager::Get(const std::string& plugin_id) const {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  return slot->Info();
}

absl::Status PluginManager::Enable(const std::string& plugin_id) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  absl::Status stored = kv_.SetEnabled(plugin_id, true);
  if (!stored.ok()) return stored;
  if (absl::Status reset = slot->ResetFailures(); !reset.ok()) return reset;
  return slot->Start();
}

absl::Status PluginManager::Disable(const std::string& plugin_id) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  absl::Status stored = kv_.SetEnabled(plugin_id, false);
  if (!stored.ok()) return stored;
  slot->Stop(PluginState::kDisabled);
  MLOG_INFO("plugin {} disabled", plugin_id);
  return absl::OkStatus();
}

absl::Status PluginManager::Reload(const std::string& plugin_id) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  if (slot->Info().state == PluginState::kDisabled) {
    return absl::FailedPreconditionError(
        absl::StrCat("plugin ", plugin_id, " is disabled; enable it instead"));
  }
  return slot->Reload();
}

absl::Status PluginManager::UpdateSettings(const std::string& plugin_id,
                                           const std::map<std::string, std::string>& values) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  return slot->UpdateSettings(values);
}

void PluginManager::Poll() {
  for (const auto& slot : Slots()) slot->Poll();
}

absl::Duration PluginManager::NextSupervision() const {
  absl::Duration wait = options_.supervise_interval;
  const absl::Time now = clock_->Now();
  for (const auto& slot : Slots()) {
    PluginInfo info = slot->Info();
    if (info.state == PluginState::kBackoff) {
      wait = std::min(wait, std::max(info.next_restart - now, absl::Milliseconds(1)));
    }
  }
  return wait;
}

void PluginManager::WakeSupervisor() {
  absl::MutexLock lock(&supervisor_mu_);
  supervisor_wake_ = true;
}

void PluginManager::Supervisor() {
  for (;;) {
    const absl::Duration wait = NextSupervision();
    {
      absl::MutexLock lock(&supervisor_mu_);
      supervisor_mu_.AwaitWithTimeout(absl::Condition(
                                          +[](PluginManager* m) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                            return m->supervisor_wake_ || m->supervisor_stop_;
                                          },
                                          this),
                                      wait);
      if (supervisor_stop_) return;
      supervisor_wake_ = false;
    }
    Poll();
  }
}

HookDecision PluginManager::MessageWillBePosted(const PluginMessage& draft) {
  const Deadline deadline = After(options_.hook_deadline);
  HookDecision decision;
  std::string text = draft.text;
  for (const auto& slot : Slots()) {
    if (!slot->Serves(HookOp::kMessageWillBePosted)) continue;
    if (std::chrono::steady_clock::now() >= deadline) {
      MLOG_WARN("message_will_be_posted: deadline passed before plugin {}; allowing", slot->id());
      continue;
    }
    PluginMessage current = draft;
    current.text = text;
    absl::StatusOr<Frame> r =
        slot->Call(HookOp::kMessageWillBePosted, MessageArgs(current), deadline);
    if (!r.ok()) {
      MLOG_WARN("message_will_be_posted: {}; allowing", std::string(r.status().message()));
      continue;
    }
    if (r->I(0) == MERIDIAN_REJECT) {
      decision.kind = HookDecision::Kind::kReject;
      decision.plugin_id = slot->id();
      decision.text =
          r->I(1) ? std::string(r->S(0)) : absl::StrCat("rejected by plugin ", slot->id());
      return decision;
    }
    if (r->I(0) == MERIDIAN_MODIFY && r->I(1)) {
      text = std::string(r->S(0));
      decision.kind = HookDecision::Kind::kModify;
    }
  }
  if (decision.kind == HookDecision::Kind::kModify) decision.text = text;
  return decision;
}

HookDecision PluginManager::NotificationWillBeSent(const PluginNotification& n) {
  const Deadline deadline = After(options_.hook_deadline);
  HookDecision decision;
  std::string body = n.body;
  for (const auto& slot : Slots()) {
    if (!slot->Serves(HookOp::kNotificationWillBeSent)) continue;
    if (std::chrono::steady_clock::now() >= deadline) continue;
    Frame args;
    args.s = {n.user_id, n.channel_id, n.message_id, n.title, body};
    args.i = {n.urgent ? 1 : 0};
    absl::StatusOr<Frame> r = slot->Call(HookOp::kNotificationWillBeSent, args, deadline);
    if (!r.ok()) {
      MLOG_WARN("notification_will_be_sent: {}; delivering", std::string(r.status().message()));
      continue;
    }
    if (r->I(0) == MERIDIAN_REJECT) {
      decision.kind = HookDecision::Kind::kReject;
      decision.plugin_id = slot->id();
      decision.text = std::string(r->S(0));
      return decision;
    }
    if (r->I(0) == MERIDIAN_MODIFY && r->I(1)) {
      body = std::string(r->S(0));
      decision.kind = HookDecision::Kind::kModify;
    }
  }
  if (decision.kind == HookDecision::Kind::kModify) decision.text = body;
  return decision;
}

void PluginManager::MessagePosted(const PluginMessage& message) {
  absl::MutexLock lock(&mu_);
  if (!started_ || stopping_) return;
  if (posted_.size() >= options_.max_queued_posts) {
    MLOG_WARN("message_posted queue full ({}); dropping the oldest event", posted_.size());
    posted_.pop_front();
  }
  posted_.push_back(message);
}

void PluginManager::PostedWorker() {
  for (;;) {
    PluginMessage message;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PluginManager* m)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return m->stopping_ || !m->posted_.empty(); },
          this));
      if (stopping_) return;
      message = std::move(posted_.front());
      posted_.pop_front();
      delivering_ = true;
    }
    for (const auto& slot : Slots()) {
      if (!slot->Serves(HookOp::kMessagePosted)) continue;
      absl::StatusOr<Frame> r =
          slot->Call(HookOp::kMessagePosted, MessageArgs(message), After(options_.call_deadline));
      if (!r.ok()) MLOG_WARN("message_posted: {}", std::string(r.status().message()));
    }
    absl::MutexLock lock(&mu_);
    delivering_ = false;
  }
}

bool PluginManager::WaitForIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(
                                  +[](PluginManager* m) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                    return m->posted_.empty() && !m->delivering_;
                                  },
                                  this),
                              timeout);
}

absl::StatusOr<std::string> PluginManager::SlashCommand(const std::string& user_id,
                                                        const std::string& channel_id,
                                                        const std::string& line) {
  if (line.size() < 2 || line[0] != '/') {
    return absl::InvalidArgumentError("a command starts with '/', e.g. \"/help\"");
  }
  size_t end = line.find_first_of(" \t\n", 1);
  std::string trigger = line.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  std::string args;
  if (end != std::string::npos) {
    size_t start = line.find_first_not_of(" \t\n", end);
    if (start != std::string::npos) args = line.substr(start);
  }
  if (trigger == "help") {
    std::string help = "Commands:\n";
    for (const CommandInfo& c : registry_.Commands()) {
      absl::StrAppend(&help, "/", c.trigger, " — ", c.help, " (plugin ", c.plugin_id, ")\n");
    }
    return help;
  }
  std::optional<CommandInfo> command = registry_.FindCommand(trigger);
  if (!command) {
    return absl::NotFoundError(
        absl::StrCat("unknown command /", trigger, "; type /help for the list"));
  }
  std::shared_ptr<PluginSlot> slot = Find(command->plugin_id);
  if (slot == nullptr) return absl::UnavailableError("the plugin owning this command is gone");
  Frame frame;
  frame.s = {user_id, channel_id, trigger, args};
  absl::StatusOr<Frame> r =
      slot->Call(HookOp::kSlashCommand, std::move(frame), After(options_.call_deadline));
  if (!r.ok()) return r.status();
  return ReplyOrError(command->plugin_id, "/" + trigger, *r);
}

std::vector<CommandInfo> PluginManager::Commands() const { return registry_.Commands(); }

absl::StatusOr<std::string> PluginManager::InvokeEndpoint(const std::string& plugin_id,
                                                          const std::string& method,
                                                          const std::string& payload) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  PluginState state = slot->Info().state;
  if (state != PluginState::kRunning) {
    return absl::UnavailableError(
        absl::StrCat("plugin ", plugin_id, " is ", std::string(PluginStateName(state))));
  }
  if (!registry_.HasEndpoint(plugin_id, method)) {
    return absl::NotFoundError(
        absl::StrCat("plugin ", plugin_id, " has no endpoint \"", method, "\""));
  }
  Frame frame;
  frame.s = {method, payload};
  absl::StatusOr<Frame> r =
      slot->Call(HookOp::kEndpointInvoked, std::move(frame), After(options_.call_deadline));
  if (!r.ok()) return r.status();
  return ReplyOrError(plugin_id, "endpoint " + method, *r);
}

absl::Status PluginManager::TimerFired(const std::string& plugin_id, const std::string& timer_id) {
  std::shared_ptr<PluginSlot> slot = Find(plugin_id);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no plugin \"", plugin_id, "\""));
  Frame frame;
  frame.s = {timer_id};
  absl::StatusOr<Frame> r =
      slot->Call(HookOp::kTimerFired, std::move(frame), After(options_.call_deadline));
  return r.status();
}

}  // namespace meridian::plugins
