#include "clients/cli/resume_state.h"

#include <algorithm>

namespace meridian::cli {

ResumeState::ResumeState(std::string initial_cursor, BackoffPolicy policy,
                         std::function<double()> random01)
    : cursor_(std::move(initial_cursor)),
      policy_(policy),
      random01_(std::move(random01)),
      current_backoff_(policy.initial) {}

void ResumeState::OnEventHandled(const std::string& event_cursor) {
  if (!event_cursor.empty()) cursor_ = event_cursor;
}

void ResumeState::OnStreamProgress() {
  progressed_since_connect_ = true;
  current_backoff_ = policy_.initial;
}

absl::Duration ResumeState::NextBackoff() {
  absl::Duration base = current_backoff_;
  current_backoff_ = std::min(policy_.max, current_backoff_ * policy_.multiplier);
  double jitter = 0.5 + 0.5 * std::clamp(random01_(), 0.0, 1.0);
  return base * jitter;
}

ResumeState::Decision ResumeState::OnStreamEnded(const absl::Status& status,
                                                 const absl::optional<std::string>& resume_cursor) {
  const bool progressed = progressed_since_connect_;
  progressed_since_connect_ = false;
  Decision decision;
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      if (cursor_.empty() && resume_cursor.has_value()) cursor_ = *resume_cursor;
      decision.retry = true;
      // Being cut off for slowness after reading is normal: resume at once. Being cut off
      // again without reading anything means something else is wrong: back off.
      decision.delay = progressed ? absl::ZeroDuration() : NextBackoff();
      return decision;
    case absl::StatusCode::kOk:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      decision.retry = true;
      decision.delay = NextBackoff();
      return decision;
    default:
      decision.retry = false;
      decision.error = status;
      return decision;
  }
}

}  // namespace meridian::cli
