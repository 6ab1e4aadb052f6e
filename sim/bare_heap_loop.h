// File: sim/bare_heap_loop.h
//
// The floor every event-rate figure is compared with: BM_BareHeapLoop, a
// std::push_heap/pop_heap loop over (time, seq, actor) and nothing else,
// kActors timers each rescheduling itself after a delay from a fixed table.
// Linked (alwayslink) into each benchmark binary that reports a fraction of
// it, so the ratio is read from one run of one binary on one machine state:
// //sim:kernel_benchmark, //tools:sweep_benchmark.
#ifndef REPLSIM_SIM_BARE_HEAP_LOOP_H_
#define REPLSIM_SIM_BARE_HEAP_LOOP_H_

#include <array>
#include <cstdint>

namespace replsim::sim::bench {

constexpr int kActors = 64;
constexpr int kEventsPerIteration = 1 << 16;

// 256 delays in [1, 10^6] ns from Rng(1).
const std::array<int64_t, 256>& Delays();

// The registered benchmark's name.
constexpr const char* kBareHeapLoop = "BM_BareHeapLoop";

}  // namespace replsim::sim::bench

#endif  // REPLSIM_SIM_BARE_HEAP_LOOP_H_
