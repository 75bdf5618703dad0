// A plugin's manifest, plugin.toml in the plugin's own directory:
//
//   id = "echo"                 # [a-z0-9_.-], 1..64 characters, unique
//   version = "1.0.0"
//   library = "echo.so"         # relative to the manifest's directory
//   min_abi = "1.0"             # oldest plugin ABI (major.minor) the plugin needs
//   [settings]                  # every setting the plugin reads, with its default
//   prefix = "echo: "
#ifndef MERIDIAN_SERVER_PLUGINS_MANIFEST_H_
#define MERIDIAN_SERVER_PLUGINS_MANIFEST_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace meridian::plugins {

struct PluginManifest {
  std::string id;
  std::string version;
  std::string library_path;  // absolute, resolved against the manifest's directory
  std::string manifest_path;
  int min_abi_major = 1;
  int min_abi_minor = 0;
  // Setting name -> default value (non-string TOML values are kept in their TOML spelling).
  std::map<std::string, std::string> settings;
};

// Parses one manifest file. INVALID_ARGUMENT naming the file and field when malformed,
// NOT_FOUND when the file does not exist.
absl::StatusOr<PluginManifest> ParseManifestFile(const std::string& path);

// Empty when this host can run a plugin needing `manifest`'s minimum ABI, else why not.
std::string CheckManifestAbi(const PluginManifest& manifest);

struct DiscoveredManifest {
  std::string path;
  absl::StatusOr<PluginManifest> manifest;
};

// Every "<dir>/<sub>/plugin.toml", sorted by path. NOT_FOUND when `dir` is not a directory.
absl::StatusOr<std::vector<DiscoveredManifest>> DiscoverManifests(const std::string& dir);

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_MANIFEST_H_
