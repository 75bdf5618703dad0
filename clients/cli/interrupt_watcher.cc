#include "clients/cli/interrupt_watcher.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace meridian::cli {
namespace {

// The pipe the handler writes to; -1 when no watcher is installed.
std::atomic<int> g_signal_fd{-1};
struct sigaction g_previous_int;
struct sigaction g_previous_term;

constexpr char kInterrupt = 'i';
constexpr char kQuit = 'q';

void OnSignal(int) {
  int saved_errno = errno;
  int fd = g_signal_fd.load();
  if (fd >= 0) {
    char byte = kInterrupt;
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

absl::StatusOr<std::unique_ptr<InterruptWatcher>> InterruptWatcher::Install() {
  if (g_signal_fd.load() >= 0) {
    return absl::FailedPreconditionError("an InterruptWatcher is already installed");
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::unique_ptr<InterruptWatcher> watcher(new InterruptWatcher(fds[0], fds[1]));
  g_signal_fd.store(fds[1]);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
  return watcher;
}

InterruptWatcher::InterruptWatcher(int read_fd, int write_fd)
    : read_fd_(read_fd), write_fd_(write_fd), thread_([this] { Watch(); }) {}

InterruptWatcher::~InterruptWatcher() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  g_signal_fd.store(-1);
  char byte = kQuit;
  [[maybe_unused]] ssize_t n = ::write(write_fd_, &byte, 1);
  thread_.join();
  ::close(read_fd_);
  ::close(write_fd_);
}

void InterruptWatcher::Watch() {
  char byte = 0;
  while (true) {
    ssize_t n = ::read(read_fd_, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kQuit) return;
    // The callback runs under mu_ so that ClearCancel() waits for it: whatever it cancels is
    // still alive while it runs.
    absl::MutexLock lock(&mu_);
    interrupted_ = true;
    if (cancel_) cancel_();
  }
}

bool InterruptWatcher::interrupted() const {
  absl::MutexLock lock(&mu_);
  return interrupted_;
}

bool InterruptWatcher::SleepFor(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&interrupted_), duration);
  return !interrupted_;
}

void InterruptWatcher::SetCancel(std::function<void()> cancel) {
  absl::MutexLock lock(&mu_);
  cancel_ = std::move(cancel);
  if (interrupted_ && cancel_) cancel_();
}

void InterruptWatcher::ClearCancel() {
  absl::MutexLock lock(&mu_);
  cancel_ = nullptr;
}

}  // namespace meridian::cli
