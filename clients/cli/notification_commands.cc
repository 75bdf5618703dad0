// notifications (list, seen), awaiting, overlap.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "clients/cli/async_formatter.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/references.h"
#include "clients/cli/when_parser.h"

namespace meridian::cli {
namespace {

using meridian::v1::NotificationService;

struct NotificationOptions {
  bool unseen = false;
  int limit = 20;
  std::vector<std::string> ids;
  bool all = false;
  bool mine = false;
  std::vector<std::string> targets;
  int slot_minutes = 30;
  std::string week;
};

// A formatter that knows the caller's channels, their members and `users`.
absl::StatusOr<TextFormatter> NamingFormatter(CliContext& ctx, const std::set<std::string>& users) {
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(ctx.AddMyChannels(formatter.names()));
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(users, formatter.names()));
  return formatter;
}

absl::Status ListNotifications(CliContext& ctx, const NotificationOptions& opt) {
  if (opt.limit < 1) return UsageError("--limit must be at least 1");
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::ListNotificationsRequest request;
  request.set_unseen_only(opt.unseen);
  meridian::v1::ListNotificationsResponse all;
  while (all.notifications_size() < opt.limit) {
    request.set_page_size(std::min(200, opt.limit - all.notifications_size()));
    CLI_ASSIGN_OR_RETURN(auto page, conn->Call(&NotificationService::Stub::ListNotifications,
                                               conn->notifications(), request));
    all.mutable_notifications()->MergeFrom(page.notifications());
    all.set_unseen_count(page.unseen_count());
    all.set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty() || page.notifications().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (ctx.options().json) return ctx.PrintJson(all);
  std::set<std::string> users;
  for (const auto& n : all.notifications()) {
    users.insert(n.actor_id());
    users.insert(n.pending_user_ids().begin(), n.pending_user_ids().end());
  }
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, NamingFormatter(ctx, users));
  if (all.notifications().empty()) {
    ctx.out() << (opt.unseen ? "no unseen notifications\n" : "no notifications\n");
    return absl::OkStatus();
  }
  for (const auto& n : all.notifications()) ctx.out() << NotificationLine(formatter, n);
  if (!all.next_page_token().empty()) {
    ctx.err() << "more: meridian notifications --limit " << opt.limit * 2 << "\n";
  }
  if (all.unseen_count() > 0) {
    ctx.err() << all.unseen_count() << " unseen (marked *); mark them with: meridian notifications "
              << "seen ID... or --all\n";
  }
  return absl::OkStatus();
}

absl::Status MarkSeen(CliContext& ctx, const NotificationOptions& opt) {
  if (opt.all == !opt.ids.empty()) {
    return UsageError("give notification ids (as listed, e.g. msg:m3-42) or --all");
  }
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::MarkNotificationsSeenRequest request;
  request.set_all(opt.all);
  for (const std::string& id : opt.ids) request.add_notification_ids(id);
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&NotificationService::Stub::MarkNotificationsSeen,
                                                 conn->notifications(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  ctx.out() << "marked " << response.marked()
            << (response.marked() == 1 ? " notification" : " notifications") << " seen\n";
  return absl::OkStatus();
}

absl::Status Awaiting(CliContext& ctx, bool mine) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  google::protobuf::RepeatedPtrField<meridian::v1::AwaitingReply> items;
  if (mine) {
    CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&NotificationService::Stub::ListAwaitingReplies,
                                                   conn->notifications(),
                                                   meridian::v1::ListAwaitingRepliesRequest()));
    if (ctx.options().json) return ctx.PrintJson(response);
    items = response.items();
  } else {
    CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&NotificationService::Stub::ListAwaitingMyReply,
                                                   conn->notifications(),
                                                   meridian::v1::ListAwaitingMyReplyRequest()));
    if (ctx.options().json) return ctx.PrintJson(response);
    items = response.items();
  }
  std::set<std::string> users;
  for (const auto& item : items) {
    users.insert(item.message().author_id());
    users.insert(item.pending_user_ids().begin(), item.pending_user_ids().end());
  }
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, NamingFormatter(ctx, users));
  if (items.empty()) {
    ctx.out() << (mine ? "none of your messages is waiting for a reply\n"
                       : "nothing is waiting for your reply\n");
  }
  for (const auto& item : items) ctx.out() << AwaitingBlock(formatter, item);
  return absl::OkStatus();
}

absl::Status Overlap(CliContext& ctx, const NotificationOptions& opt) {
  meridian::v1::GetOverlapRequest request;
  if (opt.targets.empty()) return UsageError("give a channel (#team) or people (@a @b)");
  const bool users = std::all_of(opt.targets.begin(), opt.targets.end(), IsExplicitUserRef);
  if (users) {
    for (const std::string& target : opt.targets) {
      CLI_ASSIGN_OR_RETURN(*request.add_user_ids(), UserRef(target));
    }
  } else if (opt.targets.size() == 1) {
    CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt.targets[0]));
  } else {
    return UsageError("give one channel, or only people (@a @b u12), not a mix");
  }
  if (opt.slot_minutes != 15 && opt.slot_minutes != 30 && opt.slot_minutes != 60) {
    return UsageError("--slot must be 15, 30 or 60 minutes");
  }
  request.set_slot_minutes(opt.slot_minutes);
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  if (!opt.week.empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(opt.week, &day)) {
      return UsageError(absl::StrCat("--week \"", opt.week, "\": give a date like 2026-03-09"));
    }
    const absl::Time noon = WallClockInstant(formatter.zone(), day, 12 * 60);
    request.mutable_reference_time()->set_seconds(absl::ToUnixSeconds(noon));
  }
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&NotificationService::Stub::GetOverlap,
                                                 conn->notifications(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(
      std::set<std::string>(response.user_ids().begin(), response.user_ids().end()),
      formatter.names()));
  ctx.out() << OverlapGrid(formatter, response);
  return absl::OkStatus();
}

}  // namespace

void RegisterNotificationCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<NotificationOptions>();
  auto list = [opt](CliContext& ctx) { return ListNotifications(ctx, *opt); };
  CLI::App* notifications = registry.Add(
      app, "notifications",
      "your notification feed, newest first (alone: list); mark them seen with `seen`", list);
  notifications->require_subcommand(0, 1);
  CLI::App* list_cmd =
      registry.Add(*notifications, "list", "your notifications, newest first", list);
  for (CLI::App* cmd : {notifications, list_cmd}) {
    cmd->add_flag("--unseen", opt->unseen, "only those not seen yet");
    cmd->add_option("--limit,-n", opt->limit, "how many (default 20)");
  }
  CLI::App* seen = registry.Add(*notifications, "seen", "mark notifications seen",
                                [opt](CliContext& ctx) { return MarkSeen(ctx, *opt); });
  seen->add_option("ids", opt->ids, "notification ids as listed (e.g. msg:m3-42)");
  seen->add_flag("--all", opt->all, "mark every notification seen");

  registry
      .Add(app, "awaiting",
           "messages waiting for your reply (reply-by); with --mine, yours waiting for others",
           [opt](CliContext& ctx) { return Awaiting(ctx, opt->mine); })
      ->add_flag("--mine", opt->mine, "your messages that still wait for replies");

  CLI::App* overlap = registry.Add(
      app, "overlap",
      "the weekly hours in which everyone of a channel (or the people named) is in working hours, "
      "in your time zone",
      [opt](CliContext& ctx) { return Overlap(ctx, *opt); });
  overlap->add_option("channel_or_users", opt->targets, "#channel, or @a @b ... (you are included)")
      ->required();
  overlap->add_option("--slot", opt->slot_minutes, "slot size in minutes: 15, 30 (default) or 60");
  overlap->add_option("--week", opt->week, "a date in the week to show (default: this week)");
}

}  // namespace meridian::cli
