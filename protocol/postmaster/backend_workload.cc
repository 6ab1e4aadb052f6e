#include "protocol/postmaster/backend_workload.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/node/quickdie.h"
#include "protocol/postmaster/checkpoint.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/postmaster/syncrep.h"
#include "protocol/postmaster/workload_tuple.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::postmaster {
namespace {

// ProcKill's MarkPostmasterChildInactive on every clean exit path; a kill
// by signal skips it in PostgreSQL too, but then the exit status already
// makes the postmaster treat it as a crash.
class ChildSlotGuard {
 public:
  ChildSlotGuard(os::Os& os, node::NodeShmem& shm) : os_(os), shm_(shm) {
    MarkPostmasterChildActive(os_, shm_);
  }
  ChildSlotGuard(const ChildSlotGuard&) = delete;
  ChildSlotGuard& operator=(const ChildSlotGuard&) = delete;
  ~ChildSlotGuard() { MarkPostmasterChildInactive(os_, shm_); }

 private:
  os::Os& os_;
  node::NodeShmem& shm_;
};

// The client's side of the connection: it sees the session end when the
// backend goes, on every path out of BackendWorkloadMain (its frame is
// destroyed then, an exit by signal included).
class SessionEndNotice {
 public:
  explicit SessionEndNotice(CommitLedger* ledger) : ledger_(ledger) {}
  SessionEndNotice(const SessionEndNotice&) = delete;
  SessionEndNotice& operator=(const SessionEndNotice&) = delete;
  ~SessionEndNotice() {
    if (ledger_ != nullptr) ++ledger_->sessions_ended;
  }

 private:
  CommitLedger* ledger_;
};

// PostgreSQL 15's epoch for TimestampTz: 2000-01-01 in Unix microseconds.
constexpr int64_t kPostgresEpochMicros = 946684800LL * 1000000;

// pg_switch_wal() / pg_switch_xlog(): RequestXLogSwitch(false). The switch
// record is flushed by XLogInsertRecord itself.
os::Task<int> SwitchWal(os::Os& os, node::NodeShmem& shm) {
  if (RecoveryInProgress(shm)) {
    os.Log("ERROR", "recovery is in progress");
    co_return 0;
  }
  const wal::XLogInsertResult r = xlog::XLogInsert(shm, wal::MakeSwitchRecord());
  const os::Errno e = co_await xlog::XLogFlush(os, shm, r.EndRecPtr);
  if (e != os::Errno::kOk) co_await os.Abort();  // XLogFlush logged its PANIC
  co_return 0;
}

}  // namespace

os::Task<> RefuseSession(os::Os& os, node::NodeShmem& shm, const SessionRequest& req,
                         const ConnectionRefusal& refusal) {
  (void)shm;
  os.Log("FATAL", refusal.message);
  if (req.ledger != nullptr) ++req.ledger->sessions_refused;
  co_await os.Exit(1);
}

os::Task<> BackendWorkloadMain(os::Os& os, node::ShmemRef shm_ref, SessionRequest req) {
  node::NodeShmem& shm = *shm_ref;
  SessionEndNotice end_notice(req.ledger.get());
  auto interrupts = std::make_shared<InterruptFlags>();
  os.SetSignalHandler(os::Signal::kSIGTERM, [&os, interrupts] {
    interrupts->ProcDiePending = true;
    os.MyLatch().Set();
  });
  node::InstallQuickDie(os, shm_ref);
  os.SetSignalHandler(os::Signal::kSIGINT, [&os, interrupts] {
    interrupts->QueryCancelPending = true;
    os.MyLatch().Set();
  });
  // The backend's own GUCs, inherited at fork; SIGHUP (pg_ctl reload) sets
  // ConfigReloadPending, which PostgresMain acts on only after reading the
  // client's next command (the top of the loop below): a transaction under
  // way keeps the values it began with.
  node::Gucs my_gucs = shm.gucs;
  auto config_reload_pending = std::make_shared<bool>(false);
  os.SetSignalHandler(os::Signal::kSIGHUP, [&os, config_reload_pending] {
    *config_reload_pending = true;
    os.MyLatch().Set();
  });
  // procsignal_sigusr1_handler (no procsignal reason is modelled for a
  // session: it sets the latch) and SIG_IGN for SIGUSR2, as in PostgresMain.
  os.SetSignalHandler(os::Signal::kSIGUSR1, [&os] { os.MyLatch().Set(); });
  os.IgnoreSignal(os::Signal::kSIGUSR2);
  int exit_code = 0;
  {
    ChildSlotGuard slot(os, shm);
    if (req.switch_wal) {
      exit_code = co_await SwitchWal(os, shm);
      co_await os.Exit(exit_code);
    }
    for (int t = 0; t < req.transactions; ++t) {
      if (interrupts->ProcDiePending) {
        os.Log("FATAL", "terminating connection due to administrator command");
        exit_code = 1;
        break;
      }
      if (*config_reload_pending) {
        *config_reload_pending = false;
        my_gucs = shm.gucs;  // ProcessConfigFile(PGC_SIGHUP)
      }
      if (RecoveryInProgress(shm)) {
        os.Log("ERROR", "cannot execute INSERT in a read-only transaction");
        break;
      }
      const uint64_t xid = shm.ShmemVariableCache.nextXid++;
      xlog::XLogInsert(shm, wal::MakeHeapInsertRecord(
                                static_cast<uint32_t>(xid),
                                MakeWorkloadTuple(static_cast<uint32_t>(xid), req.session,
                                                  req.row_bytes)));
      const int64_t now_ts = os.WallClockMicros() - kPostgresEpochMicros;
      wal::XLogInsertResult c =
          xlog::XLogInsert(shm, wal::MakeCommitRecord(static_cast<uint32_t>(xid), now_ts));
      os::Errno e = co_await xlog::XLogFlush(os, shm, c.EndRecPtr);
      if (e != os::Errno::kOk) co_await os.Abort();  // XLogFlush logged its PANIC
      SyncRepWaitReport sync;
      SyncRepWaitResult r =
          co_await SyncRepWaitForLSN(os, shm, my_gucs, c.EndRecPtr, *interrupts, &sync);
      if (r == SyncRepWaitResult::kTerminated) {
        if (req.ledger != nullptr) {
          req.ledger->unacked.push_back(
              {shm.node_name, req.session, xid, c.EndRecPtr,
               "canceling the wait for synchronous replication and terminating "
               "connection due to administrator command"});
        }
        exit_code = 1;  // FATAL at the next CHECK_FOR_INTERRUPTS; output suppressed
        break;
      }
      // kCanceled: the client sees COMMIT with a WARNING; it is committed.
      if (req.ledger != nullptr) {
        req.ledger->acked.push_back(
            {shm.node_name, req.session, xid, c.ReadRecPtr, c.EndRecPtr, os.Monotonic(),
             r == SyncRepWaitResult::kCanceled ? "" : sync.confirmed_by,
             r != SyncRepWaitResult::kCanceled && sync.promised});
      }
      if (t + 1 < req.transactions && req.think_time > os::Duration()) {
        co_await os.WaitLatchOrSocket(
            &os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH,
            os::kNoFd, req.think_time);
        os.MyLatch().Reset();
      }
    }
  }
  co_await os.Exit(exit_code);
}

}  // namespace replsim::postmaster
