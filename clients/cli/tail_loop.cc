#include "clients/cli/tail_loop.h"

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "clients/cli/cli_status.h"

namespace meridian::cli {
namespace {

constexpr char kResumeCursorKey[] = "meridian-resume-cursor";

absl::optional<std::string> ResumeCursor(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kResumeCursorKey);
  if (it == trailers.end()) return absl::nullopt;
  return std::string(it->second.data(), it->second.size());
}

// Hands each event of `response` to the callbacks in order, moving the resume point after each
// one handled. A server that predates batching (or ignores the request) sends `event`.
absl::Status HandleResponse(const meridian::v1::SubscribeResponse& response, ResumeState& state,
                            const TailCallbacks& callbacks) {
  auto handle = [&](const meridian::v1::Event& event) {
    absl::Status status = callbacks.on_event(event);
    if (status.ok()) state.OnEventHandled(event.cursor());
    return status;
  };
  if (response.has_event()) {
    if (absl::Status s = handle(response.event()); !s.ok()) return s;
  }
  for (const meridian::v1::Event& event : response.events()) {
    if (absl::Status s = handle(event); !s.ok()) return s;
  }
  if (response.caught_up() && callbacks.on_caught_up) callbacks.on_caught_up();
  return absl::OkStatus();
}

}  // namespace

absl::Status RunTailLoop(Connection& conn, ResumeState& state, InterruptWatcher& interrupts,
                         const TailCallbacks& callbacks) {
  while (!interrupts.interrupted()) {
    std::unique_ptr<grpc::ClientContext> context = conn.NewContext(absl::InfiniteDuration());
    grpc::ClientContext* raw_context = context.get();
    interrupts.SetCancel([raw_context] { raw_context->TryCancel(); });
    meridian::v1::SubscribeRequest request;
    request.set_since_cursor(state.cursor());
    request.set_batch(true);
    auto reader = conn.events().Subscribe(context.get(), request);
    meridian::v1::SubscribeResponse response;
    absl::Status handler_status;
    while (handler_status.ok() && reader->Read(&response)) {
      state.OnStreamProgress();
      handler_status = HandleResponse(response, state, callbacks);
      if (!handler_status.ok()) context->TryCancel();
    }
    grpc::Status finished = reader->Finish();
    interrupts.ClearCancel();
    if (!handler_status.ok()) return handler_status;
    if (interrupts.interrupted()) return absl::OkStatus();

    ResumeState::Decision decision =
        state.OnStreamEnded(FromGrpc(finished), ResumeCursor(*context));
    if (!decision.retry) return decision.error;
    callbacks.notice(absl::StrCat(
        finished.ok() ? "stream closed by the server"
                      : absl::StrCat("stream ended (",
                                     absl::StatusCodeToString(
                                         static_cast<absl::StatusCode>(finished.error_code())),
                                     ": ", finished.error_message(), ")"),
        "; resubscribing in ",
        absl::FormatDuration(absl::Trunc(decision.delay, absl::Milliseconds(1))),
        state.cursor().empty() ? "" : absl::StrCat(" from cursor ", state.cursor())));
    if (!interrupts.SleepFor(decision.delay)) return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace meridian::cli
