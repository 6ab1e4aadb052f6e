// Kernel throughput, next to a bare binary-heap event loop in the same binary,
// so the ratio is read from one run:
//   bazel run --config=fast //sim:kernel_benchmark
// Each benchmark keeps kActors timers or processes alive, each rescheduling
// itself after a delay taken from a fixed table; items_per_second is events/s.
#include <array>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "sim/bare_heap_loop.h"
#include "sim/event_queue.h"
#include "sim/executor.h"
#include "sim/world.h"

namespace replsim::sim {
namespace {

using bench::kActors;
using bench::kEventsPerIteration;
const std::array<int64_t, 256>& kDelays = bench::Delays();

// BM_BareHeapLoop, the floor, is sim/bare_heap_loop.cc's.

// EventQueue with cancellable, callback-carrying timers.
void BM_KernelTimerEvents(benchmark::State& state) {
  EventQueue q;
  uint64_t k = 0;
  int64_t sum = 0;
  struct Actor {
    EventQueue* q;
    uint64_t* k;
    int64_t* sum;
    int id;
    void Arm() {
      q->ScheduleAfter(os::Nanoseconds(kDelays[(*k)++ & 255]), [this] {
        *sum += id;
        Arm();
      });
    }
  };
  std::vector<Actor> actors;
  actors.reserve(kActors);
  for (int a = 0; a < kActors; ++a) actors.push_back({&q, &k, &sum, a});
  for (Actor& a : actors) a.Arm();
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) q.RunNext();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
}
BENCHMARK(BM_KernelTimerEvents);

// Coroutine processes: each event is one resume of a process suspended in
// co_await ctx.Sleep(...).
void BM_CoroutineSleepResume(benchmark::State& state) {
  World w(1);
  uint64_t k = 0;
  for (int a = 0; a < kActors; ++a) {
    w.executor().Spawn("p", [&k](ProcessContext& ctx) -> os::Task<> {
      for (;;) co_await ctx.Sleep(os::Nanoseconds(kDelays[k++ & 255]));
    });
  }
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) w.queue().RunNext();
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
}
BENCHMARK(BM_CoroutineSleepResume);

// Two processes handing a token back and forth through Events (latch-like
// wake-ups): each event is a wake + resume.
void BM_CoroutineEventPingPong(benchmark::State& state) {
  World w(1);
  Event ping, pong;
  w.executor().Spawn("a", [&](ProcessContext& ctx) -> os::Task<> {
    for (;;) {
      ping.Set();
      co_await ctx.Wait(pong);
      pong.Reset();
    }
  });
  w.executor().Spawn("b", [&](ProcessContext& ctx) -> os::Task<> {
    for (;;) {
      co_await ctx.Wait(ping);
      ping.Reset();
      pong.Set();
    }
  });
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) w.queue().RunNext();
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
}
BENCHMARK(BM_CoroutineEventPingPong);

}  // namespace
}  // namespace replsim::sim
