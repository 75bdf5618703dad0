// unread, read.
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/references.h"

namespace meridian::cli {
namespace {

using meridian::v1::MessageService;

struct ReadStateOptions {
  bool all = false;
  std::string channel;
  uint64_t seq = 0;
};

absl::Status Unread(CliContext& ctx, bool all) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&MessageService::Stub::GetUnreadCounts, conn->messages(),
                                  meridian::v1::GetUnreadCountsRequest()));
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(ctx.AddMyChannels(formatter.names()));
  std::vector<meridian::v1::UnreadCount> shown;
  for (const auto& count : response.counts()) {
    if (all || count.unread() > 0 || count.mentions() > 0) shown.push_back(count);
  }
  // Mentions first, then most unread: what needs attention on top.
  std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.mentions(), a.unread()) > std::make_pair(b.mentions(), b.unread());
  });
  ctx.out() << formatter.UnreadTable(shown);
  return absl::OkStatus();
}

}  // namespace

void RegisterReadStateCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<ReadStateOptions>();
  registry
      .Add(app, "unread", "channels with unread messages and mentions",
           [opt](CliContext& ctx) { return Unread(ctx, opt->all); })
      ->add_flag("--all", opt->all, "also list channels with nothing unread");

  CLI::App* read = registry.Add(
      app, "read", "mark a channel read (up to seq, default: everything)",
      [opt](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
        meridian::v1::MarkReadRequest request;
        CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt->channel));
        request.set_seq(opt->seq);
        CLI_ASSIGN_OR_RETURN(
            auto response, conn->Call(&MessageService::Stub::MarkRead, conn->messages(), request));
        if (ctx.options().json) return ctx.PrintJson(response);
        ctx.out() << "marked " << opt->channel << " read up to " << response.last_read_seq()
                  << "\n";
        return absl::OkStatus();
      });
  read->add_option("channel", opt->channel, "c3, general / #general, or @user")->required();
  read->add_option("seq", opt->seq, "message sequence read up to, inclusive (default: newest)");
}

}  // namespace meridian::cli
