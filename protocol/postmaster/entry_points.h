// File: protocol/postmaster/entry_points.h
//
// What the postmaster runs in its children but does not own: the startup
// process, the walreceiver and the walsender (written in their own packages),
// the body of a connection's child before it knows what it is, and the queue
// of client sessions the outside world asks for. Injected into PostmasterMain
// so the postmaster can be tested with fakes; the real wiring passes
// StartupProcessMain, WalReceiverMain, WalSndMain and BackendConnectionMain.
//
// Contracts:
// - Each function is called once per child, inside that child, with the
//   child's Os and a reference to the node's shared memory; the returned
//   Task is the child's whole life. Returning = exit 0.
// - `connection` receives the accepted socket and the postmaster's
//   canAcceptConnections verdict. With CAC_OK it owns a postmaster child slot
//   (mark active/inactive with pmsignal.h); otherwise it is a dead-end child
//   that must only report the refusal (ConnectionRefusal) and exit 1.
// - `on_shmem` (optional) is told each NodeShmem the postmaster creates
//   (start, and each reinitialisation after a crash), for inspection.
// - `config_file` (optional) gives the configuration files' settings as
//   they are now, which the postmaster re-reads on SIGHUP (pg_ctl reload);
//   without it a SIGHUP changes nothing.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_ENTRY_POINTS_H_
#define REPLSIM_PROTOCOL_POSTMASTER_ENTRY_POINTS_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "protocol/node/node_config.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/ledger.h"
#include "protocol/postmaster/pm_state.h"

namespace replsim::pq {
class PqComm;
}  // namespace replsim::pq

namespace replsim::postmaster {

// One client session the harness asks for (a client connecting and running
// `transactions` transactions, `think_time` apart, each inserting a row of
// `row_bytes` bytes: see workload_tuple.h).
struct SessionRequest {
  int session = 0;
  int transactions = 1;
  os::Duration think_time;
  int row_bytes = 8;
  std::shared_ptr<CommitLedger> ledger;  // the client's memory
  // Instead of transactions: SELECT pg_switch_wal() (pg_switch_xlog()
  // before 10), RequestXLogSwitch: an XLOG_SWITCH record, flushed.
  bool switch_wal = false;
};

// Sessions waiting for the postmaster to start them; the client pushes one
// and SIGUSR1s the postmaster (a connection request, without the socket).
struct SessionQueue {
  std::deque<SessionRequest> pending;
};

struct EntryPoints;

// The body of a connection's child: reads the startup packet, refuses the
// connection per `cac`, and runs entry.walsender for replication=true.
using ConnectionMainFn = std::function<os::Task<>(os::Os&, node::ShmemRef, os::Fd,
                                                  CAC_state, const EntryPoints&)>;

struct EntryPoints {
  std::function<os::Task<>(os::Os&, node::ShmemRef)> startup;
  std::function<os::Task<>(os::Os&, node::ShmemRef)> walreceiver;
  // After the start-up exchange; the last argument is the client's
  // application_name (synchronous_standby_names matches on it).
  std::function<os::Task<>(os::Os&, node::ShmemRef, std::unique_ptr<pq::PqComm>,
                           std::string)>
      walsender;
  ConnectionMainFn connection;
  std::shared_ptr<SessionQueue> sessions;
  std::function<void(node::ShmemRef)> on_shmem;
  std::function<node::Gucs()> config_file;
};

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_ENTRY_POINTS_H_
