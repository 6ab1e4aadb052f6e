#include "protocol/postmaster/pmsignal.h"

#include "protocol/os/check.h"

namespace replsim::postmaster {

using node::PMChildState;

void SendPostmasterSignal(os::Os& os, NodeShmem& shm, PMSignalReason reason) {
  shm.PMSignalState.PMSignalFlags[static_cast<int>(reason)] = true;
  os.Kill(shm.postmaster_pid, os::Signal::kSIGUSR1);
}

bool CheckPostmasterSignal(NodeShmem& shm, PMSignalReason reason) {
  bool& flag = shm.PMSignalState.PMSignalFlags[static_cast<int>(reason)];
  if (!flag) return false;
  flag = false;
  return true;
}

void SetQuitSignalReason(NodeShmem& shm, node::QuitSignalReason reason) {
  shm.PMSignalState.sigquit_reason = reason;
}

void InitPMChildSlots(NodeShmem& shm, int num_slots) {
  CHECK_GT(num_slots, 0);
  shm.PMSignalState.PMChildFlags.assign(num_slots, PMChildState::PM_CHILD_UNUSED);
  shm.PMSignalState.PMChildPid.assign(num_slots, 0);
  shm.PMSignalState.next_child_flag = 0;
}

int AssignPostmasterChildSlot(NodeShmem& shm) {
  node::PMSignalData& s = shm.PMSignalState;
  const int n = static_cast<int>(s.PMChildFlags.size());
  // Round robin downwards from the last slot handed out, as pmsignal.c does.
  int slot = s.next_child_flag;
  for (int i = 0; i < n; ++i) {
    if (--slot < 0) slot = n - 1;
    if (s.PMChildFlags[slot] == PMChildState::PM_CHILD_UNUSED) {
      s.PMChildFlags[slot] = PMChildState::PM_CHILD_ASSIGNED;
      s.PMChildPid[slot] = 0;
      s.next_child_flag = slot;
      return slot + 1;
    }
  }
  return 0;
}

void SetPostmasterChildPid(NodeShmem& shm, int slot, os::Pid pid) {
  CHECK_GE(slot, 1);
  CHECK_LE(slot, static_cast<int>(shm.PMSignalState.PMChildPid.size()));
  shm.PMSignalState.PMChildPid[slot - 1] = pid;
}

bool ReleasePostmasterChildSlot(NodeShmem& shm, int slot) {
  CHECK_GE(slot, 1);
  node::PMSignalData& s = shm.PMSignalState;
  CHECK_LE(slot, static_cast<int>(s.PMChildFlags.size()));
  const bool clean = s.PMChildFlags[slot - 1] == PMChildState::PM_CHILD_ASSIGNED;
  s.PMChildFlags[slot - 1] = PMChildState::PM_CHILD_UNUSED;
  s.PMChildPid[slot - 1] = 0;
  return clean;
}

bool IsPostmasterChildWalSender(const NodeShmem& shm, int slot) {
  CHECK_GE(slot, 1);
  CHECK_LE(slot, static_cast<int>(shm.PMSignalState.PMChildFlags.size()));
  return shm.PMSignalState.PMChildFlags[slot - 1] == PMChildState::PM_CHILD_WALSENDER;
}

namespace {

PMChildState& MySlotFlag(os::Os& os, NodeShmem& shm) {
  node::PMSignalData& s = shm.PMSignalState;
  const os::Pid me = os.MyPid();
  for (size_t i = 0; i < s.PMChildPid.size(); ++i) {
    if (s.PMChildPid[i] == me) return s.PMChildFlags[i];
  }
  CHECK(false) << "process " << me << " has no postmaster child slot";
  __builtin_unreachable();
}

}  // namespace

void MarkPostmasterChildActive(os::Os& os, NodeShmem& shm) {
  PMChildState& f = MySlotFlag(os, shm);
  CHECK(f == PMChildState::PM_CHILD_ASSIGNED);
  f = PMChildState::PM_CHILD_ACTIVE;
}

void MarkPostmasterChildWalSender(os::Os& os, NodeShmem& shm) {
  PMChildState& f = MySlotFlag(os, shm);
  CHECK(f == PMChildState::PM_CHILD_ACTIVE);
  f = PMChildState::PM_CHILD_WALSENDER;
}

void MarkPostmasterChildInactive(os::Os& os, NodeShmem& shm) {
  PMChildState& f = MySlotFlag(os, shm);
  CHECK(f == PMChildState::PM_CHILD_ACTIVE || f == PMChildState::PM_CHILD_WALSENDER);
  f = PMChildState::PM_CHILD_ASSIGNED;
}

void InitWalSenderMark(os::Os& os, NodeShmem& shm) {
  MarkPostmasterChildWalSender(os, shm);
  if (shm.behavior.walsnd_kick_postmaster_on_mark) {
    SendPostmasterSignal(os, shm, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE);
  }
}

}  // namespace replsim::postmaster
