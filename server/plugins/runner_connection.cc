#include "server/plugins/runner_connection.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "meridian/plugin.h"

extern char** environ;

namespace meridian::plugins {

using plugin_wire::Deadline;
using plugin_wire::Frame;
using plugin_wire::FrameType;
using plugin_wire::ReadStatus;

namespace {

// The runner sees its end of the socketpair as this descriptor.
constexpr int kChildFd = 3;

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return absl::StrCat("killed by signal ", sig, " (", strsignal(sig), ")");
  }
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  return "ended";
}

}  // namespace

RunnerConnection::RunnerConnection(std::string runner_path, std::string plugin_id,
                                   std::string library_path,
                                   std::shared_ptr<HostCallHandler> handler)
    : runner_path_(std::move(runner_path)),
      plugin_id_(std::move(plugin_id)),
      library_path_(std::move(library_path)),
      handler_(std::move(handler)) {}

RunnerConnection::~RunnerConnection() { Terminate(/*kill_now=*/false); }

std::string RunnerConnection::Terminate(bool kill_now) {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (pid_ <= 0) return "not running";
  int status = 0;
  if (!kill_now) {
    // A healthy runner exits as soon as it sees EOF; give it a moment to unload cleanly.
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < until) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) {
        pid_ = -1;
        return DescribeExit(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  kill(pid_, SIGKILL);
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return DescribeExit(status);
}

absl::StatusOr<PluginHello> RunnerConnection::Start(Deadline deadline) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  // dup2 onto kChildFd clears close-on-exec for the child's copy only. If the child's end is
  // already kChildFd, dup2 would be a no-op that keeps CLOEXEC, so move it out of the way.
  if (fds[1] == kChildFd) {
    int moved = fcntl(fds[1], F_DUPFD_CLOEXEC, kChildFd + 1);
    close(fds[1]);
    fds[1] = moved;
  }
  std::vector<std::string> args = {runner_path_, absl::StrCat("--fd=", kChildFd),
                                   "--plugin-id=" + plugin_id_, "--library=" + library_path_};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kChildFd);
  // posix_spawn rather than fork(): safe in a multi-threaded server (no allocation between
  // fork and exec) and cheaper for a large parent.
  pid_t pid = -1;
  int rc = posix_spawn(&pid, runner_path_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start plugin runner ", runner_path_, ": ", std::strerror(rc),
                     " (set the plugin runner path in the server configuration)"));
  }
  fd_ = fds[0];
  pid_ = pid;
  absl::StatusOr<Frame> hello = Await(FrameType::kHello, deadline);
  if (!hello.ok()) return hello.status();
  if (hello->I(0) != MERIDIAN_OK) {
    std::string why(hello->S(0));
    Terminate(/*kill_now=*/false);
    return absl::FailedPreconditionError(why);
  }
  return PluginHello{static_cast<uint32_t>(hello->I(1)), static_cast<uint32_t>(hello->I(2)),
                     static_cast<uint32_t>(hello->I(3)), static_cast<uint32_t>(hello->I(4))};
}

absl::StatusOr<Frame> RunnerConnection::Await(FrameType want, Deadline deadline) {
  for (;;) {
    Frame frame;
    ReadStatus st = plugin_wire::ReadFrame(fd_, &frame, deadline);
    if (st == ReadStatus::kTimeout) {
      std::string how = Terminate(/*kill_now=*/true);
      return absl::DeadlineExceededError(
          absl::StrCat("plugin ", plugin_id_, " did not answer in time; runner ", how));
    }
    if (st != ReadStatus::kOk) {
      std::string how = Terminate(/*kill_now=*/false);
      return absl::UnavailableError(absl::StrCat("plugin ", plugin_id_, " runner ", how));
    }
    if (frame.type == want) return frame;
    if (frame.type != FrameType::kHostCall) {
      std::string how = Terminate(/*kill_now=*/true);
      return absl::UnavailableError(
          absl::StrCat("plugin ", plugin_id_, " runner broke the protocol; ", how));
    }
    if (!plugin_wire::WriteFrame(fd_, handler_->Handle(frame))) {
      std::string how = Terminate(/*kill_now=*/false);
      return absl::UnavailableError(absl::StrCat("plugin ", plugin_id_, " runner ", how));
    }
  }
}

absl::StatusOr<Frame> RunnerConnection::Call(const Frame& hook, Deadline deadline) {
  if (fd_ < 0) return absl::UnavailableError(absl::StrCat("plugin ", plugin_id_, " is stopped"));
  if (!plugin_wire::WriteFrame(fd_, hook)) {
    std::string how = Terminate(/*kill_now=*/false);
    return absl::UnavailableError(absl::StrCat("plugin ", plugin_id_, " runner ", how));
  }
  return Await(FrameType::kHookResult, deadline);
}

absl::Status RunnerConnection::CheckAlive() {
  if (pid_ <= 0) return absl::UnavailableError(absl::StrCat("plugin ", plugin_id_, " is stopped"));
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    Terminate(false);
    return absl::UnavailableError(
        absl::StrCat("plugin ", plugin_id_, " runner ", DescribeExit(status)));
  }
  return absl::OkStatus();
}

}  // namespace meridian::plugins
