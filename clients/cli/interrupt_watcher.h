#ifndef MERIDIAN_CLIENTS_CLI_INTERRUPT_WATCHER_H_
#define MERIDIAN_CLIENTS_CLI_INTERRUPT_WATCHER_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace meridian::cli {

// Turns SIGINT/SIGTERM into an orderly stop for long-running commands (`tail`): the signal
// handler only writes to a pipe; a watcher thread then marks the run interrupted, wakes
// SleepFor and runs the registered cancel callback (e.g. ClientContext::TryCancel), which is not
// async-signal-safe and so cannot run in the handler. At most one instance may exist at a time;
// the destructor restores the previous handlers. Safe for concurrent use.
class InterruptWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<InterruptWatcher>> Install();
  ~InterruptWatcher();

  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  bool interrupted() const;
  // Sleeps for `duration` or until interrupted; returns false when interrupted.
  bool SleepFor(absl::Duration duration);
  // Runs `cancel` on interruption (at once if already interrupted) until ClearCancel().
  void SetCancel(std::function<void()> cancel);
  void ClearCancel();

 private:
  InterruptWatcher(int read_fd, int write_fd);
  void Watch();

  const int read_fd_;
  const int write_fd_;
  mutable absl::Mutex mu_;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> cancel_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_INTERRUPT_WATCHER_H_
