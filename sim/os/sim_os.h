// File: sim/os/sim_os.h
//
// os::Os for one simulated process: its identity, host, signal state, latch,
// file descriptors and children. Made by the Cluster when the process starts
// and destroyed when it ends (after its coroutine frames): the destructor is
// the kernel's exit path, closing every descriptor by the TCP rules (unread
// input -> RST) and telling children that their parent is gone. After a host
// crash it closes nothing: the sockets have vanished with the host.
//
// Suspension points: every awaited call first delivers pending signals
// (ServiceSignals) and wakes up when one arrives. Handlers run on the
// process's own stack, between its steps; a default action terminates the
// process there. Blocking socket calls restart after a handler (SA_RESTART,
// as pqsignal asks); Sleep returns kEINTR; WaitLatchOrSocket returns if the
// handler set the latch and otherwise keeps waiting until its deadline.
#ifndef REPLSIM_SIM_OS_SIM_OS_H_
#define REPLSIM_SIM_OS_SIM_OS_H_

#include <coroutine>
#include <deque>
#include <optional>
#include <string>

#include "absl/container/btree_map.h"

#include "protocol/os/os.h"
#include "sim/disk/disk.h"
#include "sim/executor.h"
#include "sim/host/host.h"
#include "sim/host/signals.h"
#include "sim/os/fd_table.h"
#include "sim/os/wait_scope.h"
#include "sim/net/network.h"
#include "sim/waitable.h"

namespace replsim::sim::os_sim {

class Cluster;

class SimOs final : public os::Os {
 public:
  SimOs(Cluster& cluster, host::Host& host, std::string name, os::Pid parent);
  ~SimOs() override;
  // Called once the executor has given the process its pid and context.
  void Attach(ProcessContext& ctx);

  // ---- os::Os ----
  os::Pid MyPid() const override { return pid_; }
  os::Pid ParentPid() const override { return parent_; }
  std::string_view HostName() const override;
  std::string_view ProcessName() const override { return name_; }
  void SetProcessName(std::string_view name) override;
  os::Instant Monotonic() const override;
  int64_t WallClockMicros() const override;
  os::Task<os::Errno> Sleep(os::Duration d) override;

  os::Latch& MyLatch() override { return *latch_; }
  std::unique_ptr<os::Latch> NewSharedLatch() override;
  os::Task<int> WaitLatchOrSocket(os::Latch* latch, int wake_events, os::Fd sock,
                                  os::Duration timeout) override;

  void SetSignalHandler(os::Signal sig, os::SignalHandler handler) override;
  void IgnoreSignal(os::Signal sig) override;
  void DefaultSignal(os::Signal sig) override;
  void BlockSignal(os::Signal sig) override;
  void UnblockSignal(os::Signal sig) override;
  void ExitOnSignal(os::Signal sig, int code, os::SignalHandler last_words) override;
  using os::Os::ExitOnSignal;
  os::Errno Kill(os::Pid pid, os::Signal sig) override;
  using os::Os::StartChild;
  os::Result<os::Pid> StartChild(std::string name, os::ProcessBody body,
                                 std::vector<os::Fd> pass_fds) override;
  std::optional<os::ChildExit> WaitChild() override;
  bool PostmasterIsAlive() const override { return !parent_death_.is_set(); }
  os::Task<> Exit(int code) override;
  os::Task<> Abort() override;

  os::Result<os::Fd> Listen(int port, int backlog) override;
  os::Result<os::Fd> TryAccept(os::Fd listener) override;
  os::Task<os::Result<os::Fd>> Accept(os::Fd listener) override;
  os::Task<os::Result<os::Fd>> Connect(std::string_view host, int port) override;
  os::Result<os::Fd> ConnectStart(std::string_view host, int port) override;
  os::Errno ConnectResult(os::Fd sock) override;
  os::Result<size_t> TrySend(os::Fd sock, absl::Span<const uint8_t> data) override;
  os::Task<os::Result<size_t>> Send(os::Fd sock, absl::Span<const uint8_t> data) override;
  os::Result<size_t> TryRecv(os::Fd sock, absl::Span<uint8_t> buf) override;
  os::Task<os::Result<size_t>> Recv(os::Fd sock, absl::Span<uint8_t> buf) override;
  os::Errno ShutdownWrite(os::Fd sock) override;
  os::Errno SetKeepalive(os::Fd sock, const os::KeepaliveConfig& config) override;
  os::Result<std::string> PeerHost(os::Fd sock) override;
  os::Errno Close(os::Fd fd) override;

  os::Result<os::Fd> Open(std::string_view path, int flags) override;
  os::Task<os::Result<size_t>> PRead(os::Fd fd, absl::Span<uint8_t> buf,
                                     int64_t offset) override;
  os::Task<os::Result<size_t>> PWrite(os::Fd fd, absl::Span<const uint8_t> data,
                                      int64_t offset) override;
  os::Task<os::Errno> Fsync(os::Fd fd) override;
  os::Task<os::Errno> Fdatasync(os::Fd fd) override { return Fsync(fd); }
  os::Task<os::Errno> FsyncDir(std::string_view dir) override;
  os::Errno Truncate(os::Fd fd, int64_t size) override;
  os::Task<os::Errno> ReserveSpace(os::Fd fd, int64_t len) override;
  os::Errno Rename(std::string_view from, std::string_view to) override;
  os::Errno Unlink(std::string_view path) override;
  os::Errno MakeDir(std::string_view path) override;
  os::Errno RemoveDir(std::string_view path) override;
  os::Result<os::FileStat> Stat(std::string_view path) override;
  os::Result<std::vector<std::string>> ListDir(std::string_view dir) override;

  bool FaultPoint(std::string_view name) override;
  // A "mark" event with the name, then the cluster's mark listener, if any.
  void Mark(std::string_view name) override;
  void Log(std::string_view kind, std::string_view message) override;
  // A msg_sent / msg_received event: socket (the network's id, as in tcp_*
  // events), offset, bytes, msg, then the fields.
  void NoteMessage(os::Fd sock, bool sent, uint64_t offset, uint64_t len,
                   std::string_view name, absl::Span<const os::NoteField> fields) override;

  // ---- Kernel side (the Cluster) ----
  // A signal arrives: pending bit, wakes the process's current wait.
  void Raise(os::Signal sig);
  void ChildExited(const os::ChildExit& status);
  void ParentDied() { parent_death_.Set(); }
  // A slow reader (sim/os/stalls.h): from now on each socket read of n
  // bytes costs n / bytes_per_ms of time, spent before the process's next
  // wait; 0 reads at full speed again.
  void SetSlowRead(uint32_t bytes_per_ms);
  int boot() const { return boot_; }

 private:
  TraceBuilder Emit(std::string_view kind, Severity s = Severity::kInfo);
  // `n` bytes copied between the process and the kernel: CPU time.
  void Copied(size_t n);
  os::Fd AddFd(FdEntry e);
  friend class Cluster;
  net::TcpSocket* SocketOf(os::Fd fd);
  const FdEntry* FileOf(os::Fd fd) const;
  // Awaiting it runs pending signals' handlers (or default actions) and
  // yields true if a handler ran. Nearly every suspension point services
  // signals and nearly always none is pending: that case resets
  // signal_arrived_ and continues without making a coroutine frame.
  class SignalService {
   public:
    explicit SignalService(SimOs& os) : os_(os) {}
    bool await_ready() {
      if (os_.signals_.any_pending()) return false;
      os_.signal_arrived_.Reset();
      return true;
    }
    bool await_suspend(std::coroutine_handle<> caller) {
      delivery_ = os_.DeliverPendingSignals();
      return delivery_.await_suspend(caller);
    }
    bool await_resume() { return delivery_.valid() && delivery_.await_resume(); }

   private:
    SimOs& os_;
    os::Task<bool> delivery_;
  };
  SignalService ServiceSignals() { return SignalService(*this); }
  os::Task<bool> DeliverPendingSignals();
  // Suspends until `w` is ready (or a signal arrives, or `until`), after
  // servicing signals. Returns whether `w` is ready.
  os::Task<bool> BlockOn(Waitable& w, std::optional<os::Instant> until);
  // A blocking call begins: reported to the wait observer, if any, until
  // the scope ends (sim/os/wait_scope.h). The file form names `fd`'s file.
  WaitScope Waiting(const WaitInfo& w);
  WaitScope WaitingOnFile(WaitKind kind, os::Fd fd);
  // Ends the process now with a signal status (default action).
  os::Task<> DieBySignal(os::Signal sig);
  os::Task<> Pause(os::Duration d);
  // Spends the time a slow reader's reads cost (read_debt_).
  os::Task<> PayReadDebt();

  Cluster& cluster_;
  host::Host& host_;
  std::string name_;
  os::Pid parent_;
  os::Pid pid_ = 0;
  int boot_;
  ProcessContext* ctx_ = nullptr;
  host::SimLatch* latch_;
  host::SignalState signals_;
  Event signal_arrived_;
  Event parent_death_;
  Event never_;
  std::deque<os::ChildExit> zombies_;
  FdTable fds_;
  uint32_t slow_read_bytes_per_ms_ = 0;
  os::Duration read_debt_;
  // Inode -> the path it was opened by, kept only while a wait observer
  // looks (it names a file's reads, writes and fsyncs).
  absl::btree_map<uint64_t, std::string> observed_paths_;
};

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_SIM_OS_H_
