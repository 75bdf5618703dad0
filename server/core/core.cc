#include "server/core/core.h"

#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "storage/key_codec.h"

namespace meridian {
namespace {

absl::StatusOr<uint64_t> LastEventSeq(const storage::KvStore& store) {
  auto it = store.NewIterator(storage::Cf::kEvents);
  it->SeekToLast();
  if (!it->Valid()) {
    RETURN_IF_ERROR(it->status());
    return 0;
  }
  auto seq = storage::ReadU64(it->key());
  if (!seq) return absl::DataLossError("corrupt event key");
  return *seq;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Core>> Core::Open(const CoreOptions& options, const Clock& clock) {
  std::unique_ptr<Core> core(new Core(options, clock));
  absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(core->store_,
                   storage::OpenRocksDbStore(
                       {.path = options.data_dir, .block_cache_bytes = options.block_cache_bytes}));
  ASSIGN_OR_RETURN(core->dir_, Directory::Load(*core->store_));
  ASSIGN_OR_RETURN(uint64_t last_event, LastEventSeq(*core->store_));
  core->hub_ = std::make_unique<EventHub>(options.live_buffer, last_event);
  core->committer_ = std::make_unique<Committer>(*core->store_, clock, *core->hub_,
                                                 options.durability, last_event);
  ServiceEnv env = core->env();
  core->auth_ = std::make_unique<AuthService>(env);
  core->users_ = std::make_unique<UserService>(env);
  core->channels_ = std::make_unique<ChannelService>(env);
  core->messages_ = std::make_unique<MessageService>(env, *core->channels_);
  RETURN_IF_ERROR(search::SearchIndex::Validate(options.search));
  ASSIGN_OR_RETURN(core->search_index_, search::SearchIndex::Open(*core->store_, options.search));
  core->search_observer_ = std::make_unique<SearchObserver>(*core->search_index_);
  // Messages written before search existed are not indexed; no deployment has any yet.
  core->messages_->AddObserver(core->search_observer_.get());
  core->search_ = std::make_unique<SearchService>(env, *core->search_index_);
  ASSIGN_OR_RETURN(core->scheduler_, schedule::NewKvStoreScheduler(*core->store_, clock));
  core->async_ = std::make_unique<AsyncServices>(env, *core->messages_, *core->scheduler_);
  core->plugin_bridge_ = std::make_unique<PluginBridge>(env, *core->messages_, *core->channels_);
  core->plugin_bridge_->SetScheduler(core->scheduler_.get());
  if (!options.plugins.plugin_dir.empty()) {
    core->plugins_ = std::make_unique<plugins::PluginManager>(
        options.plugins, core->store_.get(), core->plugin_bridge_.get(), &core->clock_);
    core->plugin_bridge_->SetManager(core->plugins_.get());
    core->messages_->SetPostHooks(core->plugin_bridge_.get());
    RETURN_IF_ERROR(core->plugins_->Start());
    MLOG_INFO("plugin host started with {} plugin(s) from {}", core->plugins_->List().size(),
              options.plugins.plugin_dir);
  }
  if (options.start_scheduler) core->scheduler_->Start();
  MLOG_INFO("opened {} ({} users, last event {}) in {} ms", options.data_dir,
            core->dir_->user_count(), last_event, absl::ToInt64Milliseconds(absl::Now() - start));
  return core;
}

Core::~Core() {
  // Timers and plugins call into the services, so they stop first; the plugins' deactivate
  // hooks may still write.
  if (scheduler_) scheduler_->Stop();
  if (plugins_) plugins_->Stop();
  // Search statistics are stored lazily (within 1/64); a clean stop stores them exactly.
  if (committer_ && search_index_) {
    absl::Status flushed = committer_->Run([this](Txn& txn) {
      search_index_->FlushStats(&txn.batch());
      return absl::OkStatus();
    });
    if (!flushed.ok()) {
      MLOG_WARN("search statistics not flushed: {}", std::string(flushed.message()));
    }
  }
  // The committer drains its queue before the services and the store go away.
  committer_.reset();
}

ServiceEnv Core::env() { return ServiceEnv{*store_, *dir_, *committer_, clock_, options_.limits}; }

}  // namespace meridian
