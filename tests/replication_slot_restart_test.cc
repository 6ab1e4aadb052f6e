// A physical replication slot outlives its server: pg_receivexlog --slot
// streams from a 15 primary, the primary is stopped (fast) and started again,
// and pg_receivexlog reconnects through the same slot, which the startup
// process restored from pg_replslot (StartupReplicationSlots). The slot's
// restart_lsn is what the shutdown checkpoint saved.
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocol/receivexlog/receivexlog.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

int CountLogs(PgNode& n, const std::string& needle) {
  int count = 0;
  for (const LogLine& l : n.Logs()) count += absl::StrContains(l.message, needle) ? 1 : 0;
  return count;
}

TEST(ReplicationSlotRestartTest, PgReceivexlogResumesThroughTheRestoredSlot) {
  Harness t(1, "pg-15");
  PgNode& p = t.Node("primary");
  PgNode& archive = t.Node("archive");  // pg_receivexlog's host
  p.entry_points() = RealEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(2));
  receivexlog::ReceiveXlogOptions o;
  o.slot_name = "archiver";
  o.create_slot = true;
  o.loop = true;  // reconnect after a disconnection (no -n)
  t.cluster().Spawn("archive", "pg_receivexlog", [o](os::Os& os) -> os::Task<> {
    os.MakeDir(o.directory);
    co_await receivexlog::ReceiveXlogMain(os, o);
  });
  p.Workload({.sessions = 2, .transactions = 50});
  t.RunFor(os::Seconds(5));
  ASSERT_EQ(CountLogs(archive, "starting log streaming"), 1);

  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(60)));
  const node::ControlFileData before = p.ControlFile();
  p.Start();
  t.RunFor(os::Seconds(15));  // pg_receivexlog retries every 5 s

  // Restored at startup, inactive, at the position the last checkpoint saved.
  EXPECT_EQ(CountLogs(p, "restoring replication slot from \"/pgdata/pg_replslot/archiver/state\""),
            1);
  EXPECT_EQ(CountLogs(p, "replication slot \"archiver\" does not exist"), 0);
  node::ShmemRef shm = p.shmem();
  ASSERT_TRUE(shm);
  const node::ReplicationSlot& s = shm->ReplicationSlotCtl.replication_slots[0];
  EXPECT_TRUE(s.in_use);
  EXPECT_EQ(s.name, "archiver");
  EXPECT_GT(s.restart_lsn, 0u);
  EXPECT_LE(s.restart_lsn, before.checkPoint + 200);  // not beyond the shutdown checkpoint's end
  // pg_receivexlog came back through it and streams again.
  EXPECT_NE(s.active_pid, 0);
  EXPECT_GE(CountLogs(archive, "starting log streaming"), 2);
}

}  // namespace
}  // namespace replsim::scenarios
