#include "storage/key_codec.h"

#include <gtest/gtest.h>

namespace meridian::storage {
namespace {

TEST(KeyCodecTest, BigEndianOrderIsNumericOrder) {
  std::string a, b;
  AppendU64(&a, 255);
  AppendU64(&b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(ReadU64(a), 255u);
  EXPECT_EQ(ReadU64(b), 256u);
  EXPECT_EQ(ReadU64("short"), std::nullopt);
}

TEST(KeyCodecTest, CompositeKeysRoundTrip) {
  std::string k = KeyBuilder().U64(7).U32(9).Bytes("tail").Take();
  ASSERT_EQ(k.size(), 16u);
  EXPECT_EQ(ReadU64(k), 7u);
  EXPECT_EQ(ReadU32(std::string_view(k).substr(8)), 9u);
  EXPECT_EQ(k.substr(12), "tail");
}

TEST(KeyCodecTest, PrefixSuccessorBoundsThePrefix) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
}

}  // namespace
}  // namespace meridian::storage
