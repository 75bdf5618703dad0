// Core owns the database and every domain service of one meridiand: the single object the
// server's main builds and the RPC layer borrows.
#ifndef MERIDIAN_SERVER_CORE_CORE_H_
#define MERIDIAN_SERVER_CORE_CORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/common/clock.h"
#include "server/core/async_services.h"
#include "server/core/auth_service.h"
#include "server/core/channel_service.h"
#include "server/core/committer.h"
#include "server/core/directory.h"
#include "server/core/event_hub.h"
#include "server/core/message_service.h"
#include "server/core/plugin_bridge.h"
#include "server/core/search_observer.h"
#include "server/core/search_service.h"
#include "server/core/user_service.h"
#include "server/plugins/plugin_manager.h"
#include "server/schedule/scheduler.h"
#include "storage/kv_store.h"

namespace meridian {

struct CoreOptions {
  std::string data_dir;
  storage::Durability durability = storage::Durability::kSync;
  size_t block_cache_bytes = 256 << 20;
  // Events kept in memory for live subscribers; one that falls further behind is cut off.
  size_t live_buffer = 65'536;
  Limits limits;
  // Tests that drive the scheduler with RunDueNow and a FakeClock turn its timer thread off.
  bool start_scheduler = true;
  // The plugin host runs when plugins.plugin_dir is set.
  plugins::PluginManagerOptions plugins;
  // Full-text search (issue 3): stemming language, page and snippet sizes.
  search::SearchOptions search;
};

// Safe for concurrent use. Destroying it finishes queued writes and closes the database.
class Core {
 public:
  // Opens (creating if needed) the data directory and loads the directory into memory.
  static absl::StatusOr<std::unique_ptr<Core>> Open(const CoreOptions& options, const Clock& clock);
  ~Core();

  storage::KvStore& store() { return *store_; }
  Directory& dir() { return *dir_; }
  EventHub& hub() { return *hub_; }
  Committer& committer() { return *committer_; }
  const Clock& clock() const { return clock_; }
  const CoreOptions& options() const { return options_; }
  ServiceEnv env();

  AuthService& auth() { return *auth_; }
  UserService& users() { return *users_; }
  ChannelService& channels() { return *channels_; }
  MessageService& messages() { return *messages_; }
  SearchService& search() { return *search_; }
  // The durable job queue (plugin timers, ...); its thread runs while Core lives.
  schedule::Scheduler& scheduler() { return *scheduler_; }
  // Notifications, scheduled messages, reminders, reply-by, catch-up (issue 6).
  AsyncServices& async() { return *async_; }
  // Null when no plugin directory is configured.
  plugins::PluginManager* plugins() { return plugins_.get(); }

 private:
  Core(const CoreOptions& options, const Clock& clock) : options_(options), clock_(clock) {}

  CoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<Directory> dir_;
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<ChannelService> channels_;
  std::unique_ptr<MessageService> messages_;
  std::unique_ptr<search::SearchIndex> search_index_;
  std::unique_ptr<SearchObserver> search_observer_;
  std::unique_ptr<SearchService> search_;
  std::unique_ptr<schedule::Scheduler> scheduler_;
  std::unique_ptr<AsyncServices> async_;
  std::unique_ptr<PluginBridge> plugin_bridge_;
  std::unique_ptr<plugins::PluginManager> plugins_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_CORE_H_
