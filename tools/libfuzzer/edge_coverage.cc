// gcc's trace-pc callback as libFuzzer's inline 8-bit counters
// (edge_coverage.h). Nothing here is itself instrumented: this package is
// outside the instrumented directories.
#include "tools/libfuzzer/edge_coverage.h"

#include <cstring>

extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t* start, uint8_t* stop);

namespace replsim::tools::libfuzzer {
namespace {

constexpr size_t kEdgeBits = 16;      // 64 Ki edge counters
constexpr size_t kFeatureBits = 14;   // 16 Ki feature counters

// Page-aligned: libFuzzer scans its counter regions page by page.
alignas(4096) uint8_t edge_counters[size_t{1} << kEdgeBits];
alignas(4096) uint8_t feature_counters[size_t{1} << kFeatureBits];
uintptr_t previous_block = 0;
uint64_t blocks_entered = 0;
uint8_t edges_seen[size_t{1} << kEdgeBits];  // sticky, for EdgesSeen()

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

void RegisterCoverageCounters() {
  __sanitizer_cov_8bit_counters_init(edge_counters, edge_counters + sizeof edge_counters);
  __sanitizer_cov_8bit_counters_init(feature_counters,
                                     feature_counters + sizeof feature_counters);
}

void ResetEdgeHistory() { previous_block = 0; }

void NoteFeature(uint64_t key) {
  ++feature_counters[Mix(key) & (sizeof feature_counters - 1)];
}

uint64_t BlocksEntered() { return blocks_entered; }

size_t EdgesSeen() {
  for (size_t i = 0; i < sizeof edge_counters; ++i) edges_seen[i] |= edge_counters[i] != 0;
  size_t n = 0;
  for (uint8_t e : edges_seen) n += e;
  return n;
}

}  // namespace replsim::tools::libfuzzer

// Called by gcc's instrumentation at every basic block. The block is known
// by its return address; the edge (previous, this) indexes the counters,
// with the previous block shifted so that A->B and B->A differ (AFL).
extern "C" __attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_pc() {
  using namespace replsim::tools::libfuzzer;
  const uintptr_t block =
      Mix(reinterpret_cast<uintptr_t>(__builtin_return_address(0))) & (sizeof edge_counters - 1);
  ++edge_counters[block ^ previous_block];
  previous_block = block >> 1;
  ++blocks_entered;
}
