#include "server/config.h"

#include <toml++/toml.h>

#include <set>

#include "absl/strings/str_cat.h"

namespace meridian {
namespace {

std::string Where(const toml::node& n) {
  const auto& src = n.source();
  return absl::StrCat("line ", src.begin.line);
}

absl::Status Unknown(const std::string& table, const std::string& key, const toml::node& n) {
  return absl::InvalidArgumentError(absl::StrCat("config: unknown key \"", table.empty() ? "" : table + ".",
                                                 key, "\" at ", Where(n)));
}

absl::Status WrongType(const std::string& key, const char* want, const toml::node& n) {
  return absl::InvalidArgumentError(
      absl::StrCat("config: \"", key, "\" must be ", want, " (", Where(n), ")"));
}

absl::Status GetString(const toml::node& n, const std::string& key, std::string* out) {
  auto v = n.value<std::string>();
  if (!v || !n.is_string()) return WrongType(key, "a string", n);
  *out = *v;
  return absl::OkStatus();
}

template <typename T>
absl::Status GetPositive(const toml::node& n, const std::string& key, T* out) {
  if (!n.is_integer()) return WrongType(key, "an integer", n);
  int64_t v = *n.value<int64_t>();
  if (v <= 0) return WrongType(key, "a positive integer", n);
  *out = static_cast<T>(v);
  return absl::OkStatus();
}

absl::Status ApplyTable(const toml::table& root, ServerConfig* c) {
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    absl::Status s;
    if (key == "listen") {
      s = GetString(node, key, &c->server.listen);
    } else if (key == "data_dir") {
      s = GetString(node, key, &c->core.data_dir);
    } else if (key == "log_level") {
      s = GetString(node, key, &c->log_level);
    } else if (key == "storage" || key == "limits" || key == "events" || key == "tls") {
      const toml::table* t = node.as_table();
      if (!t) return WrongType(key, "a table", node);
      for (const auto& [sk, sn] : *t) {
        std::string sub(sk.str()), full = key + "." + sub;
        if (key == "storage" && sub == "durability") {
          std::string d;
          s = GetString(sn, full, &d);
          if (s.ok()) {
            auto parsed = ParseDurability(d);
            if (!parsed.ok()) return parsed.status();
            c->core.durability = *parsed;
          }
        } else if (key == "storage" && sub == "block_cache_mb") {
          size_t mb = 0;
          s = GetPositive(sn, full, &mb);
          c->core.block_cache_bytes = mb << 20;
        } else if (key == "limits" && sub == "max_message_bytes") {
          s = GetPositive(sn, full, &c->core.limits.max_message_bytes);
        } else if (key == "limits" && sub == "max_page_size") {
          s = GetPositive(sn, full, &c->core.limits.max_page_size);
        } else if (key == "events" && sub == "live_buffer") {
          s = GetPositive(sn, full, &c->core.live_buffer);
        } else if (key == "tls" && sub == "cert_file") {
          s = GetString(sn, full, &c->server.tls_cert_file);
        } else if (key == "tls" && sub == "key_file") {
          s = GetString(sn, full, &c->server.tls_key_file);
        } else {
          return Unknown(key, sub, sn);
        }
        if (!s.ok()) return s;
      }
    } else {
      return Unknown("", key, node);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<storage::Durability> ParseDurability(const std::string& s) {
  if (s == "sync") return storage::Durability::kSync;
  if (s == "relaxed") return storage::Durability::kBuffered;
  return absl::InvalidArgumentError(
      absl::StrCat("durability must be \"sync\" or \"relaxed\", not \"", s, "\""));
}

absl::Status ApplyConfigFile(const std::string& path, ServerConfig* config) {
  // toml++ reports errors by exception; they stop here.
  try {
    toml::table root = toml::parse_file(path);
    return ApplyTable(root, config);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return absl::InvalidArgumentError(absl::StrCat("config ", path, ":", src.begin.line, ":",
                                                   src.begin.column, ": ",
                                                   std::string(e.description())));
  }
}

}  // namespace meridian
