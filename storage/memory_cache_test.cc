#include "storage/memory_cache.h"

#include <string>

#include "gtest/gtest.h"

namespace meridian::storage {
namespace {

// Counts the values alive, so that a test sees when the cache drops them.
struct Counted final : MemoryCache::Value {
  explicit Counted(int v, int* live) : value(v), live(live) { ++*live; }
  ~Counted() override { --*live; }
  int value;
  int* live;
};

int Get(const MemoryCache& cache, const std::string& key) {
  int out = -1;
  cache.Lookup(key,
               [&](const MemoryCache::Value& v) { out = static_cast<const Counted&>(v).value; });
  return out;
}

TEST(MemoryCacheTest, KeepsReplacesAndFrees) {
  int live = 0;
  {
    MemoryCache cache(1 << 20);
    cache.Insert("a", std::make_unique<Counted>(1, &live), 100);
    cache.Insert("b", std::make_unique<Counted>(2, &live), 100);
    EXPECT_EQ(Get(cache, "a"), 1);
    EXPECT_EQ(Get(cache, "b"), 2);
    EXPECT_EQ(Get(cache, "c"), -1);
    cache.Insert("a", std::make_unique<Counted>(3, &live), 100);
    EXPECT_EQ(Get(cache, "a"), 3);
    EXPECT_EQ(cache.entries(), 2u);
    EXPECT_EQ(live, 2);  // the replaced value is gone
  }
  EXPECT_EQ(live, 0);  // and the kept ones with the cache
}

// The property the search caches need: once full, an insert drops about as many entries as
// it needs room for, never a large share of the cache at once.
TEST(MemoryCacheTest, DropsTheLeastRecentlyUsedAFewAtATime) {
  int live = 0;
  MemoryCache cache(1 << 20);  // one shard
  ASSERT_EQ(cache.max_charge(), (1u << 20) / 4);
  int i = 0;
  for (; cache.usage() + 2048 <= (1u << 20); ++i) {
    cache.Insert("k" + std::to_string(i), std::make_unique<Counted>(i, &live), 1000);
  }
  const int full = live;
  ASSERT_GT(full, 500);
  for (int n = 0; n < 5000; ++n, ++i) {
    ASSERT_EQ(Get(cache, "hot"), n == 0 ? -1 : 7) << n;
    if (n == 0) cache.Insert("hot", std::make_unique<Counted>(7, &live), 1000);
    const int before = live;
    cache.Insert("k" + std::to_string(i), std::make_unique<Counted>(i, &live), 1000);
    ASSERT_GE(live, before - 2) << "insert " << n << " dropped " << before + 1 - live;
    ASSERT_LE(cache.usage(), 1u << 20);
  }
  EXPECT_GE(live, full - 2);
  // The oldest keys went first; the newest and the one asked for all along stayed.
  EXPECT_EQ(Get(cache, "k0"), -1);
  EXPECT_EQ(Get(cache, "k" + std::to_string(i - 1)), i - 1);
  EXPECT_EQ(Get(cache, "hot"), 7);
}

TEST(MemoryCacheTest, AnEntryTooLargeIsNotKeptAndPushesNothingOut) {
  int live = 0;
  MemoryCache cache(1 << 20);
  for (int i = 0; i < 100; ++i) {
    cache.Insert("k" + std::to_string(i), std::make_unique<Counted>(i, &live), 1000);
  }
  cache.Insert("big", std::make_unique<Counted>(-2, &live), cache.max_charge() + 1);
  EXPECT_EQ(Get(cache, "big"), -1);
  EXPECT_EQ(live, 100);
  EXPECT_EQ(cache.entries(), 100u);
  cache.Insert("largest", std::make_unique<Counted>(5, &live), cache.max_charge());
  EXPECT_EQ(Get(cache, "largest"), 5);
}

TEST(MemoryCacheTest, LargeCachesAreShardedAndStillBounded) {
  int live = 0;
  MemoryCache cache(size_t{64} << 20);
  // 32 shards of 2 MiB: an entry may take a quarter of one.
  EXPECT_EQ(cache.max_charge(), size_t{512} << 10);
  for (int i = 0; i < 20000; ++i) {
    cache.Insert("key" + std::to_string(i), std::make_unique<Counted>(i, &live), 8000);
  }
  EXPECT_LE(cache.usage(), size_t{64} << 20);
  EXPECT_GT(cache.usage(), size_t{56} << 20);
  EXPECT_EQ(static_cast<size_t>(live), cache.entries());
  EXPECT_EQ(Get(cache, "key19999"), 19999);
}

}  // namespace
}  // namespace meridian::storage
