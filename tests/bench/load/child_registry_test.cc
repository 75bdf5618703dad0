#include "tests/bench/load/child_registry.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/bench/load/scenario.h"

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

// The state letter of `pid` in /proc (R, S, Z, ...), or 0 when there is no such process.
char ProcState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  size_t paren = line.rfind(')');
  return paren + 2 < line.size() ? line[paren + 2] : 0;
}

// A crash of the bench while a server is still starting must kill that server too: the server is
// in the registry from the moment it is forked, not only once it answers.
TEST(ChildRegistryTest, AServerIsRegisteredWhileItIsStillStarting) {
  char tmpl[] = "/tmp/child-registry-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string never_listens = (dir / "never-listens").string();
  {
    std::ofstream script(never_listens);
    script << "#!/bin/sh\nexec sleep 1000\n";
  }
  std::filesystem::permissions(never_listens, std::filesystem::perms::owner_all);
  BenchOptions opts;
  opts.meridiand = never_listens;
  Server server(opts, (dir / "data").string(), "sync");

  // Plays the crash handler: kills whatever is registered until Start gives up.
  std::atomic<bool> start_returned{false};
  std::thread crash([&] {
    while (!start_returned) {
      KillRegisteredChildren();
      std::this_thread::yield();
    }
  });
  absl::Status started = server.Start();
  start_returned = true;
  crash.join();

  EXPECT_FALSE(started.ok());
  ASSERT_GT(server.pid(), 0);
  EXPECT_EQ(ProcState(server.pid()), 'Z') << "the starting server was not killed by the registry";
  server.Kill();  // reaps it
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meridian::bench
