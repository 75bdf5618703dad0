#include "server/search/search_caches.h"

#include <string>

#include "gtest/gtest.h"

namespace meridian::search {
namespace {

size_t StringCost(const std::string& s) { return s.size(); }
using StringCache = BoundedCache<std::string, StringCost>;

TEST(BoundedCacheTest, KeepsWhatIsAskedForAcrossRotations) {
  BoundedCache<int> cache(/*max_entries=*/8);  // four a generation
  cache.Insert("hot", 1);
  for (int i = 0; i < 40; ++i) {
    cache.Insert("cold" + std::to_string(i), i);
    int v = 0;
    // Asked for between every insert: a lookup in the older generation brings it back.
    ASSERT_TRUE(cache.Lookup("hot", &v)) << "lost after " << i << " inserts";
    EXPECT_EQ(v, 1);
    EXPECT_LE(cache.entries(), 8u);
  }
  int v = 0;
  // A key not asked for is gone two rotations later.
  EXPECT_FALSE(cache.Lookup("cold0", &v));
  EXPECT_TRUE(cache.Lookup("cold39", &v));
  EXPECT_EQ(v, 39);
}

TEST(BoundedCacheTest, ABurstOfNewKeysDropsOnlyWhatWasNotUsed) {
  BoundedCache<int> cache(/*max_entries=*/200);
  for (int i = 0; i < 100; ++i) cache.Insert("k" + std::to_string(i), i);
  // The newer generation is full: the next insert rotates, and every k is then older.
  cache.Insert("burst0", 0);
  int v = 0;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(cache.Lookup("k" + std::to_string(i), &v));
  for (int i = 1; i < 50; ++i) cache.Insert("burst" + std::to_string(i), i);
  // 50 k's were asked for and 50 bursts came: one full generation, then the next rotation.
  cache.Insert("burst50", 50);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(cache.Lookup("k" + std::to_string(i), &v)) << i;
  for (int i = 50; i < 100; ++i) EXPECT_FALSE(cache.Lookup("k" + std::to_string(i), &v)) << i;
}

TEST(BoundedCacheTest, BoundsBytes) {
  const size_t entry = sizeof(std::string) * 2 + 1 + 1000;  // key "a".."z", a 1000-byte value
  StringCache cache(/*max_entries=*/1000, /*max_bytes=*/entry * 10);
  for (char c = 'a'; c <= 'z'; ++c) cache.Insert(std::string(1, c), std::string(1000, c));
  // Five a generation by bytes, though the entry bound would allow 500.
  EXPECT_LE(cache.entries(), 10u);
  EXPECT_GE(cache.entries(), 5u);
  std::string v;
  EXPECT_TRUE(cache.Lookup("z", &v));
  EXPECT_EQ(v, std::string(1000, 'z'));
  EXPECT_FALSE(cache.Lookup("a", &v));
  // A value larger than a generation is not kept at all.
  cache.Insert("big", std::string(entry * 6, 'x'));
  EXPECT_FALSE(cache.Lookup("big", &v));
  EXPECT_TRUE(cache.Lookup("z", &v));
}

TEST(BoundedCacheTest, ReplacingAKeyCountsItOnce) {
  StringCache cache(/*max_entries=*/1000, /*max_bytes=*/(sizeof(std::string) * 2 + 1 + 100) * 4);
  // One key written many times never fills a generation of two entries.
  for (int i = 0; i < 100; ++i)
    cache.Insert("a", std::string(100, static_cast<char>('0' + i % 10)));
  cache.Insert("b", std::string(100, 'b'));
  std::string v;
  ASSERT_TRUE(cache.Lookup("a", &v));
  EXPECT_EQ(v, std::string(100, '9'));
  EXPECT_EQ(cache.entries(), 2u);
}

}  // namespace
}  // namespace meridian::search
