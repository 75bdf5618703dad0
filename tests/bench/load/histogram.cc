#include "tests/bench/load/histogram.h"

#include <algorithm>
#include <cmath>

namespace meridian::bench {
namespace {

constexpr int kSubBits = 6;  // 64 sub-buckets per octave
constexpr int kSub = 1 << kSubBits;
constexpr int kBuckets = (64 - kSubBits + 1) * kSub;

}  // namespace

Histogram::Histogram() : buckets_(kBuckets, 0) {}

int Histogram::BucketOf(uint64_t value) {
  if (value < 2 * kSub) return static_cast<int>(value);
  int msb = 63 - __builtin_clzll(value);  // >= kSubBits + 1
  int shift = msb - kSubBits;
  return (shift + 1) * kSub + static_cast<int>((value >> shift) - kSub);
}

uint64_t Histogram::BucketUpper(int bucket) {
  if (bucket < 2 * kSub) return static_cast<uint64_t>(bucket);
  int shift = bucket / kSub - 1;
  uint64_t sub = static_cast<uint64_t>(bucket % kSub + kSub);
  if (shift + kSubBits + 1 >= 64 && sub == 2 * kSub - 1) return UINT64_MAX;
  return ((sub + 1) << shift) - 1;
}

void Histogram::Record(uint64_t value) {
  ++buckets_[BucketOf(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::Merge(const Histogram& other) {
  for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * count_)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketUpper(i), max_);
  }
  return max_;
}

}  // namespace meridian::bench
