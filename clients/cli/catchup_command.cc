// catchup: walks the CatchUp queue (mentions, direct messages, threads, channels) and marks each
// item read as you go.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/async_formatter.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"

namespace meridian::cli {
namespace {

using meridian::v1::CatchUpItem;

constexpr int kPageSize = 20;

struct CatchUpOptions {
  bool all = false;
  bool mark_read = false;
  bool interactive = false;
};

// One walk through the queue. Not safe for concurrent use.
class CatchUpWalk {
 public:
  CatchUpWalk(CliContext& ctx, Connection& conn, TextFormatter formatter)
      : ctx_(ctx), conn_(conn), formatter_(std::move(formatter)) {}

  // Fetches the next page (from the start when `token` is empty), refreshing channel names and
  // newest sequences first so that marking never covers a message the page could not show.
  absl::StatusOr<meridian::v1::CatchUpResponse> NextPage(const std::string& token) {
    CLI_ASSIGN_OR_RETURN(auto channels,
                         conn_.Call(&meridian::v1::ChannelService::Stub::ListMyChannels,
                                    conn_.channels(), meridian::v1::ListMyChannelsRequest()));
    std::set<std::string> users;
    for (const auto& channel : channels.channels()) {
      users.insert(channel.member_ids().begin(), channel.member_ids().end());
      newest_seq_[channel.id()] = channel.last_seq();
    }
    CLI_RETURN_IF_ERROR(ctx_.AddUserNames(users, formatter_.names()));
    for (const auto& channel : channels.channels()) formatter_.names().AddChannel(channel);

    meridian::v1::CatchUpRequest request;
    request.set_page_size(kPageSize);
    request.set_page_token(token);
    CLI_ASSIGN_OR_RETURN(auto page, conn_.Call(&meridian::v1::NotificationService::Stub::CatchUp,
                                               conn_.notifications(), request));
    std::set<std::string> authors;
    for (const auto& item : page.items()) authors.insert(item.first_unread().author_id());
    CLI_RETURN_IF_ERROR(ctx_.AddUserNames(authors, formatter_.names()));
    return page;
  }

  std::string Describe(const CatchUpItem& item, int64_t position, int64_t total) const {
    std::string text = CatchUpHeader(formatter_, item, position, std::max(position, total));
    if (item.has_first_unread()) {
      absl::StrAppend(&text, formatter_.MessageBlock(item.first_unread(), 4));
    }
    return text;
  }

  // Moves the channel's read marker over the item: for a channel, up to its newest message when
  // the page was fetched; for a thread, up to its newest reply. The server keeps one marker per
  // channel, so reading a thread also passes the channel's top-level messages before that reply.
  absl::Status MarkRead(const CatchUpItem& item) {
    uint64_t seq = std::max<uint64_t>(newest_seq_[item.channel_id()], item.first_unread().seq());
    if (item.kind() == meridian::v1::CATCH_UP_KIND_THREAD) {
      CLI_ASSIGN_OR_RETURN(seq, NewestReply(item));
    }
    meridian::v1::MarkReadRequest request;
    request.set_channel_id(item.channel_id());
    request.set_seq(seq);
    return conn_.Call(&meridian::v1::MessageService::Stub::MarkRead, conn_.messages(), request)
        .status();
  }

 private:
  absl::StatusOr<uint64_t> NewestReply(const CatchUpItem& item) {
    meridian::v1::GetThreadRequest request;
    request.set_message_id(item.thread_root_id());
    request.set_page_size(200);
    uint64_t newest = item.first_unread().seq();
    do {
      CLI_ASSIGN_OR_RETURN(auto page, conn_.Call(&meridian::v1::MessageService::Stub::GetThread,
                                                 conn_.messages(), request));
      for (const auto& reply : page.replies()) newest = std::max(newest, reply.seq());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return newest;
  }

  CliContext& ctx_;
  Connection& conn_;
  TextFormatter formatter_;
  std::map<std::string, uint64_t> newest_seq_;  // channel id -> last_seq
};

enum class Answer { kMarkRead, kSkip, kQuit };

// Prompts for one item: Enter marks it read, "s" skips it, "q" or end of input quits.
Answer Ask(CliContext& ctx) {
  ctx.out() << "> " << std::flush;
  std::string line;
  if (!std::getline(ctx.in(), line)) return Answer::kQuit;
  const std::string answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line));
  if (answer == "q") return Answer::kQuit;
  if (answer == "s") return Answer::kSkip;
  return Answer::kMarkRead;
}

bool StdinIsTerminal(CliContext& ctx) { return &ctx.in() == &std::cin && ::isatty(STDIN_FILENO); }

std::string Summary(const meridian::v1::CatchUpResponse& first) {
  return absl::StrCat(first.total_items(), first.total_items() == 1 ? " item" : " items",
                      " to catch up on: ", first.total_unread(), " unread, ",
                      first.total_mentions(),
                      first.total_mentions() == 1 ? " mention" : " mentions", "\n");
}

absl::Status CatchUp(CliContext& ctx, const CatchUpOptions& opt) {
  const bool json = ctx.options().json;
  const bool interactive = !json && !opt.all && (opt.interactive || StdinIsTerminal(ctx));
  if (interactive && opt.mark_read) {
    return UsageError("--mark-read is for --all/--json; the interactive walk marks as you go");
  }
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  CatchUpWalk walk(ctx, *conn, std::move(formatter));

  meridian::v1::CatchUpResponse collected;
  std::string token;
  int64_t position = 0;
  int64_t total = 0;
  int64_t marked = 0;
  do {
    CLI_ASSIGN_OR_RETURN(auto page, walk.NextPage(token));
    if (position == 0) {
      total = page.total_items();
      collected.set_total_items(page.total_items());
      collected.set_total_unread(page.total_unread());
      collected.set_total_mentions(page.total_mentions());
      if (!json) {
        if (page.total_items() == 0) {
          ctx.out() << "nothing to catch up on\n";
          return absl::OkStatus();
        }
        ctx.out() << Summary(page);
        if (interactive) ctx.out() << "Enter: mark read and go on   s: skip   q: quit\n";
      }
    }
    for (const CatchUpItem& item : page.items()) {
      ++position;
      if (json) {
        *collected.add_items() = item;
      } else {
        ctx.out() << walk.Describe(item, position, total);
      }
      if (interactive) {
        const Answer answer = Ask(ctx);
        if (answer == Answer::kQuit) {
          ctx.out() << "\nstopped; the rest stays unread. Run `meridian catchup` again to go on.\n";
          return absl::OkStatus();
        }
        if (answer == Answer::kSkip) continue;
      } else if (!opt.mark_read) {
        continue;
      }
      CLI_RETURN_IF_ERROR(walk.MarkRead(item));
      ++marked;
    }
    token = page.next_page_token();
  } while (!token.empty());

  if (json) return ctx.PrintJson(collected);
  if (interactive) {
    ctx.out() << "all caught up (" << marked << " marked read)\n";
  } else if (opt.mark_read) {
    ctx.out() << "marked " << marked << (marked == 1 ? " item" : " items") << " read\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterCatchUpCommand(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<CatchUpOptions>();
  CLI::App* catchup = registry.Add(
      app, "catchup",
      "walk through what you have not read: mentions, direct messages, threads, then channels; "
      "Enter marks an item read, q stops (run it again to go on)",
      [opt](CliContext& ctx) { return CatchUp(ctx, *opt); });
  catchup->add_flag("--all", opt->all,
                    "print the whole queue without prompting (also when stdin is not a terminal)");
  catchup->add_flag("--mark-read", opt->mark_read,
                    "with --all or --json (or without a terminal): mark every item read");
  catchup->add_flag("--interactive,-i", opt->interactive,
                    "prompt for each item even when stdin is not a terminal");
}

}  // namespace meridian::cli
