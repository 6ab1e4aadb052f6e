// pmsignal: flags are consumed once, SIGUSR1 reaches the postmaster, and a
// child slot goes ASSIGNED -> ACTIVE -> WALSENDER -> ASSIGNED; a slot the
// child did not give back is reported as unclean (a crash, RW-6).
#include "protocol/postmaster/pmsignal.h"

#include "gtest/gtest.h"
#include "sim/os/cluster.h"

namespace replsim::postmaster {
namespace {

using sim::os_sim::Cluster;

TEST(PmSignalTest, SendSetsFlagAndSignalsPostmasterOnce) {
  sim::World world(1);
  Cluster cluster(world);
  cluster.AddHost("h");
  node::NodeShmem shm;
  int usr1 = 0;
  bool seen_first = false, seen_second = true;
  cluster.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    shm.postmaster_pid = os.MyPid();
    os.SetSignalHandler(os::Signal::kSIGUSR1, [&] { ++usr1; os.MyLatch().Set(); });
    os.StartChild("walsender", [&](os::Os& c) -> os::Task<> {
      SendPostmasterSignal(c, shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE);
      co_return;
    });
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET, os::kNoFd, {});
    seen_first = CheckPostmasterSignal(shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE);
    seen_second = CheckPostmasterSignal(shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE);
  });
  world.Run({.until = os::Instant() + os::Seconds(1)});
  EXPECT_EQ(usr1, 1);
  EXPECT_TRUE(seen_first);
  EXPECT_FALSE(seen_second);
}

TEST(PmSignalTest, ChildSlotLifeCycle) {
  sim::World world(1);
  Cluster cluster(world);
  cluster.AddHost("h");
  node::NodeShmem shm;
  InitPMChildSlots(shm, 4);
  int slot = 0, slot2 = 0;
  bool walsender_seen = false, clean = false, unclean = true;
  cluster.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    shm.postmaster_pid = os.MyPid();
    os.SetSignalHandler(os::Signal::kSIGUSR1, [] {});
    slot = AssignPostmasterChildSlot(shm);
    os::Result<os::Pid> pid = os.StartChild("backend", [&](os::Os& c) -> os::Task<> {
      MarkPostmasterChildActive(c, shm);
      InitWalSenderMark(c, shm);
      walsender_seen = IsPostmasterChildWalSender(shm, slot);
      MarkPostmasterChildInactive(c, shm);
      co_return;
    });
    SetPostmasterChildPid(shm, slot, *pid);
    slot2 = AssignPostmasterChildSlot(shm);
    os::Result<os::Pid> pid2 = os.StartChild("backend", [&](os::Os& c) -> os::Task<> {
      MarkPostmasterChildActive(c, shm);  // and never marks inactive
      co_return;
    });
    SetPostmasterChildPid(shm, slot2, *pid2);
    co_await os.Sleep(os::Milliseconds(10));
    clean = ReleasePostmasterChildSlot(shm, slot);
    unclean = ReleasePostmasterChildSlot(shm, slot2);
  });
  world.Run({.until = os::Instant() + os::Seconds(1)});
  EXPECT_NE(slot, 0);
  EXPECT_NE(slot, slot2);
  EXPECT_TRUE(walsender_seen);
  EXPECT_TRUE(clean);
  EXPECT_FALSE(unclean);
  EXPECT_TRUE(CheckPostmasterSignal(shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE));
}

TEST(PmSignalTest, NoKickWithoutTheFix) {
  sim::World world(1);
  Cluster cluster(world);
  cluster.AddHost("h");
  node::NodeShmem shm;
  shm.behavior.walsnd_kick_postmaster_on_mark = false;
  InitPMChildSlots(shm, 2);
  cluster.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    shm.postmaster_pid = os.MyPid();
    int slot = AssignPostmasterChildSlot(shm);
    os::Result<os::Pid> pid = os.StartChild("backend", [&](os::Os& c) -> os::Task<> {
      MarkPostmasterChildActive(c, shm);
      InitWalSenderMark(c, shm);
      co_return;
    });
    SetPostmasterChildPid(shm, slot, *pid);
    co_await os.Sleep(os::Milliseconds(10));
  });
  world.Run({.until = os::Instant() + os::Seconds(1)});
  EXPECT_FALSE(CheckPostmasterSignal(shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE));
}

}  // namespace
}  // namespace replsim::postmaster
