// The gRPC PluginService: endpoint calls and slash-command listing for signed-in users, plugin
// lifecycle for administrators.
#ifndef MERIDIAN_SERVER_RPC_PLUGIN_HANDLERS_H_
#define MERIDIAN_SERVER_RPC_PLUGIN_HANDLERS_H_

#include "meridian/v1/plugins.grpc.pb.h"
#include "server/core/core.h"

namespace meridian::rpc {

// Borrows `core`, which must outlive the server. Safe for concurrent use.
class PluginHandler final : public v1::PluginService::Service {
 public:
  explicit PluginHandler(Core& core) : core_(core) {}
  grpc::Status Invoke(grpc::ServerContext*, const v1::InvokeRequest*, v1::InvokeResponse*) override;
  grpc::Status ListCommands(grpc::ServerContext*, const v1::ListCommandsRequest*,
                            v1::ListCommandsResponse*) override;
  grpc::Status ListPlugins(grpc::ServerContext*, const v1::ListPluginsRequest*,
                           v1::ListPluginsResponse*) override;
  grpc::Status EnablePlugin(grpc::ServerContext*, const v1::EnablePluginRequest*,
                            v1::EnablePluginResponse*) override;
  grpc::Status DisablePlugin(grpc::ServerContext*, const v1::DisablePluginRequest*,
                             v1::DisablePluginResponse*) override;
  grpc::Status ReloadPlugin(grpc::ServerContext*, const v1::ReloadPluginRequest*,
                            v1::ReloadPluginResponse*) override;

 private:
  Core& core_;
};

}  // namespace meridian::rpc

#endif  // MERIDIAN_SERVER_RPC_PLUGIN_HANDLERS_H_
