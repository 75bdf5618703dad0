// The servers (meridiand, redis-server) that meridian-bench started, so that a crash of the bench
// itself can kill them from its signal handler instead of leaving them running.
//
// This is process-wide state on purpose: a signal handler cannot be handed an object. The table
// is a fixed array of lock-free atomics, so KillRegisteredChildren() is async-signal-safe.
#ifndef MERIDIAN_TESTS_BENCH_LOAD_CHILD_REGISTRY_H_
#define MERIDIAN_TESTS_BENCH_LOAD_CHILD_REGISTRY_H_

#include <sys/types.h>

namespace meridian::bench {

// How many children can be registered at once; RegisterChild returns false past that.
inline constexpr int kMaxRegisteredChildren = 64;

// Safe for concurrent use. Records `pid` (> 0); false when the table is full.
bool RegisterChild(pid_t pid);
// Forgets `pid`; call it before reaping the child, so that a reused pid is never killed.
void UnregisterChild(pid_t pid);
// Sends SIGKILL to every registered child. Async-signal-safe; does not reap them.
void KillRegisteredChildren();

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_LOAD_CHILD_REGISTRY_H_
