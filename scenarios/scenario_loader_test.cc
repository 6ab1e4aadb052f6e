#include "scenarios/scenario_loader.h"

#include <string>

#include "gtest/gtest.h"
#include "scenarios/loader_test_cases.h"

namespace replsim::scenarios {
namespace {

TEST(ScenarioLoaderTest, BundledCleanSwitchoverLoads) {
  auto s = LoadScenarioFile("scenarios/clean_switchover.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->name(), "clean_switchover");
  EXPECT_EQ(s->profile(), "pg-9.3beta2");
  EXPECT_EQ(s->nodes_size(), 2);
  ASSERT_EQ(s->expect_size(), 3);
  EXPECT_TRUE(s->expect(0).violations_expected());
  EXPECT_EQ(s->expect(1).profile(), "pg-9.3.0");
}

TEST(ScenarioLoaderTest, BadInputNamesFileLineColumnAndWhatWasExpected) {
  ASSERT_TRUE(ParseScenario(kGood, "t.textproto").ok());
  const BadCase kCases[] = {
      {"name: \"t\"\nprofile: \"pg-9.9\"\n",
       "t.textproto:2:1: unknown profile \"pg-9.9\"; expected one of: pg-9.0.2, "
       "pg-9.0.3, pg-9.2.4, pg-9.2.5, pg-9.3beta2, pg-9.3.0, pg-9.3.4, pg-9.3.5, "
       "pg-9.4beta3, pg-9.4.0, pg-9.4.7, pg-9.4.8, pg-15"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodez { }\n",
       "t.textproto:3:7: Message type \"replsim.scenarios.Scenario\" has no field "
       "named \"nodez\"."},
      {std::string(kGood) + "steps { stop { node: \"q\" mode: FAST } }\n",
       "t.textproto:6:1: unknown node \"q\""},
      {std::string(kGood) + "steps { stop { node: \"p\" } }\n",
       "t.textproto:6:9: expected mode: SMART, FAST or IMMEDIATE"},
      {std::string(kGood) + "steps { delay_ms { min: 5 max: 1 } start { node: \"p\" } }\n",
       "t.textproto:6:9: delay_ms: min 5 is greater than max 1"},
      {std::string(kGood) + "switches: \"985bd7d497=maybe\"\n",
       "t.textproto:6:1: bad switch override \"985bd7d497=maybe\"; expected "
       "COMMIT=on or COMMIT=off"},
      {std::string(kGood) + "default_seeds { first: 9 last: 1 }\n",
       "t.textproto:6:1: default_seeds: first 9 is greater than last 1"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY }\n"
       "nodes { name: \"s\" role: STANDBY upstream: \"x\" }\n",
       "t.textproto:4:33: unknown upstream \"x\""},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY slot_name: \"s\" }\n",
       "t.textproto:3:1: slot_name, create_slot and reconnect are for RECEIVEXLOG nodes"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY }\n"
       "nodes { name: \"a\" role: RECEIVEXLOG upstream: \"p\" create_slot: true }\n",
       "t.textproto:4:51: create_slot needs a slot_name"},
      {std::string(kGood) + "steps { disk_fault { node: \"s\" } }\n",
       "t.textproto:6:9: expected kind: FAIL_NEXT_FSYNC, FILL or FREE"},
      {std::string(kGood) + "steps { disk_fault { node: \"x\" kind: FILL } }\n",
       "t.textproto:6:1: unknown node \"x\""},
      {std::string(kGood) + "steps { drop_connections { node: \"x\" } }\n",
       "t.textproto:6:1: unknown node \"x\""},
      {std::string(kGood) +
           "steps { kill { node: \"s\" process: \"walreceiver\" signal: \"SIGFOO\" } }\n",
       "t.textproto:6:49: unknown signal \"SIGFOO\": expected SIGTERM, SIGKILL, SIGQUIT, "
       "SIGINT, SIGHUP, SIGUSR1, SIGUSR2, ..."},
      {std::string(kGood) + "steps { kill { node: \"s\" signal: \"SIGKILL\" } }\n",
       "t.textproto:6:9: expected process: a PostgreSQL process name (\"walreceiver\", "
       "\"postmaster\", ...)"},
      {std::string(kGood) + "faults { crash_sector_persist_percent { min: 5 max: 101 } }\n",
       "t.textproto:6:10: crash_sector_persist_percent: max is at most 100"},
      {std::string(kGood) + "faults { fsync_eio_per_million { min: 9 max: 1 } }\n",
       "t.textproto:6:10: fsync_eio_per_million: min 9 is greater than max 1"},
      {std::string(kGood) + "faults { packet_loss_per_million { min: 1 max: 1000001 } }\n",
       "t.textproto:6:10: packet_loss_per_million: max is at most 1000000"},
      {std::string(kGood) + "faults { latency_spike_per_million { min: 1 max: 10 } }\n",
       "t.textproto:6:10: latency_spike_per_million: expected latency_spike_ms too (a "
       "spike's extra delay, max at least 1)"},
      {std::string(kGood) + "faults { latency_spike_ms { min: 1 max: 10 } }\n",
       "t.textproto:6:10: latency_spike_ms: no spike happens without "
       "latency_spike_per_million (max at least 1)"},
      {std::string(kGood) + "workload { sessions: 1 row_bytes: 7 }\n",
       "t.textproto:6:24: row_bytes 7: expected 8..2008 (the two int4 columns at least; a "
       "longer row would be TOASTed, which replsim does not model)"},
      {std::string(kGood) + "workload { row_bytes: 2009 }\n",
       "t.textproto:6:12: row_bytes 2009: expected 8..2008 (the two int4 columns at least; "
       "a longer row would be TOASTed, which replsim does not model)"},
      // Settings are checked at load time, where they are.
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY\n"
       "  settings { name: \"wal_sender_timeot\" value: \"5s\" } }\n",
       "t.textproto:4:3: unrecognized configuration parameter \"wal_sender_timeot\""},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY }\n"
       "nodes { name: \"r\" role: RECEIVEXLOG upstream: \"p\"\n"
       "  settings { name: \"fsync\" value: \"on\" } }\n",
       "t.textproto:5:3: settings are server parameters; a RECEIVEXLOG node takes none"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY }\n"
       "nodes { name: \"s\" role: STANDBY upstream: \"s\" }\n",
       "t.textproto:4:33: upstream \"s\": expected another PRIMARY or STANDBY node"},
      // Steps that cannot be carried out are refused before anything runs.
      {std::string(kGood) + "steps { start { node: \"s\" } }\n",
       "t.textproto:6:17: start: \"s\" has no data directory yet; expected a base_backup "
       "step for it first"},
      {std::string(kGood) + "nodes { name: \"r\" role: RECEIVEXLOG upstream: \"p\" }\n"
                            "steps { promote { node: \"r\" } }\n",
       "t.textproto:7:19: promote: \"r\" is a RECEIVEXLOG node; expected a PRIMARY or STANDBY "
       "node"},
      // pg_ctl promote of a primary fails ("server is not in standby mode").
      {std::string(kGood) + "steps { promote { node: \"p\" } }\n",
       "t.textproto:6:19: promote: \"p\" is a primary at this step (a PRIMARY node); expected "
       "a standby: a STANDBY node, or one that base_backup or restart_as_standby made one"},
      {std::string(kGood) + "steps { base_backup { node: \"s\" upstream: \"p\" } }\n"
                            "steps { start { node: \"s\" } }\n"
                            "steps { promote { node: \"s\" } }\n"
                            "steps { promote { node: \"s\" } }\n",
       "t.textproto:9:19: promote: \"s\" is a primary at this step (step 4 promoted it); "
       "expected a standby: a STANDBY node, or one that base_backup or restart_as_standby "
       "made one"},
      {std::string(kGood) + "steps { base_backup { node: \"s\" upstream: \"s\" } }\n",
       "t.textproto:6:33: base_backup: \"s\" cannot be its own upstream"},
      {std::string(kGood) + "steps { kill { node: \"p\" process: \"walrcv\" signal: \"SIGTERM\" } }\n",
       "t.textproto:6:26: kill: no process \"walrcv\" in PostgreSQL; expected one of "
       "postmaster, startup, checkpointer, walreceiver, walsender, backend"},
      {std::string(kGood) + "steps { partition { a: \"p\" b: \"p\" } }\n",
       "t.textproto:6:28: partition: a and b are both \"p\"; expected two different hosts"},
      {std::string(kGood) + "steps { crash { node: \"p\" } }\nsteps { start { node: \"p\" } }\n",
       "t.textproto:7:17: start: the host of \"p\" crashed at step 2 without "
       "restart_after_ms and is still down"},
      {std::string(kGood) + "steps { wait_for_catch_up { node: \"p\" } }\n",
       "t.textproto:6:29: wait_for_catch_up: \"p\" has no upstream at this step (a primary, "
       "or promoted); expected a standby, or a restart_as_standby step first"},
      {std::string(kGood) + "faults { bandwidth_bytes_per_ms { min: 0 max: 10 } }\n",
       "t.textproto:6:10: bandwidth_bytes_per_ms: min 0 carries nothing; expected min at least "
       "1 (without bandwidth_bytes_per_ms: 50000..1000000)"},
      // A parameter the scenario's release, or an expectation row's, lacks.
      {"name: \"t\"\nprofile: \"pg-9.3.0\"\nnodes { name: \"p\" role: PRIMARY\n"
       "  settings { name: \"max_wal_size\" value: \"32MB\" } }\n",
       "t.textproto:4:3: pg-9.3.0: unrecognized configuration parameter \"max_wal_size\" "
       "(PostgreSQL 9.5 and later)"},
      {"name: \"t\"\nprofile: \"pg-9.3.0\"\nnodes { name: \"p\" role: PRIMARY\n"
       "  settings { name: \"checkpoint_segments\" value: \"1\" } }\n"
       "expect { profile: \"pg-15\" }\n",
       "t.textproto:4:3: pg-15: unrecognized configuration parameter \"checkpoint_segments\" "
       "(PostgreSQL up to 9.4)"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY\n"
       "  settings { name: \"synchronous_commit\" value: \"off\" } }\n",
       "t.textproto:4:3: synchronous_commit off is not modelled: asynchronous commit needs the "
       "WAL writer, which replsim does not run"},
      {"name: \"t\"\nprofile: \"pg-15\"\nnodes { name: \"p\" role: PRIMARY\n"
       "  settings { name: \"fsync\" value: \"off\" } }\n",
       "t.textproto:4:3: fsync off is not modelled: replsim's servers always fsync"},
      {std::string(kGood) + "invariants: INVARIANT_UNSPECIFIED\n",
       "t.textproto:6:1: invariants: INVARIANT_UNSPECIFIED names no invariant; expected one of "
       "CLEAN_SWITCHOVER, WAL_PREFIX, SYNC_COMMIT_DURABLE, LIVENESS, NO_PANIC, "
       "REPLAY_NOT_PAST_DURABLE, ONE_PING_OUTSTANDING, ARCHIVE_PREFIX"},
      {std::string(kGood) + "faults { fault_points: true }\n",
       "t.textproto:6:22: Message type \"replsim.scenarios.FaultModel\" has no field named "
       "\"fault_points\"."},
  };
  ExpectRefused(kCases);
}

TEST(ScenarioLoaderTest, APromoteFindsTheStandbyThePlanMadeOfANode) {
  // A switchover and back, and a primary rebuilt from a base backup: each
  // promote finds a standby.
  const std::string switchover = std::string(kGood) +
                                 "steps { base_backup { node: \"s\" upstream: \"p\" } }\n"
                                 "steps { start { node: \"s\" } }\n"
                                 "steps { stop { node: \"p\" mode: FAST } }\n"
                                 "steps { promote { node: \"s\" } }\n";
  for (const std::string& text :
       {switchover + "steps { restart_as_standby { node: \"p\" upstream: \"s\" } }\n"
                     "steps { stop { node: \"s\" mode: FAST } }\n"
                     "steps { promote { node: \"p\" } }\n",
        switchover + "steps { base_backup { node: \"p\" upstream: \"s\" } }\n"
                     "steps { start { node: \"p\" } }\n"
                     "steps { promote { node: \"p\" } }\n"}) {
    auto s = ParseScenario(text, "t.textproto");
    EXPECT_TRUE(s.ok()) << text << "\n" << s.status();
  }
}

TEST(ScenarioLoaderTest, EveryBundledScenarioLoads) {
  for (const char* f : {"scenarios/clean_switchover.textproto",
                        "scenarios/crash_failover.textproto",
                        "scenarios/receivexlog_slot_shutdown_hang.textproto",
                        "scenarios/shutdown_wait_never_completes.textproto",
                        "scenarios/smart_switchover.textproto",
                        "scenarios/switchover_rebuild.textproto",
                        "scenarios/sync_commit_failover.textproto",
                        "scenarios/walrcv_exit_without_fsync.textproto",
                        "scenarios/walsnd_sends_unflushed_wal.textproto",
                        "scenarios/walsnd_shutdown_drops_tail.textproto",
                        "scenarios/walsnd_stop_ping_flood.textproto"}) {
    auto s = LoadScenarioFile(f);
    EXPECT_TRUE(s.ok()) << f << ": " << s.status();
  }
}

TEST(ScenarioLoaderTest, MissingFileIsAClearError) {
  auto s = LoadScenarioFile("scenarios/nope.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            "scenarios/nope.textproto: cannot open scenario file");
}

}  // namespace
}  // namespace replsim::scenarios
