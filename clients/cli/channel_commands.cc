// channels ... and dm.
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/idempotency_key.h"
#include "clients/cli/recipient_notes.h"
#include "clients/cli/references.h"

namespace meridian::cli {
namespace {

using meridian::v1::Channel;
using meridian::v1::ChannelService;

struct ChannelOptions {
  std::string channel;
  std::string name;
  std::string topic;
  std::string purpose;
  bool is_private = false;
  std::vector<std::string> users;
  std::vector<std::string> words;  // dm: recipients followed by optional text
  bool quiet = false;              // dm: no notes about recipients' working hours
};

// Prints the channel inside `response` as "<verb> #name (c3)", or the response as JSON.
template <typename Response>
absl::Status PrintChannelResult(CliContext& ctx, const Response& response, absl::string_view verb) {
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  const Channel& channel = response.channel();
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(
      std::set<std::string>(channel.member_ids().begin(), channel.member_ids().end()),
      formatter.names()));
  ctx.out() << verb << " " << ChannelDisplayName(channel, formatter.names()) << " (" << channel.id()
            << ")\n";
  return absl::OkStatus();
}

absl::Status ListMine(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&ChannelService::Stub::ListMyChannels, conn->channels(),
                                  meridian::v1::ListMyChannelsRequest()));
  if (ctx.options().json) return ctx.PrintJson(response);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  std::set<std::string> members;
  for (const Channel& c : response.channels()) {
    members.insert(c.member_ids().begin(), c.member_ids().end());
  }
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(members, formatter.names()));
  ctx.out() << formatter.ChannelTable({response.channels().begin(), response.channels().end()});
  return absl::OkStatus();
}

absl::Status Browse(CliContext& ctx) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::BrowseChannelsResponse all;
  meridian::v1::BrowseChannelsRequest request;
  request.set_page_size(200);
  do {
    CLI_ASSIGN_OR_RETURN(
        auto page, conn->Call(&ChannelService::Stub::BrowseChannels, conn->channels(), request));
    all.mutable_channels()->MergeFrom(page.channels());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (ctx.options().json) return ctx.PrintJson(all);
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  ctx.out() << formatter.ChannelTable({all.channels().begin(), all.channels().end()});
  return absl::OkStatus();
}

absl::Status Members(CliContext& ctx, const std::string& channel_arg) {
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::ListMembersRequest request;
  CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(channel_arg));
  CLI_ASSIGN_OR_RETURN(auto response,
                       conn->Call(&ChannelService::Stub::ListMembers, conn->channels(), request));
  if (ctx.options().json) return ctx.PrintJson(response);
  std::vector<meridian::v1::User> users;
  for (const std::string& id : response.user_ids()) {
    meridian::v1::GetUserRequest get;
    get.set_user_id(id);
    auto user = conn->Call(&meridian::v1::UserService::Stub::GetUser, conn->users(), get);
    if (user.ok()) {
      users.push_back(user->user());
    } else {
      meridian::v1::User unknown;
      unknown.set_id(id);
      unknown.set_name(id);
      users.push_back(unknown);
    }
  }
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  ctx.out() << formatter.UserTable(users, absl::Now());
  return absl::OkStatus();
}

// `dm a b [text...]`: the first word and every later @name/u12 word are recipients; the words
// after them, if any, are a message to post.
absl::Status DirectMessage(CliContext& ctx, const std::vector<std::string>& words, bool quiet) {
  meridian::v1::OpenDirectRequest open;
  size_t i = 0;
  for (; i < words.size() && (i == 0 || IsExplicitUserRef(words[i])); ++i) {
    CLI_ASSIGN_OR_RETURN(*open.add_user_ids(), UserRef(words[i]));
  }
  std::string text = absl::StrJoin(words.begin() + i, words.end(), " ");
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(auto opened,
                       conn->Call(&ChannelService::Stub::OpenDirect, conn->channels(), open));
  if (text.empty()) {
    if (ctx.options().json) return ctx.PrintJson(opened);
    ctx.out() << opened.channel().id() << "\n";  // bare, so scripts can capture it
    return absl::OkStatus();
  }
  meridian::v1::PostMessageRequest post;
  post.set_channel_id(opened.channel().id());
  post.set_text(text);
  post.set_idempotency_key(NewIdempotencyKey());
  CLI_ASSIGN_OR_RETURN(auto posted, conn->Call(&meridian::v1::MessageService::Stub::PostMessage,
                                               conn->messages(), post));
  if (ctx.options().json) return ctx.PrintJson(posted);
  ctx.out() << opened.channel().id() << "\nposted " << posted.message().id() << "\n";
  if (!quiet) {
    ctx.out().flush();
    std::vector<std::string> members(opened.channel().member_ids().begin(),
                                     opened.channel().member_ids().end());
    PrintRecipientNotes(ctx, posted.message(), members, opened.channel().id());
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterChannelCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<ChannelOptions>();
  CLI::App* channels =
      registry.Add(app, "channels", "list, create and manage channels (alone: your channels)",
                   [](CliContext& ctx) { return ListMine(ctx); });
  channels->require_subcommand(0, 1);

  registry.Add(*channels, "list", "channels and direct conversations you are in",
               [](CliContext& ctx) { return ListMine(ctx); });
  registry.Add(*channels, "browse", "every public channel on the server",
               [](CliContext& ctx) { return Browse(ctx); });

  CLI::App* create =
      registry.Add(*channels, "create", "create a channel", [opt](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
        meridian::v1::CreateChannelRequest request;
        request.set_name(opt->name);
        request.set_kind(opt->is_private ? meridian::v1::CHANNEL_KIND_PRIVATE
                                         : meridian::v1::CHANNEL_KIND_PUBLIC);
        request.set_topic(opt->topic);
        request.set_purpose(opt->purpose);
        CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ChannelService::Stub::CreateChannel,
                                                       conn->channels(), request));
        return PrintChannelResult(ctx, response, "created");
      });
  create->add_option("name", opt->name, "lowercase name: a-z, 0-9, _ and -")->required();
  create->add_flag("--private", opt->is_private, "invitation only");
  create->add_option("--topic", opt->topic, "what is being discussed now");
  create->add_option("--purpose", opt->purpose, "what the channel is for");

  auto add_channel_arg = [&](CLI::App* cmd) {
    cmd->add_option("channel", opt->channel, "c3, general / #general, or @user for a DM")
        ->required();
  };
  // Commands of the form `channels <verb> <chan>` sending one request with channel_id.
  auto simple = [&](const char* name, const char* help, auto method, auto request_proto,
                    const char* verb) {
    using Request = decltype(request_proto);
    CLI::App* cmd =
        registry.Add(*channels, name, help, [opt, method, verb](CliContext& ctx) -> absl::Status {
          CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
          Request request;
          CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt->channel));
          CLI_ASSIGN_OR_RETURN(auto response, conn->Call(method, conn->channels(), request));
          if constexpr (std::is_same_v<decltype(response), meridian::v1::LeaveChannelResponse>) {
            if (ctx.options().json) return ctx.PrintJson(response);
            ctx.out() << verb << " " << opt->channel << "\n";
            return absl::OkStatus();
          } else if constexpr (std::is_same_v<decltype(response),
                                              meridian::v1::GetChannelResponse>) {
            if (ctx.options().json) return ctx.PrintJson(response);
            CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
            const Channel& c = response.channel();
            std::set<std::string> users(c.member_ids().begin(), c.member_ids().end());
            users.insert(c.creator_id());
            CLI_RETURN_IF_ERROR(ctx.AddUserNames(users, formatter.names()));
            ctx.out() << formatter.ChannelDetails(c);
            return absl::OkStatus();
          } else {
            return PrintChannelResult(ctx, response, verb);
          }
        });
    add_channel_arg(cmd);
  };
  simple("join", "join a public channel", &ChannelService::Stub::JoinChannel,
         meridian::v1::JoinChannelRequest(), "joined");
  simple("leave", "leave a channel", &ChannelService::Stub::LeaveChannel,
         meridian::v1::LeaveChannelRequest(), "left");
  simple("archive", "archive a channel (creator or admin): readable, no new posts",
         &ChannelService::Stub::ArchiveChannel, meridian::v1::ArchiveChannelRequest(), "archived");
  simple("info", "show a channel", &ChannelService::Stub::GetChannel,
         meridian::v1::GetChannelRequest(), "");

  CLI::App* invite = registry.Add(
      *channels, "invite", "add users to a channel", [opt](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
        meridian::v1::InviteMembersRequest request;
        CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt->channel));
        for (const std::string& user : opt->users) {
          CLI_ASSIGN_OR_RETURN(*request.add_user_ids(), UserRef(user));
        }
        CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ChannelService::Stub::InviteMembers,
                                                       conn->channels(), request));
        return PrintChannelResult(
            ctx, response, absl::StrCat("invited ", absl::StrJoin(request.user_ids(), " "), " to"));
      });
  add_channel_arg(invite);
  invite->add_option("users", opt->users, "u12, bob or @bob")->required();

  CLI::App* topic = registry.Add(
      *channels, "topic", "set a channel's topic", [opt](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
        meridian::v1::UpdateChannelRequest request;
        CLI_ASSIGN_OR_RETURN(*request.mutable_channel_id(), ChannelRef(opt->channel));
        request.set_topic(opt->topic);
        request.add_update_mask("topic");
        CLI_ASSIGN_OR_RETURN(auto response, conn->Call(&ChannelService::Stub::UpdateChannel,
                                                       conn->channels(), request));
        return PrintChannelResult(ctx, response, "set the topic of");
      });
  add_channel_arg(topic);
  topic->add_option("text", opt->topic, "the new topic (\"\" clears it)")->required();

  registry
      .Add(*channels, "members", "list a channel's members",
           [opt](CliContext& ctx) { return Members(ctx, opt->channel); })
      ->add_option("channel", opt->channel, "c3, general / #general, or @user for a DM")
      ->required();

  CLI::App* dm =
      registry.Add(app, "dm", "open a direct conversation; with text after the users, also post it",
                   [opt](CliContext& ctx) { return DirectMessage(ctx, opt->words, opt->quiet); });
  dm->add_option("users_then_text", opt->words,
                 "users (bob, @bob, u12), then optionally the message text")
      ->required();
  dm->add_flag("--quiet,-q", opt->quiet,
               "do not print notes about recipients outside their working hours");
}

}  // namespace meridian::cli
