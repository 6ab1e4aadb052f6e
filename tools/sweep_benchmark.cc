// Scenario throughput on one core: clean_switchover seeds per second, per
// profile, run the way a sweep runs them (no trace kept, no fingerprint).
// Beside seeds/s each row reports events per seed, simulated events per
// second of CPU time, and the process's peak RSS (getrusage, after the runs,
// so growth with the number of seeds shows up between runs). After the
// table, each row's events/s as a fraction of BM_BareHeapLoop's (the floor,
// sim/bare_heap_loop.h) measured in the same run of this binary, so the
// ratio holds on a busy machine:
//   bazel run //tools:sweep_benchmark                 (the default build)
//   bazel run --config=fast //tools:sweep_benchmark -- --benchmark_min_time=5
#include <sys/resource.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "sim/bare_heap_loop.h"

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
  uint64_t events = 0;
  for (auto _ : state) {
    auto r = scenarios::RunScenario(*s, seed++, o);
    if (r.ok()) events += r->events;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_seed"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_mib"] = ru.ru_maxrss / 1024.0;
}

void BM_CleanSwitchoverPg93beta2(benchmark::State& s) { RunSeeds(s, "pg-9.3beta2"); }
void BM_CleanSwitchoverPg15(benchmark::State& s) { RunSeeds(s, "pg-15"); }
BENCHMARK(BM_CleanSwitchoverPg93beta2);
BENCHMARK(BM_CleanSwitchoverPg15);

// The console table, and each run's events/s kept for the summary.
class FractionReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      const std::string name = r.benchmark_name();
      auto it = r.counters.find(name == sim::bench::kBareHeapLoop ? "items_per_second"
                                                                  : "events_per_s");
      if (it != r.counters.end()) events_per_s_[name] = it->second.value;
      auto e = r.counters.find("events_per_seed");
      if (e != r.counters.end()) events_per_seed_[name] = e->second.value;
    }
  }

  void PrintSummary() const {
    auto floor = events_per_s_.find(sim::bench::kBareHeapLoop);
    if (floor == events_per_s_.end() || floor->second <= 0) return;
    std::printf("\nevents/s as a fraction of %s's %.1f M events/s in this run:\n",
                sim::bench::kBareHeapLoop, floor->second / 1e6);
    for (const auto& [name, eps] : events_per_s_) {
      if (name == sim::bench::kBareHeapLoop) continue;
      auto e = events_per_seed_.find(name);
      std::printf("  %-32s %6.0f events/seed  %6.2f M events/s  %5.1f %%\n", name.c_str(),
                  e == events_per_seed_.end() ? 0.0 : e->second, eps / 1e6,
                  100.0 * eps / floor->second);
    }
  }

 private:
  std::map<std::string, double> events_per_s_, events_per_seed_;
};

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  replsim::tools::FractionReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
