// libFuzzer entry for the query parser: any bytes must parse or fail with INVALID_ARGUMENT,
// never crash, and an error must name a byte position inside (or just past) the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/search/query_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view q(reinterpret_cast<const char*>(data), size);
  auto parsed = meridian::search::ParseQuery(q);
  if (parsed.ok()) {
    if (parsed->groups.empty()) std::abort();
    for (const auto& group : parsed->groups) {
      for (const auto& c : group) {
        if (c.position > size || c.value_position > size) std::abort();
      }
    }
  } else if (parsed.status().code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }
  return 0;
}
