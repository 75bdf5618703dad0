/* FROZEN copy of plugins/include/meridian/plugin.h as first released (ABI 1.0). Never edit:
 * tests/abi builds a plugin against it to prove that 1.0 binaries keep loading.
 *
 * Meridian plugin ABI: the stable C interface between the Meridian server and its plugins.
 *
 * Plain C99; includes nothing but <stddef.h> and <stdint.h>. A plugin is a shared library that
 * exports exactly one symbol, meridian_plugin_entry(). The promise (see plugins/README.md):
 *
 *  - ABI major version changes only when old binaries can no longer work; the host refuses a
 *    plugin whose major differs from its own. Minor versions only ever ADD: new fields at the end
 *    of structs, new functions at the end of the host table, new status codes, new extensions.
 *  - Every struct begins with `struct_size`, set by whoever fills the struct. The reader uses
 *    MERIDIAN_HAS_FIELD / MERIDIAN_HAS_FN before touching any field newer than 1.0.
 *  - Numeric codes below have explicit values and are never renumbered or reused.
 *  - Strings cross as (pointer, length) in a meridian_str, are NOT NUL-terminated, and are
 *    borrowed: valid only for the duration of the call that passes them.
 *  - Memory is freed by the side that allocated it. Buffers the host returns (meridian_buf) are
 *    released only with host->free_buf. Data a hook returns is copied in with host->reply_set.
 *
 * Threads: the host calls a plugin's hooks one at a time (never two hooks of one plugin
 * concurrently), but not always on the same thread. Host functions may be called only on the
 * thread that is running a hook of this plugin, while that hook runs (including activate), and
 * from meridian_plugin_entry. Plugins that start threads of their own must not call the host from
 * them.
 */
#ifndef MERIDIAN_PLUGIN_H_
#define MERIDIAN_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MERIDIAN_PLUGIN_ABI_MAJOR 1
#define MERIDIAN_PLUGIN_ABI_MINOR 0

/* The name of the one exported symbol, for dlsym(). */
#define MERIDIAN_PLUGIN_ENTRY_SYMBOL "meridian_plugin_entry"

#if defined(_WIN32)
#define MERIDIAN_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define MERIDIAN_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MERIDIAN_PLUGIN_EXPORT
#endif

/* True when the struct at `ptr` (whose first member is struct_size) is large enough to hold
 * `field`. Works across versions: a struct from an older peer is smaller and lacks the field. */
#define MERIDIAN_HAS_FIELD(ptr, field) \
  ((ptr) != NULL &&                    \
   (size_t)(ptr)->struct_size >=       \
       (size_t)((const char*)&(ptr)->field - (const char*)(ptr)) + sizeof((ptr)->field))

/* True when the function pointer `fn` is present in the table at `ptr` and not NULL. */
#define MERIDIAN_HAS_FN(ptr, fn) (MERIDIAN_HAS_FIELD(ptr, fn) && (ptr)->fn != NULL)

/* ---- Status codes (int32_t). Never renumbered; new codes get new numbers. ---- */
#define MERIDIAN_OK 0
#define MERIDIAN_ERR_INVALID_ARGUMENT 1
#define MERIDIAN_ERR_NOT_FOUND 2
#define MERIDIAN_ERR_ALREADY_EXISTS 3
#define MERIDIAN_ERR_FAILED_PRECONDITION 4 /* e.g. compare-and-set found another value */
#define MERIDIAN_ERR_PERMISSION_DENIED 5
#define MERIDIAN_ERR_RESOURCE_EXHAUSTED 6
#define MERIDIAN_ERR_UNAVAILABLE 7
#define MERIDIAN_ERR_UNIMPLEMENTED 8
#define MERIDIAN_ERR_INTERNAL 9
#define MERIDIAN_ERR_DEADLINE_EXCEEDED 10
#define MERIDIAN_ERR_VERSION_MISMATCH 11

/* ---- Log levels. ---- */
#define MERIDIAN_LOG_DEBUG 0
#define MERIDIAN_LOG_INFO 1
#define MERIDIAN_LOG_WARN 2
#define MERIDIAN_LOG_ERROR 3

/* ---- Decisions returned by message_will_be_posted and notification_will_be_sent. ---- */
#define MERIDIAN_ALLOW 0
#define MERIDIAN_REJECT 1 /* reply_set() gives the reason shown to the sender */
#define MERIDIAN_MODIFY 2 /* reply_set() gives the replacement text */

/* meridian_str, meridian_buf and meridian_working_interval are plain value types frozen
 * forever (they never grow), so, alone among the ABI's structs, they carry no struct_size. */

/* A borrowed byte string; not NUL-terminated. */
typedef struct meridian_str {
  const char* data;
  size_t len;
} meridian_str;

/* Bytes owned by the host; release with host->free_buf exactly once. */
typedef struct meridian_buf {
  const char* data;
  size_t len;
  void* host_private; /* the host's; do not touch */
} meridian_buf;

/* Opaque: where a hook puts the data it returns (via host->reply_set). */
typedef struct meridian_reply meridian_reply;

/* A message as hooks see it. Ids are the API's opaque strings ("m3-42", "c3", "u12"). */
typedef struct meridian_message {
  uint32_t struct_size;
  meridian_str id; /* empty in message_will_be_posted: not assigned yet */
  meridian_str channel_id;
  meridian_str user_id; /* the author */
  meridian_str text;
  meridian_str thread_root_id; /* empty when not a thread reply */
  int64_t create_time_us;      /* UTC microseconds since the Unix epoch */
  int32_t urgent;              /* nonzero: the sender marked it urgent */
} meridian_message;

/* A slash command invocation: "/trigger args...". */
typedef struct meridian_command {
  uint32_t struct_size;
  meridian_str user_id;
  meridian_str channel_id;
  meridian_str trigger; /* without the slash */
  meridian_str args;    /* the rest of the line, leading spaces removed */
} meridian_command;

/* A notification about to be delivered to one user. */
typedef struct meridian_notification {
  uint32_t struct_size;
  meridian_str user_id; /* the recipient */
  meridian_str channel_id;
  meridian_str message_id;
  meridian_str title;
  meridian_str body;
  int32_t urgent;
} meridian_notification;

/* One working interval in the user's own time zone (as meridian.v1.WorkingInterval). */
typedef struct meridian_working_interval {
  int32_t weekday;      /* 0 = Sunday .. 6 = Saturday */
  int32_t start_minute; /* after local midnight, [0, 1440) */
  int32_t end_minute;   /* (start_minute, 1440] */
} meridian_working_interval;

/* Filled by host->get_user. The caller sets struct_size to sizeof(meridian_user); the host sets
 * it to the size it actually filled. Pointers point into the meridian_buf returned alongside. */
typedef struct meridian_user {
  uint32_t struct_size;
  meridian_str id;
  meridian_str name;
  meridian_str display_name;
  meridian_str time_zone; /* IANA name; empty means UTC */
  const meridian_working_interval* working_hours;
  size_t working_hours_count;
  int32_t is_bot;
} meridian_user;

/* Filled by host->get_channel, with the same conventions as meridian_user. */
typedef struct meridian_channel {
  uint32_t struct_size;
  meridian_str id;
  meridian_str name;
  meridian_str topic;
  const meridian_str* member_ids;
  size_t member_count;
} meridian_channel;

typedef struct meridian_host meridian_host;

/* The host's function table. Append-only: 1.0's functions stay where they are forever; newer
 * ones follow. Check a function newer than the plugin's minimum host with MERIDIAN_HAS_FN. All
 * functions: callable only during a hook of this plugin on the hook's thread (see top). */
struct meridian_host {
  uint32_t struct_size;
  uint32_t abi_major; /* the host's MERIDIAN_PLUGIN_ABI_MAJOR */
  uint32_t abi_minor; /* the host's MERIDIAN_PLUGIN_ABI_MINOR */
  uint32_t reserved;
  void* host_ctx; /* the host's; do not touch */
  meridian_str plugin_id;

  /* Logs one line tagged with the plugin id. Threads: hook thread (see top). */
  void (*log)(const meridian_host* host, int32_t level, meridian_str message);
  /* Releases a buffer the host returned. NULL or an already-zeroed buf is a no-op.
   * Threads: hook thread. */
  void (*free_buf)(const meridian_host* host, meridian_buf* buf);
  /* Copies `data` into a hook's reply (reason, replacement text, response bytes); a second call
   * replaces the first. Threads: the thread running the hook that received `reply`. */
  int32_t (*reply_set)(const meridian_host* host, meridian_reply* reply, meridian_str data);

  /* -- Key-value store: this plugin's own namespace; no other plugin can read it. -- */
  /* MERIDIAN_ERR_NOT_FOUND when absent or expired. Threads: hook thread. */
  int32_t (*kv_get)(const meridian_host* host, meridian_str key, meridian_buf* out_value);
  /* ttl_ms <= 0: no expiry. Keys are 1..1024 bytes, values up to 1 MiB. Threads: hook thread. */
  int32_t (*kv_set)(const meridian_host* host, meridian_str key, meridian_str value,
                    int64_t ttl_ms);
  /* Sets `key` to `value` only if it currently holds `expected` (or, when expect_absent is
   * nonzero, does not exist). MERIDIAN_ERR_FAILED_PRECONDITION when it does not match.
   * Threads: hook thread. */
  int32_t (*kv_compare_and_set)(const meridian_host* host, meridian_str key, int32_t expect_absent,
                                meridian_str expected, meridian_str value, int64_t ttl_ms);
  /* Deleting an absent key is OK. Threads: hook thread. */
  int32_t (*kv_delete)(const meridian_host* host, meridian_str key);
  /* Calls on_key for up to `limit` (0 = 100, max 1000) keys starting with `prefix`, in byte
   * order, after `cursor` (empty = from the start). *out_next_cursor is empty when done.
   * on_key runs on the calling thread before kv_list returns. Threads: hook thread. */
  int32_t (*kv_list)(const meridian_host* host, meridian_str prefix, meridian_str cursor,
                     uint32_t limit, void (*on_key)(void* user_data, meridian_str key),
                     void* user_data, meridian_buf* out_next_cursor);

  /* -- Messages, as the plugin's own bot user. -- */
  /* Posts to a channel; a non-empty thread_root_id replies in that thread. out_message_id may
   * be NULL. Threads: hook thread. */
  int32_t (*post_message)(const meridian_host* host, meridian_str channel_id, meridian_str text,
                          meridian_str thread_root_id, meridian_buf* out_message_id);
  /* Edits a message the plugin's bot posted. Threads: hook thread. */
  int32_t (*edit_message)(const meridian_host* host, meridian_str message_id, meridian_str text);
  /* A reply visible only to `user_id`, shown in `channel_id`; never stored in history.
   * Threads: hook thread. */
  int32_t (*send_ephemeral)(const meridian_host* host, meridian_str user_id,
                            meridian_str channel_id, meridian_str text);

  /* -- Directory. `storage` owns what `out` points to; free it with free_buf. Set
   * out->struct_size first; the host sets it to what it filled. Threads: hook thread. -- */
  int32_t (*get_user)(const meridian_host* host, meridian_str user_id, meridian_user* out,
                      meridian_buf* storage);
  int32_t (*get_channel)(const meridian_host* host, meridian_str channel_id, meridian_channel* out,
                         meridian_buf* storage);

  /* -- Registration (usually from activate). -- */
  /* Registers "/trigger" (without slash); ALREADY_EXISTS when another plugin holds it.
   * Threads: hook thread. */
  int32_t (*register_command)(const meridian_host* host, meridian_str trigger,
                              meridian_str help_text);
  /* Lets clients call `method` on this plugin through the API (endpoint_invoked hook).
   * Threads: hook thread. */
  int32_t (*register_endpoint)(const meridian_host* host, meridian_str method);

  /* -- Durable timers: survive restarts; fire timer_fired(timer_id). Same id replaces. -- */
  /* First fires after delay_ms; period_ms > 0 repeats it. Threads: hook thread. */
  int32_t (*schedule_timer)(const meridian_host* host, meridian_str timer_id, int64_t delay_ms,
                            int64_t period_ms);
  /* Threads: hook thread. */
  int32_t (*cancel_timer)(const meridian_host* host, meridian_str timer_id);

  /* -- Configuration: the manifest's settings, with the administrator's values applied. -- */
  /* MERIDIAN_ERR_NOT_FOUND for a setting the manifest does not declare. Threads: hook thread. */
  int32_t (*get_setting)(const meridian_host* host, meridian_str name, meridian_buf* out_value);

  /* -- Extensions by versioned string id, e.g. "meridian.clock/1". NULL when unsupported. The
   * returned table lives as long as the plugin is loaded. Threads: hook thread. -- */
  const void* (*get_extension)(const meridian_host* host, meridian_str id);

  /* New functions of later minor versions are appended here. */
};

/* Extension "meridian.clock/1": the host's clock (a fake one in tests). */
#define MERIDIAN_EXT_CLOCK_V1 "meridian.clock/1"
typedef struct meridian_ext_clock_v1 {
  uint32_t struct_size;
  /* UTC microseconds since the Unix epoch. Threads: hook thread. */
  int64_t (*now_us)(const meridian_host* host);
} meridian_ext_clock_v1;

/* What a plugin is: returned by meridian_plugin_entry, static storage, never freed. Hooks left
 * NULL are not called. Every hook is called one at a time per plugin, on a host thread. */
typedef struct meridian_plugin {
  uint32_t struct_size;    /* sizeof(meridian_plugin) as the plugin was compiled */
  uint32_t abi_major;      /* MERIDIAN_PLUGIN_ABI_MAJOR as the plugin was compiled */
  uint32_t abi_minor;      /* MERIDIAN_PLUGIN_ABI_MINOR as the plugin was compiled */
  uint32_t min_host_minor; /* oldest host minor (same major) this plugin can run on */

  /* Every hook below is called on a host thread, one hook at a time per plugin.
   * Non-OK refuses to start; the plugin is restarted with backoff. */
  int32_t (*activate)(const meridian_host* host);
  /* Before unload (disable, reload, shutdown); not called after a crash. */
  void (*deactivate)(const meridian_host* host);
  /* An administrator changed settings; read them again with get_setting. */
  void (*configuration_changed)(const meridian_host* host);
  /* MERIDIAN_ALLOW, MERIDIAN_REJECT (reason in reply) or MERIDIAN_MODIFY (new text in reply).
   * Bounded by the host's deadline; past it, or on a crash, the host allows the message. */
  int32_t (*message_will_be_posted)(const meridian_host* host, const meridian_message* message,
                                    meridian_reply* reply);
  /* After commit, off the request thread. */
  void (*message_posted)(const meridian_host* host, const meridian_message* message);
  /* The response text (shown only to the caller) goes in reply; non-OK is an error. */
  int32_t (*slash_command)(const meridian_host* host, const meridian_command* command,
                           meridian_reply* reply);
  /* A timer set with schedule_timer is due. */
  void (*timer_fired)(const meridian_host* host, meridian_str timer_id);
  /* Response bytes go in reply; non-OK is returned to the client as an error. */
  int32_t (*endpoint_invoked)(const meridian_host* host, meridian_str method, meridian_str payload,
                              meridian_reply* reply);
  /* MERIDIAN_ALLOW, MERIDIAN_REJECT (suppress it) or MERIDIAN_MODIFY (new body in reply). */
  int32_t (*notification_will_be_sent)(const meridian_host* host,
                                       const meridian_notification* notification,
                                       meridian_reply* reply);

  /* New hooks of later minor versions are appended here. */
} meridian_plugin;

/* The one exported symbol. Called once per load, on a host thread, before any hook; `host` stays
 * valid until the plugin is unloaded. Returns MERIDIAN_OK and sets *out_plugin, or an error (for
 * example MERIDIAN_ERR_VERSION_MISMATCH when host->abi_major is not the plugin's). */
typedef int32_t (*meridian_plugin_entry_fn)(const meridian_host* host,
                                            const meridian_plugin** out_plugin);
MERIDIAN_PLUGIN_EXPORT int32_t meridian_plugin_entry(const meridian_host* host,
                                                     const meridian_plugin** out_plugin);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MERIDIAN_PLUGIN_H_ */
