#include "tests/bench/load/child_registry.h"

#include <signal.h>

#include <atomic>

namespace meridian::bench {
namespace {

// 0 marks a free slot.
std::atomic<pid_t> g_children[kMaxRegisteredChildren];
static_assert(std::atomic<pid_t>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

}  // namespace

bool RegisterChild(pid_t pid) {
  if (pid <= 0) return false;
  for (auto& slot : g_children) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return true;
  }
  return false;
}

void UnregisterChild(pid_t pid) {
  if (pid <= 0) return;
  for (auto& slot : g_children) {
    pid_t expected = pid;
    slot.compare_exchange_strong(expected, 0);
  }
}

void KillRegisteredChildren() {
  for (auto& slot : g_children) {
    pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
}

}  // namespace meridian::bench
