// Protocol-state coverage from trace events: each change of a node's
// postmaster, walsender, walreceiver or startup state is a state tuple, a
// fault counts with every node's postmaster state, and sets from several
// processes merge by union.
#include "scenarios/state_coverage.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::scenarios {
namespace {

sim::TraceEvent Event(const std::string& host, const std::string& process,
                      const std::string& kind, std::vector<sim::TraceField> fields = {},
                      int32_t pid = 0) {
  sim::TraceEvent e;
  e.host = host;
  e.process = process;
  e.kind = kind;
  e.fields = std::move(fields);
  e.pid = pid;
  return e;
}

sim::TraceField Str(const std::string& key, const std::string& v) {
  sim::TraceField f;
  f.key = key;
  f.type = sim::TraceField::Type::kString;
  f.s = v;
  return f;
}

sim::TraceField Int(const std::string& key, int64_t v) {
  sim::TraceField f;
  f.key = key;
  f.type = sim::TraceField::Type::kInt;
  f.i = v;
  return f;
}

sim::TraceEvent Log(const std::string& host, const std::string& process,
                    const std::string& message, int32_t pid = 0) {
  return Event(host, process, "log", {Str("kind", "LOG"), Str("message", message)}, pid);
}

TEST(StateCoverageTest, CountsNodeTuplesAndFaultPhases) {
  StateCoverage c;
  c.BeginRun();
  c.Observe(Event("primary", "postmaster", "process_start", {Int("pid", 2)}));
  c.Observe(Log("primary", "postmaster", "postmaster state: PM_INIT -> PM_STARTUP"));
  c.Observe(Log("primary", "postmaster", "postmaster state: PM_STARTUP -> PM_RUN"));
  c.Observe(Event("primary", "walsender", "process_start", {Int("pid", 9)}, 9));
  c.Observe(Log("primary", "walsender", "received replication command: START_REPLICATION 0/1",
                9));
  c.Observe(Log("primary", "walsender", "\"walreceiver\" has now caught up with upstream", 9));
  // Events that change no state add nothing.
  c.Observe(Event("primary", "walsender", "msg_sent", {}, 9));
  c.Observe(Log("primary", "postmaster", "database system is ready to accept connections"));
  // PM_INIT, PM_STARTUP, PM_RUN; then the walsender: startup, catchup, streaming.
  EXPECT_EQ(c.node_states(), 6u);
  EXPECT_TRUE(c.keys().count("node primary: PM_RUN | walsnd streaming | walrcv - | startup -"))
      << *c.keys().rbegin();
  // A kill step's signal to a walsender is a fault, counted with the phase.
  c.Observe(Event("primary", "operator", "signal_sent", {Int("pid", 9), Str("signal", "SIGTERM")}));
  EXPECT_EQ(c.fault_phases(), 1u);
  EXPECT_TRUE(c.keys().count("fault kill walsender SIGTERM@primary: primary PM_RUN"));
  // pg_ctl's requests to a postmaster are operations, not faults.
  c.Observe(Event("primary", "operator", "signal_sent", {Int("pid", 2), Str("signal", "SIGINT")}));
  EXPECT_EQ(c.fault_phases(), 1u);
  // A second run reaching the same states adds nothing; the new keys of the
  // first run were handed out once.
  EXPECT_EQ(c.TakeNew().size(), c.distinct());
  const size_t before = c.distinct();
  c.BeginRun();
  c.Observe(Event("primary", "postmaster", "process_start", {Int("pid", 2)}));
  c.Observe(Log("primary", "postmaster", "postmaster state: PM_INIT -> PM_STARTUP"));
  EXPECT_EQ(c.distinct(), before);
  EXPECT_TRUE(c.TakeNew().empty());
  // Merging another process's keys is a union.
  StateCoverage other;
  for (const std::string& k : c.keys()) other.Add(k);
  EXPECT_FALSE(other.Add(*c.keys().begin()));
  EXPECT_TRUE(other.Add("node standby: PM_HOT_STANDBY | walsnd - | walrcv streaming | startup stream"));
  EXPECT_EQ(other.distinct(), c.distinct() + 1);
  EXPECT_EQ(other.node_states(), c.node_states() + 1);
}

// The per-run hook a guided fuzzer counts features with: every key each run
// reaches, also those an earlier run reached (libFuzzer compares an input's
// features with its whole corpus itself, and clears them between inputs).
TEST(StateCoverageTest, TellsEveryKeyEachRunReaches) {
  StateCoverage c;
  std::vector<std::string> reached;
  c.set_on_reach([&](const std::string& key) { reached.push_back(key); });
  for (int run = 0; run < 2; ++run) {
    reached.clear();
    c.BeginRun();
    c.Observe(Event("primary", "postmaster", "process_start", {Int("pid", 2)}));
    c.Observe(Log("primary", "postmaster", "postmaster state: PM_INIT -> PM_STARTUP"));
    c.Observe(Event("primary", "walsender", "process_start", {Int("pid", 9)}, 9));
    c.Observe(Event("primary", "operator", "signal_sent", {Int("pid", 9), Str("signal", "SIGHUP")}));
    EXPECT_EQ(reached, (std::vector<std::string>{
                           "node primary: PM_INIT | walsnd - | walrcv - | startup -",
                           "node primary: PM_STARTUP | walsnd - | walrcv - | startup -",
                           "node primary: PM_STARTUP | walsnd startup | walrcv - | startup -",
                           "fault kill walsender SIGHUP@primary: primary PM_STARTUP"}))
        << "run " << run;
  }
  EXPECT_EQ(c.distinct(), 4u);
}

}  // namespace
}  // namespace replsim::scenarios
