// CPU time, same-time tie-breaking and signal order in bundled scenarios:
// every mode is a pure function of the seed, and each mechanism happens in
// some seeds (the counts are RunReport::sched, which nothing traces).
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

Scenario Load(const char* file) {
  auto s = LoadScenarioFile(std::string("scenarios/") + file + ".textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

// The scenario with CPU time and random tie-breaking (the defaults), said
// explicitly.
Scenario LoadBusy(const char* file) {
  Scenario s = Load(file);
  s.mutable_scheduler()->set_cpu_time(true);
  s.mutable_scheduler()->set_mode(Scheduler::RANDOM);
  return s;
}

RunReport RunSeed(const Scenario& s, uint64_t seed, const char* profile = "") {
  RunOptions o;
  o.profile = profile;
  auto r = RunScenario(s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

// Every mode: the same seed twice gives the same fingerprint and unseed, and
// the modes give different runs of one seed.
TEST(SchedulingTest, EveryModeIsDeterministicAndTheyDiffer) {
  const Scenario base = Load("clean_switchover");
  struct Mode {
    const char* name;
    void (*set)(Scheduler&);
    bool must_differ;  // from every other such mode, on every seed
  };
  const Mode modes[] = {
      {"default (RANDOM, CPU time)", [](Scheduler&) {}, true},
      {"FIFO, no CPU time",
       [](Scheduler& k) {
         k.set_mode(Scheduler::FIFO);
         k.set_cpu_time(false);
       },
       true},
      {"RANDOM, no CPU time",
       [](Scheduler& k) {
         k.set_mode(Scheduler::RANDOM);
         k.set_cpu_time(false);
       },
       true},
      {"FIFO, CPU time", [](Scheduler& k) { k.set_mode(Scheduler::FIFO); }, true},
      {"PCT, CPU time",
       [](Scheduler& k) {
         k.set_mode(Scheduler::PCT);
         k.set_cpu_time(true);
       },
       true},
      // These change a run only where several processes want a core at once
      // or signals pile up, which a seed need not have.
      {"PCT depth 1, CPU time",
       [](Scheduler& k) {
         k.set_mode(Scheduler::PCT);
         k.set_depth(1);
         k.set_cpu_time(true);
       },
       false},
      {"1 core",
       [](Scheduler& k) {
         k.set_cpu_time(true);
         k.set_cores(1);
       },
       false},
      {"random signal order",
       [](Scheduler& k) {
         k.set_cpu_time(true);
         k.set_random_signal_order(true);
       },
       false},
  };
  for (uint64_t seed : {3, 17}) {
    std::set<uint64_t> fingerprints;
    for (const Mode& m : modes) {
      Scenario s = base;
      m.set(*s.mutable_scheduler());
      const RunReport a = RunSeed(s, seed, "pg-15");
      RunSeed(s, seed + 100, "pg-15");  // something else in between
      const RunReport b = RunSeed(s, seed, "pg-15");
      EXPECT_EQ(a.fingerprint, b.fingerprint) << m.name << " seed " << seed;
      EXPECT_EQ(a.unseed, b.unseed) << m.name << " seed " << seed;
      if (m.must_differ) {
        EXPECT_TRUE(fingerprints.insert(a.fingerprint).second) << m.name << " seed " << seed;
      }
    }
  }
}

// A scenario that says nothing about scheduling runs RANDOM tie-breaking
// with CPU time: the same run as one that asks for them.
TEST(SchedulingTest, TheDefaultIsRandomWithCpuTime) {
  const Scenario base = Load("clean_switchover");
  Scenario explicit_default = base;
  explicit_default.mutable_scheduler()->set_mode(Scheduler::RANDOM);
  explicit_default.mutable_scheduler()->set_cpu_time(true);
  Scenario fifo = base;
  fifo.mutable_scheduler()->set_mode(Scheduler::FIFO);
  fifo.mutable_scheduler()->set_cpu_time(false);
  for (uint64_t seed : {1, 2, 3}) {
    const RunReport d = RunSeed(base, seed);
    EXPECT_EQ(d.fingerprint, RunSeed(explicit_default, seed).fingerprint) << seed;
    EXPECT_NE(d.fingerprint, RunSeed(fifo, seed).fingerprint) << seed;
  }
}

// Tie-breaking happens: same-time events of different processes run in
// another order than FIFO's, and FIFO never reorders.
TEST(SchedulingTest, TiesBetweenProcessesAreReordered) {
  Scenario s = LoadBusy("walsnd_shutdown_drops_tail");
  uint64_t decisions = 0, reordered = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = RunSeed(s, seed);
    decisions += r.sched.tie_break.decisions;
    reordered += r.sched.tie_break.reordered;
  }
  EXPECT_GT(reordered, 0u);
  EXPECT_LT(reordered, decisions);
  s.mutable_scheduler()->set_mode(Scheduler::FIFO);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    EXPECT_EQ(RunSeed(s, seed).sched.tie_break.reordered, 0u);
  }
}

// PCT reaches its priority change points.
TEST(SchedulingTest, PctChangesPriorities) {
  Scenario s = LoadBusy("walsnd_shutdown_drops_tail");
  s.mutable_scheduler()->set_mode(Scheduler::PCT);
  uint64_t changes = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed)
    changes += RunSeed(s, seed).sched.tie_break.priority_changes;
  EXPECT_GT(changes, 0u);
}

// A busy host makes woken processes wait for a core; with more cores they
// wait less, and without CPU time never.
TEST(SchedulingTest, ProcessesWaitForACore) {
  Scenario s = LoadBusy("walsnd_shutdown_drops_tail");
  auto waited = [&](uint32_t cores) {
    Scenario t = s;
    t.mutable_scheduler()->set_cores(cores);
    uint64_t n = 0;
    for (uint64_t seed = 1; seed <= 3; ++seed) n += RunSeed(t, seed).sched.cpu.waited;
    return n;
  };
  const uint64_t one = waited(1);
  EXPECT_GT(one, 0u);
  EXPECT_GT(one, waited(8));
  s.mutable_scheduler()->set_cpu_time(false);
  EXPECT_EQ(RunSeed(s, 1).sched.cpu.bursts, 0u);
}

// Two or more signals pending together at one process happen in some seeds
// of a bundled scenario (with CPU time a process is not always resumed
// between two signals), and so does a child's SIGCHLD arriving while its
// parent has another signal pending.
TEST(SchedulingTest, SignalsPendTogetherInSomeSeeds) {
  const Scenario s = LoadBusy("clean_switchover");
  uint64_t together = 0, joins = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const RunReport r = RunSeed(s, seed, "pg-15");
    together += r.sched.cluster.signals_pending_together;
    joins += r.sched.cluster.sigchld_joins_pending;
  }
  EXPECT_GT(together, 0u);
  EXPECT_GT(joins, 0u);
}

}  // namespace
}  // namespace replsim::scenarios
