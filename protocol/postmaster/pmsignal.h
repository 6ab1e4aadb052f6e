// File: protocol/postmaster/pmsignal.h
//
// Children talking to the postmaster through shared memory, as pmsignal.c
// does: a reason flag plus SIGUSR1 (SendPostmasterSignal /
// CheckPostmasterSignal), and the per-child slot that tells the postmaster
// which of its "normal" backends has become a walsender.
//
// Slot life (RW-6): UNUSED -> ASSIGNED (postmaster, before the fork) ->
// ACTIVE (the child, MarkPostmasterChildActive) -> WALSENDER (the child,
// MarkPostmasterChildWalSender, one-way) -> ASSIGNED (the child's clean exit,
// MarkPostmasterChildInactive) -> UNUSED (postmaster,
// ReleasePostmasterChildSlot, which reports false, i.e. "treat as a crash",
// when the child did not reach ASSIGNED again). Until the walsender marks
// itself the postmaster counts and signals it as BACKEND_TYPE_NORMAL.
//
// InitWalSender (walsender.c) calls MarkPostmasterChildWalSender and then,
// with behavior.walsnd_kick_postmaster_on_mark (38b27792),
// SendPostmasterSignal(PMSIGNAL_ADVANCE_STATE_MACHINE); InitWalSenderMark
// does both.
//
// A child finds its slot from its pid (PMSignalState.PMChildPid), standing
// in for the MyPMChildSlot it would inherit from fork().
#ifndef REPLSIM_PROTOCOL_POSTMASTER_PMSIGNAL_H_
#define REPLSIM_PROTOCOL_POSTMASTER_PMSIGNAL_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"

namespace replsim::postmaster {

using node::NodeShmem;
using node::PMSignalReason;

// Sets the reason flag and SIGUSR1s the postmaster (shm.postmaster_pid).
void SendPostmasterSignal(os::Os& os, NodeShmem& shm, PMSignalReason reason);
// Postmaster side: true (and clears the flag) if `reason` was signalled.
bool CheckPostmasterSignal(NodeShmem& shm, PMSignalReason reason);

// Postmaster side: why the SIGQUITs about to be sent are sent (quickdie
// reads it; 14 and later).
void SetQuitSignalReason(NodeShmem& shm, node::QuitSignalReason reason);

// Postmaster side. Sizes the slot arrays (MaxLivePostmasterChildren).
void InitPMChildSlots(NodeShmem& shm, int num_slots);
// A free slot (1-based) marked ASSIGNED, or 0 if none is free.
int AssignPostmasterChildSlot(NodeShmem& shm);
// Records which pid holds `slot` (right after the fork).
void SetPostmasterChildPid(NodeShmem& shm, int slot, os::Pid pid);
// Frees `slot`; false if the child did not clean up (was not ASSIGNED).
bool ReleasePostmasterChildSlot(NodeShmem& shm, int slot);
// Whether the child in `slot` has marked itself a walsender.
bool IsPostmasterChildWalSender(const NodeShmem& shm, int slot);

// Child side (the calling process's slot, found by os.MyPid()).
// CHECK-fail when the process has no slot (a programmer error).
void MarkPostmasterChildActive(os::Os& os, NodeShmem& shm);
void MarkPostmasterChildWalSender(os::Os& os, NodeShmem& shm);
void MarkPostmasterChildInactive(os::Os& os, NodeShmem& shm);
// InitWalSender's part: mark, then kick the postmaster when
// behavior.walsnd_kick_postmaster_on_mark.
void InitWalSenderMark(os::Os& os, NodeShmem& shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_PMSIGNAL_H_
