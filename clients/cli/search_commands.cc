// search: full-text search over the messages the caller may read (issue 3).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "meridian/v1/search.grpc.pb.h"

namespace meridian::cli {
namespace {

struct SearchOptions {
  std::string query;
  bool newest = false;
  int limit = 20;
  std::string page_token;  // from an earlier search's continuation hint or next_page_token
};

// The snippet with its highlights marked: ANSI bold on a terminal, [brackets] otherwise (so
// that piped output still shows the matches). Ranges outside the text are ignored.
std::string MarkSnippet(const meridian::v1::Snippet& snippet, bool ansi) {
  const std::string& text = snippet.text();
  const char* open = ansi ? "\033[1m" : "[";
  const char* close = ansi ? "\033[0m" : "]";
  std::string out;
  size_t at = 0;
  for (const auto& range : snippet.highlights()) {
    if (range.start() < at || range.end() < range.start() || range.end() > text.size()) continue;
    absl::StrAppend(&out, text.substr(at, range.start() - at), open,
                    text.substr(range.start(), range.end() - range.start()), close);
    at = range.end();
  }
  out.append(text, at, std::string::npos);
  // One hit per line: fold the message's own line breaks.
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

absl::Status Search(CliContext& ctx, const SearchOptions& opt) {
  if (opt.limit < 1 || opt.limit > 1000) return UsageError("--limit must be between 1 and 1000");
  CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Authenticated());
  meridian::v1::SearchRequest request;
  request.set_query(opt.query);
  request.set_sort(opt.newest ? meridian::v1::SEARCH_SORT_NEWEST
                              : meridian::v1::SEARCH_SORT_RELEVANCE);
  request.set_page_token(opt.page_token);
  meridian::v1::SearchResponse all;
  while (all.hits_size() < opt.limit) {
    request.set_page_size(std::min(100, opt.limit - all.hits_size()));
    CLI_ASSIGN_OR_RETURN(
        auto page, conn->Call(&meridian::v1::SearchService::Stub::Search, conn->search(), request));
    all.mutable_hits()->MergeFrom(page.hits());
    all.set_total_count(page.total_count());
    all.set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty() || page.hits().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (ctx.options().json) return ctx.PrintJson(all);

  CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
  std::set<std::string> authors;
  for (const auto& hit : all.hits()) authors.insert(hit.author_id());
  CLI_RETURN_IF_ERROR(ctx.AddUserNames(authors, formatter.names()));
  CLI_RETURN_IF_ERROR(ctx.AddMyChannels(formatter.names()));
  const bool ansi = &ctx.out() == &std::cout && ::isatty(STDOUT_FILENO);
  if (all.hits().empty()) ctx.out() << "no matches\n";
  for (const auto& hit : all.hits()) {
    ctx.out() << formatter.Time(hit.create_time()) << "  " << formatter.Channel(hit.channel_id())
              << "  " << formatter.User(hit.author_id()) << ": " << MarkSnippet(hit.snippet(), ansi)
              << "  [" << hit.message_id() << "]\n";
  }
  ctx.err() << all.hits_size() << " of " << all.total_count() << " match"
            << (all.total_count() == 1 ? "" : "es") << "\n";
  if (!all.next_page_token().empty()) {
    ctx.err() << "more: the same search with --page-token " << all.next_page_token() << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterSearchCommands(CLI::App& app, CommandRegistry& registry) {
  auto opt = std::make_shared<SearchOptions>();
  CLI::App* search = registry.Add(
      app, "search",
      "search messages: words, \"phrases\", prefix*, -word, a OR b, from:@user, in:#channel, "
      "with:@user, has:link|reaction, is:thread|pinned, before:/after:/on:/during:DATE",
      [opt](CliContext& ctx) { return Search(ctx, *opt); });
  search->add_option("query", opt->query, "the query; quote it for the shell")->required();
  search->add_flag("--newest", opt->newest, "newest first instead of by relevance");
  search->add_option("--limit,-n", opt->limit, "how many hits (default 20)");
  search->add_option("--page-token", opt->page_token,
                     "go on from where an earlier search stopped (its \"more:\" hint, or "
                     "next_page_token in --json output); the query must be the same");
}

}  // namespace meridian::cli
