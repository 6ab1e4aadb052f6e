// The Perfetto file's wait and state slices: written for real runs and read
// back as Perfetto reads them (per track, "B" and "E" in time order, each
// "E" ending the innermost open slice), and the run's trace untouched by the
// wait observer that feeds them.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/cli_common.h"
#include "tools/json.h"
#include "tools/perfetto_wait_names.h"
#include "tools/perfetto_writer.h"
#include "tools/trace_output.h"

namespace replsim::tools {
namespace {

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d != nullptr ? d : "/tmp") + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One slice as Perfetto builds it from "B"/"E" pairs.
struct ReadSlice {
  std::string name;
  std::string parent;  // the slice it is nested in, "" at the top
  std::string args;
  double begin_us = 0;
  double end_us = 0;
};

struct ReadTrack {
  std::string name;  // "walsender 14"
  std::string host;
  std::vector<ReadSlice> slices;
};

// Reads a perfetto file back, failing the test on what Perfetto would
// reject or misplace: an "E" with nothing open, a track going back in time,
// a slice left open.
absl::btree_map<std::string, ReadTrack> ReadTracks(const std::string& path) {
  absl::btree_map<std::string, ReadTrack> tracks;  // "pid/tid"
  absl::btree_map<std::string, std::string> hosts;  // pid -> node
  absl::btree_map<std::string, std::vector<ReadSlice>> open;
  absl::btree_map<std::string, double> last_ts;
  absl::StatusOr<JsonObject> doc = ParseJsonObjectKeepingNested(Slurp(path));
  EXPECT_TRUE(doc.ok()) << doc.status();
  if (!doc.ok()) return tracks;
  absl::StatusOr<std::vector<std::string>> events = SplitJsonArray((*doc)["traceEvents"]);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return tracks;
  for (const std::string& text : *events) {
    absl::StatusOr<JsonObject> e = ParseJsonObjectKeepingNested(text);
    EXPECT_TRUE(e.ok()) << e.status() << " in " << text;
    if (!e.ok()) continue;
    const std::string ph = (*e)["ph"];
    const std::string key = absl::StrCat((*e)["pid"], "/", (*e)["tid"]);
    if (ph == "M") {
      absl::StatusOr<JsonObject> args = ParseFlatJsonObject((*e)["args"]);
      EXPECT_TRUE(args.ok());
      if ((*e)["name"] == "process_name") hosts[(*e)["pid"]] = (*args)["name"];
      if ((*e)["name"] == "thread_name") tracks[key].name = (*args)["name"];
      continue;
    }
    if (ph != "B" && ph != "E" && ph != "X" && ph != "i") continue;
    if ((*e)["s"] == "g") continue;  // a global instant (the violation)
    double ts = 0;
    EXPECT_TRUE(absl::SimpleAtod((*e)["ts"], &ts)) << text;
    EXPECT_GE(ts, last_ts[key]) << "track " << key << " goes back in time at " << text;
    last_ts[key] = ts;
    std::vector<ReadSlice>& stack = open[key];
    if (ph == "B") {
      stack.push_back(ReadSlice{.name = (*e)["name"],
                                .parent = stack.empty() ? "" : stack.back().name,
                                .args = (*e)["args"],
                                .begin_us = ts});
    } else if (ph == "E") {
      EXPECT_FALSE(stack.empty()) << "an end with no slice open: " << text;
      if (stack.empty()) continue;
      ReadSlice s = stack.back();
      stack.pop_back();
      s.end_us = ts;
      tracks[key].slices.push_back(s);
    }
  }
  for (const auto& [key, stack] : open) {
    EXPECT_TRUE(stack.empty()) << stack.size() << " slice(s) left open on track " << key;
  }
  for (auto& [key, t] : tracks) t.host = hosts[key.substr(0, key.find('/'))];
  return tracks;
}

// A scenario run once with the perfetto writer and once without it.
struct TwoRuns {
  absl::btree_map<std::string, ReadTrack> tracks;
  scenarios::RunReport with_writer, without;
};

TwoRuns RunBoth(const std::string& scenario, uint64_t seed, const std::string& profile,
                const std::string& scheduler, const std::string& file) {
  TwoRuns out;
  absl::StatusOr<scenarios::Scenario> s = scenarios::LoadScenarioFile(scenario);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return out;
  absl::StatusOr<RunSetup> setup = SetupRun(*s, profile, "", scheduler);
  EXPECT_TRUE(setup.ok()) << setup.status();
  if (!setup.ok()) return out;
  absl::StatusOr<scenarios::RunReport> plain = scenarios::RunScenario(*s, seed, setup->options);
  EXPECT_TRUE(plain.ok()) << plain.status();
  absl::StatusOr<std::unique_ptr<TraceWriter>> w = TraceWriter::Open("perfetto", Tmp(file));
  EXPECT_TRUE(w.ok()) << w.status();
  scenarios::RunOptions o = setup->options;
  o.sink = [&w](const sim::TraceEvent& e) { (*w)->Write(e); };
  o.wait_observer = (*w)->wait_observer();
  absl::StatusOr<scenarios::RunReport> written = scenarios::RunScenario(*s, seed, o);
  EXPECT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE((*w)->Finish().ok());
  if (!plain.ok() || !written.ok()) return out;
  out.without = *plain;
  out.with_writer = *written;
  out.tracks = ReadTracks(Tmp(file));
  return out;
}

// The slices named `name` on the tracks of `host` whose name starts with
// `prefix` ("walsender "): a node may have had several.
std::vector<ReadSlice> Named(const TwoRuns& r, const std::string& host, const std::string& prefix,
                             const std::string& name) {
  std::vector<ReadSlice> out;
  for (const auto& [key, t] : r.tracks) {
    if (t.host != host || !absl::StartsWith(t.name, prefix)) continue;
    for (const ReadSlice& s : t.slices) {
      if (s.name == name) out.push_back(s);
    }
  }
  return out;
}

// clean_switchover seed 361 in the zero-time FIFO world (the shapes below,
// such as no PM_WAIT_BACKENDS, are that run's): the walsender's waits in its main
// loop, inside its WalSndState slices; the other processes' main-loop waits
// and fsyncs; the shutdown phases; and the same run as without the writer.
TEST(PerfettoWaitsTest, CleanSwitchoverSeed361HasNamedNestedWaitSlices) {
  const TwoRuns r = RunBoth("scenarios/clean_switchover.textproto", 361, "pg-9.3beta2",
                            "fifo,cpu_time=off", "clean_switchover_361.json");
  EXPECT_NE(r.with_writer.fingerprint, 0u);
  EXPECT_EQ(r.with_writer.fingerprint, r.without.fingerprint);
  EXPECT_EQ(r.with_writer.unseed, r.without.unseed);
  EXPECT_EQ(r.with_writer.events, r.without.events);

  const std::vector<ReadSlice> main = Named(r, "primary", "walsender ", "WalSenderMain");
  ASSERT_FALSE(main.empty());
  absl::btree_map<std::string, int> states;
  for (const ReadSlice& s : main) {
    EXPECT_LT(s.begin_us, s.end_us);
    EXPECT_TRUE(absl::StartsWith(s.parent, "WALSNDSTATE_")) << s.parent;
    EXPECT_NE(s.args.find("\"wait_event_type\":\"Activity\""), std::string::npos) << s.args;
    ++states[s.parent];
  }
  // It waited while catching up and streaming. (9.3's SIGUSR2 comes after
  // the shutdown checkpoint, and it sends the rest and exits at that
  // instant: its stopping state takes no time, so it has no slice.)
  EXPECT_GT(states["WALSNDSTATE_STREAMING"], 0);
  EXPECT_EQ(states["WALSNDSTATE_STOPPING"], 0);
  EXPECT_FALSE(Named(r, "primary", "walsender ", "ClientRead").empty())
      << "waiting for a replication command";
  // Every slice on every track took time.
  for (const auto& [key, t] : r.tracks) {
    for (const ReadSlice& s : t.slices) EXPECT_LT(s.begin_us, s.end_us) << t.name << " " << s.name;
  }

  EXPECT_FALSE(Named(r, "standby", "walreceiver ", "WalReceiverMain").empty());
  EXPECT_FALSE(Named(r, "standby", "walreceiver ", "WALSync").empty()) << "XLogWalRcvFlush";
  EXPECT_FALSE(Named(r, "standby", "startup ", "RecoveryWalStream").empty());
  EXPECT_FALSE(Named(r, "primary", "checkpointer ", "CheckpointerMain").empty());
  EXPECT_FALSE(Named(r, "primary", "checkpointer ", "ControlFileSyncUpdate").empty());
  const std::vector<ReadSlice> checkpoint =
      Named(r, "primary", "checkpointer ", "shutdown checkpoint");
  ASSERT_EQ(checkpoint.size(), 1u);
  const std::vector<ReadSlice> fast = Named(r, "primary", "postmaster ", "fast shutdown");
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_LE(fast[0].begin_us, checkpoint[0].begin_us);
  // PM_WAIT_BACKENDS gives way to PM_SHUTDOWN at once; the postmaster waits
  // in PM_SHUTDOWN for the shutdown checkpoint.
  EXPECT_TRUE(Named(r, "primary", "postmaster ", "PM_WAIT_BACKENDS").empty());
  const std::vector<ReadSlice> pm_shutdown = Named(r, "primary", "postmaster ", "PM_SHUTDOWN");
  ASSERT_EQ(pm_shutdown.size(), 1u);
  EXPECT_EQ(pm_shutdown[0].parent, "fast shutdown");
  EXPECT_EQ(pm_shutdown[0].end_us, checkpoint[0].end_us);
  EXPECT_FALSE(Named(r, "primary", "postmaster ", "ServerLoop").empty());
}

// Under pg-15 the stopping walsender waits for the standby to confirm the
// shutdown checkpoint (WalSndDone): WalSenderMain inside its stopping state,
// while the postmaster waits in PM_SHUTDOWN_2 inside its fast shutdown.
TEST(PerfettoWaitsTest, Pg15StoppingWalsenderWaitsInsideItsState) {
  const TwoRuns r = RunBoth("scenarios/clean_switchover.textproto", 361, "pg-15",
                            "fifo,cpu_time=off",
                            "clean_switchover_361_pg15.json");
  EXPECT_EQ(r.with_writer.fingerprint, r.without.fingerprint);
  int stopping = 0;
  for (const ReadSlice& s : Named(r, "primary", "walsender ", "WalSenderMain")) {
    stopping += s.parent == "WALSNDSTATE_STOPPING";
  }
  EXPECT_GT(stopping, 0);
  const std::vector<ReadSlice> stopping_state =
      Named(r, "primary", "walsender ", "WALSNDSTATE_STOPPING");
  ASSERT_EQ(stopping_state.size(), 1u);
  EXPECT_LT(stopping_state[0].begin_us, stopping_state[0].end_us);
  const std::vector<ReadSlice> shutdown_2 = Named(r, "primary", "postmaster ", "PM_SHUTDOWN_2");
  ASSERT_EQ(shutdown_2.size(), 1u);
  EXPECT_EQ(shutdown_2[0].parent, "fast shutdown");
  EXPECT_LE(shutdown_2[0].begin_us, stopping_state[0].begin_us);
}

// Under the CPU-time model with a stalled walreceiver and a paused standby
// the CPU and SIGSTOP waits appear, still nested (ReadTracks checks), and
// the run is the one without the writer.
TEST(PerfettoWaitsTest, CpuTimeAndStallsShowAsWaitsInsideTheirWait) {
  const TwoRuns r = RunBoth("scenarios/examples/stalls.textproto", 3, "", "cpu_time=on",
                            "stalls_3.json");
  EXPECT_EQ(r.with_writer.fingerprint, r.without.fingerprint);
  EXPECT_EQ(r.with_writer.unseed, r.without.unseed);
  int cpu = 0, stopped = 0, slow = 0;
  for (const auto& [key, t] : r.tracks) {
    for (const ReadSlice& s : t.slices) {
      cpu += s.name == "CPU: waiting for a core";
      slow += s.name == "slow reader";
      if (s.name != "stopped (SIGSTOP)") continue;
      ++stopped;
      EXPECT_EQ(t.host, "standby");
      EXPECT_LT(s.begin_us, s.end_us);
    }
  }
  EXPECT_GT(cpu, 0);
  EXPECT_GT(stopped, 0);
  EXPECT_GT(slow, 0);
  const std::vector<ReadSlice> walrcv_stops =
      Named(r, "standby", "walreceiver ", "stopped (SIGSTOP)");
  ASSERT_FALSE(walrcv_stops.empty());
  // SIGSTOP finds it inside a wait, not bare in its lifetime slice.
  for (const ReadSlice& s : walrcv_stops) EXPECT_NE(s.parent, "walreceiver");
}

// The writer alone: a state change inside a wait splits the wait, an end
// of a wait that is not innermost ends and reopens the one inside it, and a
// wait or state that took no time is not written (the walsender's startup
// state, replaced at once by SIGUSR2's stopping).
TEST(PerfettoWaitsTest, WriterKeepsSlicesNested) {
  std::vector<std::string> out;
  PerfettoWriter w([&out](const std::string& s) { out.push_back(s); });
  sim::Trace trace(true);
  auto at = [](int64_t us) { return os::Instant::FromNanos(us * 1000); };
  trace.Emit(at(0), "primary", "walsender", "process_start", sim::Severity::kInfo, 7)
      .Int("pid", 7);
  trace.Emit(at(5), "primary", "walsender", "signal_delivered", sim::Severity::kInfo, 7)
      .Str("signal", "SIGUSR2");
  trace.Emit(at(9), "primary", "walsender", "process_exit").Int("pid", 7).Int("code", 0);
  const std::vector<sim::TraceEvent>& ev = trace.events();
  const sim::WaitInfo latch{.kind = sim::WaitKind::kLatchOrSocket,
                            .wake_events = os::WL_LATCH_SET | os::WL_SOCKET_READABLE |
                                           os::WL_TIMEOUT,
                            .own_latch = true};
  w.Write(ev[0]);
  w.WaitBegin(at(1), "primary", "walsender", 7, {.kind = sim::WaitKind::kSleep});
  w.WaitEnd(at(1), 7, sim::WaitKind::kSleep);  // no time: not written
  w.WaitBegin(at(2), "primary", "walsender", 7, latch);
  w.WaitBegin(at(3), "primary", "walsender", 7, {.kind = sim::WaitKind::kCpu});
  w.WaitBegin(at(4), "primary", "walsender", 7, {.kind = sim::WaitKind::kStopped});
  w.WaitEnd(at(4), 7, sim::WaitKind::kCpu);  // ends under "stopped": it ends and reopens
  w.Write(ev[1]);                            // a state under the waits
  w.WaitEnd(at(6), 7, sim::WaitKind::kStopped);
  w.WaitEnd(at(8), 7, sim::WaitKind::kLatchOrSocket);
  w.Write(ev[2]);
  std::string got;
  for (const std::string& s : out) {
    if (absl::StrContains(s, "\"ph\":\"B\"") || absl::StrContains(s, "\"ph\":\"E\"")) {
      absl::StrAppend(&got, s, "\n");
    }
  }
  const std::string b = "{\"ph\":\"B\",\"name\":";
  const std::string e = "{\"ph\":\"E\",\"name\":\"\",\"pid\":1,\"tid\":7,\"ts\":";
  const std::string main_args = ",\"args\":{\"wait_event_type\":\"Activity\"}}";
  EXPECT_EQ(got, absl::StrCat(
                     b, "\"walsender\",\"pid\":1,\"tid\":7,\"ts\":0.000}\n",             //
                     b, "\"WalSenderMain\",\"pid\":1,\"tid\":7,\"ts\":2.000", main_args, "\n",
                     b, "\"CPU: waiting for a core\",\"pid\":1,\"tid\":7,\"ts\":3.000}\n",  //
                     e, "4.000}\n",  // the CPU wait; "stopped", begun at 4, reopens there
                     b, "\"stopped (SIGSTOP)\",\"pid\":1,\"tid\":7,\"ts\":4.000}\n",  //
                     e, "5.000}\n", e, "5.000}\n",  // stopped, WalSenderMain: the state
                     b, "\"WALSNDSTATE_STOPPING\",\"pid\":1,\"tid\":7,\"ts\":5.000}\n",
                     b, "\"WalSenderMain\",\"pid\":1,\"tid\":7,\"ts\":5.000", main_args, "\n",
                     b, "\"stopped (SIGSTOP)\",\"pid\":1,\"tid\":7,\"ts\":5.000}\n",  //
                     e, "6.000}\n", e, "8.000}\n", e, "9.000}\n", e, "9.000}\n"));
}

TEST(PerfettoWaitsTest, NamesFollowTheProcessAndTheCall) {
  auto latch = [](int events, bool own) {
    return sim::WaitInfo{.kind = sim::WaitKind::kLatchOrSocket,
                         .wake_events = events,
                         .own_latch = own};
  };
  using os::WL_LATCH_SET, os::WL_SOCKET_READABLE, os::WL_SOCKET_WRITEABLE, os::WL_TIMEOUT,
      os::WL_POSTMASTER_DEATH, os::WL_EXIT_ON_PM_DEATH;
  const int main_loop = WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_POSTMASTER_DEATH;
  EXPECT_EQ(NameWait("walsender", latch(main_loop, true), {}).name, "WalSenderMain");
  EXPECT_EQ(NameWait("walsender", latch(WL_LATCH_SET | WL_SOCKET_READABLE, true), {}).name,
            "ClientRead");
  EXPECT_EQ(NameWait("walreceiver", latch(main_loop, true), {}).name, "WalReceiverMain");
  EXPECT_EQ(NameWait("walreceiver", latch(WL_LATCH_SET | WL_POSTMASTER_DEATH, true), {}).name,
            "WalReceiverWaitStart");
  EXPECT_EQ(NameWait("walreceiver", latch(WL_LATCH_SET | WL_SOCKET_WRITEABLE, false), {}).name,
            "LibPQWalReceiverConnect");
  EXPECT_EQ(NameWait("walreceiver", latch(WL_LATCH_SET | WL_SOCKET_READABLE, false), {}).name,
            "LibPQWalReceiverReceive");
  const sim::WaitInfo recovery = latch(WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, false);
  EXPECT_EQ(NameWait("startup", recovery, {}).name, "RecoveryWalStream");
  EXPECT_EQ(NameWait("startup", recovery, {.retry_interval = true}).name,
            "RecoveryRetrieveRetryInterval");
  EXPECT_EQ(NameWait("checkpointer", latch(WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, true),
                     {}).type,
            "Activity");
  EXPECT_EQ(NameWait("backend", latch(WL_LATCH_SET | WL_POSTMASTER_DEATH, true), {}).name,
            "SyncRep");
  EXPECT_EQ(NameWait("backend", latch(WL_LATCH_SET, false), {}).name, "WALWriteLock");
  auto file = [](sim::WaitKind k, const char* path) {
    return sim::WaitInfo{.kind = k, .path = path};
  };
  const char* seg = "/pgdata/pg_wal/000000010000000000000003";
  EXPECT_EQ(NameWait("walreceiver", file(sim::WaitKind::kFileSync, seg), {}).name, "WALSync");
  EXPECT_EQ(NameWait("walsender", file(sim::WaitKind::kFileRead, seg), {}).name, "WALRead");
  EXPECT_EQ(NameWait("pg_receivexlog", file(sim::WaitKind::kFileSync, seg), {}).name,
            "fsync 000000010000000000000003");
  const char* tmp = "/pgdata/pg_wal/xlogtemp.12";
  EXPECT_EQ(NameWait("backend", file(sim::WaitKind::kFileSync, tmp), {}).name, "WALInitSync");
  EXPECT_EQ(NameWait("startup", file(sim::WaitKind::kFileSync, tmp), {.written_tmp = true}).name,
            "fsync xlogtemp.12");
  EXPECT_EQ(NameWait("startup", file(sim::WaitKind::kFileSync, "/pgdata/pg_wal/00000002.history"),
                     {}).name,
            "TimelineHistorySync");
  EXPECT_EQ(NameWait("checkpointer", file(sim::WaitKind::kFileSync, "/pgdata/global/pg_control"),
                     {}).name,
            "ControlFileSyncUpdate");
  EXPECT_EQ(NameWait("postmaster", {.kind = sim::WaitKind::kSleep}, {}).name, "pg_usleep");
}

}  // namespace
}  // namespace replsim::tools
