// Tests for signal pending bits and dispositions, and host clocks.
#include "sim/host/host.h"

#include "gtest/gtest.h"
#include "sim/host/signals.h"

namespace replsim::sim::host {
namespace {

using os::Signal;

TEST(SignalStateTest, PendingSignalsCoalesce) {
  SignalState s;
  s.SetHandler(Signal::kSIGUSR1, [] {});
  EXPECT_EQ(s.Raise(Signal::kSIGUSR1), SignalState::RaiseResult::kPending);
  EXPECT_EQ(s.Raise(Signal::kSIGUSR1), SignalState::RaiseResult::kCoalesced);
  EXPECT_EQ(s.TakeNext(nullptr), Signal::kSIGUSR1);
  EXPECT_EQ(s.TakeNext(nullptr), std::nullopt);
}

TEST(SignalStateTest, DispositionsAndDefaults) {
  SignalState s;
  EXPECT_EQ(s.action(Signal::kSIGCHLD), SignalState::Action::kIgnore);
  EXPECT_EQ(s.action(Signal::kSIGTERM), SignalState::Action::kTerminate);
  s.Ignore(Signal::kSIGPIPE);
  EXPECT_EQ(s.Raise(Signal::kSIGPIPE), SignalState::RaiseResult::kIgnored);
  EXPECT_FALSE(s.any_pending());
}

TEST(SignalStateTest, SeveralPendingAreTakenLowestNumberFirstAsOnLinux) {
  SignalState s;
  for (Signal sig : {Signal::kSIGCHLD, Signal::kSIGTERM, Signal::kSIGUSR1, Signal::kSIGHUP}) {
    s.SetHandler(sig, [] {});
    s.Raise(sig);
  }
  EXPECT_EQ(s.deliverable_count(), 4);
  s.Block(Signal::kSIGHUP);
  EXPECT_EQ(s.deliverable_count(), 3);
  EXPECT_EQ(s.TakeNext(nullptr), Signal::kSIGUSR1);
  EXPECT_EQ(s.TakeNext(nullptr), Signal::kSIGTERM);
  EXPECT_EQ(s.TakeNext(nullptr), Signal::kSIGCHLD);
  EXPECT_EQ(s.TakeNext(nullptr), std::nullopt);  // SIGHUP stays blocked
  s.Unblock(Signal::kSIGHUP);
  EXPECT_EQ(s.TakeNext(nullptr), Signal::kSIGHUP);
}

TEST(SignalStateTest, RandomOrderIsDrawnFromTheStream) {
  bool usr1_first = false, chld_first = false;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    SignalState s;
    s.SetHandler(Signal::kSIGCHLD, [] {});
    s.SetHandler(Signal::kSIGUSR1, [] {});
    s.Raise(Signal::kSIGCHLD);
    s.Raise(Signal::kSIGUSR1);
    Rng rng(seed);
    Signal first = *s.TakeNext(&rng);
    (first == Signal::kSIGUSR1 ? usr1_first : chld_first) = true;
  }
  EXPECT_TRUE(usr1_first);
  EXPECT_TRUE(chld_first);
}

TEST(HostTest, WallClockHasOffsetAndDrift) {
  World w(1);
  Host fast(w, "fast", {.clock_offset = os::Seconds(2), .drift_ppm = 100});
  Host exact(w, "exact");
  w.queue().ScheduleAfter(os::Seconds(1000), [] {});
  w.Run();
  EXPECT_EQ(exact.Monotonic(), os::Instant() + os::Seconds(1000));
  EXPECT_EQ(fast.Monotonic(), os::Instant() + os::Seconds(1000) + os::Milliseconds(100));
  EXPECT_EQ(fast.WallClockMicros() - exact.WallClockMicros(), 2100000);
}

}  // namespace
}  // namespace replsim::sim::host
