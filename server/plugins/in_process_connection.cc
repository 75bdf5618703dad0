#include "server/plugins/in_process_connection.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "plugins/runner/host_table.h"
#include "plugins/runner/invoker.h"
#include "plugins/runner/loader.h"

namespace meridian::plugins {

using plugin_runtime::HostTable;
using plugin_runtime::LoadedPlugin;
using plugin_wire::Deadline;
using plugin_wire::Frame;

namespace {

// Host calls go straight to the handler, on the worker thread running the hook.
class DirectTransport final : public plugin_runtime::HostTransport {
 public:
  explicit DirectTransport(std::shared_ptr<HostCallHandler> handler)
      : handler_(std::move(handler)) {}
  bool Call(const Frame& request, Frame* reply) override {
    *reply = handler_->Handle(request);
    return true;
  }

 private:
  std::shared_ptr<HostCallHandler> handler_;
};

absl::Duration Until(Deadline deadline) {
  if (deadline == Deadline::max()) return absl::InfiniteDuration();
  return absl::FromChrono(deadline - std::chrono::steady_clock::now());
}

}  // namespace

// Everything the worker thread touches, kept alive by it if the connection abandons it.
struct InProcessConnection::Worker {
  Worker(std::string plugin_id, std::shared_ptr<HostCallHandler> handler)
      : transport(std::move(handler)), table(std::move(plugin_id), &transport) {}

  DirectTransport transport;
  HostTable table;
  std::unique_ptr<LoadedPlugin> plugin;  // touched only by the worker thread

  absl::Mutex mu;
  std::function<void()> job ABSL_GUARDED_BY(mu);
  bool job_done ABSL_GUARDED_BY(mu) = false;
  bool stop ABSL_GUARDED_BY(mu) = false;

  void Loop() {
    for (;;) {
      std::function<void()> next;
      {
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(
            +[](Worker* w) ABSL_NO_THREAD_SAFETY_ANALYSIS { return w->stop || w->job != nullptr; },
            this));
        if (stop && job == nullptr) break;
        next = std::move(job);
        job = nullptr;
      }
      next();
      absl::MutexLock lock(&mu);
      job_done = true;
    }
    // Unload on the thread that ran the plugin, after its last hook.
    plugin.reset();
  }

  // Runs `fn` on the worker; false when it did not finish by `deadline`.
  bool Run(std::function<void()> fn, Deadline deadline) {
    absl::MutexLock lock(&mu);
    job = std::move(fn);
    job_done = false;
    return mu.AwaitWithTimeout(
        absl::Condition(
            +[](Worker* w) ABSL_NO_THREAD_SAFETY_ANALYSIS { return w->job_done; }, this),
        Until(deadline));
  }
};

InProcessConnection::InProcessConnection(std::string plugin_id, std::string library_path,
                                         std::shared_ptr<HostCallHandler> handler)
    : plugin_id_(plugin_id),
      library_path_(std::move(library_path)),
      worker_(std::make_shared<Worker>(std::move(plugin_id), std::move(handler))) {
  thread_ = std::thread([w = worker_] { w->Loop(); });
}

InProcessConnection::~InProcessConnection() {
  {
    absl::MutexLock lock(&worker_->mu);
    worker_->stop = true;
  }
  if (wedged_) {
    thread_.detach();  // it still holds `worker_`; it cleans up if the hook ever returns
  } else {
    thread_.join();
  }
}

absl::StatusOr<PluginHello> InProcessConnection::Start(Deadline deadline) {
  auto result = std::make_shared<std::pair<std::string, PluginHello>>();
  Worker* w = worker_.get();
  const std::string path = library_path_;
  bool finished = w->Run(
      [w, path, result] {
        int32_t code = 0;
        w->plugin = LoadedPlugin::Load(path, w->table.host(), &result->first, &code);
        if (w->plugin != nullptr) {
          const meridian_plugin& p = w->plugin->plugin();
          result->second = {p.abi_major, p.abi_minor, p.min_host_minor, w->plugin->hook_mask()};
        }
      },
      deadline);
  if (!finished) {
    wedged_ = true;
    return absl::DeadlineExceededError(
        absl::StrCat("in-process plugin ", plugin_id_, " hung while loading"));
  }
  if (!result->first.empty()) return absl::FailedPreconditionError(result->first);
  return result->second;
}

absl::StatusOr<Frame> InProcessConnection::Call(const Frame& hook, Deadline deadline) {
  if (wedged_) {
    return absl::UnavailableError(absl::StrCat("in-process plugin ", plugin_id_, " is hung"));
  }
  auto result = std::make_shared<Frame>();
  Worker* w = worker_.get();
  bool finished = w->Run(
      [w, hook, result] {
        if (w->plugin == nullptr) return;  // Start failed; the caller never gets here
        *result = plugin_runtime::InvokeHook(w->plugin->plugin(), w->table.host(), hook);
      },
      deadline);
  if (!finished) {
    wedged_ = true;
    return absl::DeadlineExceededError(absl::StrCat(
        "in-process plugin ", plugin_id_, " did not answer in time and cannot be interrupted"));
  }
  return *result;
}

absl::Status InProcessConnection::CheckAlive() {
  if (wedged_) {
    return absl::UnavailableError(absl::StrCat("in-process plugin ", plugin_id_, " is hung"));
  }
  return absl::OkStatus();
}

}  // namespace meridian::plugins
