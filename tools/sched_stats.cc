// How often the scheduling mechanisms (sim/cpu.h, sim/tie_break.h, signal
// order) come into play: runs N seeds of every scenario file given, under its
// own profile and mode or an override, and prints one row per scenario:
// events per seed, tie decisions and reorderings, resumptions that waited for
// a core, signals pending together, SIGCHLDs joining another pending signal,
// failing seeds and the first failing seed. Not a test:
//   bazel run -c opt //tools:sched_stats -- --seeds=2000 [--mode=FIFO|RANDOM|PCT]
//       [--cpu_time] [--profile=P] scenarios/*.textproto
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::tools {
namespace {

int Main(int argc, char** argv) {
  uint64_t seeds = 2000;
  std::string mode, profile;
  bool cpu = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (absl::StartsWith(a, "--seeds=")) {
      if (!absl::SimpleAtoi(a.substr(8), &seeds)) return 4;
    } else if (absl::StartsWith(a, "--mode=")) {
      mode = a.substr(7);
    } else if (absl::StartsWith(a, "--profile=")) {
      profile = a.substr(10);
    } else if (a == "--cpu_time") {
      cpu = true;
    } else {
      files.push_back(a);
    }
  }
  std::printf("%-28s %-6s %9s %9s %9s %9s %9s %9s %7s %7s\n", "scenario", "mode", "events/s",
              "ties/s", "reord/s", "cpuwait/s", "sigs2/s", "chldjoin", "failing", "first");
  for (const std::string& f : files) {
    auto s = scenarios::LoadScenarioFile(f);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
      return 4;
    }
    scenarios::Scheduler::Mode m;
    if (!mode.empty() && scenarios::Scheduler::Mode_Parse(mode, &m)) {
      s->mutable_scheduler()->set_mode(m);
    }
    if (cpu) s->mutable_scheduler()->set_cpu_time(true);
    scenarios::RunOptions o;
    o.profile = profile;
    o.fingerprint = false;
    uint64_t events = 0, ties = 0, reord = 0, waited = 0, sigs = 0, chld = 0, failing = 0,
             first = 0;
    for (uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = scenarios::RunScenario(*s, seed, o);
      if (!r.ok()) return 4;
      events += r->events;
      ties += r->sched.tie_break.decisions;
      reord += r->sched.tie_break.reordered;
      waited += r->sched.cpu.waited;
      sigs += r->sched.cluster.signals_pending_together;
      chld += r->sched.cluster.sigchld_joins_pending;
      if (r->first_violation() != nullptr) {
        if (failing++ == 0) first = seed;
      }
    }
    auto per = [&](uint64_t x) { return static_cast<double>(x) / seeds; };
    std::printf("%-28s %-6s %9.0f %9.1f %9.1f %9.1f %9.3f %9.3f %7llu %7llu\n", s->name().c_str(),
                s->scheduler().mode() == 0
                    ? "RANDOM"
                    : scenarios::Scheduler::Mode_Name(s->scheduler().mode()).c_str(),
                per(events), per(ties), per(reord), per(waited), per(sigs), per(chld),
                static_cast<unsigned long long>(failing), static_cast<unsigned long long>(first));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) { return replsim::tools::Main(argc, argv); }
