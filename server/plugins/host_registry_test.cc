#include "server/plugins/host_registry.h"

#include "gtest/gtest.h"

namespace meridian::plugins {
namespace {

TEST(HostRegistryTest, CommandsBelongToOnePluginAndGoAwayWithIt) {
  HostRegistry r;
  ASSERT_TRUE(r.RegisterCommand("a", "todo", "track tasks").ok());
  EXPECT_EQ(r.RegisterCommand("b", "todo", "mine").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(r.RegisterCommand("a", "todo", "track tasks, better").ok());
  EXPECT_EQ(r.FindCommand("todo")->help, "track tasks, better");
  EXPECT_EQ(r.RegisterCommand("a", "Bad Name", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.RegisterCommand("a", "help", "").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.RegisterEndpoint("a", "stats").ok());
  EXPECT_TRUE(r.HasEndpoint("a", "stats"));
  EXPECT_FALSE(r.HasEndpoint("b", "stats"));
  r.RemovePlugin("a");
  EXPECT_FALSE(r.FindCommand("todo").has_value());
  EXPECT_FALSE(r.HasEndpoint("a", "stats"));
  EXPECT_TRUE(r.RegisterCommand("b", "todo", "mine").ok());
}

}  // namespace
}  // namespace meridian::plugins
