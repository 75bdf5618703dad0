#include "server/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"

namespace meridian {
namespace {

std::string Where(const toml::node& n) {
  const auto& src = n.source();
  return absl::StrCat("line ", src.begin.line);
}

absl::Status Unknown(const std::string& table, const std::string& key, const toml::node& n) {
  return absl::InvalidArgumentError(absl::StrCat(
      "config: unknown key \"", table.empty() ? "" : table + ".", key, "\" at ", Where(n)));
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

absl::Status GetBool(const toml::node& n, const std::string& key, bool* out) {
  if (!n.is_boolean()) return WrongType(key, "true or false", n);
  *out = *n.value<bool>();
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

// [plugins]: dir, runner, in_process = ["id", ...] or ["*"], hook_deadline_ms, call_deadline_ms,
// restart_backoff_ms (the first restart's delay, doubling after each failure), and
// [plugins.settings.<id>] name = "value" overriding a plugin's manifest defaults.
absl::Status ApplyPlugins(const toml::node& node, ServerConfig* c) {
  const toml::table* t = node.as_table();
  if (!t) return WrongType("plugins", "a table", node);
  plugins::PluginManagerOptions& p = c->core.plugins;
  for (const auto& [sk, sn] : *t) {
    std::string sub(sk.str()), full = "plugins." + sub;
    absl::Status s;
    if (sub == "dir") {
      s = GetString(sn, full, &p.plugin_dir);
    } else if (sub == "runner") {
      s = GetString(sn, full, &p.runner_path);
    } else if (sub == "in_process") {
      const toml::array* ids = sn.as_array();
      if (!ids) return WrongType(full, "an array of plugin ids", sn);
      p.in_process.clear();
      for (const toml::node& id : *ids) {
        std::string v;
        if (s = GetString(id, full, &v); !s.ok()) return s;
        p.in_process.insert(v);
      }
    } else if (sub == "hook_deadline_ms" || sub == "call_deadline_ms") {
      int64_t ms = 0;
      s = GetPositive(sn, full, &ms);
      (sub == "hook_deadline_ms" ? p.hook_deadline : p.call_deadline) = absl::Milliseconds(ms);
    } else if (sub == "restart_backoff_ms") {
      int64_t ms = 0;
      s = GetPositive(sn, full, &ms);
      p.restart.initial_backoff = absl::Milliseconds(ms);
    } else if (sub == "settings") {
      const toml::table* plugins = sn.as_table();
      if (!plugins) return WrongType(full, "a table of [plugins.settings.<id>] tables", sn);
      for (const auto& [id, values] : *plugins) {
        std::string where = absl::StrCat(full, ".", std::string(id.str()));
        const toml::table* vt = values.as_table();
        if (!vt) return WrongType(where, "a table", values);
        for (const auto& [name, value] : *vt) {
          std::string v;
          if (s = GetString(value, absl::StrCat(where, ".", std::string(name.str())), &v);
              !s.ok()) {
            return s;
          }
          p.settings[std::string(id.str())][std::string(name.str())] = v;
        }
      }
    } else {
      return Unknown("plugins", sub, sn);
    }
    if (!s.ok()) return s;
  }
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
    } else if (key == "storage" || key == "limits" || key == "events" || key == "tls" ||
               key == "search") {
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
        } else if (key == "search" && sub == "stemming") {
          s = GetBool(sn, full, &c->core.search.stemming);
        } else if (key == "search" && sub == "stemming_language") {
          s = GetString(sn, full, &c->core.search.stemming_language);
        } else if (key == "search" && sub == "max_page_size") {
          s = GetPositive(sn, full, &c->core.search.max_page_size);
        } else if (key == "search" && sub == "cache_mb") {
          size_t mb = 0;
          s = GetPositive(sn, full, &mb);
          c->core.search.cache_bytes = mb << 20;
        } else if (key == "tls" && sub == "cert_file") {
          s = GetString(sn, full, &c->server.tls_cert_file);
        } else if (key == "tls" && sub == "key_file") {
          s = GetString(sn, full, &c->server.tls_key_file);
        } else {
          return Unknown(key, sub, sn);
        }
        if (!s.ok()) return s;
      }
    } else if (key == "plugins") {
      s = ApplyPlugins(node, c);
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

std::string DefaultPluginRunnerPath() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "meridian-plugin-runner";
  return (exe.parent_path() / "meridian-plugin-runner").string();
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
