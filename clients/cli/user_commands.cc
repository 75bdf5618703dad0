// profile, profile set, users, user.
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/references.h"
#include "clients/cli/working_hours_spec.h"

namespace meridian::cli {
namespace {

using meridian::v1::UserService;

struct UserOptions {
  std::string user;
  std::string time_zone;
  std::string display_name;
  std::string status;
  std::string hours;
};

absl::Status ShowUser(CliContext& ctx, const meridian::v1::GetUserResponse& response) {
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  ctx.out() << formatter.UserDetails(response.user(), absl::Now());
  return absl::OkStatus();
}

absl::Status SetProfile(CliContext& ctx, const UserOptions& opt, const CLI::App& cmd) {
  meridian::v1::UpdateProfileRequest request;
  if (cmd.count("--time-zone") > 0) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(opt.time_zone, &zone)) {
      return UsageError(absl::StrCat("unknown time zone \"", opt.time_zone,
                                     "\"; use an IANA name such as Europe/Berlin"));
    }
    request.set_time_zone(opt.time_zone);
    request.add_update_mask("time_zone");
  }
  if (cmd.count("--display-name") > 0) {
    request.set_display_name(opt.display_name);
    request.add_update_mask("display_name");
  }
  if (cmd.count("--status") > 0) {
    request.set_status_text(opt.status);
    request.add_update_mask("status_text");
  }
  if (cmd.count("--hours") > 0) {
    CLI_ASSIGN_OR_RETURN(*request.mutable_working_hours(), ParseWorkingHours(opt.hours));
    request.add_update_mask("working_hours");
  }
  if (request.update_mask().empty()) {
    return UsageError(
        "nothing to change: give --time-zone, --display-name, --status and/or --hours");
  }
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&UserService::Stub::UpdateProfile, conn->users(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  // Times print in the zone just set, not the one the session started with.
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!response.user().time_zone().empty()) absl::LoadTimeZone(response.user().time_zone(), &zone);
  TextFormatter formatter(zone, NameBook{});
  ctx.out() << formatter.UserDetails(response.user(), absl::Now());
  return absl::OkStatus();
}

}  // namespace

void RegisterUserCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<UserOptions>();
  CLI::App* profile = registry.Add(app, "profile", "show your profile, or change it with `set`",
                                   [](CliContext& ctx) -> absl::Status {
                                     CLI_ASSIGN_OR_RETURN(meridian::v1::User me, ctx.Me());
                                     meridian::v1::GetUserResponse response;
                                     *response.mutable_user() = me;
                                     return ShowUser(ctx, response);
                                   });
  profile->require_subcommand(0, 1);
  CLI::App* set = registry.Add(*profile, "set", "change your profile", nullptr);
  registry.SetAction(set, [opt, set](CliContext& ctx) { return SetProfile(ctx, *opt, *set); });
  set->add_option("--time-zone", opt->time_zone, "IANA time zone, e.g. Europe/Berlin");
  set->add_option("--display-name", opt->display_name, "name shown to others");
  set->add_option("--status", opt->status, "status text (\"\" clears it)");
  set->add_option("--hours", opt->hours,
                  "working hours in your time zone, e.g. \"mon-fri 09:00-17:00\", "
                  "\"mon,wed 9-12,13-17; sat 10am-2pm\", or \"none\"");

  registry.Add(app, "users", "list the users on the server", [](CliContext& ctx) -> absl::Status {
    CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
    meridian::v1::ListUsersRequest request;
    request.set_page_size(1000);
    meridian::v1::ListUsersResponse all;
    do {
      CLI_ASSIGN_OR_RETURN(auto page,
                           conn->Call(&UserService::Stub::ListUsers, conn->users(), request));
      all.mutable_users()->MergeFrom(page.users());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    if (ctx.options().json) return ctx.PrintJson(all);
    CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
    ctx.out() << formatter.UserTable({all.users().begin(), all.users().end()}, absl::Now());
    return absl::OkStatus();
  });

  registry
      .Add(app, "user", "show a user",
           [opt](CliContext& ctx) -> absl::Status {
             CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
             meridian::v1::GetUserRequest request;
             CLI_ASSIGN_OR_RETURN(*request.mutable_user_id(), UserRef(opt->user));
             CLI_ASSIGN_OR_RETURN(auto response,
                                  conn->Call(&UserService::Stub::GetUser, conn->users(), request));
             return ShowUser(ctx, response);
           })
      ->add_option("user", opt->user, "u12, bob or @bob")
      ->required();
}

}  // namespace meridian::cli
