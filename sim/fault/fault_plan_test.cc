// The fault plan's scheduled faults take effect at their time and are traced.
#include "sim/fault/fault_plan.h"

#include "gtest/gtest.h"
#include "sim/os/test_util.h"

namespace replsim::sim::fault {
namespace {

class FaultPlanTest : public ::testing::Test {
 protected:
  FaultPlanTest() : world_(9, true), cluster_(world_), plan_(cluster_) {
    cluster_.AddHost("a");
    cluster_.AddHost("b");
  }
  void RunUntil(os::Duration d) { os_sim::RunUntil(world_, d); }
  int Count(std::string_view kind) { return os_sim::CountEvents(world_, kind); }

  World world_;
  os_sim::Cluster cluster_;
  FaultPlan plan_;
};

TEST_F(FaultPlanTest, PartitionStartsAndHealsOnTime) {
  plan_.PartitionAt(os::Instant() + os::Seconds(1), "a", "b", os::Seconds(5), true);
  RunUntil(os::Milliseconds(999));
  EXPECT_FALSE(cluster_.network().links().Blocked("a", "b"));
  RunUntil(os::Seconds(2));
  EXPECT_TRUE(cluster_.network().links().Blocked("b", "a"));
  RunUntil(os::Seconds(7));
  EXPECT_FALSE(cluster_.network().links().Blocked("a", "b"));
  EXPECT_EQ(Count("fault_partition"), 1);
  EXPECT_EQ(Count("fault_partition_healed"), 1);
}

TEST_F(FaultPlanTest, CrashKillsProcessesAndRestartsHost) {
  os::Pid pid = cluster_.Spawn("a", "postmaster", [](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Seconds(100));
  });
  plan_.CrashHostAt(os::Instant() + os::Seconds(1), "a", os::Seconds(3));
  RunUntil(os::Seconds(2));
  EXPECT_FALSE(cluster_.IsAlive(pid));
  EXPECT_FALSE(cluster_.host("a").up());
  RunUntil(os::Seconds(5));
  EXPECT_TRUE(cluster_.host("a").up());
  EXPECT_EQ(Count("host_crash"), 1);
}

TEST_F(FaultPlanTest, SignalsAProcessByName) {
  os::Pid pid = cluster_.Spawn("b", "walreceiver", [](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Seconds(100));
  });
  plan_.SignalProcessAt(os::Instant() + os::Seconds(1), "b", "walreceiver",
                        os::Signal::kSIGTERM);
  RunUntil(os::Seconds(2));
  EXPECT_EQ(cluster_.exit_status(pid)->signal, 15);
}

TEST_F(FaultPlanTest, FillDiskAndFailFsync) {
  os::Errno write_err = os::Errno::kOk, fsync_err = os::Errno::kOk;
  cluster_.Spawn("a", "p", [&](os::Os& os) -> os::Task<> {
    os::Fd f = *os.Open("f", os::kOpenCreate | os::kOpenReadWrite);
    std::vector<uint8_t> b(10, 'x');
    (void)co_await os.PWrite(f, b, 0);
    co_await os.Sleep(os::Seconds(2));
    fsync_err = co_await os.Fsync(f);
    write_err = (co_await os.PWrite(f, b, 10)).error();
  });
  plan_.FillDiskAt(os::Instant() + os::Seconds(1), "a");
  plan_.FailFsyncAt(os::Instant() + os::Seconds(1), "a");
  RunUntil(os::Seconds(5));
  EXPECT_EQ(fsync_err, os::Errno::kEIO);
  EXPECT_EQ(write_err, os::Errno::kENOSPC);
  EXPECT_EQ(Count("fault_fsync_eio"), 1);
  EXPECT_EQ(Count("fault_enospc"), 1);
}

TEST_F(FaultPlanTest, FreeDiskGivesTheSpaceBack) {
  std::vector<os::Errno> errs;
  cluster_.Spawn("a", "p", [&](os::Os& os) -> os::Task<> {
    os::Fd f = *os.Open("f", os::kOpenCreate | os::kOpenReadWrite);
    std::vector<uint8_t> b(10, 'x');
    for (int i = 0; i < 3; ++i) {
      co_await os.Sleep(os::Seconds(2));
      auto w = co_await os.PWrite(f, b, 10 * i);
      errs.push_back(w.ok() ? os::Errno::kOk : w.error());
    }
  });
  plan_.FillDiskAt(os::Instant() + os::Seconds(3), "a");
  plan_.FreeDiskAt(os::Instant() + os::Seconds(5), "a");
  RunUntil(os::Seconds(8));
  EXPECT_EQ(errs, (std::vector<os::Errno>{os::Errno::kOk, os::Errno::kENOSPC, os::Errno::kOk}));
  EXPECT_EQ(Count("fault_disk_freed"), 1);
}

TEST_F(FaultPlanTest, DropConnectionsResetsBothEnds) {
  os::Errno seen = os::Errno::kOk;
  cluster_.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 4);
    os::Fd s = *co_await os.Accept(l);
    std::vector<uint8_t> buf(10);
    seen = (co_await os.Recv(s, absl::MakeSpan(buf))).error();
  });
  cluster_.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    (void)co_await os.Connect("b", 5432);
    co_await os.Sleep(os::Seconds(10));
  });
  plan_.DropConnectionsAt(os::Instant() + os::Seconds(1), "b");
  RunUntil(os::Seconds(2));
  EXPECT_EQ(seen, os::Errno::kECONNRESET);
}

}  // namespace
}  // namespace replsim::sim::fault
