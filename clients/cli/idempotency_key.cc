#include "clients/cli/idempotency_key.h"

#include <random>

#include "absl/strings/str_cat.h"

namespace meridian::cli {

std::string NewIdempotencyKey() {
  std::random_device device;
  std::string key = "cli-";
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&key, absl::Hex(static_cast<uint32_t>(device()), absl::kZeroPad8));
  }
  return key;
}

}  // namespace meridian::cli
