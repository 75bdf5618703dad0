// Starts and stops a real meridiand child process for integration tests, on a free loopback port
// that the server picks itself and reports in its log.
#ifndef MERIDIAN_TESTS_INTEGRATION_MERIDIAND_PROCESS_H_
#define MERIDIAN_TESTS_INTEGRATION_MERIDIAND_PROCESS_H_

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace meridian::testing {

class MeridiandProcess {
 public:
  // `binary` is the meridiand executable; `args` are extra flags (e.g. --config FILE).
  MeridiandProcess(std::string binary, std::string data_dir, std::vector<std::string> args = {});
  ~MeridiandProcess();  // SIGKILLs a server still running

  // Starts the server and waits until it is listening; false (with log()) if it exited instead.
  bool Start();
  // Called in the parent with the child's pid as soon as it is forked, before Start waits for
  // it (e.g. to register the child for a crash handler). Set it before Start.
  void set_on_fork(std::function<void(pid_t)> on_fork) { on_fork_ = std::move(on_fork); }
  // SIGTERM and wait; returns the exit status.
  int Stop();
  // SIGKILL and wait: a crash.
  void Kill();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }  // -1 when not running
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  void ReadLog(int fd);
  int Reap();

  std::string binary_, data_dir_;
  std::vector<std::string> args_;
  std::function<void(pid_t)> on_fork_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;
  bool ready_ = false, eof_ = false;
};

}  // namespace meridian::testing

#endif  // MERIDIAN_TESTS_INTEGRATION_MERIDIAND_PROCESS_H_
