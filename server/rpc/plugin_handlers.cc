#include "server/rpc/plugin_handlers.h"

#include "absl/strings/str_cat.h"
#include "server/core/proto_time.h"
#include "server/rpc/status.h"

namespace meridian::rpc {
namespace {

v1::PluginState ToApi(plugins::PluginState state) {
  switch (state) {
    case plugins::PluginState::kStopped:
      return v1::PLUGIN_STATE_STOPPED;
    case plugins::PluginState::kRunning:
      return v1::PLUGIN_STATE_RUNNING;
    case plugins::PluginState::kBackoff:
      return v1::PLUGIN_STATE_BACKOFF;
    case plugins::PluginState::kDisabled:
      return v1::PLUGIN_STATE_DISABLED;
    case plugins::PluginState::kFailed:
      return v1::PLUGIN_STATE_FAILED;
    case plugins::PluginState::kRefused:
      return v1::PLUGIN_STATE_REFUSED;
  }
  return v1::PLUGIN_STATE_UNSPECIFIED;
}

v1::Plugin ToApi(const plugins::PluginInfo& info) {
  v1::Plugin p;
  p.set_id(info.id);
  p.set_version(info.version);
  p.set_state(ToApi(info.state));
  p.set_in_process(info.in_process);
  p.set_last_error(info.last_error);
  p.set_recent_failures(info.recent_failures);
  p.set_restarts(info.restarts);
  if (info.state == plugins::PluginState::kBackoff) {
    SetTimestamp(p.mutable_next_restart_time(), info.next_restart);
  }
  p.set_abi_minor(info.abi_minor);
  return p;
}

absl::Status NoPluginHost() {
  return absl::FailedPreconditionError(
      "this server runs no plugins; set [plugins] dir in meridiand's config");
}

// Authenticates, requires an administrator and a running plugin host, then runs fn(manager).
template <typename Fn>
grpc::Status AsAdmin(grpc::ServerContext* ctx, Core& core, Fn&& fn) {
  auto caller = Authenticate(*ctx, core.auth());
  if (!caller.ok()) return ToGrpc(caller.status());
  if (!caller->is_admin) {
    return ToGrpc(absl::PermissionDeniedError("only an administrator manages plugins"));
  }
  if (core.plugins() == nullptr) return ToGrpc(NoPluginHost());
  return ToGrpc(fn(*core.plugins()));
}

// Runs `change` on the plugin, then reports its state.
template <typename Change>
absl::Status ChangeThenReport(plugins::PluginManager& m, const std::string& id, Change change,
                              v1::Plugin* out) {
  if (absl::Status s = change(id); !s.ok()) return s;
  auto info = m.Get(id);
  if (!info.ok()) return info.status();
  *out = ToApi(*info);
  return absl::OkStatus();
}

}  // namespace

grpc::Status PluginHandler::Invoke(grpc::ServerContext* ctx, const v1::InvokeRequest* req,
                                   v1::InvokeResponse* resp) {
  auto caller = Authenticate(*ctx, core_.auth());
  if (!caller.ok()) return ToGrpc(caller.status());
  if (core_.plugins() == nullptr) return ToGrpc(NoPluginHost());
  auto out = core_.plugins()->InvokeEndpoint(req->plugin_id(), req->method(), req->payload());
  if (!out.ok()) return ToGrpc(out.status());
  resp->set_payload(*std::move(out));
  return grpc::Status::OK;
}

grpc::Status PluginHandler::ListCommands(grpc::ServerContext* ctx, const v1::ListCommandsRequest*,
                                         v1::ListCommandsResponse* resp) {
  auto caller = Authenticate(*ctx, core_.auth());
  if (!caller.ok()) return ToGrpc(caller.status());
  if (core_.plugins() == nullptr) return grpc::Status::OK;
  for (const plugins::CommandInfo& c : core_.plugins()->Commands()) {
    v1::Command* out = resp->add_commands();
    out->set_trigger(c.trigger);
    out->set_help(c.help);
    out->set_plugin_id(c.plugin_id);
  }
  return grpc::Status::OK;
}

grpc::Status PluginHandler::ListPlugins(grpc::ServerContext* ctx, const v1::ListPluginsRequest*,
                                        v1::ListPluginsResponse* resp) {
  return AsAdmin(ctx, core_, [&](plugins::PluginManager& m) {
    for (const plugins::PluginInfo& info : m.List()) *resp->add_plugins() = ToApi(info);
    return absl::OkStatus();
  });
}

grpc::Status PluginHandler::EnablePlugin(grpc::ServerContext* ctx,
                                         const v1::EnablePluginRequest* req,
                                         v1::EnablePluginResponse* resp) {
  return AsAdmin(ctx, core_, [&](plugins::PluginManager& m) {
    return ChangeThenReport(
        m, req->plugin_id(), [&](const std::string& id) { return m.Enable(id); },
        resp->mutable_plugin());
  });
}

grpc::Status PluginHandler::DisablePlugin(grpc::ServerContext* ctx,
                                          const v1::DisablePluginRequest* req,
                                          v1::DisablePluginResponse* resp) {
  return AsAdmin(ctx, core_, [&](plugins::PluginManager& m) {
    return ChangeThenReport(
        m, req->plugin_id(), [&](const std::string& id) { return m.Disable(id); },
        resp->mutable_plugin());
  });
}

grpc::Status PluginHandler::ReloadPlugin(grpc::ServerContext* ctx,
                                         const v1::ReloadPluginRequest* req,
                                         v1::ReloadPluginResponse* resp) {
  return AsAdmin(ctx, core_, [&](plugins::PluginManager& m) {
    return ChangeThenReport(
        m, req->plugin_id(), [&](const std::string& id) { return m.Reload(id); },
        resp->mutable_plugin());
  });
}

}  // namespace meridian::rpc
