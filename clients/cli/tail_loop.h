#ifndef MERIDIAN_CLIENTS_CLI_TAIL_LOOP_H_
#define MERIDIAN_CLIENTS_CLI_TAIL_LOOP_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clients/cli/connection.h"
#include "clients/cli/interrupt_watcher.h"
#include "clients/cli/resume_state.h"
#include "meridian/v1/events.pb.h"

namespace meridian::cli {

struct TailCallbacks {
  // Handles one event, in cursor order (the loop asks the server for batches and unpacks them).
  // An error stops the loop and is returned. The event counts as handled (its cursor becomes
  // the resume point) only after this returns OK.
  std::function<absl::Status(const meridian::v1::Event&)> on_event;
  // The replay from the cursor has caught up with the live stream (once per subscription).
  std::function<void()> on_caught_up;
  // Progress notes for a person ("reconnecting in 1s"); never data.
  std::function<void(absl::string_view)> notice;
};

// Subscribes from state.cursor() with batched delivery and keeps streaming, resubscribing after
// every ended stream as `state` decides (RESOURCE_EXHAUSTED with "meridian-resume-cursor", a
// restarted server, a dropped connection), until `interrupts` fires (returns OK) or a permanent
// error (returned).
absl::Status RunTailLoop(Connection& conn, ResumeState& state, InterruptWatcher& interrupts,
                         const TailCallbacks& callbacks);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_TAIL_LOOP_H_
