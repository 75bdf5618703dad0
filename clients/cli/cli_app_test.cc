#include "clients/cli/cli_app.h"

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "clients/cli/cli_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

class CliAppTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "/cli_app_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    config_dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + config_dir_ + "'").c_str()); }

  RunResult Run(std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "meridian");
    env["MERIDIAN_CONFIG_DIR"] = config_dir_;
    MapEnvironment environment(env);
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    int code = RunCli(static_cast<int>(args.size()), args.data(), environment, in, out, err);
    return {code, out.str(), err.str()};
  }

  std::string config_dir_;
};

TEST_F(CliAppTest, HelpListsCommands) {
  RunResult result = Run({"--help"});
  EXPECT_EQ(result.code, 0);
  for (const char* command :
       {"register", "login", "channels", "post", "history", "tail", "unread", "profile", "dm",
        "schedule", "remind", "notifications", "catchup", "awaiting", "overlap"}) {
    EXPECT_THAT(result.out, testing::HasSubstr(command));
  }
}

TEST_F(CliAppTest, SubcommandHelp) {
  RunResult result = Run({"profile", "set", "--help"});
  EXPECT_EQ(result.code, 0);
  EXPECT_THAT(result.out, testing::HasSubstr("--hours"));
}

TEST_F(CliAppTest, UsageErrorsExitTwo) {
  RunResult unknown = Run({"frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, testing::StartsWith("meridian: error: "));
  EXPECT_EQ(Run({"post"}).code, kExitUsage);  // channel missing
  EXPECT_EQ(Run({}).code, kExitUsage);        // no command
  EXPECT_EQ(Run({"history", "general", "--limit", "many"}).code, kExitUsage);
}

TEST_F(CliAppTest, BadWorkingHoursRejectedBeforeAnyCall) {
  RunResult result = Run({"profile", "set", "--hours", "mon-fry 9-17"});
  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, testing::HasSubstr("unknown weekday \"fry\""));
}

TEST_F(CliAppTest, AsyncCommandUsageErrorsBeforeAnyCall) {
  RunResult no_text = Run({"schedule", "--to", "general", "--at", "in 2h"});
  EXPECT_EQ(no_text.code, kExitUsage);
  EXPECT_THAT(no_text.err, testing::HasSubstr("what should be sent?"));
  EXPECT_THAT(Run({"schedule", "hi", "--at", "in 2h"}).err, testing::HasSubstr("--to"));
  RunResult no_what = Run({"remind", "me", "--at", "in 2h"});
  EXPECT_EQ(no_what.code, kExitUsage);
  EXPECT_THAT(no_what.err, testing::HasSubstr("what about?"));
  EXPECT_EQ(Run({"notifications", "seen"}).code, kExitUsage);
  EXPECT_EQ(Run({"notifications", "seen", "msg:m1-1", "--all"}).code, kExitUsage);
  EXPECT_THAT(Run({"overlap", "general", "--slot", "20"}).err, testing::HasSubstr("15, 30 or 60"));
  EXPECT_THAT(Run({"overlap", "general", "@bob"}).err, testing::HasSubstr("not a mix"));
  EXPECT_THAT(Run({"remind", "snooze", "r1", "--for", "ages"}).err,
              testing::HasSubstr("cannot read the duration \"ages\""));
  // Subcommand help is reachable through the group command.
  RunResult help = Run({"remind", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, testing::HasSubstr("snooze"));
  EXPECT_THAT(help.out, testing::HasSubstr("their next morning"));
}

TEST_F(CliAppTest, NotLoggedInExitsFourWithHint) {
  RunResult result = Run({"whoami"});
  EXPECT_EQ(result.code, kExitUnauthenticated);
  EXPECT_THAT(result.err, testing::HasSubstr("not logged in to 127.0.0.1:7800"));
  EXPECT_THAT(result.err, testing::HasSubstr("meridian login"));
}

TEST_F(CliAppTest, ServerFlagAndEnvironmentChooseTheServer) {
  EXPECT_THAT(Run({"whoami"}, {{"MERIDIAN_SERVER", "10.1.2.3:99"}}).err,
              testing::HasSubstr("not logged in to 10.1.2.3:99"));
  // The flag wins over the environment, also when it follows the command.
  EXPECT_THAT(Run({"whoami", "--server", "h:1"}, {{"MERIDIAN_SERVER", "10.1.2.3:99"}}).err,
              testing::HasSubstr("not logged in to h:1"));
}

TEST_F(CliAppTest, UnreachableServerExitsThreeWithHint) {
  // Nothing listens on port 1 of the loopback (binding it needs root), so this fails fast.
  RunResult result =
      Run({"--server", "127.0.0.1:1", "login", "bob"}, {{"MERIDIAN_PASSWORD", "secret-pw"}});
  EXPECT_EQ(result.code, kExitUnreachable);
  EXPECT_THAT(result.err, testing::HasSubstr("cannot reach the Meridian server at 127.0.0.1:1"));
  EXPECT_THAT(result.err, testing::HasSubstr("meridiand"));
}

TEST_F(CliAppTest, LoginWithoutPasswordSourceIsAUsageErrorOrPrompt) {
  // --password-stdin with empty stdin is a usage error, not an empty password sent to a server.
  RunResult result = Run({"login", "bob", "--password-stdin"});
  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, testing::HasSubstr("standard input is empty"));
}

}  // namespace
}  // namespace meridian::cli
