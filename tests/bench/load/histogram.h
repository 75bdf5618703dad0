// A latency histogram with logarithmic buckets (HdrHistogram-like): values below 128 are exact,
// larger ones fall into 64 sub-buckets per power of two, so every reported percentile is within
// 1/64 (1.6%) above the true value. Fixed memory (~30 KB), O(1) record, mergeable.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_HISTOGRAM_H_
#define MERIDIAN_TESTS_BENCH_LOAD_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace meridian::bench {

// Not safe for concurrent use: give each thread its own and Merge() them.
class Histogram {
 public:
  Histogram();

  // Records one value (any unit; the bench uses nanoseconds).
  void Record(uint64_t value);
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // The smallest recorded-bucket bound v such that at least q (0..1] of the values are <= v,
  // clamped to max(). 0 when empty.
  uint64_t Percentile(double q) const;

  // Bucket arithmetic, exposed for tests.
  static int BucketOf(uint64_t value);
  static uint64_t BucketUpper(int bucket);  // largest value that lands in `bucket`

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0, sum_ = 0, min_ = UINT64_MAX, max_ = 0;
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_HISTOGRAM_H_
