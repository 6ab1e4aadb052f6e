// File: tools/perfetto_wait_names.h
//
// What a simulated process waits for, named as PostgreSQL 15 names it in
// pg_stat_activity (wait_event_type / wait_event, utils/activity/
// wait_event.c), for the Perfetto writer's wait slices. The simulator says
// which call blocks (sim/wait_observer.h): WaitLatchOrSocket with its WL_*
// flags and whether the latch is the process's own, a sleep, a socket call,
// a file's read, write or fsync with its path. Which PostgreSQL wait that is
// follows from the process and the call, because each process waits on its
// latch in few places, each with its own flags:
//
//   walsender    socket + timeout: WalSenderMain (WalSndLoop); socket only:
//                ClientRead (a replication command)
//   walreceiver  socket + timeout: WalReceiverMain; readable only:
//                LibPQWalReceiverReceive; writeable only:
//                LibPQWalReceiverConnect; no socket: WalReceiverWaitStart
//   startup      RecoveryWalStream, or RecoveryRetrieveRetryInterval right
//                after "waiting for WAL to become available at ..."
//   checkpointer CheckpointerMain
//   backend      timeout: ClientRead (the client's think time); none:
//                SyncRep
//   any          a latch not its own, no timeout: WALWriteLock (LWLock)
//
// Files: WAL segments WALRead/WALWrite/WALSync, a new segment's zero-fill
// and fsync WALInitWrite/WALInitSync, pg_control ControlFileRead/
// ControlFileWriteUpdate/ControlFileSyncUpdate, timeline history files
// TimelineHistoryRead (WALSenderTimelineHistoryRead in a walsender) and
// TimelineHistorySync (TimelineHistoryFileSync in a walreceiver), slot state
// files ReplicationSlotRead/Write/Sync; a backend's or walsender's blocking
// socket calls ClientRead/ClientWrite. Waits PostgreSQL reports no event
// for keep a plain name and no type: "pg_usleep", the postmaster's
// "ServerLoop", pg_receivexlog's "CopyStreamPoll", client programs' I/O
// ("fsync 000000010000000000000001"), a directory fsync ("fsync dir
// /pgdata/pg_wal"); and the simulator's own: "CPU: waiting for a core",
// "stopped (SIGSTOP)", "slow reader".
#ifndef REPLSIM_TOOLS_PERFETTO_WAIT_NAMES_H_
#define REPLSIM_TOOLS_PERFETTO_WAIT_NAMES_H_

#include <string>

#include "sim/wait_observer.h"

namespace replsim::tools {

struct WaitName {
  std::string name;  // the wait event ("WalSenderMain") or a plain name
  std::string type;  // PostgreSQL's wait_event_type ("Activity"), or ""
};

// What the call before the wait tells apart.
struct WaitHints {
  // The process's last log line, at this instant, was "waiting for WAL to
  // become available at ...".
  bool retry_interval = false;
  // The xlogtemp file was written (a file made durably through a temporary
  // file), not only zero-filled (a new WAL segment).
  bool written_tmp = false;
};

WaitName NameWait(const std::string& process, const sim::WaitInfo& w, const WaitHints& hints);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_PERFETTO_WAIT_NAMES_H_
