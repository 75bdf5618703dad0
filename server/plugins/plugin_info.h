// What PluginManager reports about each plugin, and the value types of its hooks.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_INFO_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_INFO_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace meridian::plugins {

enum class PluginState {
  kStopped,  // not started yet, or the manager stopped
  kRunning,
  kBackoff,   // failed; restarts at next_restart
  kDisabled,  // an administrator disabled it
  kFailed,    // failed too often (or hung in-process); Enable or Reload to retry
  kRefused,   // incompatible or broken (ABI, manifest, missing entry); fix and Reload
};

std::string_view PluginStateName(PluginState state);

struct PluginInfo {
  std::string id;
  std::string version;
  std::string library_path;
  PluginState state = PluginState::kStopped;
  bool in_process = false;
  std::string last_error;                          // why it is not running, when it is not
  int recent_failures = 0;                         // within the restart window
  int restarts = 0;                                // since the manager started
  absl::Time next_restart = absl::InfinitePast();  // meaningful in kBackoff
  uint32_t abi_minor = 0;                          // the plugin's, from the handshake
};

// A message as hooks see it.
struct PluginMessage {
  std::string id;  // empty for a draft in MessageWillBePosted
  std::string channel_id;
  std::string user_id;
  std::string text;
  std::string thread_root_id;
  absl::Time create_time = absl::UnixEpoch();
  bool urgent = false;
};

struct PluginNotification {
  std::string user_id;  // the recipient
  std::string channel_id;
  std::string message_id;
  std::string title;
  std::string body;
  bool urgent = false;
};

// Result of message_will_be_posted / notification_will_be_sent across every plugin.
struct HookDecision {
  enum class Kind { kAllow, kReject, kModify };
  Kind kind = Kind::kAllow;
  // kReject: the reason to show the sender; kModify: the replacement text.
  std::string text;
  std::string plugin_id;  // who rejected, for kReject
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_INFO_H_
