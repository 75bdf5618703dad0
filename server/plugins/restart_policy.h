// When to restart a failing plugin: exponential backoff, and a plugin that fails `max_failures`
// times within `window` is disabled. Pure computation over times the caller supplies from its
// Clock, so tests step a FakeClock instead of sleeping.
#ifndef MERIDIAN_SERVER_PLUGINS_RESTART_POLICY_H_
#define MERIDIAN_SERVER_PLUGINS_RESTART_POLICY_H_

#include <deque>
#include <optional>

#include "absl/time/time.h"

namespace meridian::plugins {

struct RestartPolicyOptions {
  int max_failures = 3;
  absl::Duration window = absl::Hours(1);
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
};

// Not safe for concurrent use.
class RestartPolicy {
 public:
  explicit RestartPolicy(RestartPolicyOptions options) : options_(options) {}

  // Records a failure at `now`. Returns when to restart, or nullopt when this failure is the
  // max_failures-th within the window and the plugin must be disabled.
  std::optional<absl::Time> RecordFailure(absl::Time now);
  // Failures within the window ending at `now`.
  int RecentFailures(absl::Time now) const;
  // Forgets every failure (an administrator re-enabled the plugin).
  void Reset() { failures_.clear(); }

 private:
  RestartPolicyOptions options_;
  std::deque<absl::Time> failures_;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_RESTART_POLICY_H_
