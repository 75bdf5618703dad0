#include "tests/bench/load/resp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/bench/load/child_registry.h"

namespace meridian::bench {

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = absl::StrCat("*", args.size(), "\r\n");
  for (const auto& a : args) absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
  return out;
}

bool RespParser::ParseAt(size_t* pos, RespValue* out, std::string* error) {
  size_t eol = buf_.find("\r\n", *pos);
  if (eol == std::string::npos) return false;
  out->type = buf_[*pos];
  std::string line = buf_.substr(*pos + 1, eol - *pos - 1);
  size_t next = eol + 2;
  switch (out->type) {
    case '+':
    case '-':
      out->str = std::move(line);
      *pos = next;
      return true;
    case ':':
      out->integer = std::atoll(line.c_str());
      *pos = next;
      return true;
    case '$': {
      long long len = std::atoll(line.c_str());
      if (len < 0) {
        out->null = true;
        *pos = next;
        return true;
      }
      if (buf_.size() < next + len + 2) return false;
      out->str = buf_.substr(next, len);
      *pos = next + len + 2;
      return true;
    }
    case '*': {
      long long n = std::atoll(line.c_str());
      if (n < 0) {
        out->null = true;
        *pos = next;
        return true;
      }
      out->elems.resize(n);
      for (auto& e : out->elems) {
        if (!ParseAt(&next, &e, error)) return false;
      }
      *pos = next;
      return true;
    }
    default:
      *error = absl::StrCat("unexpected RESP type byte 0x",
                            absl::Hex(static_cast<unsigned char>(buf_[*pos])));
      return false;
  }
}

bool RespParser::Next(RespValue* out, std::string* error) {
  if (start_ >= buf_.size()) return false;
  size_t pos = start_;
  RespValue v;
  if (!ParseAt(&pos, &v, error)) return false;
  *out = std::move(v);
  start_ = pos;
  if (start_ > 65536 && start_ * 2 > buf_.size()) {
    buf_.erase(0, start_);
    start_ = 0;
  }
  return true;
}

absl::StatusOr<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", std::strerror(errno)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

absl::StatusOr<int> ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect 127.0.0.1:", port, ": ", std::strerror(e)));
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

absl::Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(absl::StrCat("write: ", std::strerror(errno)));
    done += n;
  }
  return absl::OkStatus();
}

absl::StatusOr<RespValue> ReadValue(int fd, RespParser& parser) {
  RespValue v;
  std::string error;
  char buf[65536];
  while (!parser.Next(&v, &error)) {
    if (!error.empty()) return absl::DataLossError(error);
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("redis closed the connection");
    parser.Feed(buf, n);
  }
  return v;
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(const std::string& binary) {
  auto port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  std::vector<std::string> args = {binary,
                                   "--port",
                                   std::to_string(*port),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--protected-mode",
                                   "no",
                                   "--maxclients",
                                   "15000",
                                   "--loglevel",
                                   "warning",
                                   "--daemonize",
                                   "no"};
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(binary.c_str(), argv.data());
    _exit(127);
  }
  if (pid < 0) return absl::InternalError("fork failed");
  RegisterChild(pid);
  std::unique_ptr<RedisServer> server(new RedisServer(pid, *port));
  for (int attempt = 0; attempt < 100; ++attempt) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      UnregisterChild(pid);  // already reaped: the pid may be reused
      server->pid_ = -1;
      return absl::UnavailableError(absl::StrCat(binary, " exited at start (status ", status,
                                                 "); is redis-server installed?"));
    }
    auto fd = ConnectLoopback(*port);
    if (fd.ok()) {
      RespParser parser;
      absl::Status s = WriteAll(*fd, EncodeCommand({"PING"}));
      auto v = s.ok() ? ReadValue(*fd, parser) : absl::StatusOr<RespValue>(s);
      close(*fd);
      if (v.ok() && v->str == "PONG") return server;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("redis-server did not answer PING within 5 s");
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    UnregisterChild(pid_);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace meridian::bench
