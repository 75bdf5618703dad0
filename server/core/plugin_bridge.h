// PluginBridge connects the plugin host to the rest of the server in both directions: it is the
// PluginServices the host calls (bot posts, ephemeral replies, lookups, timers) and the PostHooks
// MessageService calls (message_will_be_posted, message_posted, slash commands).
#ifndef MERIDIAN_SERVER_CORE_PLUGIN_BRIDGE_H_
#define MERIDIAN_SERVER_CORE_PLUGIN_BRIDGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/core/channel_service.h"
#include "server/core/message_service.h"
#include "server/core/post_hooks.h"
#include "server/core/service_env.h"
#include "server/plugins/plugin_manager.h"
#include "server/plugins/plugin_services.h"
#include "server/schedule/scheduler.h"

namespace meridian {

// The job kind of plugin timers in the scheduler; the payload is the timer id and the owner
// "plugin:<id>".
inline constexpr char kPluginTimerJobKind[] = "plugin.timer";

// Safe for concurrent use. Borrows everything it is given; the owner (Core) keeps them alive and
// stops the manager before destroying the bridge.
class PluginBridge final : public plugins::PluginServices, public PostHooks {
 public:
  PluginBridge(ServiceEnv env, MessageService& messages, ChannelService& channels)
      : env_(env), messages_(messages), channels_(channels) {}

  // Wiring, before serving: the manager hooks go to (null: none), the scheduler timers go to
  // (null: ScheduleTimer answers UNIMPLEMENTED). Registers the "plugin.timer" job handler.
  void SetManager(plugins::PluginManager* manager) { manager_ = manager; }
  void SetScheduler(schedule::Scheduler* scheduler);

  // The bot user of a plugin, "<plugin_id>-bot", created on first use (is_bot, no password).
  absl::StatusOr<uint64_t> BotUser(const std::string& plugin_id);

  // plugins::PluginServices.
  absl::StatusOr<std::string> PostAsBot(const std::string& plugin_id, const std::string& channel_id,
                                        const std::string& text,
                                        const std::string& thread_root_id) override;
  absl::Status EditAsBot(const std::string& plugin_id, const std::string& message_id,
                         const std::string& text) override;
  absl::Status SendEphemeral(const std::string& plugin_id, const std::string& user_id,
                             const std::string& channel_id, const std::string& text) override;
  absl::StatusOr<plugins::PluginUser> LookupUser(const std::string& user_id) override;
  absl::StatusOr<plugins::PluginChannel> LookupChannel(const std::string& channel_id) override;
  absl::Status ScheduleTimer(const std::string& plugin_id, const std::string& timer_id,
                             absl::Time due, absl::Duration period) override;
  absl::Status CancelTimer(const std::string& plugin_id, const std::string& timer_id) override;

  // PostHooks.
  PostVerdict WillPost(const PostDraft& draft) override;
  void Posted(const v1::Message& message) override;
  bool HasCommand(const std::string& trigger) override;
  std::vector<std::string> CommandTriggers() override;
  absl::StatusOr<std::string> SlashCommand(const std::string& user_id,
                                           const std::string& channel_id,
                                           const std::string& line) override;

 private:
  // The bot as a caller, a member of `channel_ref` when that is a public channel.
  absl::StatusOr<Caller> BotIn(const std::string& plugin_id, const std::string& channel_ref);
  absl::Status FireTimer(const schedule::Job& job);

  ServiceEnv env_;
  MessageService& messages_;
  ChannelService& channels_;
  plugins::PluginManager* manager_ = nullptr;
  schedule::Scheduler* scheduler_ = nullptr;

  absl::Mutex mu_;
  std::map<std::string, uint64_t> bots_ ABSL_GUARDED_BY(mu_);  // plugin id -> user id
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_PLUGIN_BRIDGE_H_
