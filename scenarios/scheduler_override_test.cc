// The --scheduler override: what it changes in a scenario's scheduler block,
// its one canonical spelling, and the errors for what it does not accept.
#include "scenarios/scheduler_override.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace replsim::scenarios {
namespace {

TEST(SchedulerOverrideTest, EmptyKeepsTheScenariosBlock) {
  Scheduler base;
  base.set_mode(Scheduler::PCT);
  base.set_depth(4);
  base.set_cpu_time(true);
  absl::StatusOr<Scheduler> k = ApplySchedulerOverride(base, "");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->mode(), Scheduler::PCT);
  EXPECT_EQ(k->depth(), 4u);
  EXPECT_TRUE(k->cpu_time());
}

TEST(SchedulerOverrideTest, ItemsOverrideOnlyWhatTheyName) {
  Scheduler base;
  base.set_mode(Scheduler::PCT);
  base.set_depth(4);
  base.set_cores(8);
  absl::StatusOr<Scheduler> k = ApplySchedulerOverride(base, "random,cpu_time=off");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->mode(), Scheduler::RANDOM);
  EXPECT_EQ(k->depth(), 0u);  // a PCT depth means nothing under RANDOM
  EXPECT_TRUE(k->has_cpu_time());
  EXPECT_FALSE(k->cpu_time());
  EXPECT_EQ(k->cores(), 8u);
  k = ApplySchedulerOverride(base, "pct:7,cores=3,signals=random");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->mode(), Scheduler::PCT);
  EXPECT_EQ(k->depth(), 7u);
  EXPECT_EQ(k->cores(), 3u);
  EXPECT_TRUE(k->random_signal_order());
}

TEST(SchedulerOverrideTest, OneSpellingPerOverride) {
  EXPECT_EQ(*CanonicalSchedulerOverride(""), "");
  EXPECT_EQ(*CanonicalSchedulerOverride("cpu_time=on,pct:2"), "pct:2,cpu_time=on");
  EXPECT_EQ(*CanonicalSchedulerOverride("signals=linux,cores=4,fifo"),
            "fifo,cores=4,signals=linux");
}

TEST(SchedulerOverrideTest, BadItemsSayWhatWasExpected) {
  struct Case {
    const char* spec;
    const char* message;
  } cases[] = {
      {"sideways", "\"sideways\": expected one of fifo, random, pct"},
      {"pct:0", "pct:DEPTH with DEPTH 1..10"},
      {"pct:11", "pct:DEPTH with DEPTH 1..10"},
      {"fifo,random", "each item at most once"},
      {"cpu_time=maybe", "cpu_time=on or cpu_time=off"},
      {"cores=0", "cores=N with N 1..64"},
      {"signals=alphabetical", "signals=random or signals=linux"},
      {"random=1", "fifo, random, pct or pct:DEPTH"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Scheduler> k = ApplySchedulerOverride(Scheduler(), c.spec);
    ASSERT_FALSE(k.ok()) << c.spec;
    EXPECT_TRUE(absl::StrContains(k.status().message(), c.message))
        << c.spec << ": " << k.status().message();
    EXPECT_FALSE(CanonicalSchedulerOverride(c.spec).ok()) << c.spec;
  }
}

}  // namespace
}  // namespace replsim::scenarios
