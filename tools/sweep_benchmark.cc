// Scenario throughput on one core: clean_switchover seeds per second, per
// profile, run the way a sweep runs them (no trace kept). Peak RSS is the
// process's (getrusage), reported after the runs so growth with the number
// of seeds shows up between Arg values.
//   bazel run --config=fast //tools:sweep_benchmark -- --benchmark_min_time=5
// (--config=fast: -O3 and link-time optimisation, .bazelrc)
#include <sys/resource.h>

#include <string>

#include "benchmark/benchmark.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::tools {
namespace {

void RunSeeds(benchmark::State& state, const char* profile) {
  auto s = scenarios::LoadScenarioFile("scenarios/clean_switchover.textproto");
  if (!s.ok()) {
    state.SkipWithError(std::string(s.status().message()).c_str());
    return;
  }
  scenarios::RunOptions o;
  o.profile = profile;
  o.fingerprint = false;  // as a sweep runs a seed that passes
  uint64_t seed = 1;
  for (auto _ : state) {
    auto r = scenarios::RunScenario(*s, seed++, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_mib"] = ru.ru_maxrss / 1024.0;
}

void BM_CleanSwitchoverPg93beta2(benchmark::State& s) { RunSeeds(s, "pg-9.3beta2"); }
void BM_CleanSwitchoverPg15(benchmark::State& s) { RunSeeds(s, "pg-15"); }
BENCHMARK(BM_CleanSwitchoverPg93beta2);
BENCHMARK(BM_CleanSwitchoverPg15);

}  // namespace
}  // namespace replsim::tools
