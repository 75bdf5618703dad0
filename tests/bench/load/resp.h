// Just enough of Redis for the fan-out baseline: a redis-server child on a free loopback port, and
// the RESP wire format (commands out, replies and pub/sub pushes in) over plain sockets.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_RESP_H_
#define MERIDIAN_TESTS_BENCH_LOAD_RESP_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace meridian::bench {

// A parsed RESP value: '+' simple string, '-' error, ':' integer, '$' bulk string, '*' array.
struct RespValue {
  char type = 0;
  std::string str;  // simple, error and bulk strings
  long long integer = 0;
  bool null = false;  // $-1 or *-1
  std::vector<RespValue> elems;
};

// Encodes a command as a RESP array of bulk strings.
std::string EncodeCommand(const std::vector<std::string>& args);

// Incremental parser: feed bytes as they arrive, take whole values out. Not safe for concurrent
// use.
class RespParser {
 public:
  void Feed(const char* data, size_t n) { buf_.append(data, n); }
  // Moves the next complete value into *out; false when more bytes are needed. A protocol error
  // sets *error and returns false.
  bool Next(RespValue* out, std::string* error);

 private:
  // Parses one value at buf_[*pos]; false if incomplete or malformed.
  bool ParseAt(size_t* pos, RespValue* out, std::string* error);
  std::string buf_;
  size_t start_ = 0;
};

// Binds 127.0.0.1:0 and returns the port the kernel chose (released again at once).
absl::StatusOr<int> FreeLoopbackPort();
// A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY; the caller owns the fd.
absl::StatusOr<int> ConnectLoopback(int port);
// Writes all of `data`.
absl::Status WriteAll(int fd, const std::string& data);
// Reads from fd until `parser` yields one value.
absl::StatusOr<RespValue> ReadValue(int fd, RespParser& parser);

// A redis-server child process without persistence, killed on destruction.
class RedisServer {
 public:
  // Starts `binary` (found on PATH when it has no '/') and waits until it answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(const std::string& binary);
  ~RedisServer();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  RedisServer(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_;
  int port_;
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_RESP_H_
