#include "server/plugins/manifest.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "meridian/plugin.h"

namespace meridian::plugins {
namespace {

namespace fs = std::filesystem;

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("plugin manifest ", path, ": ", what));
}

std::string SettingText(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  std::ostringstream out;
  if (const auto* i = node.as_integer())
    out << i->get();
  else if (const auto* f = node.as_floating_point())
    out << f->get();
  else if (const auto* b = node.as_boolean())
    out << (b->get() ? "true" : "false");
  else
    out << toml::toml_formatter(node);
  return out.str();
}

}  // namespace

absl::StatusOr<PluginManifest> ParseManifestFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat("plugin manifest ", path, " does not exist"));
  }
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return Invalid(path, absl::StrCat(std::string(e.description()), " at ", where.str()));
  }
  PluginManifest m;
  m.manifest_path = path;
  auto id = table["id"].value<std::string>();
  if (!id || !ValidId(*id)) {
    return Invalid(path, "'id' must be 1..64 characters of [a-z0-9_.-]");
  }
  m.id = *id;
  m.version = table["version"].value_or(std::string());
  if (m.version.empty()) return Invalid(path, "'version' is required, e.g. version = \"1.0.0\"");
  auto library = table["library"].value<std::string>();
  if (!library || library->empty()) {
    return Invalid(path, "'library' is required: the plugin's .so file, relative to the manifest");
  }
  fs::path lib(*library);
  if (lib.is_relative()) lib = fs::path(path).parent_path() / lib;
  m.library_path = fs::absolute(lib, ec).lexically_normal().string();
  std::string min_abi = table["min_abi"].value_or(std::string("1.0"));
  char dot = 0;
  std::istringstream abi(min_abi);
  if (!(abi >> m.min_abi_major >> dot >> m.min_abi_minor) || dot != '.' || !abi.eof() ||
      m.min_abi_major < 1 || m.min_abi_minor < 0) {
    return Invalid(path, absl::StrCat("'min_abi' must look like \"1.0\", not \"", min_abi, "\""));
  }
  if (const toml::node* settings = table.get("settings")) {
    const toml::table* st = settings->as_table();
    if (st == nullptr) return Invalid(path, "[settings] must be a table");
    for (const auto& [key, value] : *st) {
      m.settings[std::string(key.str())] = SettingText(value);
    }
  }
  return m;
}

std::string CheckManifestAbi(const PluginManifest& m) {
  if (m.min_abi_major != MERIDIAN_PLUGIN_ABI_MAJOR || m.min_abi_minor > MERIDIAN_PLUGIN_ABI_MINOR) {
    return absl::StrCat("plugin ", m.id, " needs plugin ABI ", m.min_abi_major, ".",
                        m.min_abi_minor, " but this server offers ", MERIDIAN_PLUGIN_ABI_MAJOR, ".",
                        MERIDIAN_PLUGIN_ABI_MINOR);
  }
  return "";
}

absl::StatusOr<std::vector<DiscoveredManifest>> DiscoverManifests(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("plugin directory ", dir, " does not exist"));
  }
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    fs::path manifest = entry.path() / "plugin.toml";
    if (entry.is_directory(ec) && fs::is_regular_file(manifest, ec)) {
      paths.push_back(manifest.string());
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  std::sort(paths.begin(), paths.end());
  std::vector<DiscoveredManifest> out;
  for (const std::string& p : paths) out.push_back({p, ParseManifestFile(p)});
  return out;
}

}  // namespace meridian::plugins
