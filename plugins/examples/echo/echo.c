/* Echo: a small example plugin in plain C99, using nothing but meridian/plugin.h.
 *
 *  - "/echo text" answers "<prefix>text" (prefix is a setting) and counts uses in the KV store;
 *  - messages containing the "blocked_word" setting are rejected;
 *  - the "count" endpoint returns how many times /echo was used.
 */
#include <string.h>

#include "meridian/plugin.h"

static meridian_str str(const char* s) {
  meridian_str out;
  out.data = s;
  out.len = strlen(s);
  return out;
}

/* Increments the decimal counter under "count" with compare-and-set, retrying on a race. */
static void bump_count(const meridian_host* host) {
  int attempt;
  for (attempt = 0; attempt < 5; ++attempt) {
    meridian_buf old = {NULL, 0, NULL};
    char next[32];
    unsigned long n = 0;
    size_t k;
    int32_t found = host->kv_get(host, str("count"), &old);
    for (k = 0; found == MERIDIAN_OK && k < old.len && k < 20; ++k) {
      n = n * 10 + (unsigned long)(old.data[k] - '0');
    }
    {
      /* Format n + 1 without stdio. */
      char digits[24];
      int d = 0, i;
      unsigned long v = n + 1;
      do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
      } while (v != 0);
      for (i = 0; i < d; ++i) next[i] = digits[d - 1 - i];
      next[d] = '\0';
    }
    {
      meridian_str expected;
      meridian_str value = str(next);
      int32_t rc;
      expected.data = old.data;
      expected.len = old.len;
      rc = host->kv_compare_and_set(host, str("count"), found != MERIDIAN_OK, expected, value, 0);
      host->free_buf(host, &old);
      if (rc != MERIDIAN_ERR_FAILED_PRECONDITION) return;
    }
  }
}

static int32_t echo_activate(const meridian_host* host) {
  int32_t rc = host->register_command(host, str("echo"), str("/echo <text> — repeats the text"));
  if (rc != MERIDIAN_OK) return rc;
  rc = host->register_endpoint(host, str("count"));
  if (rc != MERIDIAN_OK) return rc;
  host->log(host, MERIDIAN_LOG_INFO, str("echo activated"));
  return MERIDIAN_OK;
}

static int32_t echo_slash(const meridian_host* host, const meridian_command* command,
                          meridian_reply* reply) {
  meridian_buf prefix = {NULL, 0, NULL};
  char out[1024];
  size_t n = 0;
  if (host->get_setting(host, str("prefix"), &prefix) == MERIDIAN_OK) {
    n = prefix.len < 512 ? prefix.len : 512;
    memcpy(out, prefix.data, n);
  }
  host->free_buf(host, &prefix);
  if (command->args.len > sizeof(out) - n) return MERIDIAN_ERR_INVALID_ARGUMENT;
  memcpy(out + n, command->args.data, command->args.len);
  n += command->args.len;
  bump_count(host);
  {
    meridian_str text;
    text.data = out;
    text.len = n;
    return host->reply_set(host, reply, text);
  }
}

static int32_t echo_will_post(const meridian_host* host, const meridian_message* message,
                              meridian_reply* reply) {
  meridian_buf word = {NULL, 0, NULL};
  int32_t decision = MERIDIAN_ALLOW;
  if (host->get_setting(host, str("blocked_word"), &word) == MERIDIAN_OK && word.len > 0 &&
      word.len <= message->text.len) {
    size_t i;
    for (i = 0; i + word.len <= message->text.len; ++i) {
      if (memcmp(message->text.data + i, word.data, word.len) == 0) {
        decision = MERIDIAN_REJECT;
        host->reply_set(host, reply, str("this message contains a blocked word"));
        break;
      }
    }
  }
  host->free_buf(host, &word);
  return decision;
}

static int32_t echo_endpoint(const meridian_host* host, meridian_str method, meridian_str payload,
                             meridian_reply* reply) {
  meridian_buf count = {NULL, 0, NULL};
  meridian_str out;
  int32_t rc;
  (void)payload;
  if (method.len != 5 || memcmp(method.data, "count", 5) != 0) return MERIDIAN_ERR_NOT_FOUND;
  rc = host->kv_get(host, str("count"), &count);
  out.data = rc == MERIDIAN_OK ? count.data : "0";
  out.len = rc == MERIDIAN_OK ? count.len : 1;
  rc = host->reply_set(host, reply, out);
  host->free_buf(host, &count);
  return rc;
}

static const meridian_plugin kEcho = {
    sizeof(meridian_plugin),
    MERIDIAN_PLUGIN_ABI_MAJOR,
    MERIDIAN_PLUGIN_ABI_MINOR,
    0, /* runs on any 1.x host */
    echo_activate,
    NULL, /* deactivate */
    NULL, /* configuration_changed: settings are read on each use */
    echo_will_post,
    NULL, /* message_posted */
    echo_slash,
    NULL, /* timer_fired */
    echo_endpoint,
    NULL, /* notification_will_be_sent */
};

MERIDIAN_PLUGIN_EXPORT int32_t meridian_plugin_entry(const meridian_host* host,
                                                     const meridian_plugin** out_plugin) {
  if (host->abi_major != MERIDIAN_PLUGIN_ABI_MAJOR) return MERIDIAN_ERR_VERSION_MISMATCH;
  *out_plugin = &kEcho;
  return MERIDIAN_OK;
}
