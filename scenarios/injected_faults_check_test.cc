// The loader refuses a nemesis, trigger or fault_points block that would
// not do what it says, naming file:line:col and what was expected.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "protocol/os/fault_points.h"
#include "protocol/os/trace_marks.h"
#include "scenarios/loader_test_cases.h"

namespace replsim::scenarios {
namespace {

std::string Names(bool marks) {
  std::vector<std::string> v;
  if (marks) {
    for (const os::TraceMarkInfo& m : os::kAllTraceMarks) v.emplace_back(m.name);
  } else {
    for (const os::FaultPointInfo& p : os::kAllFaultPoints) v.emplace_back(p.name);
  }
  return absl::StrJoin(v, ", ");
}

TEST(InjectedFaultsCheckTest, BadInputNamesFileLineColumnAndWhatWasExpected) {
  const std::string g = kGood;
  const BadCase kCases[] = {
      {g + "triggers { on: \"checkpointer.shutdwon\" op { drop_connections { node: \"s\" } } }\n",
       "t.textproto:6:12: unknown mark \"checkpointer.shutdwon\": expected one of " + Names(true)},
      {g + "triggers { op { drop_connections { node: \"s\" } } }\n",
       "t.textproto:6:1: expected on: a mark name, one of " + Names(true)},
      {g + "nemesis { fault { op { stop { node: \"p\" mode: FAST } } mean_interval_ms: 10 } }\n",
       "t.textproto:6:24: stop is a step that waits, not a fault; expected kill, crash, "
       "partition, disk_fault, drop_connections, stall_process, pause_host, slow_disk, "
       "slow_reader or clock_step"},
      {g + "nemesis { fault { op { slow_disk { node: \"s\" factor: 1 duration_ms { max: 5 } } }"
           " mean_interval_ms: 10 } }\n",
       "t.textproto:6:46: factor 1: expected 2..1000"},
      {g + "nemesis { fault { op { stall_process { node: \"s\" process: \"vacuum\" "
           "duration_ms { max: 5 } } } mean_interval_ms: 10 } }\n",
       "t.textproto:6:50: no process \"vacuum\" in PostgreSQL; expected postmaster, startup, "
       "checkpointer, walreceiver, walsender, backend, pg_receivexlog or \"any\""},
      {g + "nemesis { fault { op { crash { node: \"s\" } } mean_interval_ms: 10 } }\n",
       "t.textproto:6:24: an injected crash needs restart_after_ms: no later step could use a "
       "host that stays down"},
      {g + "nemesis { fault { op { drop_connections { node: \"s\" } } } }\n",
       "t.textproto:6:11: expected mean_interval_ms: the mean time between firings, at least 1"},
      {g + "nemesis { fault { op { delay_ms { max: 2 } drop_connections { node: \"s\" } } "
           "mean_interval_ms: 5 } }\n",
       "t.textproto:6:24: a fault's timing is its nemesis's or trigger's; expected no delay_ms"},
      {g + "nemesis { fault { op { drop_connections { node: \"here\" } } mean_interval_ms: 5 } }\n",
       "t.textproto:6:43: unknown node \"here\": expected a node's name or \"any\""},
      {g + "fault_points { enabled: true off: \"pq.nope\" }\n",
       "t.textproto:6:30: unknown fault point \"pq.nope\": expected one of " + Names(false)},
  };
  ExpectRefused(kCases);
}

TEST(InjectedFaultsCheckTest, TheExampleLoads) {
  auto s = LoadScenarioFile("scenarios/examples/faults_at_any_moment.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->nemesis().fault_size(), 2);
  EXPECT_EQ(s->triggers_size(), 1);
  EXPECT_TRUE(s->fault_points().enabled());
}

}  // namespace
}  // namespace replsim::scenarios
