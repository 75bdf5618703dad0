// Compiled as C++ with -pedantic -Werror: plugin.h (and the SDK) must stay valid C++.
#include "meridian/plugin.h"
#include "meridian/plugin.hpp"

static_assert(sizeof(meridian_str) == 2 * sizeof(void*), "meridian_str is (pointer, length)");
static_assert(offsetof(meridian_host, struct_size) == 0, "struct_size comes first");
static_assert(offsetof(meridian_plugin, struct_size) == 0, "struct_size comes first");

int PluginHeaderCompilesAsCxx(const meridian_host* host) {
  return MERIDIAN_HAS_FN(host, log) ? 1 : 0;
}
