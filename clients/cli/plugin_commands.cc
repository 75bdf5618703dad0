// admin plugins list|enable|disable|reload, and plugin invoke.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"

namespace meridian::cli {
namespace {

using meridian::v1::PluginService;

struct PluginOptions {
  std::string id;
  std::string method;
  std::string payload;
};

std::string StateName(meridian::v1::PluginState state) {
  std::string name = meridian::v1::PluginState_Name(state);
  const std::string prefix = "PLUGIN_STATE_";
  if (name.rfind(prefix, 0) == 0) name.erase(0, prefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// "echo 1.0.0 running" plus why it is not running, when it is not.
std::string PluginLine(const meridian::v1::Plugin& p) {
  std::string line = absl::StrCat(p.id(), "\t", p.version(), "\t", StateName(p.state()));
  if (p.in_process()) absl::StrAppend(&line, "\tin-process");
  if (p.restarts() > 0) absl::StrAppend(&line, "\trestarts=", p.restarts());
  if (!p.last_error().empty()) absl::StrAppend(&line, "\t", p.last_error());
  return line + "\n";
}

template <typename Response>
absl::Status PrintPlugin(CliContext& ctx, const Response& response) {
  if (ctx.options().json) return ctx.PrintJson(response);
  ctx.out() << PluginLine(response.plugin());
  return absl::OkStatus();
}

absl::Status List(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&PluginService::Stub::ListPlugins, conn->plugins(),
                                                 meridian::v1::ListPluginsRequest()));
  if (ctx.options().json) return ctx.PrintJson(response);
  if (response.plugins().empty()) ctx.out() << "no plugins\n";
  for (const auto& p : response.plugins()) ctx.out() << PluginLine(p);
  return absl::OkStatus();
}

}  // namespace

void RegisterPluginCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<PluginOptions>();
  CLI::App* admin = registry.Add(app, "admin", "server administration (admins only)", nullptr);
  CLI::App* plugins = registry.Add(*admin, "plugins", "list and manage the server's plugins",
                                   [](CliContext& ctx) { return List(ctx); });
  registry.Add(*plugins, "list", "every plugin and its state",
               [](CliContext& ctx) { return List(ctx); });
  registry
      .Add(*plugins, "enable", "start a plugin and forget its past failures",
           [opt](CliContext& ctx) -> absl::Status {
             CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
             meridian::v1::EnablePluginRequest request;
             request.set_plugin_id(opt->id);
             CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&PluginService::Stub::EnablePlugin,
                                                            conn->plugins(), request));
             return PrintPlugin(ctx, response);
           })
      ->add_option("id", opt->id, "plugin id")
      ->required();
  registry
      .Add(*plugins, "disable", "stop a plugin until it is enabled again",
           [opt](CliContext& ctx) -> absl::Status {
             CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
             meridian::v1::DisablePluginRequest request;
             request.set_plugin_id(opt->id);
             CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&PluginService::Stub::DisablePlugin,
                                                            conn->plugins(), request));
             return PrintPlugin(ctx, response);
           })
      ->add_option("id", opt->id, "plugin id")
      ->required();
  registry
      .Add(*plugins, "reload", "re-read a plugin's manifest and library and restart it",
           [opt](CliContext& ctx) -> absl::Status {
             CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
             meridian::v1::ReloadPluginRequest request;
             request.set_plugin_id(opt->id);
             CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&PluginService::Stub::ReloadPlugin,
                                                            conn->plugins(), request));
             return PrintPlugin(ctx, response);
           })
      ->add_option("id", opt->id, "plugin id")
      ->required();

  CLI::App* plugin = registry.Add(app, "plugin", "call plugins", nullptr);
  CLI::App* invoke = registry.Add(
      *plugin, "invoke", "call an endpoint of a plugin and print its answer",
      [opt](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
        meridian::v1::InvokeRequest request;
        request.set_plugin_id(opt->id);
        request.set_method(opt->method);
        request.set_payload(opt->payload);
        CLI_ASSIGN_OR_RETURN(auto response,
                             conn->Call(&PluginService::Stub::Invoke, conn->plugins(), request));
        if (ctx.options().json) return ctx.PrintJson(response);
        ctx.out() << response.payload();
        if (!response.payload().empty() && response.payload().back() != '\n') ctx.out() << "\n";
        return absl::OkStatus();
      });
  invoke->add_option("id", opt->id, "plugin id")->required();
  invoke->add_option("method", opt->method, "endpoint the plugin registered")->required();
  invoke->add_option("payload", opt->payload, "bytes passed to the endpoint (default empty)");
}

}  // namespace meridian::cli
