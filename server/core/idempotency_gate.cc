#include "server/core/idempotency_gate.h"

#include <utility>

namespace meridian {

IdempotencyGate::Hold::Hold(Hold&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), key_(std::move(other.key_)) {}

IdempotencyGate::Hold& IdempotencyGate::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    Release();
    gate_ = std::exchange(other.gate_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

IdempotencyGate::Hold::~Hold() { Release(); }

void IdempotencyGate::Hold::Release() {
  if (gate_ != nullptr) std::exchange(gate_, nullptr)->Release(key_);
}

IdempotencyGate::Hold IdempotencyGate::Acquire(std::string key) {
  absl::MutexLock lock(&mu_);
  ++waiting_;
  while (held_.contains(key)) released_.Wait(&mu_);
  --waiting_;
  held_.insert(key);
  return Hold(this, std::move(key));
}

int IdempotencyGate::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

void IdempotencyGate::Release(const std::string& key) {
  absl::MutexLock lock(&mu_);
  held_.erase(key);
  released_.SignalAll();
}

}  // namespace meridian
