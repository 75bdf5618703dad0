#include "clients/cli/cli_context.h"

#include "absl/strings/str_cat.h"
#include "clients/cli/json_output.h"

namespace meridian::cli {

CliContext::CliContext(const Environment& env, std::istream& in, std::ostream& out,
                       std::ostream& err)
    : env_(env), in_(in), out_(out), err_(err) {}

std::string CliContext::ServerAddress() {
  if (!options_.server.empty()) return options_.server;
  if (auto server = env_.Get("MERIDIAN_SERVER"); server && !server->empty()) return *server;
  // A damaged credentials file is reported by the commands that need it, not here.
  absl::StatusOr<Credentials> credentials = LoadCredentials();
  if (credentials.ok() && !credentials->current_server.empty()) {
    return credentials->current_server;
  }
  return kDefaultServer;
}

absl::StatusOr<CredentialsStore> CliContext::Store() {
  absl::StatusOr<std::string> dir = ResolveConfigDir(env_);
  if (!dir.ok()) return dir.status();
  return CredentialsStore(*dir);
}

absl::StatusOr<Credentials> CliContext::LoadCredentials() {
  absl::StatusOr<CredentialsStore> store = Store();
  if (!store.ok()) return store.status();
  return store->Load();
}

TransportSecurity CliContext::Security() {
  absl::StatusOr<Credentials> credentials = LoadCredentials();
  if (!credentials.ok()) return Security(nullptr);
  auto it = credentials->sessions.find(ServerAddress());
  return Security(it == credentials->sessions.end() ? nullptr : &it->second);
}

TransportSecurity CliContext::Security(const Session* saved) {
  TransportSecurity security;
  if (options_.tls || !options_.ca_file.empty()) {
    security.tls = true;
    security.ca_file = options_.ca_file;
    return security;
  }
  if (auto ca = env_.Get("MERIDIAN_CA_FILE"); ca && !ca->empty()) {
    security.tls = true;
    security.ca_file = *ca;
    return security;
  }
  if (auto tls = env_.Get("MERIDIAN_TLS"); tls && (*tls == "1" || *tls == "true")) {
    security.tls = true;
    return security;
  }
  if (saved != nullptr) {
    security.tls = saved->tls || !saved->ca_file.empty();
    security.ca_file = saved->ca_file;
  }
  return security;
}

absl::StatusOr<Connection*> CliContext::Anonymous() {
  if (anonymous_ == nullptr) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials(Security());
    if (!credentials.ok()) return credentials.status();
    anonymous_ = std::make_unique<Connection>(ServerAddress(), "", *std::move(credentials));
  }
  return anonymous_.get();
}

absl::StatusOr<Connection*> CliContext::Authenticated() {
  if (authenticated_ != nullptr) return authenticated_.get();
  absl::StatusOr<Credentials> credentials = LoadCredentials();
  if (!credentials.ok()) return credentials.status();
  const std::string server = ServerAddress();
  auto it = credentials->sessions.find(server);
  if (it == credentials->sessions.end() || it->second.token.empty()) {
    return absl::UnauthenticatedError(absl::StrCat("not logged in to ", server));
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel_credentials =
      MakeChannelCredentials(Security(&it->second));
  if (!channel_credentials.ok()) return channel_credentials.status();
  authenticated_ =
      std::make_unique<Connection>(server, it->second.token, *std::move(channel_credentials));
  return authenticated_.get();
}

absl::StatusOr<meridian::v1::User> CliContext::Me() {
  if (me_.has_value()) return *me_;
  absl::StatusOr<Connection*> conn = Authenticated();
  if (!conn.ok()) return conn.status();
  auto response = (*conn)->Call(&meridian::v1::AuthService::Stub::WhoAmI, (*conn)->auth(),
                                meridian::v1::WhoAmIRequest());
  if (!response.ok()) return response.status();
  me_ = response->user();
  user_name_cache_[me_->id()] = me_->name();
  return *me_;
}

absl::StatusOr<TextFormatter> CliContext::Formatter() {
  absl::StatusOr<meridian::v1::User> me = Me();
  if (!me.ok()) return me.status();
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!me->time_zone().empty() && !absl::LoadTimeZone(me->time_zone(), &zone)) {
    err_ << "meridian: warning: unknown time zone \"" << me->time_zone()
         << "\" in your profile; showing UTC\n";
  }
  NameBook names;
  names.self_id = me->id();
  names.users[me->id()] = me->name();
  return TextFormatter(zone, std::move(names));
}

absl::Status CliContext::AddUserNames(const std::set<std::string>& user_ids, NameBook& book) {
  absl::StatusOr<Connection*> conn = Authenticated();
  if (!conn.ok()) return conn.status();
  for (const std::string& id : user_ids) {
    if (id.empty() || book.users.count(id) != 0) continue;
    auto cached = user_name_cache_.find(id);
    if (cached != user_name_cache_.end()) {
      book.users[id] = cached->second;
      continue;
    }
    meridian::v1::GetUserRequest request;
    request.set_user_id(id);
    auto response =
        (*conn)->Call(&meridian::v1::UserService::Stub::GetUser, (*conn)->users(), request);
    if (response.ok()) {
      user_name_cache_[id] = response->user().name();
      book.users[id] = response->user().name();
    } else if (response.status().code() != absl::StatusCode::kNotFound) {
      return response.status();
    }
  }
  return absl::OkStatus();
}

absl::Status CliContext::AddMyChannels(NameBook& book) {
  absl::StatusOr<Connection*> conn = Authenticated();
  if (!conn.ok()) return conn.status();
  auto response = (*conn)->Call(&meridian::v1::ChannelService::Stub::ListMyChannels,
                                (*conn)->channels(), meridian::v1::ListMyChannelsRequest());
  if (!response.ok()) return response.status();
  std::set<std::string> members;
  for (const auto& channel : response->channels()) {
    members.insert(channel.member_ids().begin(), channel.member_ids().end());
  }
  if (absl::Status s = AddUserNames(members, book); !s.ok()) return s;
  for (const auto& channel : response->channels()) book.AddChannel(channel);
  return absl::OkStatus();
}

absl::Status CliContext::PrintJson(const google::protobuf::Message& message) {
  absl::StatusOr<std::string> json = ToJson(message, /*pretty=*/true);
  if (!json.ok()) return json.status();
  out_ << *json << "\n";
  return absl::OkStatus();
}

}  // namespace meridian::cli
