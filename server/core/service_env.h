// What every domain service is built from, and who is calling.
#ifndef MERIDIAN_SERVER_CORE_SERVICE_ENV_H_
#define MERIDIAN_SERVER_CORE_SERVICE_ENV_H_

#include <cstddef>
#include <cstdint>

#include "server/common/clock.h"
#include "server/core/committer.h"
#include "server/core/directory.h"
#include "storage/kv_store.h"

namespace meridian {

struct Limits {
  size_t max_message_bytes = 40'000;
  int max_page_size = 200;
  int default_page_size = 50;
  // Argon2id memory cost; OWASP's minimum recommendation is 19 MiB with 2 passes.
  uint32_t argon2_memory_kib = 19 * 1024;
  uint32_t argon2_passes = 2;
};

// Borrowed references; the owner (Core) outlives every service.
struct ServiceEnv {
  storage::KvStore& store;
  Directory& dir;
  Committer& committer;
  const Clock& clock;
  Limits limits;
};

// The authenticated caller of a request. The author of every write is this user, never a field
// of the request.
struct Caller {
  uint64_t user_id = 0;
  bool is_admin = false;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_SERVICE_ENV_H_
