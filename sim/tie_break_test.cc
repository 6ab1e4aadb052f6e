// Same-time events under each tie-break mode: lanes stay FIFO inside, the
// order between lanes is the mode's, and every mode is a function of the seed.
#include "sim/tie_break.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "sim/event_queue.h"

namespace replsim::sim {
namespace {

os::Instant At(int64_t ns) { return os::Instant::FromNanos(ns); }

// Three lanes each schedule "<lane><i>" for i = 0..2 at t=5, interleaved;
// the kernel lane adds "k0", "k1". Returns the order they ran in.
std::string RunTies(TieBreakConfig config, uint64_t seed, TieBreakStats* stats = nullptr) {
  EventQueue q;
  Rng rng = Rng::ForStream(seed, "scheduler/tiebreak");
  q.SetTieBreak(config, &rng);
  std::string order;
  for (int i = 0; i < 3; ++i) {
    for (Lane lane : {1u, 2u, 3u}) {
      q.Schedule(
          At(5),
          [&order, lane, i] {
            order += static_cast<char>('a' + lane - 1);
            order += static_cast<char>('0' + i);
          },
          lane);
    }
    if (i < 2) q.Schedule(At(5), [&order, i] { order += "k" + std::to_string(i); });
  }
  q.Schedule(At(6), [&order] { order += "|"; });
  while (q.RunNext()) {
  }
  if (stats != nullptr) *stats = q.tie_break_stats();
  return order;
}

// Whether each lane's events ran in the order they were scheduled.
bool LanesInOrder(const std::string& order) {
  for (char lane : std::string("abck")) {
    char next = '0';
    for (size_t i = 0; i + 1 < order.size(); i += 2) {
      if (order[i] != lane) continue;
      if (order[i + 1] != next) return false;
      ++next;
    }
  }
  return true;
}

TEST(TieBreakTest, FifoRunsInSchedulingOrderAndDrawsNothing) {
  TieBreakStats st;
  EXPECT_EQ(RunTies({}, 1, &st), "a0b0c0k0a1b1c1k1a2b2c2|");
  EXPECT_EQ(st.reordered, 0u);
}

TEST(TieBreakTest, RandomKeepsEachLaneFifoAndPermutesLanesPerSeed) {
  std::set<std::string> orders;
  TieBreakConfig c{.mode = TieBreakMode::kRandom};
  uint64_t reordered = 0;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    TieBreakStats st;
    const std::string o = RunTies(c, seed, &st);
    EXPECT_TRUE(LanesInOrder(o)) << o;
    EXPECT_EQ(o.back(), '|') << "a later instant runs after every tie: " << o;
    EXPECT_EQ(o, RunTies(c, seed)) << "seed " << seed;
    orders.insert(o);
    reordered += st.reordered;
  }
  EXPECT_GT(orders.size(), 40u);
  EXPECT_GT(reordered, 0u);
}

TEST(TieBreakTest, PctRunsTheHighestPriorityLaneUntilAChangePoint) {
  // Depth 1: no change points, so one lane runs all its events before the
  // next lane starts (priorities fixed for the run).
  TieBreakConfig c{.mode = TieBreakMode::kPct, .pct_depth = 1};
  std::set<std::string> orders;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const std::string o = RunTies(c, seed);
    EXPECT_TRUE(LanesInOrder(o)) << o;
    // Each lane's events are contiguous.
    std::string lanes;
    for (size_t i = 0; i + 1 < o.size(); i += 2) {
      if (lanes.empty() || lanes.back() != o[i]) lanes += o[i];
    }
    EXPECT_EQ(lanes.size(), 4u) << o;
    EXPECT_EQ(o, RunTies(c, seed));
    orders.insert(o);
  }
  EXPECT_GT(orders.size(), 5u);
}

TEST(TieBreakTest, PctChangePointsLowerTheRunningLane) {
  // Depth 3 over a horizon of 2 decisions: both change points fall on the
  // first two decisions, so the first lane chosen is demoted at once.
  TieBreakConfig c{.mode = TieBreakMode::kPct, .pct_depth = 3, .pct_horizon = 2};
  uint64_t changes = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TieBreakStats st;
    const std::string o = RunTies(c, seed, &st);
    EXPECT_TRUE(LanesInOrder(o)) << o;
    changes += st.priority_changes;
  }
  EXPECT_GE(changes, 20u);
}

}  // namespace
}  // namespace replsim::sim
