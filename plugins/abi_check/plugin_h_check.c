/* Compiled with -std=c99 -pedantic -Werror: plugin.h must stay plain, strict C99. */
#include "meridian/plugin.h"

static int32_t check_activate(const meridian_host* host) {
  if (!MERIDIAN_HAS_FN(host, get_extension)) return MERIDIAN_ERR_UNIMPLEMENTED;
  return MERIDIAN_OK;
}

static const meridian_plugin kCheckPlugin = {sizeof(meridian_plugin),
                                             MERIDIAN_PLUGIN_ABI_MAJOR,
                                             MERIDIAN_PLUGIN_ABI_MINOR,
                                             0,
                                             check_activate,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL};

int32_t meridian_plugin_entry(const meridian_host* host, const meridian_plugin** out_plugin) {
  (void)host;
  *out_plugin = &kCheckPlugin;
  return MERIDIAN_OK;
}
