#include "plugins/runner/wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace meridian::plugin_wire {
namespace {

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void PutU64(std::string* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) *v = (*v << 8) | static_cast<uint8_t>(in_[k]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    uint32_t hi, lo;
    if (!U32(&hi) || !U32(&lo)) return false;
    *v = (static_cast<uint64_t>(hi) << 32) | lo;
    return true;
  }
  bool Bytes(std::string* v) {
    uint32_t n;
    if (!U32(&n) || in_.size() < n) return false;
    v->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

int RemainingMs(Deadline deadline) {
  if (deadline == Deadline::max()) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  // Round up so that a sub-millisecond remainder still polls once rather than spinning.
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 1 << 30));
}

// Reads exactly n bytes; kEof only when nothing at all was read.
ReadStatus ReadExact(int fd, char* buf, size_t n, Deadline deadline) {
  size_t got = 0;
  while (got < n) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int timeout = RemainingMs(deadline);
    int r = poll(&pfd, 1, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ReadStatus::kError;
    }
    if (r == 0) return ReadStatus::kTimeout;
    ssize_t k = read(fd, buf + got, n - got);
    if (k < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return got == 0 ? ReadStatus::kEof : ReadStatus::kError;
    }
    if (k == 0) return got == 0 ? ReadStatus::kEof : ReadStatus::kError;
    got += static_cast<size_t>(k);
  }
  return ReadStatus::kOk;
}

}  // namespace

std::string EncodeFrame(const Frame& frame) {
  std::string out(4, '\0');
  out.push_back(static_cast<char>(frame.type));
  PutU32(&out, frame.op);
  PutU32(&out, static_cast<uint32_t>(frame.s.size()));
  for (const std::string& s : frame.s) {
    PutU32(&out, static_cast<uint32_t>(s.size()));
    out.append(s);
  }
  PutU32(&out, static_cast<uint32_t>(frame.i.size()));
  for (int64_t v : frame.i) PutU64(&out, static_cast<uint64_t>(v));
  std::string len;
  PutU32(&len, static_cast<uint32_t>(out.size() - 4));
  out.replace(0, 4, len);
  return out;
}

bool DecodeFrame(std::string_view payload, Frame* out) {
  Reader r(payload);
  uint8_t type;
  uint32_t ns, ni;
  if (!r.U8(&type) || !r.U32(&out->op) || !r.U32(&ns)) return false;
  if (type < 1 || type > 5 || ns > payload.size()) return false;
  out->type = static_cast<FrameType>(type);
  out->s.assign(ns, std::string());
  for (std::string& s : out->s) {
    if (!r.Bytes(&s)) return false;
  }
  if (!r.U32(&ni) || ni > payload.size()) return false;
  out->i.assign(ni, 0);
  for (int64_t& v : out->i) {
    uint64_t u;
    if (!r.U64(&u)) return false;
    v = static_cast<int64_t>(u);
  }
  return r.done();
}

bool WriteFrame(int fd, const Frame& frame) {
  std::string bytes = EncodeFrame(frame);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t k = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<size_t>(k);
  }
  return true;
}

ReadStatus ReadFrame(int fd, Frame* out, Deadline deadline) {
  char len_bytes[4];
  ReadStatus st = ReadExact(fd, len_bytes, 4, deadline);
  if (st != ReadStatus::kOk) return st;
  uint32_t len = 0;
  for (char c : len_bytes) len = (len << 8) | static_cast<uint8_t>(c);
  if (len > kMaxFrameBytes) return ReadStatus::kError;
  std::string payload(len, '\0');
  st = ReadExact(fd, payload.data(), len, deadline);
  if (st == ReadStatus::kEof) return ReadStatus::kError;
  if (st != ReadStatus::kOk) return st;
  return DecodeFrame(payload, out) ? ReadStatus::kOk : ReadStatus::kError;
}

}  // namespace meridian::plugin_wire
