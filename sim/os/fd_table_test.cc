#include "sim/os/fd_table.h"

#include "gtest/gtest.h"

namespace replsim::sim::os_sim {
namespace {

TEST(FdTableTest, HandsOutTheLowestFreeDescriptorFromThree) {
  FdTable t;
  EXPECT_EQ(t.Add({false, 10}), 3);
  EXPECT_EQ(t.Add({true, 11}), 4);
  EXPECT_EQ(t.Add({false, 12}), 5);
  ASSERT_TRUE(t.Take(4).has_value());
  EXPECT_EQ(t.Find(4), nullptr);
  EXPECT_EQ(t.Add({false, 13}), 4);  // the hole is reused first
  EXPECT_EQ(t.Add({false, 14}), 6);
  EXPECT_EQ(t.Find(4)->id, 13u);
}

TEST(FdTableTest, TakeReturnsTheEntryOnceAndRejectsUnknownDescriptors) {
  FdTable t;
  const os::Fd fd = t.Add({true, 7});
  std::optional<FdEntry> e = t.Take(fd);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->socket);
  EXPECT_EQ(e->id, 7u);
  EXPECT_FALSE(t.Take(fd).has_value());
  EXPECT_FALSE(t.Take(0).has_value());
  EXPECT_FALSE(t.Take(-1).has_value());
  EXPECT_FALSE(t.Take(100).has_value());
}

TEST(FdTableTest, PutPlacesAPassedDescriptorAndLowestFindsIt) {
  FdTable t;
  EXPECT_EQ(t.Lowest(), os::kNoFd);
  t.Put(6, {true, 1});
  EXPECT_EQ(t.Lowest(), 6);
  EXPECT_EQ(t.Find(6)->id, 1u);
  EXPECT_EQ(t.Find(5), nullptr);
  EXPECT_EQ(t.Add({false, 2}), 3);
  EXPECT_EQ(t.Lowest(), 3);
}

}  // namespace
}  // namespace replsim::sim::os_sim
