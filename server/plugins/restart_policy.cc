#include "server/plugins/restart_policy.h"

#include <algorithm>

namespace meridian::plugins {

int RestartPolicy::RecentFailures(absl::Time now) const {
  return static_cast<int>(std::count_if(failures_.begin(), failures_.end(),
                                        [&](absl::Time t) { return now - t < options_.window; }));
}

std::optional<absl::Time> RestartPolicy::RecordFailure(absl::Time now) {
  while (!failures_.empty() && now - failures_.front() >= options_.window) failures_.pop_front();
  failures_.push_back(now);
  int recent = static_cast<int>(failures_.size());
  if (recent >= options_.max_failures) return std::nullopt;
  absl::Duration backoff = options_.initial_backoff;
  for (int k = 1; k < recent && backoff < options_.max_backoff; ++k) backoff *= 2;
  return now + std::min(backoff, options_.max_backoff);
}

}  // namespace meridian::plugins
