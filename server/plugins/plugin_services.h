// What the plugin host needs from the rest of the server. The server implements this interface
// and hands it to PluginManager; server/plugins never includes other server code.
#ifndef MERIDIAN_SERVER_PLUGINS_PLUGIN_SERVICES_H_
#define MERIDIAN_SERVER_PLUGINS_PLUGIN_SERVICES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace meridian::plugins {

// As meridian.v1.WorkingInterval: weekday 0 = Sunday, minutes after local midnight.
struct PluginWorkingInterval {
  int weekday = 0;
  int start_minute = 0;
  int end_minute = 0;
};

struct PluginUser {
  std::string id;  // "u12"
  std::string name;
  std::string display_name;
  std::string time_zone;  // IANA; empty means UTC
  std::vector<PluginWorkingInterval> working_hours;
  bool is_bot = false;
};

struct PluginChannel {
  std::string id;  // "c3"
  std::string name;
  std::string topic;
  std::vector<std::string> member_ids;
};

// Implemented by the server. Must be safe for concurrent use: plugin host calls arrive on the
// thread running the hook (a request thread, the MessagePosted worker or the scheduler thread).
// Methods may re-enter PluginManager (a bot post runs message_will_be_posted of the OTHER
// plugins; the posting plugin itself is skipped for that nested call). Errors are returned to the
// plugin as MERIDIAN_ERR_* codes mapped from the absl code.
class PluginServices {
 public:
  virtual ~PluginServices() = default;

  // Posts `text` as the plugin's own bot user (created on first use); a non-empty
  // thread_root_id replies in that thread. Returns the new message id ("m3-42").
  virtual absl::StatusOr<std::string> PostAsBot(const std::string& plugin_id,
                                                const std::string& channel_id,
                                                const std::string& text,
                                                const std::string& thread_root_id) = 0;
  // Edits a message the plugin's bot posted; PERMISSION_DENIED for anyone else's.
  virtual absl::Status EditAsBot(const std::string& plugin_id, const std::string& message_id,
                                 const std::string& text) = 0;
  // Shows `text` from the plugin's bot to `user_id` only, in `channel_id`; not stored.
  virtual absl::Status SendEphemeral(const std::string& plugin_id, const std::string& user_id,
                                     const std::string& channel_id, const std::string& text) = 0;
  virtual absl::StatusOr<PluginUser> LookupUser(const std::string& user_id) = 0;
  virtual absl::StatusOr<PluginChannel> LookupChannel(const std::string& channel_id) = 0;
  // Durable timers, keyed by (plugin_id, timer_id); scheduling an existing key replaces it. When
  // due, the server calls PluginManager::TimerFired(plugin_id, timer_id); a positive `period`
  // re-arms it each time. Must survive restarts.
  virtual absl::Status ScheduleTimer(const std::string& plugin_id, const std::string& timer_id,
                                     absl::Time due, absl::Duration period) = 0;
  virtual absl::Status CancelTimer(const std::string& plugin_id, const std::string& timer_id) = 0;
};

}  // namespace meridian::plugins

#endif  // MERIDIAN_SERVER_PLUGINS_PLUGIN_SERVICES_H_
