// How often the scheduling mechanisms (sim/cpu.h, sim/tie_break.h, signal
// order) and the injected faults come into play: runs N seeds of every
// scenario file given, under its own profile and scheduler or an override,
// and prints one row per scenario, each column an average per seed: events,
// tie decisions and reorderings, resumptions that waited for a core,
// signals pending together, SIGCHLDs joining another pending signal, faults
// injected (fault_* events, host pauses, clock steps, SIGSTOPs); then the
// failing seeds and the first failing seed. Not a test:
//   bazel run -c opt //tools:sched_stats -- --seeds=2000 [--mode=FIFO|RANDOM|PCT]
//       [--cpu_time=on|off] [--profile=P] scenarios/*.textproto
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
  std::string cpu;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (absl::StartsWith(a, "--seeds=")) {
      if (!absl::SimpleAtoi(a.substr(8), &seeds)) return 4;
    } else if (absl::StartsWith(a, "--mode=")) {
      mode = a.substr(7);
    } else if (absl::StartsWith(a, "--profile=")) {
      profile = a.substr(10);
    } else if (a == "--cpu_time" || a == "--cpu_time=on" || a == "--cpu_time=off") {
      cpu = a == "--cpu_time=off" ? "off" : "on";
    } else {
      files.push_back(a);
    }
  }
  std::printf("%-34s %-10s %8s %8s %8s %8s %8s %8s %8s %7s %7s\n", "scenario", "mode", "events",
              "ties", "reorder", "cpuwait", "sigs2", "chldjoin", "faults", "failing", "first");
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
    if (!cpu.empty()) s->mutable_scheduler()->set_cpu_time(cpu == "on");
    uint64_t events = 0, ties = 0, reord = 0, waited = 0, sigs = 0, chld = 0, faults = 0,
             failing = 0, first = 0;
    scenarios::RunOptions o;
    o.profile = profile;
    o.fingerprint = false;
    o.sink = [&faults](const sim::TraceEvent& e) {
      const sim::TraceField* sig = e.Find("signal");
      if (absl::StartsWith(e.kind, "fault_") || e.kind == "host_pause" ||
          e.kind == "clock_step" ||
          (e.kind == "signal_sent" && sig != nullptr && sig->s == "SIGSTOP")) {
        ++faults;
      }
    };
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
    const scenarios::Scheduler& k = s->scheduler();
    const std::string mode_name =
        (k.mode() == 0 ? std::string("RANDOM") : scenarios::Scheduler::Mode_Name(k.mode())) +
        (!k.has_cpu_time() || k.cpu_time() ? "+cpu" : "");
    std::printf("%-34s %-10s %8.0f %8.1f %8.1f %8.1f %8.3f %8.3f %8.3f %7llu %7llu\n",
                s->name().c_str(), mode_name.c_str(), per(events), per(ties), per(reord),
                per(waited), per(sigs), per(chld), per(faults),
                static_cast<unsigned long long>(failing), static_cast<unsigned long long>(first));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) { return replsim::tools::Main(argc, argv); }
