// schedule (list, edit, cancel) and remind (list, snooze, reschedule, cancel).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli/async_formatter.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/references.h"
#include "clients/cli/when_parser.h"

namespace meridian::cli {
namespace {

using meridian::v1::ScheduleService;

struct ScheduleOptions {
  std::vector<std::string> words;  // schedule: the text; remind: [who] what
  std::string to;
  std::string at;
  bool next_working_day = false;
  std::string thread;
  bool urgent = false;
  std::string id;
  std::string about;
  std::string snooze_for = "1h";
};

// The `when` of --at / --next-working-day, read in the caller's time zone.
absl::StatusOr<meridian::v1::When> WhenOf(const ScheduleOptions& opt, const TextFormatter& f,
                                          bool required) {
  if (!opt.at.empty() && opt.next_working_day) {
    return UsageError("give --at or --next-working-day, not both");
  }
  if (opt.next_working_day) {
    meridian::v1::When when;
    when.set_next_working_day(true);
    return when;
  }
  if (opt.at.empty()) {
    if (required) {
      return UsageError(
          "when? give --at (\"tomorrow 9:00\", \"in 2h\", \"2026-11-25 09:00\") or "
          "--next-working-day");
    }
    return meridian::v1::When();
  }
  CLI_ASSIGN_OR_RETURN(ParsedWhen when, ParseWhen(opt.at, absl::Now(), f.zone()));
  return ToApiWhen(when);
}

// A formatter that also knows the caller's channels and the people in them.
absl::StatusOr<TextFormatter> NamingFormatter(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(ctx.AddMyChannels(formatter.names()));
  return formatter;
}

absl::Status Schedule(CliContext& ctx, const ScheduleOptions& opt) {
  const std::string text = absl::StrJoin(opt.words, " ");
  if (text.empty()) {
    return UsageError("what should be sent? meridian schedule \"text\" --to #channel --at WHEN");
  }
  if (opt.to.empty()) return UsageError("where to? give --to #channel or --to @user");
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  meridian::v1::ScheduleMessageRequest request;
  CLI_ASSIGN_OR_RETURN(*request.mutable_when(), WhenOf(opt, formatter, /*required=*/true));
  CLI_ASSIGN_OR_RETURN(std::string channel, ChannelRef(opt.to));
  if (channel[0] == '@') {
    // At send time the server posts to an existing conversation only; open it now.
    meridian::v1::OpenDirectRequest open;
    open.add_user_ids(channel);
    CLI_ASSIGN_OR_RETURN(auto opened, conn->Call(&meridian::v1::ChannelService::Stub::OpenDirect,
                                                 conn->channels(), open));
    formatter.names().channels[opened.channel().id()] = channel;
    channel = opened.channel().id();
  } else if (opt.next_working_day && channel[0] == '#') {
    return UsageError("--next-working-day is for direct messages: use --to @user");
  }
  request.set_channel_id(channel);
  request.set_text(text);
  request.set_thread_root_id(opt.thread);
  request.set_urgent(opt.urgent);
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ScheduleService::Stub::ScheduleMessage,
                                                 conn->schedule(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  const auto& sm = response.scheduled_message();
  ctx.out() << "scheduled " << sm.id() << " to " << formatter.Channel(sm.channel_id()) << " for "
            << formatter.Time(sm.send_time())
            << (opt.next_working_day ? " (the start of their next working day)" : "") << "\n";
  return absl::OkStatus();
}

absl::Status ListScheduled(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&ScheduleService::Stub::ListScheduledMessages, conn->schedule(),
                                  meridian::v1::ListScheduledMessagesRequest()));
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, NamingFormatter(ctx));
  ctx.out() << ScheduledTable(
      formatter, {response.scheduled_messages().begin(), response.scheduled_messages().end()});
  return absl::OkStatus();
}

absl::Status EditScheduled(CliContext& ctx, const ScheduleOptions& opt) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  meridian::v1::UpdateScheduledMessageRequest request;
  request.set_id(opt.id);
  request.set_text(absl::StrJoin(opt.words, " "));
  CLI_ASSIGN_OR_RETURN(meridian::v1::When when, WhenOf(opt, formatter, /*required=*/false));
  if (when.when_case() != meridian::v1::When::WHEN_NOT_SET) *request.mutable_when() = when;
  if (request.text().empty() && !request.has_when()) {
    return UsageError("nothing to change: give the new text and/or --at / --next-working-day");
  }
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ScheduleService::Stub::UpdateScheduledMessage,
                                                 conn->schedule(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  const auto& sm = response.scheduled_message();
  ctx.out() << "updated " << opt.id;
  if (sm.id() != opt.id) ctx.out() << ", now " << sm.id();
  ctx.out() << ": sends " << formatter.Time(sm.send_time()) << "\n";
  return absl::OkStatus();
}

// `remind [me|@who] <text or message id>`: splits the words into target, text and message id.
absl::Status FillReminder(const ScheduleOptions& opt, meridian::v1::CreateReminderRequest& request,
                          std::string& target_label) {
  std::vector<std::string> words = opt.words;
  target_label = "you";
  if (!words.empty() && (absl::AsciiStrToLower(words[0]) == "me" || IsExplicitUserRef(words[0]))) {
    if (absl::AsciiStrToLower(words[0]) != "me") {
      CLI_ASSIGN_OR_RETURN(*request.mutable_target_user_id(), UserRef(words[0]));
      target_label = request.target_user_id();
    }
    words.erase(words.begin());
  }
  request.set_message_id(opt.about);
  // A lone message id ("m3-42") is what the reminder is about.
  if (words.size() == 1 && opt.about.empty() && words[0].size() > 3 && words[0][0] == 'm' &&
      words[0].find_first_not_of("0123456789-", 1) == std::string::npos &&
      words[0].find('-') != std::string::npos) {
    request.set_message_id(words[0]);
    words.clear();
  }
  request.set_text(absl::StrJoin(words, " "));
  if (request.text().empty() && request.message_id().empty()) {
    return UsageError(
        "what about? meridian remind [me|@user] \"text\" --at WHEN, or a message id (m3-42)");
  }
  return absl::OkStatus();
}

absl::Status Remind(CliContext& ctx, const ScheduleOptions& opt) {
  meridian::v1::CreateReminderRequest request;
  std::string target_label;
  CLI_RETURN_IF_ERROR(FillReminder(opt, request, target_label));
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_ASSIGN_OR_RETURN(*request.mutable_when(), WhenOf(opt, formatter, /*required=*/true));
  CLI_ASSIGN_OR_RETURN(
      auto response, conn->Call(&ScheduleService::Stub::CreateReminder, conn->schedule(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  const auto& r = response.reminder();
  ctx.out() << "reminder " << r.id() << ": will remind " << target_label << " at "
            << formatter.Time(r.remind_time()) << "\n";
  return absl::OkStatus();
}

absl::Status ListReminders(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&ScheduleService::Stub::ListReminders, conn->schedule(),
                                  meridian::v1::ListRemindersRequest()));
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  std::set<std::string> targets;
  for (const auto& r : response.reminders()) targets.insert(r.target_user_id());
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(targets, formatter.names()));
  ctx.out() << ReminderTable(formatter, {response.reminders().begin(), response.reminders().end()});
  return absl::OkStatus();
}

// Prints "<verb> r4 <time>" ("snoozed r4 until ...") for a reminder response, or the JSON.
template <typename Response>
absl::Status PrintMovedReminder(CliContext& ctx, const Response& response, absl::string_view verb,
                                absl::string_view preposition) {
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  ctx.out() << verb << " " << response.reminder().id() << " " << preposition << " "
            << formatter.Time(response.reminder().remind_time()) << "\n";
  return absl::OkStatus();
}

absl::Status Snooze(CliContext& ctx, const ScheduleOptions& opt) {
  CLI_ASSIGN_OR_RETURN(absl::Duration delay, ParseDelay(opt.snooze_for));
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::SnoozeReminderRequest request;
  request.set_id(opt.id);
  request.mutable_delay()->set_seconds(absl::ToInt64Seconds(delay));
  CLI_ASSIGN_OR_RETURN(
      auto response, conn->Call(&ScheduleService::Stub::SnoozeReminder, conn->schedule(), request));
  return PrintMovedReminder(ctx, response, "snoozed", "until");
}

absl::Status Reschedule(CliContext& ctx, const ScheduleOptions& opt) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  meridian::v1::RescheduleReminderRequest request;
  request.set_id(opt.id);
  CLI_ASSIGN_OR_RETURN(*request.mutable_when(), WhenOf(opt, formatter, /*required=*/true));
  CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ScheduleService::Stub::RescheduleReminder,
                                                 conn->schedule(), request));
  return PrintMovedReminder(ctx, response, "rescheduled", "to");
}

// Runs a cancel RPC and prints "cancelled <id>" (or the JSON response).
template <typename Request, typename Response>
absl::Status Cancel(CliContext& ctx, const std::string& id,
                    grpc::Status (ScheduleService::Stub::*method)(grpc::ClientContext*,
                                                                  const Request&, Response*)) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  Request request;
  request.set_id(id);
  CLI_ASSIGN_OR_RETURN(Response response, conn->Call(method, conn->schedule(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  ctx.out() << "cancelled " << id << "\n";
  return absl::OkStatus();
}

void AddWhenOptions(CLI::App* cmd, ScheduleOptions& opt, const std::string& what) {
  cmd->add_option("--at", opt.at,
                  what +
                      ": \"2026-11-25 09:00\", \"tomorrow 9:00\", \"fri 5pm\", \"in 2h\" "
                      "(your profile's time zone)");
  cmd->add_flag("--next-working-day", opt.next_working_day,
                "at the start of the recipient's next working day");
}

void RegisterSchedule(CLI::App& app, CommandRegistry& registry,
                      const std::shared_ptr<ScheduleOptions>& opt) {
  CLI::App* schedule =
      registry.Add(app, "schedule",
                   "send a message later: meridian schedule \"text\" --to #chan|@user --at WHEN; "
                   "list, edit, cancel",
                   [opt](CliContext& ctx) { return Schedule(ctx, *opt); });
  schedule->require_subcommand(0, 1);
  schedule->add_option("text", opt->words, "the message text");
  schedule->add_option("--to", opt->to, "#channel, channel id or @user (a direct message)");
  AddWhenOptions(schedule, *opt, "when to send");
  schedule->add_option("--thread", opt->thread, "post as a reply in this message's thread");
  schedule->add_flag("--urgent", opt->urgent, "notify even outside recipients' working hours");

  registry.Add(*schedule, "list", "your pending scheduled messages, soonest first",
               [](CliContext& ctx) { return ListScheduled(ctx); });
  CLI::App* edit = registry.Add(*schedule, "edit", "change the text and/or time of one",
                                [opt](CliContext& ctx) { return EditScheduled(ctx, *opt); });
  edit->add_option("id", opt->id, "its id, e.g. s12")->required();
  edit->add_option("text", opt->words, "the new text (left out: unchanged)");
  AddWhenOptions(edit, *opt, "the new time");
  registry
      .Add(*schedule, "cancel", "cancel one before it is sent",
           [opt](CliContext& ctx) {
             return Cancel(ctx, opt->id, &ScheduleService::Stub::CancelScheduledMessage);
           })
      ->add_option("id", opt->id, "its id, e.g. s12")
      ->required();
}

void RegisterRemind(CLI::App& app, CommandRegistry& registry,
                    const std::shared_ptr<ScheduleOptions>& opt) {
  CLI::App* remind = registry.Add(
      app, "remind",
      "remind yourself or someone: meridian remind [me|@user] \"text\"|m3-42 --at WHEN; "
      "list, snooze, reschedule, cancel",
      [opt](CliContext& ctx) { return Remind(ctx, *opt); });
  remind->require_subcommand(0, 1);
  remind->footer(
      "Examples:\n"
      "  meridian remind \"send the report\" --at \"tomorrow 9:00\"\n"
      "  meridian remind @bob m3-42 --at \"their next morning\"\n"
      "  meridian remind me \"stretch\" --at \"in 2h\"");
  remind->add_option("who_and_what", opt->words,
                     "me (default) or @user, then the text or a message id");
  remind->add_option("--about", opt->about, "the message id the reminder is about");
  remind->add_option("--at", opt->at,
                     "when: \"in 2h\", \"tomorrow 9:00\", \"2026-11-25 09:00\", "
                     "\"their next morning\" (your profile's time zone)");
  remind->add_flag("--next-working-day", opt->next_working_day,
                   "at the start of the target's next working day");

  registry.Add(*remind, "list", "pending reminders you created, soonest first",
               [](CliContext& ctx) { return ListReminders(ctx); });
  CLI::App* snooze = registry.Add(*remind, "snooze", "postpone one from now",
                                  [opt](CliContext& ctx) { return Snooze(ctx, *opt); });
  snooze->add_option("id", opt->id, "its id, e.g. r4")->required();
  snooze->add_option("--for", opt->snooze_for, "how long: 30m, 2h, 1d (default 1h)");
  CLI::App* reschedule = registry.Add(*remind, "reschedule", "move one to another time",
                                      [opt](CliContext& ctx) { return Reschedule(ctx, *opt); });
  reschedule->add_option("id", opt->id, "its id, e.g. r4")->required();
  AddWhenOptions(reschedule, *opt, "the new time");
  registry
      .Add(*remind, "cancel", "cancel one",
           [opt](CliContext& ctx) {
             return Cancel(ctx, opt->id, &ScheduleService::Stub::CancelReminder);
           })
      ->add_option("id", opt->id, "its id, e.g. r4")
      ->required();
}

}  // namespace

void RegisterScheduleCommands(CLI::App& app, CommandRegistry& registry) {
  RegisterSchedule(app, registry, std::make_shared<ScheduleOptions>());
  RegisterRemind(app, registry, std::make_shared<ScheduleOptions>());
}

}  // namespace meridian::cli
