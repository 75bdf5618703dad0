#include "tests/bench/load/proc_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace meridian::bench {
namespace {

TEST(ProcStatsTest, ParsesCpuTicksAfterAnAwkwardCommandName) {
  // utime (14) = 250, stime (15) = 50; the name holds spaces and a ')'.
  std::string line =
      "1234 (a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123 4096 300";
  EXPECT_EQ(ParseStatCpuTicks(line), 300);
  EXPECT_EQ(ParseStatCpuTicks("garbage"), -1);
  EXPECT_EQ(ParseStatCpuTicks("1 (x) S 1 2"), -1);
}

TEST(ProcStatsTest, ReadsThisProcess) {
  volatile double x = 0;
  for (int i = 0; i < 20'000'000; ++i) x = x + i * 0.5;
  EXPECT_GT(ProcessCpuSeconds(getpid()), 0);
  long rss = ProcessStatusKib(getpid(), "VmRSS");
  EXPECT_GT(rss, 0);
  EXPECT_TRUE(ResetPeakRss(getpid()));
  EXPECT_GE(ProcessStatusKib(getpid(), "VmHWM"), rss / 2);
  EXPECT_EQ(ProcessStatusKib(getpid(), "NoSuchField"), -1);
}

}  // namespace
}  // namespace meridian::bench
