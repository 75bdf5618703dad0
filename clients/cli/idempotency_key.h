#ifndef MERIDIAN_CLIENTS_CLI_IDEMPOTENCY_KEY_H_
#define MERIDIAN_CLIENTS_CLI_IDEMPOTENCY_KEY_H_

#include <string>

namespace meridian::cli {

// A fresh random key for PostMessageRequest.idempotency_key: "cli-" and 32 hex digits (128 bits
// from std::random_device), so concurrent clients never collide and a retry can reuse it.
std::string NewIdempotencyKey();

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_IDEMPOTENCY_KEY_H_
