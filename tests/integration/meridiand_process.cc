#include "tests/integration/meridiand_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

namespace meridian::testing {

MeridiandProcess::MeridiandProcess(std::string binary, std::string data_dir,
                                   std::vector<std::string> args)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)), args_(std::move(args)) {}

MeridiandProcess::~MeridiandProcess() {
  if (pid_ > 0) Kill();
}

bool MeridiandProcess::Start() {
  int fds[2];
  if (pipe(fds) != 0) return false;
  std::vector<std::string> argv_s = {binary_, "--listen", "127.0.0.1:0", "--data-dir", data_dir_};
  argv_s.insert(argv_s.end(), args_.begin(), args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  if (pid_ > 0 && on_fork_) on_fork_(pid_);
  close(fds[1]);
  {
    std::lock_guard<std::mutex> l(mu_);
    ready_ = eof_ = false;
    port_ = 0;
    log_.clear();  // a restart must not find the previous run's port
  }
  reader_ = std::thread([this, fd = fds[0]] { ReadLog(fd); });
  std::unique_lock<std::mutex> l(mu_);
  // Waits for the server's own "listening" line, not for a fixed time.
  cv_.wait_for(l, std::chrono::seconds(60), [&] { return ready_ || eof_; });
  return ready_;
}

void MeridiandProcess::ReadLog(int fd) {
  static const std::regex kPort(R"(listening on .*\(port (\d+))");
  char buf[4096];
  std::string line;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    std::lock_guard<std::mutex> l(mu_);
    log_.append(buf, n);
    std::smatch m;
    if (!ready_ && std::regex_search(log_, m, kPort)) {
      port_ = std::atoi(m[1].str().c_str());
      ready_ = true;
      cv_.notify_all();
    }
  }
  close(fd);
  std::lock_guard<std::mutex> l(mu_);
  eof_ = true;
  cv_.notify_all();
}

int MeridiandProcess::Reap() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return status;
}

int MeridiandProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  return Reap();
}

void MeridiandProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap();
}

std::string MeridiandProcess::log() const {
  std::lock_guard<std::mutex> l(mu_);
  return log_;
}

}  // namespace meridian::testing
