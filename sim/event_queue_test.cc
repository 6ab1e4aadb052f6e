#include "sim/event_queue.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::sim {
namespace {

using os::Instant;
using os::Nanoseconds;

Instant At(int64_t ns) { return Instant::FromNanos(ns); }

TEST(EventQueueTest, RunsInTimeOrderAndAdvancesTheClock) {
  EventQueue q;
  std::vector<std::pair<int64_t, int>> ran;
  q.Schedule(At(30), [&] { ran.push_back({q.now().nanos(), 3}); });
  q.Schedule(At(10), [&] { ran.push_back({q.now().nanos(), 1}); });
  q.Schedule(At(20), [&] { ran.push_back({q.now().nanos(), 2}); });
  while (q.RunNext()) {
  }
  EXPECT_EQ(ran, (std::vector<std::pair<int64_t, int>>{{10, 1}, {20, 2}, {30, 3}}));
  EXPECT_EQ(q.now(), At(30));
  EXPECT_EQ(q.events_run(), 3u);
}

TEST(EventQueueTest, TiesRunFifoInSchedulingOrder) {
  EventQueue q;
  std::string order;
  for (char c : std::string("abcdefghij")) {
    q.Schedule(At(5), [&order, c] { order += c; });
  }
  while (q.RunNext()) {
  }
  EXPECT_EQ(order, "abcdefghij");
}

TEST(EventQueueTest, EventScheduledAtNowRunsAfterThoseAlreadyDue) {
  EventQueue q;
  std::string order;
  q.Schedule(At(5), [&] {
    order += "a";
    q.ScheduleAfter(Nanoseconds(0), [&] { order += "c"; });
  });
  q.Schedule(At(5), [&] { order += "b"; });
  while (q.RunNext()) {
  }
  EXPECT_EQ(order, "abc");
}

TEST(EventQueueTest, CancelPreventsTheEvent) {
  EventQueue q;
  int fired = 0;
  TimerId t = q.Schedule(At(10), [&] { ++fired; });
  EXPECT_TRUE(q.IsPending(t));
  EXPECT_TRUE(q.Cancel(t));
  EXPECT_FALSE(q.IsPending(t));
  EXPECT_FALSE(q.RunNext());
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(q.now(), At(0)) << "a cancelled event must not move the clock";
}

TEST(EventQueueTest, HandlesAreAlwaysSafe) {
  EventQueue q;
  EXPECT_FALSE(q.Cancel(TimerId()));  // default id
  TimerId t = q.Schedule(At(1), [] {});
  q.RunNext();
  EXPECT_FALSE(q.Cancel(t));  // already fired
  TimerId u = q.Schedule(At(2), [] {});
  EXPECT_TRUE(q.Cancel(u));
  EXPECT_FALSE(q.Cancel(u));  // twice
  // A new event reusing u's slot must not be cancellable through u.
  int fired = 0;
  TimerId v = q.Schedule(At(3), [&] { ++fired; });
  EXPECT_EQ(v.slot, u.slot);
  EXPECT_FALSE(q.Cancel(u));
  EXPECT_FALSE(q.Cancel(t));
  q.RunNext();
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(q.Cancel(TimerId{999, 1}));  // never-issued slot
}

TEST(EventQueueTest, CancelDestroysTheCallbackAtOnce) {
  EventQueue q;
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  TimerId t = q.Schedule(At(10), [p = std::move(owned)] {});
  EXPECT_FALSE(watch.expired());
  q.Cancel(t);
  EXPECT_TRUE(watch.expired());
}

TEST(EventQueueTest, ManyCancellationsCompactWithoutChangingOrder) {
  EventQueue q;
  std::vector<int> ran;
  std::vector<TimerId> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.push_back(q.Schedule(At(1000 - i), [&ran, i] { ran.push_back(i); }));
  }
  for (int i = 0; i < 1000; ++i) {
    if (i % 10 != 0) q.Cancel(ids[i]);
  }
  EXPECT_EQ(q.live_events(), 100u);
  while (q.RunNext()) {
  }
  ASSERT_EQ(ran.size(), 100u);
  for (size_t k = 0; k < ran.size(); ++k) EXPECT_EQ(ran[k], 990 - 10 * static_cast<int>(k));
}

TEST(EventQueueTest, PeekSkipsCancelledEvents) {
  EventQueue q;
  TimerId a = q.Schedule(At(5), [] {});
  q.Schedule(At(9), [] {});
  q.Cancel(a);
  Instant next;
  ASSERT_TRUE(q.PeekNextTime(&next));
  EXPECT_EQ(next, At(9));
}

TEST(EventQueueTest, SchedulingInThePastIsAProgrammerError) {
  EventQueue q;
  q.Schedule(At(10), [] {});
  q.RunNext();
  EXPECT_DEATH(q.Schedule(At(9), [] {}), "scheduled in the past");
}

}  // namespace
}  // namespace replsim::sim

namespace replsim::sim {
namespace {

TEST(EventQueueAdvanceTest, TimePassesWithNothingHappeningUpToTheNextEvent) {
  EventQueue q;
  std::vector<int64_t> ran_at;
  q.Schedule(os::Instant() + os::Milliseconds(10), [&] { ran_at.push_back(q.now().nanos()); });
  q.AdvanceTo(os::Instant() + os::Milliseconds(4));
  EXPECT_EQ(q.now(), os::Instant() + os::Milliseconds(4));
  q.ScheduleAfter(os::Milliseconds(1), [&] { ran_at.push_back(q.now().nanos()); });
  q.AdvanceTo(q.now());  // a no-op
  while (q.RunNext()) {
  }
  EXPECT_EQ(ran_at, (std::vector<int64_t>{5'000'000, 10'000'000}));
  EXPECT_DEATH(q.AdvanceTo(os::Instant() + os::Milliseconds(1)), "time runs forward");
  q.Schedule(os::Instant() + os::Milliseconds(20), [] {});
  EXPECT_DEATH(q.AdvanceTo(os::Instant() + os::Milliseconds(30)), "an event is due before");
}

}  // namespace
}  // namespace replsim::sim
