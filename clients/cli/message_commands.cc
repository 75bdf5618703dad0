// post, history, thread, react, edit, delete, pin, unpin.
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/idempotency_key.h"
#include "clients/cli/recipient_notes.h"
#include "clients/cli/references.h"
#include "clients/cli/when_parser.h"

namespace meridian::cli {
namespace {

using meridian::v1::Message;
using meridian::v1::MessageService;

struct MessageOptions {
  std::string channel;
  std::string text;
  std::string thread;
  std::string idempotency_key;
  bool urgent = false;
  bool quiet = false;
  std::string reply_by;
  std::vector<std::string> reply_from;
  int limit = 20;
  std::string before;
  std::string after;
  std::string message_id;
  std::string emoji;
  bool remove = false;
};

// The message text: the argument if given, else all of standard input minus one final newline.
absl::StatusOr<std::string> TextArgOrStdin(CliContext& ctx, const std::string& arg, bool given) {
  if (given) return arg;
  if (&ctx.in() == &std::cin && ::isatty(STDIN_FILENO)) {
    ctx.err() << "reading the message from standard input; end it with Ctrl-D\n";
  }
  std::string text(std::istreambuf_iterator<char>(ctx.in()), {});
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty()) return UsageError("the message is empty: give it as an argument or on stdin");
  return text;
}

// Adds the authors of `messages` to the formatter's names.
template <typename Messages>
absl::Status NameAuthors(CliContext& ctx, const Messages& messages, TextFormatter& formatter) {
  std::set<std::string> authors;
  for (const Message& m : messages) authors.insert(m.author_id());
  return ctx.AddUserNames(authors, formatter.names());
}

// Sets the reply-by deadline of `request` from --reply-by and --reply-from.
absl::Status SetReplyBy(CliContext& ctx, const MessageOptions& opt,
                        meridian::v1::PostMessageRequest& request) {
  if (opt.reply_by.empty() && opt.reply_from.empty()) return absl::OkStatus();
  if (opt.reply_by.empty() || opt.reply_from.empty()) {
    return UsageError("--reply-by and --reply-from go together: whom you wait for, and until when");
  }
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  const absl::Time now = absl::Now();
  CLI_ASSIGN_OR_RETURN(ParsedWhen when, ParseWhen(opt.reply_by, now, formatter.zone()));
  CLI_ASSIGN_OR_RETURN(absl::Time deadline, ResolveWhenNow(when, now, "--reply-by"));
  const int64_t seconds = absl::ToUnixSeconds(deadline);
  request.mutable_reply_by_time()->set_seconds(seconds);
  for (const std::string& user : opt.reply_from) {
    CLI_ASSIGN_OR_RETURN(*request.add_reply_by_user_ids(), UserRef(user));
  }
  return absl::OkStatus();
}

absl::Status Post(CliContext& ctx, const MessageOptions& opt, bool text_given) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::PostMessageRequest request;
  CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt.channel));
  CLI_RETURN_IF_ERROR(SetReplyBy(ctx, opt, request));
  CLI_ASSIGN_OR_RETURN(*request.mutable_text(), TextArgOrStdin(ctx, opt.text, text_given));
  const std::string channel_label = request.channel_id();
  std::vector<std::string> direct_members;
  if (request.channel_id()[0] == '@') {
    // The server resolves "@bob" only to an existing conversation; opening it is idempotent,
    // so `post @bob` works for a first message too.
    meridian::v1::OpenDirectRequest open;
    open.add_user_ids(request.channel_id());
    CLI_ASSIGN_OR_RETURN(auto opened, conn->Call(&meridian::v1::ChannelService::Stub::OpenDirect,
                                                 conn->channels(), open));
    request.set_channel_id(opened.channel().id());
    direct_members.assign(opened.channel().member_ids().begin(),
                          opened.channel().member_ids().end());
  }
  request.set_thread_root_id(opt.thread);
  request.set_urgent(opt.urgent);
  request.set_idempotency_key(opt.idempotency_key.empty() ? NewIdempotencyKey()
                                                          : opt.idempotency_key);
  // A lost reply is retried once with the same key: the server returns the first message.
  auto response = conn->Call(&MessageService::Stub::PostMessage, conn->messages(), request);
  if (!response.ok() && (response.status().code() == absl::StatusCode::kUnavailable ||
                         response.status().code() == absl::StatusCode::kDeadlineExceeded)) {
    response = conn->Call(&MessageService::Stub::PostMessage, conn->messages(), request);
  }
  if (!response.ok()) return response.status();
  if (ctx.options().json) return ctx.PrintJson(*response);
  if (!response->command_response().empty() || !response->has_message()) {
    // A slash command ("/task add x"): the plugin's answer, nothing was posted.
    ctx.out() << response->command_response();
    if (!absl::EndsWith(response->command_response(), "\n")) ctx.out() << "\n";
    return absl::OkStatus();
  }
  ctx.out() << (response->deduplicated() ? "already posted " : "posted ")
            << response->message().id() << "\n";
  if (!opt.quiet && !response->deduplicated()) {
    ctx.out().flush();
    PrintRecipientNotes(ctx, response->message(), direct_members, channel_label);
  }
  return absl::OkStatus();
}

absl::Status History(CliContext& ctx, const MessageOptions& opt) {
  if (opt.limit < 1) return UsageError("--limit must be at least 1");
  if (!opt.before.empty() && !opt.after.empty()) {
    return UsageError("give --before or --after, not both");
  }
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::GetHistoryRequest request;
  CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt.channel));
  request.set_before_cursor(opt.before);
  request.set_after_cursor(opt.after);
  meridian::v1::GetHistoryResponse all;
  while (all.messages_size() < opt.limit) {
    request.set_page_size(std::min(200, opt.limit - all.messages_size()));
    CLI_ASSIGN_OR_RETURN(auto page,
                         conn->Call(&MessageService::Stub::GetHistory, conn->messages(), request));
    all.mutable_messages()->MergeFrom(page.messages());
    all.set_next_cursor(page.next_cursor());
    if (page.next_cursor().empty() || page.messages().empty()) break;
    (opt.after.empty() ? request.mutable_before_cursor() : request.mutable_after_cursor())
        ->assign(page.next_cursor());
  }
  if (ctx.options().json) return ctx.PrintJson(all);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(NameAuthors(ctx, all.messages(), formatter));
  // Newest-first pages read best bottom-up, like a chat window.
  std::vector<const Message*> ordered;
  for (const Message& m : all.messages()) ordered.push_back(&m);
  if (opt.after.empty()) std::reverse(ordered.begin(), ordered.end());
  if (ordered.empty()) ctx.out() << "no messages\n";
  for (const Message* m : ordered) ctx.out() << formatter.MessageBlock(*m);
  if (!all.next_cursor().empty()) {
    ctx.err() << "more: meridian history " << opt.channel
              << (opt.after.empty() ? " --before " : " --after ") << all.next_cursor() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Thread(CliContext& ctx, const std::string& message_id) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::GetThreadRequest request;
  request.set_message_id(message_id);
  request.set_page_size(200);
  meridian::v1::GetThreadResponse all;
  do {
    CLI_ASSIGN_OR_RETURN(auto page,
                         conn->Call(&MessageService::Stub::GetThread, conn->messages(), request));
    *all.mutable_root() = page.root();
    all.mutable_replies()->MergeFrom(page.replies());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (ctx.options().json) return ctx.PrintJson(all);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CLI_RETURN_IF_ERROR(NameAuthors(ctx, all.replies(), formatter));
  CLI_RETURN_IF_ERROR(ctx.AddUserNames({all.root().author_id()}, formatter.names()));
  ctx.out() << formatter.MessageBlock(all.root());
  for (const Message& reply : all.replies()) ctx.out() << formatter.MessageBlock(reply, 4);
  return absl::OkStatus();
}

// Runs a message-id request and prints "<verb> <id>" (or the JSON response).
template <typename Request, typename Response>
absl::Status MessageAction(CliContext& ctx, Request request,
                           grpc::Status (MessageService::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&, Response*),
                           absl::string_view verb) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(Response response, conn->Call(method, conn->messages(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  ctx.out() << verb << " " << request.message_id() << "\n";
  return absl::OkStatus();
}

void AddMessageIdArg(CLI::App* cmd, MessageOptions& opt) {
  cmd->add_option("message_id", opt.message_id, "message id, e.g. m3-42")->required();
}

}  // namespace

void RegisterMessageCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<MessageOptions>();

  CLI::App* post =
      registry.Add(app, "post", "post a message (text argument or standard input)", nullptr);
  // Positionals fill in declaration order: the channel comes first.
  post->add_option("channel", opt->channel, "c3, general / #general, or @user")->required();
  CLI::Option* text_option =
      post->add_option("text", opt->text, "message text; read from stdin when left out");
  registry.SetAction(post, [opt, text_option](CliContext& ctx) {
    return Post(ctx, *opt, text_option->count() > 0);
  });
  post->add_option("--thread", opt->thread, "reply in the thread of this message id");
  post->add_flag("--urgent", opt->urgent, "notify even outside recipients' working hours");
  post->add_option("--reply-by", opt->reply_by,
                   "ask for a reply in the thread by this time: \"tomorrow 17:00\", \"in 2d\", "
                   "\"2026-11-25 09:00\" (your time zone); needs --reply-from");
  post->add_option("--reply-from", opt->reply_from, "who should reply: @a,@b (or u12)")
      ->delimiter(',');
  post->add_flag("--quiet,-q", opt->quiet,
                 "do not print notes about recipients outside their working hours");
  post->add_option("--idempotency-key", opt->idempotency_key,
                   "retry-safe key (default: a random one per invocation)");

  CLI::App* history = registry.Add(app, "history", "show a channel's recent messages",
                                   [opt](CliContext& ctx) { return History(ctx, *opt); });
  history->add_option("channel", opt->channel, "c3, general / #general, or @user")->required();
  history->add_option("--limit,-n", opt->limit, "how many messages (default 20)");
  history->add_option("--before", opt->before,
                      "messages older than this cursor (seq:N or a "
                      "cursor printed by an earlier call)");
  history->add_option("--after", opt->after, "messages newer than this cursor, oldest first");

  AddMessageIdArg(registry.Add(app, "thread", "show a thread: its root and replies",
                               [opt](CliContext& ctx) { return Thread(ctx, opt->message_id); }),
                  *opt);

  CLI::App* react = registry.Add(
      app, "react", "add (or with --remove, remove) your reaction", [opt](CliContext& ctx) {
        if (opt->remove) {
          meridian::v1::RemoveReactionRequest request;
          request.set_message_id(opt->message_id);
          request.set_emoji(opt->emoji);
          return MessageAction(ctx, request, &MessageService::Stub::RemoveReaction,
                               absl::StrCat("removed ", opt->emoji, " from"));
        }
        meridian::v1::AddReactionRequest request;
        request.set_message_id(opt->message_id);
        request.set_emoji(opt->emoji);
        return MessageAction(ctx, request, &MessageService::Stub::AddReaction,
                             absl::StrCat("reacted ", opt->emoji, " to"));
      });
  AddMessageIdArg(react, *opt);
  react->add_option("emoji", opt->emoji, "an emoji or :short_name:")->required();
  react->add_flag("--remove", opt->remove, "remove your reaction instead");

  CLI::App* edit =
      registry.Add(app, "edit", "replace the text of your message", [opt](CliContext& ctx) {
        meridian::v1::EditMessageRequest request;
        request.set_message_id(opt->message_id);
        request.set_text(opt->text);
        return MessageAction(ctx, request, &MessageService::Stub::EditMessage, "edited");
      });
  AddMessageIdArg(edit, *opt);
  edit->add_option("text", opt->text, "the new text")->required();

  AddMessageIdArg(registry.Add(app, "delete", "delete a message (yours, or any as admin)",
                               [opt](CliContext& ctx) {
                                 meridian::v1::DeleteMessageRequest request;
                                 request.set_message_id(opt->message_id);
                                 return MessageAction(
                                     ctx, request, &MessageService::Stub::DeleteMessage, "deleted");
                               }),
                  *opt);
  AddMessageIdArg(registry.Add(app, "pin", "pin a message to its channel",
                               [opt](CliContext& ctx) {
                                 meridian::v1::PinMessageRequest request;
                                 request.set_message_id(opt->message_id);
                                 return MessageAction(ctx, request,
                                                      &MessageService::Stub::PinMessage, "pinned");
                               }),
                  *opt);
  AddMessageIdArg(registry.Add(app, "unpin", "unpin a message",
                               [opt](CliContext& ctx) {
                                 meridian::v1::UnpinMessageRequest request;
                                 request.set_message_id(opt->message_id);
                                 return MessageAction(
                                     ctx, request, &MessageService::Stub::UnpinMessage, "unpinned");
                               }),
                  *opt);
}

}  // namespace meridian::cli
