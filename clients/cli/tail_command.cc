// tail: live events, resuming by itself after disconnects.
#include <memory>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/interrupt_watcher.h"
#include "clients/cli/json_output.h"
#include "clients/cli/references.h"
#include "clients/cli/resume_state.h"
#include "clients/cli/tail_loop.h"

namespace meridian::cli {
namespace {

struct TailOptions {
  std::string since;
  std::string channel;
};

// Learns the names an event mentions, so its line shows @alice and #general instead of ids.
absl::Status LearnNames(CliContext& ctx, const meridian::v1::Event& event, NameBook& names) {
  std::set<std::string> users = {event.actor_id(), event.message().author_id(), event.user().id()};
  users.insert(event.channel().member_ids().begin(), event.channel().member_ids().end());
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(users, names));
  if (event.user().id() != "" && event.user().name() != "") {
    names.users[event.user().id()] = event.user().name();
  }
  if (!event.channel().id().empty()) names.AddChannel(event.channel());
  return absl::OkStatus();
}

absl::Status Tail(CliContext& ctx, const TailOptions& opt) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(ctx.AddMyChannels(formatter.names()));
  std::string only_channel;
  if (!opt.channel.empty()) {
    meridian::v1::GetChannelRequest request;
    CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt.channel));
    CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&meridian::v1::ChannelService::Stub::GetChannel,
                                                   conn->channels(), request));
    only_channel = response.channel().id();
  }
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<InterruptWatcher> interrupts, InterruptWatcher::Install());

  std::mt19937_64 random(std::random_device{}());
  ResumeState state(opt.since, BackoffPolicy{},
                    [&random] { return std::uniform_real_distribution<double>(0.0, 1.0)(random); });
  TailCallbacks callbacks;
  callbacks.notice = [&ctx](absl::string_view note) { ctx.err() << "meridian: " << note << "\n"; };
  callbacks.on_caught_up = [&ctx] { ctx.err() << "meridian: caught up; waiting for new events\n"; };
  callbacks.on_event = [&](const meridian::v1::Event& event) -> absl::Status {
    if (!only_channel.empty() && event.channel_id() != only_channel) return absl::OkStatus();
    if (ctx.options().json) {
      CLI_ASSIGN_OR_RETURN(std::string line, ToJson(event, /*pretty=*/false));
      ctx.out() << line << std::endl;
      return absl::OkStatus();
    }
    CLI_RETURN_IF_ERROR(LearnNames(ctx, event, formatter.names()));
    ctx.out() << formatter.EventLine(event) << std::endl;
    return absl::OkStatus();
  };
  absl::Status status = RunTailLoop(*conn, state, *interrupts, callbacks);
  if (!state.cursor().empty()) {
    ctx.err() << "meridian: resume with: meridian tail --since " << state.cursor()
              << (opt.channel.empty() ? "" : absl::StrCat(" ", opt.channel)) << "\n";
  }
  return status;
}

}  // namespace

void RegisterTailCommand(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<TailOptions>();
  CLI::App* tail =
      registry.Add(app, "tail",
                   "print live events; reconnects and resumes by itself; Ctrl-C ends it "
                   "(with --json: one event per line)",
                   [opt](CliContext& ctx) { return Tail(ctx, *opt); });
  tail->add_option("--since", opt->since,
                   "replay events after this cursor first (default: from now)");
  tail->add_option("channel", opt->channel, "only events of this channel");
}

}  // namespace meridian::cli
