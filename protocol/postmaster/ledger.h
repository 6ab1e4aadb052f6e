// File: protocol/postmaster/ledger.h
//
// The clients' memory of their transactions: every commit a client session
// saw acknowledged (xid, commit record position, virtual time), and the
// sessions whose commit was not acknowledged (e.g. a fast shutdown cancelled
// the synchronous-replication wait: committed locally, never reported to the
// client). It models the client side, so it lives outside the node's shared
// memory and survives the node's crashes: the harness owns it and hands it
// to the sessions it requests. Checkers read it after the run.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_LEDGER_H_
#define REPLSIM_PROTOCOL_POSTMASTER_LEDGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/os/time.h"
#include "protocol/wal/lsn.h"

namespace replsim::postmaster {

struct LedgerEntry {
  std::string node;           // the node the session ran on
  int session = 0;            // the client session's id
  uint64_t xid = 0;           // FullTransactionId of the transaction
  wal::XLogRecPtr commit_lsn = 0;  // start of its COMMIT record
  wal::XLogRecPtr commit_end = 0;  // end of the COMMIT record (XactLastRecEnd)
  os::Instant acked_at;       // when the client saw COMMIT succeed
  // The host of the synchronous standby whose confirmation the commit
  // waited for (or found already given); "" for a commit no standby
  // confirmed: asynchronous, or its sync-rep wait canceled.
  std::string confirmed_by;
  // The server had synchronous replication in effect for this commit when
  // the client was told (SyncRepInEffect; the wait not canceled): the
  // client may take it as on a synchronous standby, confirmed or not.
  bool sync_promised = false;
};

// A transaction whose outcome the client never learned.
struct UnackedCommit {
  std::string node;
  int session = 0;
  uint64_t xid = 0;
  wal::XLogRecPtr commit_end = 0;
  std::string reason;         // the WARNING/FATAL text the server logged
};

struct CommitLedger {
  std::vector<LedgerEntry> acked;
  std::vector<UnackedCommit> unacked;
  int sessions_refused = 0;   // connection refused (57P03, not running)
  // Sessions whose connection has closed, however the backend ended (done,
  // FATAL, killed, its host gone): the client sees the socket close.
  int sessions_ended = 0;
};

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_LEDGER_H_
