#include "plugins/runner/wire.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "gtest/gtest.h"

namespace meridian::plugin_wire {
namespace {

TEST(WireTest, RoundTripsEveryField) {
  Frame f;
  f.type = FrameType::kHostCall;
  f.op = 7;
  f.s = {"", std::string("a\0b", 3), std::string(70000, 'x')};
  f.i = {0, -1, INT64_MAX, INT64_MIN};
  std::string bytes = EncodeFrame(f);
  Frame g;
  ASSERT_TRUE(DecodeFrame(std::string_view(bytes).substr(4), &g));
  EXPECT_EQ(g.type, FrameType::kHostCall);
  EXPECT_EQ(g.op, 7u);
  EXPECT_EQ(g.s, f.s);
  EXPECT_EQ(g.i, f.i);
  EXPECT_EQ(g.S(9), "");
  EXPECT_EQ(g.I(9), 0);
}

TEST(WireTest, RejectsTruncatedAndTrailingBytes) {
  Frame f;
  f.type = FrameType::kHello;
  f.s = {"hello"};
  f.i = {1};
  std::string payload = EncodeFrame(f).substr(4);
  Frame g;
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodeFrame(std::string_view(payload).substr(0, n), &g)) << n;
  }
  EXPECT_FALSE(DecodeFrame(payload + "x", &g));
  std::string bad_type = payload;
  bad_type[0] = 99;
  EXPECT_FALSE(DecodeFrame(bad_type, &g));
}

TEST(WireTest, ReadsOverSocketAndTimesOutAndSeesEof) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Frame f;
  f.type = FrameType::kHookCall;
  f.op = 4;
  f.s = {"text"};
  ASSERT_TRUE(WriteFrame(fds[0], f));
  Frame g;
  EXPECT_EQ(ReadFrame(fds[1], &g, NoDeadline()), ReadStatus::kOk);
  EXPECT_EQ(g.s, f.s);

  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ReadFrame(fds[1], &g, start + std::chrono::milliseconds(20)), ReadStatus::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  close(fds[0]);
  EXPECT_EQ(ReadFrame(fds[1], &g, NoDeadline()), ReadStatus::kEof);
  EXPECT_FALSE(WriteFrame(fds[1], f));
  close(fds[1]);
}

}  // namespace
}  // namespace meridian::plugin_wire
