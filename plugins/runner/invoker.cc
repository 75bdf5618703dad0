#include "plugins/runner/invoker.h"

#include <cstring>
#include <exception>
#include <string>

#include "plugins/runner/host_table.h"

namespace meridian::plugin_runtime {

using plugin_wire::Frame;
using plugin_wire::FrameType;
using plugin_wire::HookOp;
using plugin_wire::HookOutcome;

namespace {

meridian_str View(std::string_view s) { return meridian_str{s.data(), s.size()}; }

meridian_message MessageFrom(const Frame& call) {
  meridian_message m;
  std::memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.id = View(call.S(0));
  m.channel_id = View(call.S(1));
  m.user_id = View(call.S(2));
  m.text = View(call.S(3));
  m.thread_root_id = View(call.S(4));
  m.create_time_us = call.I(0);
  m.urgent = static_cast<int32_t>(call.I(1));
  return m;
}

// Calls the hook for `call`; returns its code, or sets *absent when the plugin lacks it.
int32_t Dispatch(const meridian_plugin& p, const meridian_host* host, const Frame& call,
                 meridian_reply* reply, bool* absent) {
  *absent = false;
  switch (static_cast<HookOp>(call.op)) {
    case HookOp::kActivate:
      if (p.activate) return p.activate(host);
      return MERIDIAN_OK;  // nothing to activate is success
    case HookOp::kDeactivate:
      if (p.deactivate) p.deactivate(host);
      return MERIDIAN_OK;
    case HookOp::kConfigurationChanged:
      if (!p.configuration_changed) break;
      p.configuration_changed(host);
      return MERIDIAN_OK;
    case HookOp::kMessageWillBePosted: {
      if (!p.message_will_be_posted) break;
      meridian_message m = MessageFrom(call);
      return p.message_will_be_posted(host, &m, reply);
    }
    case HookOp::kMessagePosted: {
      if (!p.message_posted) break;
      meridian_message m = MessageFrom(call);
      p.message_posted(host, &m);
      return MERIDIAN_OK;
    }
    case HookOp::kSlashCommand: {
      if (!p.slash_command) break;
      meridian_command c;
      std::memset(&c, 0, sizeof(c));
      c.struct_size = sizeof(c);
      c.user_id = View(call.S(0));
      c.channel_id = View(call.S(1));
      c.trigger = View(call.S(2));
      c.args = View(call.S(3));
      return p.slash_command(host, &c, reply);
    }
    case HookOp::kTimerFired:
      if (!p.timer_fired) break;
      p.timer_fired(host, View(call.S(0)));
      return MERIDIAN_OK;
    case HookOp::kEndpointInvoked:
      if (!p.endpoint_invoked) break;
      return p.endpoint_invoked(host, View(call.S(0)), View(call.S(1)), reply);
    case HookOp::kNotificationWillBeSent: {
      if (!p.notification_will_be_sent) break;
      meridian_notification n;
      std::memset(&n, 0, sizeof(n));
      n.struct_size = sizeof(n);
      n.user_id = View(call.S(0));
      n.channel_id = View(call.S(1));
      n.message_id = View(call.S(2));
      n.title = View(call.S(3));
      n.body = View(call.S(4));
      n.urgent = static_cast<int32_t>(call.I(0));
      return p.notification_will_be_sent(host, &n, reply);
    }
  }
  *absent = true;
  return MERIDIAN_ERR_UNIMPLEMENTED;
}

}  // namespace

Frame InvokeHook(const meridian_plugin& plugin, const meridian_host* host, const Frame& call) {
  Frame result;
  result.type = FrameType::kHookResult;
  result.op = call.op;
  meridian_reply reply;
  int32_t code = MERIDIAN_ERR_INTERNAL;
  HookOutcome outcome = HookOutcome::kOk;
  std::string error;
  try {
    bool absent = false;
    code = Dispatch(plugin, host, call, &reply, &absent);
    if (absent) outcome = HookOutcome::kNotImplemented;
  } catch (const std::exception& e) {
    outcome = HookOutcome::kException;
    error = std::string("hook threw: ") + e.what();
  } catch (...) {
    outcome = HookOutcome::kException;
    error = "hook threw a non-standard exception";
  }
  result.i = {code, reply.set ? 1 : 0, static_cast<int64_t>(outcome)};
  result.s = {std::move(reply.data), std::move(error)};
  return result;
}

}  // namespace meridian::plugin_runtime
