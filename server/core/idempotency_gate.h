// Serializes requests that carry the same idempotency key, so that a retry arriving while the
// first attempt is still running (waiting on a plugin hook, a slash command or the disk) waits
// for that attempt's result instead of running the hooks and the command a second time.
#ifndef MERIDIAN_SERVER_CORE_IDEMPOTENCY_GATE_H_
#define MERIDIAN_SERVER_CORE_IDEMPOTENCY_GATE_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace meridian {

// Safe for concurrent use. Every Hold must be destroyed before the gate.
class IdempotencyGate {
 public:
  // Owns one key until destroyed; a default-constructed Hold owns nothing.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept;
    ~Hold();

   private:
    friend class IdempotencyGate;
    Hold(IdempotencyGate* gate, std::string key) : gate_(gate), key_(std::move(key)) {}
    void Release();

    IdempotencyGate* gate_ = nullptr;
    std::string key_;
  };

  // Blocks while another Hold owns `key`, then owns it.
  Hold Acquire(std::string key);
  // Callers blocked in Acquire (for tests).
  int waiting() const;

 private:
  void Release(const std::string& key);

  mutable absl::Mutex mu_;
  absl::CondVar released_;
  absl::flat_hash_set<std::string> held_ ABSL_GUARDED_BY(mu_);
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_IDEMPOTENCY_GATE_H_
