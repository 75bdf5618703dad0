// Group overlap through profiles: New York and Berlin share two hours a weekday, seen from
// Berlin; one more week after the US (but not yet the EU) moved to summer time.
#include "server/core/group_overlap.h"

#include <gtest/gtest.h>

#include "server/core/async_test_util.h"

namespace meridian {
namespace {

class GroupOverlapTest : public AsyncTest {};

TEST_F(GroupOverlapTest, NewYorkAndBerlin) {
  At(2026, 1, 14, 12, 0);
  Caller berlin = Person("berlin", "Europe/Berlin");
  Caller ny = Person("ny", "America/New_York");
  v1::GetOverlapRequest req;
  req.add_user_ids("@ny");
  auto grid = GetGroupOverlap(core_->async().env(), berlin, req);
  ASSERT_TRUE(grid.ok()) << grid.status();
  EXPECT_EQ(grid->time_zone(), "Europe/Berlin");
  ASSERT_EQ(grid->days_size(), 7);
  EXPECT_EQ(grid->days(0).date(), "2026-01-12");
  // 15:00-17:00 Berlin (09:00-11:00 New York), Monday to Friday: 4 half hours a day.
  EXPECT_EQ(grid->everyone_slot_count(), 20);
  EXPECT_EQ(grid->days(0).slots(30), v1::OVERLAP_SLOT_EVERYONE);  // 15:00
  EXPECT_EQ(grid->days(0).slots(29), v1::OVERLAP_SLOT_NONE);
  EXPECT_EQ(grid->overlap_size(), 5);

  // Week of 2026-03-09: New York is on EDT, Berlin still on CET: 14:00-17:00 overlap.
  SetTimestamp(req.mutable_reference_time(), Utc(2026, 3, 11, 12, 0));
  grid = GetGroupOverlap(core_->async().env(), berlin, req);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->everyone_slot_count(), 30);

  // Through a channel; unknown users are NOT_FOUND.
  v1::Channel ch = Channel(berlin, "eng", {ny});
  v1::GetOverlapRequest by_channel;
  by_channel.set_channel_id(ch.id());
  EXPECT_EQ(GetGroupOverlap(core_->async().env(), ny, by_channel)->user_ids_size(), 2);
  req.add_user_ids("@ghost");
  EXPECT_EQ(GetGroupOverlap(core_->async().env(), berlin, req).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(GetGroupOverlap(core_->async().env(), berlin, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian
