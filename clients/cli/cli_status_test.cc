#include "clients/cli/cli_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

TEST(CliStatusTest, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(UsageError("bad flag")), kExitUsage);
  // The server's INVALID_ARGUMENT is a rejected request, not a usage error.
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("text too long")), kExitServerError);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("no such channel")), kExitServerError);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("connection refused")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::UnauthenticatedError("bad token")), kExitUnauthenticated);
}

TEST(CliStatusTest, FromGrpcKeepsCodeAndMessage) {
  absl::Status status = FromGrpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "no channel #x"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no channel #x");
  EXPECT_TRUE(FromGrpc(grpc::Status::OK).ok());
}

TEST(CliStatusTest, ErrorTextHasPrefixAndHints) {
  EXPECT_EQ(ErrorText(absl::NotFoundError("no channel #x"), "h:1"),
            "meridian: error: no channel #x\n");
  std::string unreachable = ErrorText(absl::UnavailableError("refused"), "127.0.0.1:7800");
  EXPECT_THAT(unreachable, testing::StartsWith("meridian: error: cannot reach the Meridian "
                                               "server at 127.0.0.1:7800: refused\n"));
  EXPECT_THAT(unreachable, testing::HasSubstr("meridiand"));
  EXPECT_THAT(unreachable, testing::HasSubstr("--server"));
  EXPECT_THAT(ErrorText(absl::UnauthenticatedError("not logged in to h:1"), "h:1"),
              testing::HasSubstr("meridian login"));
}

}  // namespace
}  // namespace meridian::cli
