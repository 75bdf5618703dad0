#include "server/plugins/restart_policy.h"

#include "gtest/gtest.h"

namespace meridian::plugins {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(RestartPolicyTest, BacksOffExponentiallyThenDisablesOnThirdFailureWithinAnHour) {
  RestartPolicy policy({});
  EXPECT_EQ(policy.RecordFailure(kT0), kT0 + absl::Seconds(1));
  EXPECT_EQ(policy.RecordFailure(kT0 + absl::Seconds(5)), kT0 + absl::Seconds(7));
  EXPECT_EQ(policy.RecentFailures(kT0 + absl::Seconds(6)), 2);
  EXPECT_EQ(policy.RecordFailure(kT0 + absl::Minutes(59)), std::nullopt);
}

TEST(RestartPolicyTest, FailuresOlderThanTheWindowAreForgotten) {
  RestartPolicy policy({});
  policy.RecordFailure(kT0);
  policy.RecordFailure(kT0 + absl::Minutes(5));
  // The first failure is now more than an hour old: only two count, so restart again.
  std::optional<absl::Time> next = policy.RecordFailure(kT0 + absl::Minutes(61));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, kT0 + absl::Minutes(61) + absl::Seconds(2));
  EXPECT_EQ(policy.RecentFailures(kT0 + absl::Minutes(61)), 2);
}

TEST(RestartPolicyTest, BackoffIsCappedAndResetForgets) {
  RestartPolicy policy({.max_failures = 100,
                        .window = absl::Hours(1),
                        .initial_backoff = absl::Seconds(1),
                        .max_backoff = absl::Seconds(10)});
  std::optional<absl::Time> next;
  for (int k = 0; k < 8; ++k) next = policy.RecordFailure(kT0);
  EXPECT_EQ(next, kT0 + absl::Seconds(10));
  policy.Reset();
  EXPECT_EQ(policy.RecordFailure(kT0), kT0 + absl::Seconds(1));
}

}  // namespace
}  // namespace meridian::plugins
