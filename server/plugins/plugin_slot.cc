#include "server/plugins/plugin_slot.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "meridian/plugin.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/plugins/in_process_connection.h"
#include "server/plugins/runner_connection.h"

namespace meridian::plugins {

using plugin_wire::Deadline;
using plugin_wire::Frame;
using plugin_wire::FrameType;
using plugin_wire::HookOp;
using plugin_wire::HookOutcome;

namespace {

// Slots whose hook is running on this thread. A plugin that posts from inside its own hook
// re-enters the host's write path, which must not wait for that same plugin.
thread_local std::vector<const PluginSlot*> tls_active_slots;

class ActiveMark {
 public:
  explicit ActiveMark(const PluginSlot* slot) { tls_active_slots.push_back(slot); }
  ~ActiveMark() { tls_active_slots.pop_back(); }
};

bool ActiveOnThisThread(const PluginSlot* slot) {
  return std::find(tls_active_slots.begin(), tls_active_slots.end(), slot) !=
         tls_active_slots.end();
}

Deadline After(absl::Duration d) {
  return std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(d);
}

absl::Time ToAbslDeadline(Deadline d) {
  if (d == Deadline::max()) return absl::InfiniteFuture();
  return absl::Now() + absl::FromChrono(d - std::chrono::steady_clock::now());
}

}  // namespace

std::string_view PluginStateName(PluginState state) {
  switch (state) {
    case PluginState::kStopped:
      return "stopped";
    case PluginState::kRunning:
      return "running";
    case PluginState::kBackoff:
      return "backoff";
    case PluginState::kDisabled:
      return "disabled";
    case PluginState::kFailed:
      return "failed";
    case PluginState::kRefused:
      return "refused";
  }
  return "unknown";
}

PluginSlot::PluginSlot(PluginManifest manifest, PluginSlotDeps deps)
    : id_(manifest.id),
      deps_(deps),
      manifest_(std::move(manifest)),
      policy_(deps.options->restart) {}

PluginSlot::PluginSlot(std::string id, std::string manifest_path, std::string error,
                       PluginSlotDeps deps)
    : id_(std::move(id)), deps_(deps), policy_(deps.options->restart) {
  manifest_.id = id_;
  manifest_.manifest_path = std::move(manifest_path);
  state_ = PluginState::kRefused;
  last_error_ = std::move(error);
}

PluginSlot::~PluginSlot() { Stop(PluginState::kStopped); }

bool PluginSlot::ClaimLocked(Deadline deadline) {
  mu_.AwaitWithDeadline(absl::Condition(
                            +[](bool* busy) { return !*busy; }, &busy_),
                        ToAbslDeadline(deadline));
  if (busy_) return false;
  busy_ = true;
  return true;
}

void PluginSlot::ReleaseLocked() { busy_ = false; }

std::map<std::string, std::string> PluginSlot::EffectiveSettings() const {
  std::map<std::string, std::string> settings;
  {
    absl::MutexLock lock(&mu_);
    settings = manifest_.settings;
  }
  auto configured = deps_.options->settings.find(id_);
  if (configured != deps_.options->settings.end()) {
    for (const auto& [k, v] : configured->second) {
      if (settings.count(k)) settings[k] = v;
    }
  }
  absl::StatusOr<std::map<std::string, std::string>> overrides = deps_.kv->SettingOverrides(id_);
  if (overrides.ok()) {
    for (const auto& [k, v] : *overrides) {
      if (settings.count(k)) settings[k] = v;
    }
  } else {
    MLOG_WARN("plugin {}: cannot read setting overrides: {}", id_,
              std::string(overrides.status().message()));
  }
  return settings;
}

std::unique_ptr<PluginConnection> PluginSlot::NewConnection(
    std::shared_ptr<HostCallHandler> handler) const {
  const PluginManagerOptions& o = *deps_.options;
  std::string library;
  {
    absl::MutexLock lock(&mu_);
    library = manifest_.library_path;
  }
  if (o.in_process.count("*") || o.in_process.count(id_)) {
    return std::make_unique<InProcessConnection>(id_, library, std::move(handler));
  }
  return std::make_unique<RunnerConnection>(o.runner_path, id_, library, std::move(handler));
}

absl::Status PluginSlot::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ == PluginState::kRunning) return absl::OkStatus();
    if (ActiveOnThisThread(this)) return absl::FailedPreconditionError("re-entrant start");
    ClaimLocked(Deadline::max());
  }
  return StartClaimed();
}

absl::Status PluginSlot::StartClaimed() {
  std::string abi_error;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == PluginState::kRefused && manifest_.library_path.empty()) {
      ReleaseLocked();  // the manifest never parsed
      return absl::FailedPreconditionError(last_error_);
    }
    abi_error = CheckManifestAbi(manifest_);
  }
  std::unique_ptr<PluginConnection> connection;
  absl::StatusOr<PluginHello> hello = absl::FailedPreconditionError(abi_error);
  auto handler =
      std::make_shared<HostCallHandler>(id_, deps_.kv, deps_.services, deps_.registry, deps_.clock);
  handler->SetSettings(EffectiveSettings());
  absl::StatusOr<Frame> activated = absl::UnknownError("not started");
  // activate registers afresh what this version of the plugin offers.
  deps_.registry->RemovePlugin(id_);
  if (abi_error.empty()) {
    connection = NewConnection(handler);
    ActiveMark mark(this);
    hello = connection->Start(After(deps_.options->start_deadline));
    if (hello.ok()) {
      Frame call;
      call.type = FrameType::kHookCall;
      call.op = static_cast<uint32_t>(HookOp::kActivate);
      activated = connection->Call(call, After(deps_.options->call_deadline));
      if (activated.ok() && activated->I(2) != static_cast<int64_t>(HookOutcome::kOk)) {
        activated =
            absl::InternalError(absl::StrCat("activate threw: ", std::string(activated->S(1))));
      } else if (activated.ok() && activated->I(0) != MERIDIAN_OK) {
        activated = absl::InternalError(absl::StrCat("activate returned status ", activated->I(0)));
      }
    }
  }
  std::unique_ptr<PluginConnection> doomed;
  {
    absl::MutexLock lock(&mu_);
    ReleaseLocked();
    if (!hello.ok() && hello.status().code() == absl::StatusCode::kFailedPrecondition) {
      state_ = PluginState::kRefused;
      last_error_ = std::string(hello.status().message());
      MLOG_ERROR("plugin {} refused: {}", id_, last_error_);
      doomed = std::move(connection);
      return hello.status();
    }
    if (!hello.ok() || !activated.ok()) {
      connection_ = std::move(connection);
      doomed = FailLocked(!hello.ok() ? hello.status() : activated.status());
      return absl::UnavailableError(last_error_);
    }
    connection_ = std::move(connection);
    handler_ = std::move(handler);
    hello_ = *hello;
    state_ = PluginState::kRunning;
    last_error_.clear();
    MLOG_INFO("plugin {} {} running ({}, plugin ABI {}.{})", id_, manifest_.version,
              deps_.options->in_process.count(id_) || deps_.options->in_process.count("*")
                  ? "in-process"
                  : "isolated",
              hello_.abi_major, hello_.abi_minor);
  }
  return absl::OkStatus();
}

std::unique_ptr<PluginConnection> PluginSlot::FailLocked(const absl::Status& why) {
  // Commands and endpoints stay registered through a backoff, so callers hear "unavailable"
  // rather than "unknown command"; they go when the plugin is disabled for good.
  std::unique_ptr<PluginConnection> doomed = std::move(connection_);
  handler_.reset();
  last_error_ = std::string(why.message());
  const absl::Time now = deps_.clock->Now();
  if (doomed != nullptr && !doomed->Restartable()) {
    state_ = PluginState::kFailed;
    deps_.registry->RemovePlugin(id_);
    MLOG_ERROR("plugin {} failed and cannot be restarted in-process: {}; restart the server", id_,
               last_error_);
    return doomed;
  }
  std::optional<absl::Time> next = policy_.RecordFailure(now);
  if (!next) {
    state_ = PluginState::kFailed;
    deps_.registry->RemovePlugin(id_);
    absl::StrAppend(&last_error_, " (disabled after ", deps_.options->restart.max_failures,
                    " failures within ", absl::FormatDuration(deps_.options->restart.window),
                    " until an administrator enables it)");
    MLOG_ERROR("plugin {} failed: {}", id_, last_error_);
    // Remembered, so that restarting the server does not start the failure cycle over.
    if (absl::Status stored = deps_.kv->SetAutoDisabled(id_, last_error_); !stored.ok()) {
      MLOG_ERROR("plugin {}: cannot record that it was disabled: {}", id_,
                 std::string(stored.message()));
    }
  } else {
    state_ = PluginState::kBackoff;
    next_restart_ = *next;
    MLOG_ERROR("plugin {} failed: {}; restarting in {}", id_, last_error_,
               absl::FormatDuration(*next - now));
    if (deps_.restart_scheduled) deps_.restart_scheduled();
  }
  return doomed;
}

void PluginSlot::Stop(PluginState final_state) {
  std::unique_ptr<PluginConnection> connection;
  {
    absl::MutexLock lock(&mu_);
    ClaimLocked(Deadline::max());
    connection = std::move(connection_);
    handler_.reset();
    if (state_ != PluginState::kRefused || final_state == PluginState::kDisabled) {
      state_ = final_state;
    }
  }
  deps_.registry->RemovePlugin(id_);
  if (connection != nullptr && connection->CheckAlive().ok()) {
    Frame call;
    call.type = FrameType::kHookCall;
    call.op = static_cast<uint32_t>(HookOp::kDeactivate);
    ActiveMark mark(this);
    absl::StatusOr<Frame> r = connection->Call(call, After(deps_.options->call_deadline));
    if (!r.ok()) MLOG_WARN("plugin {} deactivate: {}", id_, std::string(r.status().message()));
  }
  connection.reset();
  absl::MutexLock lock(&mu_);
  ReleaseLocked();
}

absl::Status PluginSlot::Reload() {
  std::string path;
  {
    absl::MutexLock lock(&mu_);
    path = manifest_.manifest_path;
  }
  absl::StatusOr<PluginManifest> manifest = ParseManifestFile(path);
  if (!manifest.ok()) return manifest.status();
  if (manifest->id != id_) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " now declares id \"", manifest->id, "\"; a plugin's id cannot change"));
  }
  RETURN_IF_ERROR(deps_.kv->ClearAutoDisabled(id_));
  Stop(PluginState::kStopped);
  {
    absl::MutexLock lock(&mu_);
    manifest_ = *std::move(manifest);
    policy_.Reset();
    ++restarts_;
  }
  return Start();
}

absl::Status PluginSlot::ResetFailures() {
  RETURN_IF_ERROR(deps_.kv->ClearAutoDisabled(id_));
  absl::MutexLock lock(&mu_);
  policy_.Reset();
  if (state_ == PluginState::kFailed || state_ == PluginState::kBackoff) {
    state_ = PluginState::kStopped;
  }
  return absl::OkStatus();
}

void PluginSlot::RestoreAutoDisabled(const std::string& reason) {
  absl::MutexLock lock(&mu_);
  state_ = PluginState::kFailed;
  last_error_ = reason;
  MLOG_WARN("plugin {} stays disabled: {}; `meridian admin plugins enable {}` retries it", id_,
            reason, id_);
}

absl::StatusOr<Frame> PluginSlot::Call(HookOp op, Frame args, Deadline deadline) {
  PluginConnection* connection = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (ActiveOnThisThread(this)) {
      return absl::UnavailableError(absl::StrCat("plugin ", id_, " is re-entered from its hook"));
    }
    if (state_ != PluginState::kRunning) {
      return absl::UnavailableError(
          absl::StrCat("plugin ", id_, " is ", std::string(PluginStateName(state_))));
    }
    if (!ClaimLocked(deadline)) {
      return absl::DeadlineExceededError(absl::StrCat("plugin ", id_, " stayed busy"));
    }
    if (state_ != PluginState::kRunning || connection_ == nullptr) {
      ReleaseLocked();
      return absl::UnavailableError(absl::StrCat("plugin ", id_, " stopped"));
    }
    connection = connection_.get();
  }
  args.type = FrameType::kHookCall;
  args.op = static_cast<uint32_t>(op);
  absl::StatusOr<Frame> result;
  {
    ActiveMark mark(this);
    result = connection->Call(args, deadline);
  }
  std::unique_ptr<PluginConnection> doomed;
  absl::MutexLock lock(&mu_);
  ReleaseLocked();
  if (!result.ok()) {
    doomed = FailLocked(result.status());
    return result.status();
  }
  if (result->I(2) == static_cast<int64_t>(HookOutcome::kException)) {
    absl::Status why =
        absl::InternalError(absl::StrCat("plugin ", id_, ": ", std::string(result->S(1))));
    doomed = FailLocked(why);
    return why;
  }
  return result;
}

bool PluginSlot::Serves(HookOp op) const {
  absl::MutexLock lock(&mu_);
  return state_ == PluginState::kRunning && (hello_.hook_mask & plugin_wire::HookBit(op)) != 0;
}

void PluginSlot::Poll() {
  std::unique_ptr<PluginConnection> doomed;
  {
    absl::MutexLock lock(&mu_);
    if (busy_) return;
    if (state_ == PluginState::kRunning && connection_ != nullptr) {
      absl::Status alive = connection_->CheckAlive();
      if (!alive.ok()) doomed = FailLocked(alive);
    }
    if (state_ != PluginState::kBackoff || deps_.clock->Now() < next_restart_) return;
    ++restarts_;
    MLOG_INFO("plugin {}: restarting after backoff", id_);
    busy_ = true;
  }
  doomed.reset();
  StartClaimed().IgnoreError();
}

absl::Status PluginSlot::UpdateSettings(const std::map<std::string, std::string>& values) {
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, value] : values) {
      if (!manifest_.settings.count(name)) {
        return absl::InvalidArgumentError(absl::StrCat("plugin ", id_, " has no setting \"", name,
                                                       "\"; its manifest declares them"));
      }
    }
  }
  absl::Status stored = deps_.kv->SetSettingOverrides(id_, values);
  if (!stored.ok()) return stored;
  std::map<std::string, std::string> effective = EffectiveSettings();
  {
    absl::MutexLock lock(&mu_);
    if (handler_ != nullptr) handler_->SetSettings(effective);
  }
  if (Serves(HookOp::kConfigurationChanged)) {
    absl::StatusOr<Frame> r =
        Call(HookOp::kConfigurationChanged, Frame(), After(deps_.options->call_deadline));
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

PluginInfo PluginSlot::Info() const {
  absl::MutexLock lock(&mu_);
  PluginInfo info;
  info.id = id_;
  info.version = manifest_.version;
  info.library_path = manifest_.library_path;
  info.state = state_;
  info.in_process =
      deps_.options->in_process.count("*") > 0 || deps_.options->in_process.count(id_) > 0;
  info.last_error = last_error_;
  info.recent_failures = policy_.RecentFailures(deps_.clock->Now());
  info.restarts = restarts_;
  info.next_restart = next_restart_;
  info.abi_minor = hello_.abi_minor;
  return info;
}

}  // namespace meridian::plugins
