#ifndef MERIDIAN_CLIENTS_CLI_RESUME_STATE_H_
#define MERIDIAN_CLIENTS_CLI_RESUME_STATE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace meridian::cli {

// Reconnect delays: exponential from `initial` up to `max`, each scaled by a jitter factor in
// [0.5, 1.0] so many clients restarting together do not reconnect in lockstep.
struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(250);
  absl::Duration max = absl::Seconds(8);
  double multiplier = 2.0;
};

// Bookkeeping for `meridian tail`: which cursor to resubscribe from, and whether and when to
// reconnect after a stream ends. Pure logic (no I/O, no clock), so it is unit-tested directly.
// Not safe for concurrent use.
class ResumeState {
 public:
  // `random01` returns values in [0, 1) and drives the jitter.
  ResumeState(std::string initial_cursor, BackoffPolicy policy, std::function<double()> random01);

  // The since_cursor for the next Subscribe: the cursor of the last event handled (printed or
  // deliberately skipped), so a resume neither loses nor repeats an event.
  const std::string& cursor() const { return cursor_; }

  // Call after an event has been fully handled (its line written and flushed).
  void OnEventHandled(const std::string& event_cursor);
  // Call whenever the stream delivered anything (an event or the caught-up marker): the
  // connection is healthy again, so the next failure starts the backoff over.
  void OnStreamProgress();

  struct Decision {
    bool retry = false;
    absl::Duration delay = absl::ZeroDuration();
    absl::Status error;  // why we stop, when !retry
  };

  // Decides what to do after a stream ended with `status`. `resume_cursor` is the trailing
  // "meridian-resume-cursor" metadata, if the server sent one; it is adopted only when no event
  // has been handled yet (an empty "from now" subscription), since our own cursor is exact.
  // RESOURCE_EXHAUSTED after progress retries at once; transient failures (UNAVAILABLE,
  // DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNKNOWN, or a stream the server closed with OK) retry
  // with backoff; anything else (UNAUTHENTICATED, INVALID_ARGUMENT, ...) stops with that status.
  Decision OnStreamEnded(const absl::Status& status,
                         const absl::optional<std::string>& resume_cursor);

 private:
  absl::Duration NextBackoff();

  std::string cursor_;
  BackoffPolicy policy_;
  std::function<double()> random01_;
  absl::Duration current_backoff_;
  bool progressed_since_connect_ = false;
};

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_RESUME_STATE_H_
