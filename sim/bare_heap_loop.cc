#include "sim/bare_heap_loop.h"

#include <algorithm>
#include <vector>

#include "benchmark/benchmark.h"
#include "sim/rng.h"

namespace replsim::sim::bench {

const std::array<int64_t, 256>& Delays() {
  static const std::array<int64_t, 256> d = [] {
    std::array<int64_t, 256> d{};
    Rng r(1);
    for (int64_t& x : d) x = 1 + static_cast<int64_t>(r.Below(1000000));
    return d;
  }();
  return d;
}

namespace {

void BM_BareHeapLoop(benchmark::State& state) {
  struct E {
    int64_t t;
    uint64_t seq;
    int actor;
  };
  auto later = [](const E& a, const E& b) {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  };
  const std::array<int64_t, 256>& delays = Delays();
  std::vector<E> heap;
  uint64_t seq = 0;
  for (int a = 0; a < kActors; ++a) heap.push_back({delays[a], seq++, a});
  std::make_heap(heap.begin(), heap.end(), later);
  uint64_t k = 0;
  int64_t sum = 0;
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) {
      std::pop_heap(heap.begin(), heap.end(), later);
      E e = heap.back();
      heap.pop_back();
      sum += e.actor;
      heap.push_back({e.t + delays[k++ & 255], seq++, e.actor});
      std::push_heap(heap.begin(), heap.end(), later);
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
}
BENCHMARK(BM_BareHeapLoop);

}  // namespace
}  // namespace replsim::sim::bench
