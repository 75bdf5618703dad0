// Faults: a plugin that segfaults, aborts, hangs or throws in a hook. The host keeps serving, the
// hook fails open within its deadline, and the restart policy (backoff, then disable after three
// failures within an hour) is observed by stepping a FakeClock, never by sleeping.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "tests/abi/abi_test_support.h"

namespace meridian::plugins::testing {
namespace {

// The pid of this process's meridian-plugin-runner child for `plugin_id`, or -1.
pid_t FindRunner(const std::string& plugin_id) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    long ppid = 0;
    if (!(stat >> pid >> comm >> state >> ppid) || ppid != getpid()) continue;
    std::ifstream cmdline_file(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)),
                        std::istreambuf_iterator<char>());
    if (state != "Z" && cmdline.find("--plugin-id=" + plugin_id) != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return -1;
}

using Kind = HookDecision::Kind;

class FaultTest : public PluginHostTest {
 protected:
  void StartWith(bool faulty_in_process) {
    if (faulty_in_process) options_.in_process = {"faulty"};
    AddPlugin("faulty", MERIDIAN_FAULTY_FIXTURE);
    AddPlugin("fixture", MERIDIAN_V1_FIXTURE);
    StartManager();
    ASSERT_EQ(Info("faulty").state, PluginState::kRunning) << Info("faulty").last_error;
  }

  // The healthy plugin still answers: the server kept serving.
  void ExpectOthersServe() {
    HookDecision d = manager_->MessageWillBePosted(Draft("shout"));
    EXPECT_EQ(d.kind, Kind::kModify);
    EXPECT_EQ(d.text, "SHOUT");
  }
};

TEST_F(FaultTest, CrashesFailOpenRestartWithBackoffAndDisableOnTheThirdWithinAnHour) {
  StartWith(/*faulty_in_process=*/false);

  EXPECT_EQ(manager_->MessageWillBePosted(Draft("segv")).kind, Kind::kAllow);
  PluginInfo info = Info("faulty");
  EXPECT_EQ(info.state, PluginState::kBackoff);
  EXPECT_TRUE(absl::StrContains(info.last_error, "signal 11")) << info.last_error;
  EXPECT_EQ(info.recent_failures, 1);
  EXPECT_EQ(info.next_restart, clock_.Now() + absl::Seconds(1));
  ExpectOthersServe();

  manager_->Poll();  // backoff not over yet
  EXPECT_EQ(Info("faulty").state, PluginState::kBackoff);
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning);
  EXPECT_EQ(Info("faulty").restarts, 1);

  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("abort")).kind, Kind::kAllow);
  info = Info("faulty");
  EXPECT_EQ(info.state, PluginState::kBackoff);
  EXPECT_TRUE(absl::StrContains(info.last_error, "signal 6")) << info.last_error;
  EXPECT_EQ(info.next_restart, clock_.Now() + absl::Seconds(2));  // doubled
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kBackoff);
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning);

  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("segv")).kind, Kind::kAllow);
  EXPECT_EQ(Info("faulty").state, PluginState::kFailed);  // third failure within the hour
  clock_.Advance(absl::Hours(2));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kFailed);  // stays disabled
  ExpectOthersServe();

  // A server restart does not give it a fresh start: the disable and its reason are stored.
  const std::string reason = Info("faulty").last_error;
  EXPECT_TRUE(absl::StrContains(reason, "disabled after 3 failures within 1h")) << reason;
  manager_->Stop();
  StartManager();
  EXPECT_EQ(Info("faulty").state, PluginState::kFailed);
  EXPECT_EQ(Info("faulty").last_error, reason);
  ExpectOthersServe();

  ASSERT_TRUE(manager_->Enable("faulty").ok());  // an administrator gives it another chance
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning);
  EXPECT_EQ(Info("faulty").recent_failures, 0);
  manager_->Stop();
  StartManager();  // and that is remembered too
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning) << Info("faulty").last_error;
}

TEST_F(FaultTest, FailuresSpreadOverMoreThanAnHourNeverDisable) {
  StartWith(false);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(manager_->MessageWillBePosted(Draft("segv")).kind, Kind::kAllow);
    EXPECT_EQ(Info("faulty").state, PluginState::kBackoff) << k;
    clock_.Advance(absl::Minutes(31));
    manager_->Poll();
    ASSERT_EQ(Info("faulty").state, PluginState::kRunning) << k;
  }
}

TEST_F(FaultTest, HangIsCutAtTheDeadlineAndTheRunnerKilled) {
  StartWith(false);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("sleep")).kind, Kind::kAllow);
  auto waited = std::chrono::steady_clock::now() - start;
  // hook_deadline is 300 ms; allow scheduling slack on a loaded machine, far below the 30 s hang.
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  PluginInfo info = Info("faulty");
  EXPECT_EQ(info.state, PluginState::kBackoff);
  EXPECT_TRUE(absl::StrContains(info.last_error, "did not answer in time")) << info.last_error;
  ExpectOthersServe();
  // While it backs off, calls skip it at once.
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(manager_->InvokeEndpoint("faulty", "do", "x").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(manager_->InvokeEndpoint("faulty", "do", "fine").value(), "ok");
}

TEST_F(FaultTest, ExceptionIsCaughtAtTheBoundaryInTheRunner) {
  StartWith(false);
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("throw")).kind, Kind::kAllow);
  PluginInfo info = Info("faulty");
  EXPECT_EQ(info.state, PluginState::kBackoff);
  EXPECT_TRUE(absl::StrContains(info.last_error, "boom from faulty plugin")) << info.last_error;
  ExpectOthersServe();
}

TEST_F(FaultTest, InProcessExceptionIsCaughtAndThePluginRestarts) {
  StartWith(/*faulty_in_process=*/true);
  EXPECT_TRUE(Info("faulty").in_process);
  absl::StatusOr<std::string> r = manager_->InvokeEndpoint("faulty", "do", "throw");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "boom")) << r.status();
  EXPECT_EQ(Info("faulty").state, PluginState::kBackoff);
  ExpectOthersServe();
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning);
  EXPECT_EQ(manager_->InvokeEndpoint("faulty", "do", "fine").value(), "ok");
}

TEST_F(FaultTest, InProcessHangFailsOpenAndDisablesThePlugin) {
  StartWith(/*faulty_in_process=*/true);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(manager_->MessageWillBePosted(Draft("sleep")).kind, Kind::kAllow);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  PluginInfo info = Info("faulty");
  // A thread cannot be killed: the plugin is disabled rather than restarted next to it.
  EXPECT_EQ(info.state, PluginState::kFailed);
  EXPECT_TRUE(absl::StrContains(info.last_error, "cannot be interrupted")) << info.last_error;
  ExpectOthersServe();
}

TEST_F(FaultTest, RunnerKilledWhileIdleIsDetectedByPoll) {
  StartWith(false);
  pid_t runner = FindRunner("faulty");
  ASSERT_GT(runner, 0);
  ASSERT_EQ(kill(runner, SIGKILL), 0);
  // Wait for the death without reaping it (WNOWAIT): reaping is Poll's job.
  siginfo_t died;
  ASSERT_EQ(waitid(P_PID, runner, &died, WEXITED | WNOWAIT), 0);
  manager_->Poll();
  PluginInfo info = Info("faulty");
  EXPECT_EQ(info.state, PluginState::kBackoff);
  EXPECT_TRUE(absl::StrContains(info.last_error, "signal 9")) << info.last_error;
  clock_.Advance(absl::Seconds(1));
  manager_->Poll();
  EXPECT_EQ(Info("faulty").state, PluginState::kRunning);
  EXPECT_NE(FindRunner("faulty"), runner);
  EXPECT_EQ(manager_->InvokeEndpoint("faulty", "do", "fine").value(), "ok");
}

}  // namespace
}  // namespace meridian::plugins::testing
