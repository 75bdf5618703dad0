// register, login, logout, whoami.
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli/cli_macros.h"
#include "clients/cli/cli_status.h"
#include "clients/cli/command_registry.h"
#include "clients/cli/password_reader.h"

namespace meridian::cli {
namespace {

using meridian::v1::AuthService;

struct AccountOptions {
  std::string name;
  std::string display_name;
  std::string time_zone;
  bool password_stdin = false;
};

// Remembers the session for ServerAddress() and makes that server the default.
absl::Status SaveSession(CliContext& ctx, const std::string& token,
                         const meridian::v1::User& user) {
  CLI_ASSIGN_OR_RETURN(CredentialsStore store, ctx.Store());
  absl::StatusOr<Credentials> loaded = store.Load();
  // A damaged file is replaced: the user just proved who they are.
  Credentials credentials = loaded.ok() ? *std::move(loaded) : Credentials{};
  const std::string server = ctx.ServerAddress();
  credentials.current_server = server;
  auto previous = credentials.sessions.find(server);
  const TransportSecurity security =
      ctx.Security(previous == credentials.sessions.end() ? nullptr : &previous->second);
  credentials.sessions[server] =
      Session{token, user.id(), user.name(), security.tls, security.ca_file};
  return store.Save(credentials);
}

// Prints the account response without its token (already saved, and not for terminals/logs).
template <typename Response>
absl::Status PrintAccount(CliContext& ctx, Response response, absl::string_view verb) {
  response.clear_token();
  if (ctx.options().json) return ctx.PrintJson(response);
  ctx.out() << verb << " @" << response.user().name() << " (" << response.user().id() << ") on "
            << ctx.ServerAddress() << "\n";
  return absl::OkStatus();
}

void AddAccountOptions(CLI::App* cmd, AccountOptions& options) {
  cmd->add_option("name", options.name, "account name")->required();
  cmd->add_flag("--password-stdin", options.password_stdin,
                "read the password from the first line of standard input "
                "(else $MERIDIAN_PASSWORD, else a prompt)");
}

}  // namespace

void RegisterAuthCommands(CLI::App& app, CommandRegistry& registry) {
  auto reg = std::make_shared<AccountOptions>();
  CLI::App* register_cmd = registry.Add(
      app, "register", "create an account (the first one on a server is its admin) and log in",
      [reg](CliContext& ctx) -> absl::Status {
        meridian::v1::RegisterRequest request;
        request.set_name(reg->name);
        request.set_display_name(reg->display_name);
        if (!reg->time_zone.empty()) {
          absl::TimeZone zone;
          if (!absl::LoadTimeZone(reg->time_zone, &zone)) {
            return UsageError(absl::StrCat("unknown time zone \"", reg->time_zone,
                                           "\"; use an IANA name such as Europe/Berlin"));
          }
          request.set_time_zone(reg->time_zone);
        }
        CLI_ASSIGN_OR_RETURN(std::string password,
                             ReadPassword({.from_stdin = reg->password_stdin, .confirm = true},
                                          ctx.in(), ctx.env()));
        request.set_password(password);
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Anonymous());
        CLI_ASSIGN_OR_RETURN(auto response,
                             conn->Call(&AuthService::Stub::Register, conn->auth(), request));
        CLI_RETURN_IF_ERROR(SaveSession(ctx, response.token(), response.user()));
        return PrintAccount(ctx, std::move(response), "registered and logged in as");
      });
  AddAccountOptions(register_cmd, *reg);
  register_cmd->add_option("--display-name", reg->display_name, "name shown to others");
  register_cmd->add_option("--time-zone", reg->time_zone, "IANA time zone, e.g. Europe/Berlin");

  auto login = std::make_shared<AccountOptions>();
  CLI::App* login_cmd = registry.Add(
      app, "login", "log in and remember the session for this server",
      [login](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(
            std::string password,
            ReadPassword({.from_stdin = login->password_stdin}, ctx.in(), ctx.env()));
        meridian::v1::LoginRequest request;
        request.set_name(login->name);
        request.set_password(password);
        CLI_ASSIGN_OR_RETURN(Connection * conn, ctx.Anonymous());
        CLI_ASSIGN_OR_RETURN(auto response,
                             conn->Call(&AuthService::Stub::Login, conn->auth(), request));
        CLI_RETURN_IF_ERROR(SaveSession(ctx, response.token(), response.user()));
        return PrintAccount(ctx, std::move(response), "logged in as");
      });
  AddAccountOptions(login_cmd, *login);

  registry.Add(
      app, "logout", "end the session on the server and forget its token",
      [](CliContext& ctx) -> absl::Status {
        CLI_ASSIGN_OR_RETURN(CredentialsStore store, ctx.Store());
        CLI_ASSIGN_OR_RETURN(Credentials credentials, store.Load());
        const std::string server = ctx.ServerAddress();
        auto it = credentials.sessions.find(server);
        if (it == credentials.sessions.end()) {
          ctx.out() << "not logged in to " << server << "\n";
          return absl::OkStatus();
        }
        // The session is read before it goes: it says how the server is reached.
        CLI_ASSIGN_OR_RETURN(auto channel_credentials,
                             MakeChannelCredentials(ctx.Security(&it->second)));
        Connection conn(server, it->second.token, std::move(channel_credentials));
        auto revoked =
            conn.Call(&AuthService::Stub::Logout, conn.auth(), meridian::v1::LogoutRequest());
        // The local token goes in every case; a token the server no longer accepts is
        // as good as revoked.
        credentials.sessions.erase(it);
        CLI_RETURN_IF_ERROR(store.Save(credentials));
        if (!revoked.ok() && revoked.status().code() != absl::StatusCode::kUnauthenticated) {
          ctx.err() << "meridian: warning: the token was forgotten locally, but the "
                       "server did not confirm revoking it: "
                    << revoked.status().message() << "\n";
        }
        ctx.out() << "logged out of " << server << "\n";
        return absl::OkStatus();
      });

  registry.Add(app, "whoami", "show the logged-in user", [](CliContext& ctx) -> absl::Status {
    CLI_ASSIGN_OR_RETURN(meridian::v1::User me, ctx.Me());
    if (ctx.options().json) {
      meridian::v1::WhoAmIResponse response;
      *response.mutable_user() = me;
      return ctx.PrintJson(response);
    }
    CLI_ASSIGN_OR_RETURN(TextFormatter formatter, ctx.Formatter());
    ctx.out() << formatter.UserDetails(me, absl::Now());
    return absl::OkStatus();
  });
}

}  // namespace meridian::cli
