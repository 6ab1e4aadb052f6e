// File: protocol/walsender/walsender.h
//
// The walsender process (PostgreSQL's src/backend/replication/walsender.c,
// read at 9.3.5, at 985bd7d497 and at 15): one process per replication
// connection, started by the postmaster as a backend whose startup packet
// said replication=true. It answers IDENTIFY_SYSTEM, TIMELINE_HISTORY,
// START_REPLICATION [SLOT] and (9.4+) CREATE_REPLICATION_SLOT ... PHYSICAL
// (physical slots: slot.h), streams WAL in CopyBoth mode, and at shutdown sends
// the remaining WAL and leaves by the stop check this project is about.
//
//   // In the postmaster's child, once the startup packet has been read and
//   // AuthenticationOk ... ReadyForQuery sent:
//   co_await walsender::WalSndMain(os, shm, std::move(conn),
//                                  {.application_name = "standby1"});
//
// Contracts:
// - WalSndMain never returns normally: it ends the process with os.Exit
//   (0 on Terminate/EOF/shutdown/send failure, 1 on FATAL or postmaster
//   death), as proc_exit does. The WalSnd slot is released on every way
//   out (WalSndKill), including a kill at a suspension point.
// - shm->XLogCtl.SharedRecoveryInProgress decides primary vs cascading
//   (a primary's postmaster/startup clears it at the end of recovery).
// - Behaviour switches (shm->behavior): walsnd_wait_for_standby_flush
//   (985bd7d497), walsnd_flush_or_write (5c6d9fc4b2), walsnd_send_only_flushed
//   (07e8b6aabc), walsnd_drain_all_at_shutdown (e0b581acd2),
//   walsnd_kick_postmaster_on_mark (38b27792), walsnd_stop_path_ping and
//   walsnd_stopping_state (15's WalSndDone ping, STOPPING). server_version_num
//   >= 90400 selects 15's command dialect, tags and keepalive timing
//   (WalSndKeepaliveIfNecessary / WalSndComputeSleeptime); below, 9.3.5's.
// - Race windows exposed (shared/reference/postgres-replication.md §9):
//   RW-1 (exit vs standby flush), RW-2 (exit with unread replies: RST drops
//   the unsent tail), RW-3 (no prompt for the final ack in 9.3), RW-4
//   (timeouts; the final blocking flush has none), RW-5 (flush = 0
//   receivers), RW-7 (SIGUSR2 outside streaming = SIGTERM in 9.3), RW-9
//   (stop check only when caught up with nothing pending), RW-16
//   (cascading sender at promotion).
#ifndef REPLSIM_PROTOCOL_WALSENDER_WALSENDER_H_
#define REPLSIM_PROTOCOL_WALSENDER_WALSENDER_H_

#include <memory>
#include <optional>
#include <string>

#include "protocol/node/node_config.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/pqcomm.h"

namespace replsim::walsender {

// What the backend knows of its connection before it becomes a walsender
// (MyProcPort and MyPMChildSlot in PostgreSQL).
struct WalSndPort {
  std::string application_name;         // from the startup packet
  std::optional<std::string> database;  // dbname, for a logical connection
  // 1-based PMChildFlags slot the postmaster assigned (MyPMChildSlot); 0 if
  // the postmaster keeps none (then MarkPostmasterChildWalSender is a no-op).
  int pm_child_slot = 0;
};

// PostgresMain for a walsender: InitWalSender, WalSndSignals, then the
// command loop. Never returns (see above).
os::Task<> WalSndMain(os::Os& os, node::ShmemRef shm,
                      std::unique_ptr<pq::PqComm> conn, WalSndPort port = {});

// The checkpointer's side of the STOPPING handshake (WalSndInitStopping,
// WalSndWaitStopping) is protocol/postmaster/walsnd_stopping.h.

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_WALSENDER_H_
