// WalSndMain: InitWalSender, WalSndSignals, the command loop of PostgresMain
// for a walsender, and error handling (elog.c / postgres.c as they apply to
// a walsender). Follows walsender.c of 9.3.5 and 15.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/node/quickdie.h"
#include "protocol/node/signal_mask.h"
#include "protocol/os/check.h"
#include "protocol/pq/backend_startup.h"
#include "protocol/walsender/slot.h"
#include "protocol/walsender/syncrep_hook.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/wire/message.h"
#include "protocol/wire/sqlstate.h"

namespace replsim::walsender {

WalSender::WalSender(os::Os& os, node::ShmemRef shm, std::unique_ptr<pq::PqComm> conn,
                     WalSndPort port)
    : os_(os),
      shm_(std::move(shm)),
      conn_(std::move(conn)),
      port_(std::move(port)),
      dialect_(shm_->behavior.server_version_num >= 90400 ? wire::Dialect::kPg15
                                                           : wire::Dialect::kPg93) {}

// WalSndKill (an on_shmem_exit callback): runs however the process ends,
// since ending a process destroys its frames.
WalSender::~WalSender() {
  ReleaseMyReplicationSlot();  // ReplicationSlotShmemExit
  if (slot_ < 0) return;
  node::WalSnd& w = shm_->WalSndCtl.walsnds[slot_];
  if (w.pid == os_.MyPid()) {
    w.pid = 0;
    w.latch = nullptr;
    w.pss_walsnd_init_stopping = false;
  }
}

void WalSender::ReleaseMyReplicationSlot() {
  if (my_replication_slot_ < 0) return;
  ReplicationSlotRelease(*shm_, my_replication_slot_, os_.MyPid());
  my_replication_slot_ = -1;
}

node::WalSnd& WalSender::MyWalSnd() {
  CHECK_GE(slot_, 0) << "MyWalSnd before InitWalSenderSlot";
  return shm_->WalSndCtl.walsnds[slot_];
}

void WalSender::WalSndSetState(node::WalSndState state) { MyWalSnd().state = state; }

bool WalSender::AmStopping() const {
  // 9.3: walsender_ready_to_stop; 15: got_STOPPING || got_SIGUSR2.
  return walsender_ready_to_stop_ || got_STOPPING_;
}

os::Task<> WalSender::Main() {
  WalSndSignals();  // PostgresMain installs them before InitPostgres
  node::UnBlockSig(os_);  // what came since fork goes to them now
  co_await InitWalSender();
  co_await CommandLoop();
}

os::Task<> WalSender::InitWalSender() {
  am_cascading_walsender_ = RecoveryInProgress();

  // InitWalSenderSlot. WalSndShmemInit sizes the array to max_wal_senders.
  node::WalSndCtlData& ctl = shm_->WalSndCtl;
  const int max_wal_senders = shm_->gucs.max_wal_senders;
  if (static_cast<int>(ctl.walsnds.size()) < max_wal_senders) ctl.walsnds.resize(max_wal_senders);
  for (int i = 0; i < max_wal_senders; ++i) {
    node::WalSnd& w = ctl.walsnds[i];
    if (w.pid != 0) continue;
    w.pid = os_.MyPid();
    w.sentPtr = 0;
    w.state = node::WalSndState::WALSNDSTATE_STARTUP;
    w.needreload = false;
    w.pss_walsnd_init_stopping = false;
    if (v15()) {
      // 15 clears the reported positions; 9.3 leaves the previous
      // occupant's write/flush/apply in the slot.
      w.write = w.flush = w.apply = 0;
    }
    w.latch = &os_.MyLatch();
    w.application_name = port_.application_name;
    os::Result<std::string> peer = os_.PeerHost(conn_->socket());
    w.client_host = peer.ok() ? *peer : "";
    slot_ = i;
    break;
  }
  if (slot_ < 0) {
    const std::string msg = absl::StrFormat(
        "number of requested standby connections exceeds max_wal_senders (currently %d)",
        max_wal_senders);
    co_await Fatal(wire::sqlstate::kTooManyConnections, &msg);
  }
  MarkPostmasterChildWalSender();
}

// pmsignal.c's MarkPostmasterChildWalSender, then (38b27792) a kick of the
// postmaster's state machine.
void WalSender::MarkPostmasterChildWalSender() { postmaster::InitWalSenderMark(os_, *shm_); }

void WalSender::WalSndSignals() {
  os_.SetSignalHandler(os::Signal::kSIGHUP, [this] {
    got_SIGHUP_ = true;
    os_.MyLatch().Set();
  });
  os_.IgnoreSignal(os::Signal::kSIGINT);  // 9.3: not used; 15: query cancel (no query)
  os_.SetSignalHandler(os::Signal::kSIGTERM, [this] {  // die()
    proc_die_pending_ = true;
    os_.MyLatch().Set();
  });
  node::InstallWalSndQuickDie(os_, shm_);  // exit(2) without cleanup
  os_.IgnoreSignal(os::Signal::kSIGPIPE);
  os_.IgnoreSignal(os::Signal::kSIGALRM);  // no statement timeouts here
  os_.SetSignalHandler(os::Signal::kSIGUSR1, [this] {
    // 9.3: latch_sigusr1_handler. 15: procsignal_sigusr1_handler, which
    // also serves PROCSIG_WALSND_INIT_STOPPING (HandleWalSndInitStopping).
    if (slot_ >= 0 && MyWalSnd().pss_walsnd_init_stopping) {
      MyWalSnd().pss_walsnd_init_stopping = false;
      if (!replication_active_) {
        (void)os_.Kill(os_.MyPid(), os::Signal::kSIGTERM);
      } else {
        got_STOPPING_ = true;
      }
    }
    os_.MyLatch().Set();
  });
  os_.SetSignalHandler(os::Signal::kSIGUSR2, [this] {  // WalSndLastCycleHandler
    if (!shm_->behavior.walsnd_stopping_state && !replication_active_) {
      // 9.3: not streaming yet, so die like with SIGTERM (RW-7).
      (void)os_.Kill(os_.MyPid(), os::Signal::kSIGTERM);
    }
    walsender_ready_to_stop_ = true;
    os_.MyLatch().Set();
  });
}

os::Task<> WalSender::CheckForInterrupts() {
  if (proc_die_pending_) {
    const std::string msg = "terminating connection due to administrator command";
    co_await Fatal(wire::sqlstate::kAdminShutdown, &msg);
  }
}

os::Task<> WalSender::Fatal(const char* sqlstate, const std::string* message) {
  os_.Log("FATAL", *message);
  if (!output_off_) {
    output_off_ = true;
    (void)co_await pq::SendErrorResponse(*conn_, "FATAL", sqlstate, *message);
  }
  co_await ExitProcess(1);
}

os::Task<> WalSender::HandleError(const ElogError* err) {
  const ElogError& e = *err;
  os_.Log("ERROR", e.message);
  if (!e.detail.empty()) os_.Log("DETAIL", e.detail);
  if (!e.hint.empty()) os_.Log("HINT", e.hint);
  if (!output_off_) {
    (void)co_await pq::SendErrorResponse(*conn_, "ERROR", e.sqlstate, e.message, e.detail,
                                         e.hint);
  }
  co_await WalSndErrorCleanup();
}

os::Task<> WalSender::WalSndErrorCleanup() {
  ReleaseMyReplicationSlot();
  replication_active_ = false;
  if (AmStopping()) co_await ProcExit(0, "error while stopping");
  WalSndSetState(node::WalSndState::WALSNDSTATE_STARTUP);
}

os::Task<> WalSender::ProcExit(int code, const char* why) {
  os_.Log("DEBUG1", absl::StrCat("walsender exiting (", why, ")"));
  co_await ExitProcess(code);
}

// proc_exit: the on_shmem_exit callbacks run, ProcKill's
// MarkPostmasterChildInactive among them, so the postmaster sees a clean
// exit of a child that released its slot (a crash would not get here).
os::Task<> WalSender::ExitProcess(int code) {
  postmaster::MarkPostmasterChildInactive(os_, *shm_);
  co_await os_.Exit(code);
}

os::Task<> WalSender::WalSndShutdown() {
  output_off_ = true;  // whereToSendOutput = DestNone
  co_await ProcExit(0, "connection lost");
}

os::Task<pq::ReadStatus> WalSender::ReadCommand(wire::Frame* frame, std::string* error) {
  for (;;) {
    os_.MyLatch().Reset();
    co_await CheckForInterrupts();
    pq::ReadStatus st = co_await conn_->TryReadMessage(frame, error);
    if (st != pq::ReadStatus::kNoData) co_return st;
    const int rc = co_await os_.WaitLatchOrSocket(
        &os_.MyLatch(), os::WL_LATCH_SET | os::WL_SOCKET_READABLE | os::WL_POSTMASTER_DEATH,
        conn_->socket(), os::Duration());
    if (rc & os::WL_POSTMASTER_DEATH) {
      const std::string msg = "terminating connection due to unexpected postmaster exit";
      co_await Fatal(wire::sqlstate::kAdminShutdown, &msg);
    }
  }
}

os::Task<> WalSender::CommandLoop() {
  bool send_ready_for_query = false;  // the start-up exchange sent the first
  for (;;) {
    if (send_ready_for_query) {
      conn_->PutRaw(wire::Encode(wire::ReadyForQuery{wire::ReadyForQuery::kIdle}));
      const os::Errno flushed = co_await conn_->Flush();
      if (flushed != os::Errno::kOk) co_await WalSndShutdown();
      send_ready_for_query = false;
    }
    wire::Frame frame;
    std::string error;
    const pq::ReadStatus st = co_await ReadCommand(&frame, &error);
    if (st == pq::ReadStatus::kEof) co_await ProcExit(0, "client closed the connection");
    if (st == pq::ReadStatus::kError) {
      os_.Log("LOG", error);  // COMMERROR
      co_await ProcExit(0, "client connection error");
    }
    absl::StatusOr<wire::FrontendMessage> msg = wire::DecodeFrontendMessage(frame);
    if (!msg.ok()) {
      const ElogError e{wire::sqlstate::kProtocolViolation, std::string(msg.status().message())};
      co_await HandleError(&e);
      send_ready_for_query = true;
      continue;
    }
    if (std::holds_alternative<wire::Terminate>(*msg)) co_await ProcExit(0, "Terminate");
    const wire::Query* q = std::get_if<wire::Query>(&*msg);
    if (q == nullptr) continue;  // CopyData/CopyDone/CopyFail/Sync/Flush: ignored
    MaybeError err = co_await ExecReplicationCommand(q->sql);
    if (err.has_value()) co_await HandleError(&*err);
    send_ready_for_query = true;
  }
}

os::Task<> WalSndMain(os::Os& os, node::ShmemRef shm, std::unique_ptr<pq::PqComm> conn,
                      WalSndPort port) {
  CHECK(shm != nullptr);
  CHECK(conn != nullptr);
  WalSender ws(os, std::move(shm), std::move(conn), std::move(port));
  co_await ws.Main();
  co_await os.Exit(0);  // not reached: the command loop only leaves by exiting
}

}  // namespace replsim::walsender
