#include "protocol/wal/timeline_history.h"

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

constexpr XLogRecPtr kFork1 = 0x300AB38;  // 1 -> 2
constexpr XLogRecPtr kFork2 = 0x5000028;  // 2 -> 3

std::string History2() {
  return WriteTimeLineHistory(std::nullopt, 1, kFork1,
                              "no recovery target specified");
}
std::string History3() {
  return WriteTimeLineHistory(History2(), 2, kFork2,
                              "no recovery target specified");
}

TEST(TimelineHistoryTest, ChildFileIsParentPlusBlankLinePlusOwnLine) {
  EXPECT_EQ(History2(), "1\t0/300AB38\tno recovery target specified\n");
  EXPECT_EQ(History3(),
            "1\t0/300AB38\tno recovery target specified\n\n"
            "2\t0/5000028\tno recovery target specified\n");
  absl::StatusOr<TimeLineHistory> h = ParseTimeLineHistory(3, History3());
  ASSERT_TRUE(h.ok()) << h.status();
  TimeLineHistory want = {{3, kFork2, InvalidXLogRecPtr},
                          {2, kFork1, kFork2},
                          {1, InvalidXLogRecPtr, kFork1}};
  EXPECT_EQ(*h, want);
}

TEST(TimelineHistoryTest, LookupsFollowTimelineC) {
  TimeLineHistory h = *ParseTimeLineHistory(3, History3());
  struct Case {
    XLogRecPtr ptr;
    TimeLineID tli;
  };
  const Case kCases[] = {{0, 1},          {kFork1 - 1, 1}, {kFork1, 2},
                         {kFork2 - 8, 2}, {kFork2, 3},     {~0ull, 3}};
  for (const Case& c : kCases) {
    EXPECT_EQ(*tliOfPointInHistory(c.ptr, h), c.tli) << LsnToString(c.ptr);
  }
  TimeLineID next = 99;
  EXPECT_EQ(*tliSwitchPoint(1, h, &next), kFork1);
  EXPECT_EQ(next, 2u);
  EXPECT_EQ(*tliSwitchPoint(2, h, &next), kFork2);
  EXPECT_EQ(next, 3u);
  EXPECT_EQ(*tliSwitchPoint(3, h, &next), InvalidXLogRecPtr);
  EXPECT_EQ(next, 0u);
  EXPECT_EQ(tliSwitchPoint(4, h).status().message(),
            "requested timeline 4 is not in this server's history");
  EXPECT_TRUE(tliInHistory(1, h));
  EXPECT_FALSE(tliInHistory(4, h));
  EXPECT_EQ(HistoryWithoutFile(1),
            (TimeLineHistory{{1, InvalidXLogRecPtr, InvalidXLogRecPtr}}));
  EXPECT_EQ(*tliOfPointInHistory(12345, HistoryWithoutFile(1)), 1u);
  TimeLineHistory gap = {{3, kFork2, 0}, {1, 0, kFork1}};
  EXPECT_EQ(tliOfPointInHistory(kFork1, gap).status().message(),
            "timeline history was not contiguous");
}

TEST(TimelineHistoryTest, SkipsCommentsAndBlankLinesAndIgnoresTrailers) {
  absl::StatusOr<TimeLineHistory> h = ParseTimeLineHistory(
      2, "# made by hand\n\n   \n  1  0/300AB38 anything at all\n# end");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ((*h)[1], (TimeLineHistoryEntry{1, InvalidXLogRecPtr, kFork1}));
}

TEST(TimelineHistoryTest, ErrorsNameTheLine) {
  struct Case {
    TimeLineID target;
    const char* content;
    const char* message;
  };
  const Case kCases[] = {
      {2, "x\t0/1\treason\n",
       "syntax error in history file: x\t0/1\treason (line 1; Expected a "
       "numeric timeline ID.)"},
      {2, "# c\n1\tnowhere\n",
       "syntax error in history file: 1\tnowhere (line 2; Expected a "
       "write-ahead log switchpoint location.)"},
      {3, "2\t0/1\ta\n1\t0/2\tb\n",
       "invalid data in history file: 1\t0/2\tb (line 2; Timeline IDs must "
       "be in increasing sequence.)"},
      {2, "1\t0/1\ta\n2\t0/2\tb\n",
       "invalid data in history file \"00000002.history\" (Timeline IDs must "
       "be less than child timeline's ID.)"},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<TimeLineHistory> h = ParseTimeLineHistory(c.target, c.content);
    ASSERT_FALSE(h.ok()) << c.content;
    EXPECT_EQ(h.status().message(), c.message);
  }
}

TEST(TimelineHistoryTest, NewTimelineMustForkAfterTheRecoveryPoint) {
  TimeLineHistory h2 = *ParseTimeLineHistory(2, History2());
  // A standby that replayed TL1 up to the fork point may follow TL2.
  EXPECT_TRUE(CheckNewTimeLine(2, h2, 1, 1, kFork1).ok());
  // The old primary restarted after its shutdown checkpoint ended later
  // than the fork: PostgreSQL refuses (the fixture README's outcome).
  EXPECT_EQ(CheckNewTimeLine(2, h2, 1, 1, kFork1 + 0x78).message(),
            "new timeline 2 forked off current database system timeline 1 "
            "before current recovery point 0/300ABB0");
  TimeLineHistory other = *ParseTimeLineHistory(5, "4\t0/1\tx\n");
  EXPECT_EQ(CheckNewTimeLine(5, other, 1, 1, kFork1).message(),
            "new timeline 5 is not a child of database system timeline 1");
}

}  // namespace
}  // namespace replsim::wal
