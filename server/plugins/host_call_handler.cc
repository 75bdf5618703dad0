#include "server/plugins/host_call_handler.h"

#include "meridian/plugin.h"
#include "server/common/logging.h"

namespace meridian::plugins {

using plugin_wire::Frame;
using plugin_wire::FrameType;
using plugin_wire::HostOp;

namespace {

constexpr size_t kMaxLogBytes = 4096;

Frame Reply(int32_t code) {
  Frame f;
  f.type = FrameType::kHostReply;
  f.i = {code};
  return f;
}

Frame Reply(const absl::Status& status) { return Reply(ToPluginCode(status)); }

absl::Duration Ttl(int64_t ttl_ms) {
  return ttl_ms > 0 ? absl::Milliseconds(ttl_ms) : absl::ZeroDuration();
}

}  // namespace

int32_t ToPluginCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return MERIDIAN_OK;
    case absl::StatusCode::kInvalidArgument:
      return MERIDIAN_ERR_INVALID_ARGUMENT;
    case absl::StatusCode::kNotFound:
      return MERIDIAN_ERR_NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return MERIDIAN_ERR_ALREADY_EXISTS;
    case absl::StatusCode::kFailedPrecondition:
      return MERIDIAN_ERR_FAILED_PRECONDITION;
    case absl::StatusCode::kPermissionDenied:
      return MERIDIAN_ERR_PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted:
      return MERIDIAN_ERR_RESOURCE_EXHAUSTED;
    case absl::StatusCode::kUnavailable:
      return MERIDIAN_ERR_UNAVAILABLE;
    case absl::StatusCode::kUnimplemented:
      return MERIDIAN_ERR_UNIMPLEMENTED;
    case absl::StatusCode::kDeadlineExceeded:
      return MERIDIAN_ERR_DEADLINE_EXCEEDED;
    default:
      return MERIDIAN_ERR_INTERNAL;
  }
}

void HostCallHandler::SetSettings(std::map<std::string, std::string> settings) {
  absl::MutexLock lock(&mu_);
  settings_ = std::move(settings);
}

Frame HostCallHandler::Handle(const Frame& call) {
  const std::string s0(call.S(0)), s1(call.S(1)), s2(call.S(2));
  switch (static_cast<HostOp>(call.op)) {
    case HostOp::kLog: {
      std::string_view text = call.S(0).substr(0, kMaxLogBytes);
      switch (call.I(0)) {
        case MERIDIAN_LOG_DEBUG:
          MLOG_DEBUG("plugin {}: {}", plugin_id_, text);
          break;
        case MERIDIAN_LOG_WARN:
          MLOG_WARN("plugin {}: {}", plugin_id_, text);
          break;
        case MERIDIAN_LOG_ERROR:
          MLOG_ERROR("plugin {}: {}", plugin_id_, text);
          break;
        default:
          MLOG_INFO("plugin {}: {}", plugin_id_, text);
          break;
      }
      return Reply(MERIDIAN_OK);
    }
    case HostOp::kKvGet: {
      absl::StatusOr<std::string> value = kv_->Get(plugin_id_, s0);
      if (!value.ok()) return Reply(value.status());
      Frame f = Reply(MERIDIAN_OK);
      f.s = {*std::move(value)};
      return f;
    }
    case HostOp::kKvSet:
      return Reply(kv_->Set(plugin_id_, s0, s1, Ttl(call.I(0))));
    case HostOp::kKvCompareAndSet: {
      std::optional<std::string> expected;
      if (call.I(0) == 0) expected = s1;
      return Reply(kv_->CompareAndSet(plugin_id_, s0, expected, s2, Ttl(call.I(1))));
    }
    case HostOp::kKvDelete:
      return Reply(kv_->Delete(plugin_id_, s0));
    case HostOp::kKvList: {
      absl::StatusOr<KvListResult> list =
          kv_->List(plugin_id_, s0, s1, static_cast<uint32_t>(call.I(0)));
      if (!list.ok()) return Reply(list.status());
      Frame f = Reply(MERIDIAN_OK);
      f.s.push_back(list->next_cursor);
      for (std::string& k : list->keys) f.s.push_back(std::move(k));
      return f;
    }
    case HostOp::kPostMessage: {
      absl::StatusOr<std::string> id = services_->PostAsBot(plugin_id_, s0, s1, s2);
      if (!id.ok()) return Reply(id.status());
      Frame f = Reply(MERIDIAN_OK);
      f.s = {*std::move(id)};
      return f;
    }
    case HostOp::kEditMessage:
      return Reply(services_->EditAsBot(plugin_id_, s0, s1));
    case HostOp::kSendEphemeral:
      return Reply(services_->SendEphemeral(plugin_id_, s0, s1, s2));
    case HostOp::kGetUser: {
      absl::StatusOr<PluginUser> user = services_->LookupUser(s0);
      if (!user.ok()) return Reply(user.status());
      Frame f = Reply(MERIDIAN_OK);
      f.s = {user->id, user->name, user->display_name, user->time_zone};
      f.i.push_back(user->is_bot ? 1 : 0);
      f.i.push_back(static_cast<int64_t>(user->working_hours.size()));
      for (const PluginWorkingInterval& w : user->working_hours) {
        f.i.insert(f.i.end(), {w.weekday, w.start_minute, w.end_minute});
      }
      return f;
    }
    case HostOp::kGetChannel: {
      absl::StatusOr<PluginChannel> channel = services_->LookupChannel(s0);
      if (!channel.ok()) return Reply(channel.status());
      Frame f = Reply(MERIDIAN_OK);
      f.s = {channel->id, channel->name, channel->topic};
      for (std::string& m : channel->member_ids) f.s.push_back(std::move(m));
      return f;
    }
    case HostOp::kRegisterCommand:
      return Reply(registry_->RegisterCommand(plugin_id_, s0, s1));
    case HostOp::kRegisterEndpoint:
      return Reply(registry_->RegisterEndpoint(plugin_id_, s0));
    case HostOp::kScheduleTimer: {
      if (s0.empty() || call.I(0) < 0 || call.I(1) < 0) return Reply(MERIDIAN_ERR_INVALID_ARGUMENT);
      return Reply(services_->ScheduleTimer(plugin_id_, s0,
                                            clock_->Now() + absl::Milliseconds(call.I(0)),
                                            absl::Milliseconds(call.I(1))));
    }
    case HostOp::kCancelTimer:
      return Reply(services_->CancelTimer(plugin_id_, s0));
    case HostOp::kGetSetting: {
      absl::MutexLock lock(&mu_);
      auto it = settings_.find(s0);
      if (it == settings_.end()) return Reply(MERIDIAN_ERR_NOT_FOUND);
      Frame f = Reply(MERIDIAN_OK);
      f.s = {it->second};
      return f;
    }
    case HostOp::kNow: {
      Frame f = Reply(MERIDIAN_OK);
      f.i.push_back(ToMicros(clock_->Now()));
      return f;
    }
  }
  return Reply(MERIDIAN_ERR_UNIMPLEMENTED);
}

}  // namespace meridian::plugins
