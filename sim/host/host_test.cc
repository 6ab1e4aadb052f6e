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
  Rng rng(1);
  EXPECT_EQ(s.TakeNext(rng), Signal::kSIGUSR1);
  EXPECT_EQ(s.TakeNext(rng), std::nullopt);
}

TEST(SignalStateTest, DispositionsAndDefaults) {
  SignalState s;
  EXPECT_EQ(s.action(Signal::kSIGCHLD), SignalState::Action::kIgnore);
  EXPECT_EQ(s.action(Signal::kSIGTERM), SignalState::Action::kTerminate);
  s.Ignore(Signal::kSIGPIPE);
  EXPECT_EQ(s.Raise(Signal::kSIGPIPE), SignalState::RaiseResult::kIgnored);
  EXPECT_FALSE(s.any_pending());
}

TEST(SignalStateTest, DeliveryOrderIsDrawnFromTheStream) {
  bool usr1_first = false, chld_first = false;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    SignalState s;
    s.SetHandler(Signal::kSIGCHLD, [] {});
    s.SetHandler(Signal::kSIGUSR1, [] {});
    s.Raise(Signal::kSIGCHLD);
    s.Raise(Signal::kSIGUSR1);
    Rng rng(seed);
    Signal first = *s.TakeNext(rng);
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
