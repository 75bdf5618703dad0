#include "server/search/search_caches.h"

#include <string>

#include "gtest/gtest.h"

namespace meridian::search {
namespace {

size_t StringCost(const std::string& s) { return s.size(); }
using StringCache = BoundedCache<std::string, StringCost>;

TEST(BoundedCacheTest, CopiesValuesOutAndKeepsWhatIsAskedFor) {
  BoundedCache<int> cache(/*max_bytes=*/1 << 20);
  cache.Insert("hot", 1);
  int v = 0;
  for (int i = 0; i < 50000; ++i) {
    cache.Insert("cold" + std::to_string(i), i);
    // Asked for between inserts: it stays the most recently used.
    if (i % 100 == 0) {
      ASSERT_TRUE(cache.Lookup("hot", &v)) << "lost after " << i << " inserts";
    }
  }
  EXPECT_EQ(v, 1);
  EXPECT_LE(cache.bytes(), 1u << 20);
  EXPECT_LT(cache.entries(), 50000u);
  EXPECT_FALSE(cache.Lookup("cold0", &v));
  EXPECT_TRUE(cache.Lookup("cold49999", &v));
  EXPECT_EQ(v, 49999);
}

TEST(BoundedCacheTest, ChargesWhatValuesHold) {
  StringCache cache(/*max_bytes=*/1 << 20);
  for (char c = 'a'; c <= 'z'; ++c) cache.Insert(std::string(1, c), std::string(100 << 10, c));
  // 100 KiB each: no more than ten fit in 1 MiB, the latest ones.
  EXPECT_LE(cache.entries(), 10u);
  EXPECT_GE(cache.entries(), 8u);
  std::string v;
  EXPECT_TRUE(cache.Lookup("z", &v));
  EXPECT_EQ(v, std::string(100 << 10, 'z'));
  EXPECT_FALSE(cache.Lookup("a", &v));
  // More than a quarter of the cache's one shard: not kept, and nothing pushed out for it.
  const size_t before = cache.entries();
  cache.Insert("big", std::string(300 << 10, 'x'));
  EXPECT_FALSE(cache.Lookup("big", &v));
  EXPECT_EQ(cache.entries(), before);
}

TEST(BoundedCacheTest, ReplacingAKeyCountsItOnce) {
  StringCache cache(/*max_bytes=*/1 << 20);
  for (int i = 0; i < 1000; ++i)
    cache.Insert("a", std::string(100 << 10, static_cast<char>('0' + i % 10)));
  cache.Insert("b", std::string(100, 'b'));
  std::string v;
  ASSERT_TRUE(cache.Lookup("a", &v));
  EXPECT_EQ(v, std::string(100 << 10, '9'));
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_LT(cache.bytes(), 101u << 10);
}

TEST(VectorPoolTest, KeepsCapacityWithinBounds) {
  VectorPool<int> pool;
  EXPECT_EQ(pool.Take().capacity(), 0u);
  std::vector<int> v(1000, 7);
  pool.Give(std::move(v));
  std::vector<int> again = pool.Take();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), 1000u);
  EXPECT_EQ(pool.kept(), 0u);
  // Too large to keep.
  pool.Give(std::vector<int>(VectorPool<int>::kMaxBytes / sizeof(int) + 1));
  EXPECT_EQ(pool.kept(), 0u);
  for (size_t i = 0; i < VectorPool<int>::kKept + 3; ++i) pool.Give(std::vector<int>(10));
  EXPECT_EQ(pool.kept(), VectorPool<int>::kKept);
}

}  // namespace
}  // namespace meridian::search
