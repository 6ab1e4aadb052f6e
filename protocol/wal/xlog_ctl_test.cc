#include "protocol/wal/xlog_ctl.h"

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

TEST(XLogCtlTest, InsertWriteFlushAdvanceInOrder) {
  XLogCtlPositions p = XLogCtlPositions::StartingAt(0x3000000);
  p.AdvanceInsert(0x3000100);
  EXPECT_FALSE(p.WritePending());
  p.RequestFlush(0x3000100);  // XLogFlush(commit end)
  EXPECT_TRUE(p.WritePending());
  EXPECT_TRUE(p.FlushPending());
  p.MarkWritten(0x3000100);
  EXPECT_FALSE(p.WritePending());
  EXPECT_TRUE(p.FlushPending());
  p.MarkFlushed(0x3000100);
  EXPECT_FALSE(p.FlushPending());
  // A smaller request never lowers the current one.
  p.RequestWrite(0x3000080);
  EXPECT_EQ(p.LogwrtRqst.Write, 0x3000100u);
}

TEST(XLogCtlDeathTest, InvariantsAreChecked) {
  XLogCtlPositions p = XLogCtlPositions::StartingAt(0x3000000);
  p.AdvanceInsert(0x3000100);
  EXPECT_DEATH(p.MarkWritten(0x3000200), "CHECK failed");   // beyond Insert
  EXPECT_DEATH(p.MarkFlushed(0x3000080), "CHECK failed");   // beyond Write
  EXPECT_DEATH(p.RequestFlush(0x3000200), "CHECK failed");  // beyond Insert
  EXPECT_DEATH(p.AdvanceInsert(0x2000000), "CHECK failed"); // backwards
}

}  // namespace
}  // namespace replsim::wal
