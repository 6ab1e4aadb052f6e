// File: protocol/node/shmem.h
//
// A node's shared memory: the structs PostgreSQL's processes share, with
// their real names (XLogCtl, ControlFile, WalSndCtl, WalRcv, PMSignalState,
// CheckpointerShmem). The postmaster creates one NodeShmem when it starts and
// hands it to every child it forks, as fork() shares the segment; it dies with
// the postmaster (a restart gets a fresh one, a host crash loses it). Nothing
// here is durable: what must survive lives in files (pg_wal, pg_control).
//
// Plain structs, no locks: one simulated thread runs at a time, and a process
// only yields at an awaited Os call, so a spinlock-protected read-modify-write
// in PostgreSQL is a plain statement sequence here. Where PostgreSQL's readers
// can see a stale value because of that locking (e.g. a walsender reading
// receivedUpto), the process code reads the field at the same point
// PostgreSQL's does.
#ifndef REPLSIM_PROTOCOL_NODE_SHMEM_H_
#define REPLSIM_PROTOCOL_NODE_SHMEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/node/behavior.h"
#include "protocol/node/lwlock.h"
#include "protocol/node/guc.h"
#include "protocol/node/node_config.h"
#include "protocol/os/latch.h"
#include "protocol/os/os.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/xlog_ctl.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::node {

using wal::TimeLineID;
using wal::XLogRecPtr;

// pg_control's DBState (catalog/pg_control.h), in PostgreSQL's order.
enum class DBState {
  DB_STARTUP = 0,
  DB_SHUTDOWNED,
  DB_SHUTDOWNED_IN_RECOVERY,
  DB_SHUTDOWNING,
  DB_IN_CRASH_RECOVERY,
  DB_IN_ARCHIVE_RECOVERY,
  DB_IN_PRODUCTION,
};
const char* DBStateName(DBState s);

// The fields of ControlFileData the simulation uses.
struct ControlFileData {
  uint64_t system_identifier = 0;
  DBState state = DBState::DB_STARTUP;
  XLogRecPtr checkPoint = 0;            // last checkpoint record's start
  wal::CheckPoint checkPointCopy;       // its contents
  XLogRecPtr minRecoveryPoint = 0;
  TimeLineID minRecoveryPointTLI = 0;
  XLogRecPtr backupStartPoint = 0;
  XLogRecPtr backupEndPoint = 0;
  bool backupEndRequired = false;
};

// XLogCtl: the WAL insert/write/flush state and the recovery state.
struct XLogCtlData {
  // Insertion (primary, or a promoted standby after end of recovery). Bytes
  // inserted but not yet written live in `buffers`.
  std::unique_ptr<wal::WalBuilder> insert;
  wal::WalBuffer buffers;
  wal::XLogCtlPositions pos;            // Insert, LogwrtRqst, LogwrtResult
  LWLock WALWriteLock;                  // held by the one process in XLogWrite
  // XLogCtl->RedoRecPtr: the redo point of the checkpoint or restartpoint
  // begun last (0 until one begins in this shared memory; pg_control's then
  // stands for it). XLogCheckpointNeeded counts segments from it.
  wal::XLogRecPtr RedoRecPtr = 0;
  // The newest segment number a checkpoint removed or recycled since this
  // shared memory was made (0: none), whatever its timeline.
  uint64_t lastRemovedSegNo = 0;
  // 15's CheckPointDistanceEstimate (bytes between redo points), which
  // XLOGfileslop uses; the checkpointer's own static in PostgreSQL.
  double CheckPointDistanceEstimate = 0;
  TimeLineID ThisTimeLineID = 0;        // XLogCtl->InsertTimeLineID in 15
  TimeLineID PrevTimeLineID = 0;

  // Recovery.
  bool SharedRecoveryInProgress = true;
  bool SharedHotStandbyActive = false;
  bool SharedPromoteIsTriggered = false;
  XLogRecPtr replayEndRecPtr = 0;
  TimeLineID replayEndTLI = 0;
  XLogRecPtr lastReplayedReadRecPtr = 0;  // start of the last replayed record
  XLogRecPtr lastReplayedEndRecPtr = 0;
  TimeLineID lastReplayedTLI = 0;
  TimeLineID RecoveryTargetTLI = 0;     // the startup process's recoveryTargetTLI
  XLogRecPtr lastCheckPointRecPtr = 0;  // for restartpoints
  XLogRecPtr lastCheckPointEndPtr = 0;  // its end (CreateRestartPoint)
  wal::CheckPoint lastCheckPoint;       // its contents
  std::unique_ptr<os::Latch> recoveryWakeupLatch;

  // The insert record LSNs the workload's redo applied (for checkers).
  uint64_t replayed_inserts = 0;
  // The largest row id among replayed heap inserts (the workload puts a
  // row's id in the first 8 bytes of its tuple data, little-endian).
  uint64_t max_replayed_row = 0;
};

// WalSndState (walsender_private.h); STOPPING exists from PG 10.
enum class WalSndState {
  WALSNDSTATE_STARTUP = 0,
  WALSNDSTATE_BACKUP,
  WALSNDSTATE_CATCHUP,
  WALSNDSTATE_STREAMING,
  WALSNDSTATE_STOPPING,
};
const char* WalSndStateName(WalSndState s);

// One WalSnd slot (walsender_private.h).
struct WalSnd {
  os::Pid pid = 0;                      // 0: slot free
  WalSndState state = WalSndState::WALSNDSTATE_STARTUP;
  XLogRecPtr sentPtr = 0;
  bool needreload = false;
  XLogRecPtr write = 0;                 // as reported by the standby
  XLogRecPtr flush = 0;
  XLogRecPtr apply = 0;
  os::Latch* latch = nullptr;           // the walsender's process latch
  int sync_standby_priority = 0;
  std::string application_name;
  // The standby's host, as pg_stat_replication's client_addr shows it (the
  // Port's remote_host; PostgreSQL keeps it in the backend status).
  std::string client_host;
  // PROCSIG_WALSND_INIT_STOPPING pending for this walsender (its
  // ProcSignalSlot's pss_signalFlags entry in PostgreSQL 10+): set by
  // WalSndInitStopping before the SIGUSR1, consumed by the walsender's
  // procsignal_sigusr1_handler.
  bool pss_walsnd_init_stopping = false;
  // The walsender's MyPgXact->xmin, set from hot standby feedback ('h').
  wal::TransactionId xmin = 0;
};

// A backend waiting in SyncRepWaitForLSN (its PGPROC's syncRep fields).
struct SyncRepWaiter {
  os::Pid pid = 0;
  XLogRecPtr waitLSN = 0;
  int mode = 0;                         // SYNC_REP_WAIT_WRITE / _FLUSH
  bool released = false;                // syncRepState == SYNC_REP_WAIT_COMPLETE
  // Not PostgreSQL's: for the checkers, the client_host of the synchronous
  // standby whose reply released it ("" when released without one, as
  // when synchronous_standby_names is emptied).
  std::string released_by;
  os::Latch* latch = nullptr;
};

inline constexpr int SYNC_REP_WAIT_WRITE = 0;
inline constexpr int SYNC_REP_WAIT_FLUSH = 1;
inline constexpr int NUM_SYNC_REP_WAIT_MODE = 2;

struct WalSndCtlData {
  std::vector<WalSnd> walsnds;          // max_wal_senders slots
  // Queues ordered by waitLSN (SyncRepQueueInsert keeps them sorted).
  std::vector<SyncRepWaiter*> SyncRepQueue[NUM_SYNC_REP_WAIT_MODE];
  XLogRecPtr lsn[NUM_SYNC_REP_WAIT_MODE] = {0, 0};
  // Not PostgreSQL's: for the checkers, the client_host of the synchronous
  // standby whose reply last advanced lsn[mode].
  std::string lsn_confirmed_by[NUM_SYNC_REP_WAIT_MODE];
  bool sync_standbys_defined = false;
  // 2e57790836's SYNC_STANDBY_INIT bit of sync_standbys_status: the
  // checkpointer has published sync_standbys_defined at least once in this
  // shared memory. Kept in every profile (the moment exists before the fix
  // too); only the fixed SyncRepWaitForLSN and the checkers read it.
  bool sync_standbys_init = false;
};

// One replication slot (replication/slot.h of 9.4), the parts a physical
// slot uses. Each is also kept in pg_replslot/<name>/state
// (protocol/replslot/slot_disk.h), which a restart reloads.
struct ReplicationSlot {
  bool in_use = false;
  // The process that acquired it, 0 when inactive (9.4 kept a bool
  // `active`; 9.5 made it active_pid).
  os::Pid active_pid = 0;
  std::string name;                     // data.name
  // data.restart_lsn: the oldest WAL the slot's client may still need;
  // InvalidXLogRecPtr until the client first confirms a flush (9.4 has no
  // RESERVE_WAL).
  XLogRecPtr restart_lsn = 0;
  // Changed since the state file was last written (ReplicationSlotMarkDirty),
  // and changed again while a save was writing it (the save then leaves it
  // dirty for the next one).
  bool dirty = false;
  bool just_dirtied = false;
  // Reserved by a CREATE_REPLICATION_SLOT writing it to disk: not in use
  // yet (PostgreSQL holds ReplicationSlotAllocationLock meanwhile, so a
  // second creation waits and then finds the name taken).
  bool creating = false;
};

// ReplicationSlotCtl: max_replication_slots entries (none when it is 0).
struct ReplicationSlotCtlData {
  std::vector<ReplicationSlot> replication_slots;
};

// WalRcvState (walreceiver.h).
enum class WalRcvState {
  WALRCV_STOPPED = 0,
  WALRCV_STARTING,
  WALRCV_STREAMING,
  WALRCV_WAITING,
  WALRCV_RESTARTING,
  WALRCV_STOPPING,
};
const char* WalRcvStateName(WalRcvState s);

struct WalRcvData {
  os::Pid pid = 0;
  WalRcvState walRcvState = WalRcvState::WALRCV_STOPPED;
  os::Instant startTime;
  XLogRecPtr receiveStart = 0;
  TimeLineID receiveStartTLI = 0;
  XLogRecPtr receivedUpto = 0;          // flushedUpto in 15: fsync'd
  TimeLineID receivedTLI = 0;
  XLogRecPtr writtenUpto = 0;           // 15
  XLogRecPtr latestChunkStart = 0;
  XLogRecPtr latestWalEnd = 0;
  // Times of the last message from the primary (its sendTime, our receipt
  // time) and of the last advance of latestWalEnd: TimestampTz, as
  // ProcessWalSndrMessage sets them.
  int64_t lastMsgSendTime = 0;
  int64_t lastMsgReceiptTime = 0;
  int64_t latestWalEndTime = 0;
  std::string conninfo;
  os::Latch* latch = nullptr;           // the walreceiver's process latch
  bool force_reply = false;
};

// PMSignalReason (pmsignal.h), the ones the simulation sends.
enum class PMSignalReason {
  PMSIGNAL_RECOVERY_STARTED = 0,
  PMSIGNAL_BEGIN_HOT_STANDBY,
  PMSIGNAL_WAKEN_ARCHIVER,
  PMSIGNAL_ROTATE_LOGFILE,
  PMSIGNAL_START_AUTOVAC_LAUNCHER,
  PMSIGNAL_START_AUTOVAC_WORKER,
  PMSIGNAL_BACKGROUND_WORKER_CHANGE,
  PMSIGNAL_START_WALRECEIVER,
  PMSIGNAL_ADVANCE_STATE_MACHINE,
  kNumReasons,
};

// PMChildFlags values (pmsignal.c).
enum class PMChildState { PM_CHILD_UNUSED = 0, PM_CHILD_ASSIGNED, PM_CHILD_ACTIVE,
                          PM_CHILD_WALSENDER };

// QuitSignalReason (pmsignal.h, 14 and later): why the postmaster sent
// SIGQUIT, which quickdie tells the client. 9.x has no such field; replsim
// keeps it in every release, read only where 14's quickdie reads it.
enum class QuitSignalReason { PMQUIT_NOT_SENT = 0, PMQUIT_FOR_CRASH, PMQUIT_FOR_STOP };

struct PMSignalData {
  bool PMSignalFlags[static_cast<int>(PMSignalReason::kNumReasons)] = {};
  // SetQuitSignalReason; a new shared memory (reset_shared) clears it.
  QuitSignalReason sigquit_reason = QuitSignalReason::PMQUIT_NOT_SENT;
  std::vector<PMChildState> PMChildFlags;  // by child slot (1-based in PG)
  int next_child_flag = 0;                 // where the slot search starts
  // replsim: the pid holding each slot. Stands in for the MyPMChildSlot a
  // forked child inherits, so a process finds its slot from its pid.
  std::vector<os::Pid> PMChildPid;
};

// ShmemVariableCache (transam.h): the next transaction id to assign.
struct VariableCacheData {
  uint64_t nextXid = 0;                 // FullTransactionId
};

// CHECKPOINT_* request flags (xlog.h).
inline constexpr int CHECKPOINT_IS_SHUTDOWN = 0x0001;
inline constexpr int CHECKPOINT_END_OF_RECOVERY = 0x0002;
inline constexpr int CHECKPOINT_IMMEDIATE = 0x0004;
inline constexpr int CHECKPOINT_FORCE = 0x0008;
inline constexpr int CHECKPOINT_WAIT = 0x0020;
inline constexpr int CHECKPOINT_CAUSE_XLOG = 0x0080;
inline constexpr int CHECKPOINT_CAUSE_TIME = 0x0100;

// CheckpointerShmem: requests from other processes.
struct CheckpointerShmemData {
  os::Pid checkpointer_pid = 0;
  int ckpt_flags = 0;                   // CHECKPOINT_* requested
  int ckpt_started = 0;                 // counters, as ckpt_started/done
  int ckpt_done = 0;
  os::Latch* latch = nullptr;
};

// PgArch (pgarch.c of 15): how other processes reach the archiver.
// XLogArchiveNotify sets its latch (15's PgArchWakeup; 9.3 asks the
// postmaster, which SIGUSR1s it), and a new timeline history file asks for
// a fresh scan of archive_status.
struct PgArchData {
  os::Pid pid = 0;
  os::Latch* latch = nullptr;
  bool force_dir_scan = false;
};

// Everything above, for one postmaster lifetime.
// Not PostgreSQL state: what the checkers observe of the walsenders' wire
// behaviour, like a pg_stat counter (ONE_PING_OUTSTANDING). Every release
// since 9.3 asks its client for a reply (a keepalive with replyRequested)
// only once until the client has sent something back (ping_sent, later
// waiting_for_ping_response); a request sent while an earlier one is still
// unanswered is counted here.
struct WalSndObservations {
  int64_t repeated_reply_requests = 0;
  os::Instant first_repeat;       // its host's monotonic clock at the first
  os::Pid first_repeat_pid = 0;   // the walsender that sent it
};

struct NodeShmem {
  // Constant after creation.
  std::string node_name;
  std::string data_dir;                 // "/pgdata"
  Gucs gucs;
  Behavior behavior;

  ControlFileData ControlFile;
  XLogCtlData XLogCtl;
  WalSndCtlData WalSndCtl;
  ReplicationSlotCtlData ReplicationSlotCtl;
  WalRcvData WalRcv;
  PMSignalData PMSignalState;
  CheckpointerShmemData CheckpointerShmem;
  PgArchData PgArch;
  VariableCacheData ShmemVariableCache;
  os::Pid postmaster_pid = 0;
  os::Pid startup_pid = 0;
  WalSndObservations walsnd_observed;
};

// RequestCheckpoint without CHECKPOINT_WAIT: ORs the flags in and wakes the
// checkpointer (no-op when none runs; PostgreSQL would then checkpoint in
// the requesting backend, which replsim does not model).
inline void RequestCheckpoint(NodeShmem& shm, int flags) {
  shm.CheckpointerShmem.ckpt_flags |= flags;
  if (shm.CheckpointerShmem.latch != nullptr) shm.CheckpointerShmem.latch->Set();
}

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_SHMEM_H_
