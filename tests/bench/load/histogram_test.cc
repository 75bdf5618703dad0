#include "tests/bench/load/histogram.h"

#include <gtest/gtest.h>

#include <random>

namespace meridian::bench {
namespace {

TEST(HistogramTest, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 50u);
  EXPECT_EQ(h.Percentile(0.99), 99u);
  EXPECT_EQ(h.Percentile(1.0), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(HistogramTest, BucketsAreContiguousAndMonotonic) {
  int prev = -1;
  for (uint64_t v = 0; v < 1'000'000; v += (v < 5000 ? 1 : 997)) {
    int b = Histogram::BucketOf(v);
    ASSERT_GE(b, prev) << v;
    if (v < 5000) ASSERT_LE(b, prev + 1) << v;  // no holes while stepping by 1
    ASSERT_GE(Histogram::BucketUpper(b), v) << v;
    if (b > 0) ASSERT_LT(Histogram::BucketUpper(b - 1), v) << v;
    prev = b;
  }
  EXPECT_EQ(Histogram::BucketUpper(Histogram::BucketOf(UINT64_MAX)), UINT64_MAX);
}

TEST(HistogramTest, LargeValuesWithinRelativeError) {
  Histogram h;
  std::vector<uint64_t> values;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(13.0, 1.5);  // ~0.4 ms median in ns, long tail
  for (int i = 0; i < 100'000; ++i) {
    auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    uint64_t truth = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    uint64_t got = h.Percentile(q);
    EXPECT_GE(got, truth) << q;
    EXPECT_LE(static_cast<double>(got), truth * (1 + 1.0 / 64) + 1) << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.Percentile(1.0), values.back());
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  Histogram a, b, all;
  for (uint64_t v = 0; v < 10'000; ++v) {
    (v % 3 ? a : b).Record(v * 37);
    all.Record(v * 37);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  for (double q : {0.01, 0.5, 0.99}) EXPECT_EQ(a.Percentile(q), all.Percentile(q));
}

}  // namespace
}  // namespace meridian::bench
