#include "clients/cli/resume_state.h"

#include "gtest/gtest.h"

namespace meridian::cli {
namespace {

ResumeState MakeState(std::string cursor, double random = 1.0) {
  return ResumeState(std::move(cursor), BackoffPolicy{}, [random] { return random; });
}

TEST(ResumeStateTest, CursorFollowsHandledEvents) {
  ResumeState state = MakeState("e10");
  EXPECT_EQ(state.cursor(), "e10");
  state.OnEventHandled("e11");
  state.OnEventHandled("");
  EXPECT_EQ(state.cursor(), "e11");
}

TEST(ResumeStateTest, SlowSubscriberResumesAtOnceFromOwnCursor) {
  ResumeState state = MakeState("");
  state.OnStreamProgress();
  state.OnEventHandled("e5");
  auto decision = state.OnStreamEnded(absl::ResourceExhaustedError("too slow"), std::string("e4"));
  EXPECT_TRUE(decision.retry);
  EXPECT_EQ(decision.delay, absl::ZeroDuration());
  // Our own cursor is exact: everything up to e5 was printed.
  EXPECT_EQ(state.cursor(), "e5");
}

TEST(ResumeStateTest, ServerResumeCursorUsedWhenNothingHandled) {
  ResumeState state = MakeState("");
  auto decision = state.OnStreamEnded(absl::ResourceExhaustedError("too slow"), std::string("e42"));
  EXPECT_TRUE(decision.retry);
  EXPECT_EQ(state.cursor(), "e42");
  // No progress on that stream, so the retry is not immediate.
  EXPECT_GT(decision.delay, absl::ZeroDuration());
}

TEST(ResumeStateTest, ResourceExhaustedWithoutMetadataKeepsCursor) {
  ResumeState state = MakeState("e7");
  state.OnStreamProgress();
  auto decision = state.OnStreamEnded(absl::ResourceExhaustedError("too slow"), absl::nullopt);
  EXPECT_TRUE(decision.retry);
  EXPECT_EQ(state.cursor(), "e7");
}

TEST(ResumeStateTest, UnavailableBacksOffExponentiallyToACap) {
  ResumeState state = MakeState("e1", /*random=*/1.0);
  std::vector<absl::Duration> delays;
  for (int i = 0; i < 7; ++i) {
    auto decision = state.OnStreamEnded(absl::UnavailableError("server down"), absl::nullopt);
    ASSERT_TRUE(decision.retry);
    delays.push_back(decision.delay);
  }
  EXPECT_EQ(delays, (std::vector<absl::Duration>{
                        absl::Milliseconds(250), absl::Milliseconds(500), absl::Seconds(1),
                        absl::Seconds(2), absl::Seconds(4), absl::Seconds(8), absl::Seconds(8)}));
  EXPECT_EQ(state.cursor(), "e1");
}

TEST(ResumeStateTest, JitterScalesDelayDown) {
  ResumeState state = MakeState("", /*random=*/0.0);
  EXPECT_EQ(state.OnStreamEnded(absl::UnavailableError("x"), absl::nullopt).delay,
            absl::Milliseconds(125));
}

TEST(ResumeStateTest, ProgressResetsBackoff) {
  ResumeState state = MakeState("");
  state.OnStreamEnded(absl::UnavailableError("x"), absl::nullopt);
  state.OnStreamEnded(absl::UnavailableError("x"), absl::nullopt);
  state.OnStreamProgress();
  EXPECT_EQ(state.OnStreamEnded(absl::UnavailableError("x"), absl::nullopt).delay,
            absl::Milliseconds(250));
}

TEST(ResumeStateTest, TransientEndingsRetry) {
  for (absl::Status status :
       {absl::OkStatus(), absl::DeadlineExceededError("x"), absl::InternalError("x"),
        absl::UnknownError("stream removed"), absl::AbortedError("x")}) {
    ResumeState state = MakeState("e1");
    EXPECT_TRUE(state.OnStreamEnded(status, absl::nullopt).retry) << status;
  }
}

TEST(ResumeStateTest, PermanentErrorsStop) {
  for (absl::Status status :
       {absl::UnauthenticatedError("session revoked"), absl::InvalidArgumentError("bad cursor"),
        absl::PermissionDeniedError("x"), absl::NotFoundError("x")}) {
    ResumeState state = MakeState("e1");
    auto decision = state.OnStreamEnded(status, absl::nullopt);
    EXPECT_FALSE(decision.retry);
    EXPECT_EQ(decision.error, status);
  }
}

}  // namespace
}  // namespace meridian::cli
