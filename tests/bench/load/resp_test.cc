#include "tests/bench/load/resp.h"

#include <gtest/gtest.h>

namespace meridian::bench {
namespace {

TEST(RespTest, EncodesCommandsAsBulkStringArrays) {
  EXPECT_EQ(EncodeCommand({"PUBLISH", "ch", "a\r\nb"}),
            "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$4\r\na\r\nb\r\n");
}

TEST(RespTest, ParsesValuesSplitAcrossReads) {
  RespParser p;
  std::string wire = "+OK\r\n:42\r\n*3\r\n$7\r\nmessage\r\n$6\r\nfanout\r\n$5\r\n7|xyz\r\n$-1\r\n";
  RespValue v;
  std::string error;
  std::vector<RespValue> got;
  for (char c : wire) {  // one byte at a time: every prefix must be "incomplete", not an error
    p.Feed(&c, 1);
    while (p.Next(&v, &error)) got.push_back(v);
    ASSERT_TRUE(error.empty()) << error;
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].type, '+');
  EXPECT_EQ(got[0].str, "OK");
  EXPECT_EQ(got[1].integer, 42);
  ASSERT_EQ(got[2].elems.size(), 3u);
  EXPECT_EQ(got[2].elems[0].str, "message");
  EXPECT_EQ(got[2].elems[2].str, "7|xyz");
  EXPECT_TRUE(got[3].null);
}

TEST(RespTest, RejectsUnknownTypeByte) {
  RespParser p;
  p.Feed("?x\r\n", 4);
  RespValue v;
  std::string error;
  EXPECT_FALSE(p.Next(&v, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace meridian::bench
