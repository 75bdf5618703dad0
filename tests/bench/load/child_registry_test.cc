#include "tests/bench/load/child_registry.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace meridian::bench {
namespace {

// A child that waits until a signal ends it.
pid_t StartIdleChild() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}

// The signal that ended `pid`, or 0 if it is still running.
int TermSignalNoWait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) != pid) return 0;
  return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

TEST(ChildRegistryTest, KillsRegisteredChildrenAndSparesUnregisteredOnes) {
  pid_t kept = StartIdleChild();
  pid_t forgotten = StartIdleChild();
  ASSERT_GT(kept, 0);
  ASSERT_GT(forgotten, 0);
  ASSERT_TRUE(RegisterChild(kept));
  ASSERT_TRUE(RegisterChild(forgotten));
  UnregisterChild(forgotten);

  KillRegisteredChildren();

  int status = 0;
  ASSERT_EQ(waitpid(kept, &status, 0), kept);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(TermSignalNoWait(forgotten), 0) << "an unregistered child was killed";
  kill(forgotten, SIGKILL);
  waitpid(forgotten, nullptr, 0);
  UnregisterChild(kept);
}

TEST(ChildRegistryTest, RefusesInvalidPidsAndAFullTable) {
  EXPECT_FALSE(RegisterChild(0));
  EXPECT_FALSE(RegisterChild(-1));
  // Pids that cannot belong to a live process (above Linux's pid_max of 2^22), so the table
  // can be filled without a kill ever reaching anyone.
  const pid_t base = (1 << 22) + 1000;
  for (int i = 0; i < kMaxRegisteredChildren; ++i) ASSERT_TRUE(RegisterChild(base + i));
  EXPECT_FALSE(RegisterChild(base + kMaxRegisteredChildren));
  for (int i = 0; i < kMaxRegisteredChildren; ++i) UnregisterChild(base + i);
  EXPECT_TRUE(RegisterChild(base));
  UnregisterChild(base);
}

}  // namespace
}  // namespace meridian::bench
