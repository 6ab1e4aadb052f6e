// File: protocol/os/os.h
//
// The operating system as one PostgreSQL process sees it. Each process gets
// its own Os when it is created (its identity is the object, never a hidden
// "current process"); the simulator implements it (sim/os/sim_os.h) and a
// POSIX implementation must remain possible.
//
// Contracts:
// - Every call that can block is an os::Task and must be co_awaited; the
//   process is resumed only by its OS. Pending signals are delivered (their
//   handlers run) at every such suspension point.
// - Non-blocking forms (Try*) never suspend and report EAGAIN.
// - Errors are values (Errno / Result<T>) with Linux's meaning.
// - Sockets follow Linux TCP (see shared/reference/linux-tcp-semantics.md):
//   Close() with unread input aborts (RST, unsent data discarded), otherwise
//   FIN follows the queued data; a reset connection reports ECONNRESET (or
//   EPIPE) once, then EOF on reads and EPIPE on writes.
// - Files follow Linux page-cache durability: data is durable only after
//   Fsync/Fdatasync; create, rename and unlink only after FsyncDir of the
//   directory. A failed fsync (EIO) reports the error once and the unwritten
//   pages are lost.
#ifndef REPLSIM_PROTOCOL_OS_OS_H_
#define REPLSIM_PROTOCOL_OS_OS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/types/span.h"
#include "protocol/os/errno.h"
#include "protocol/os/latch.h"
#include "protocol/os/signal.h"
#include "protocol/os/task.h"
#include "protocol/os/time.h"

namespace replsim::os {

using Pid = int32_t;
using Fd = int32_t;
inline constexpr Fd kNoFd = -1;

class Os;
// A process body: runs until it returns (exit code 0) or calls Os::Exit.
using ProcessBody = absl::AnyInvocable<Task<>(Os&)>;

// How a child ended, as waitpid() reports it.
struct ChildExit {
  Pid pid = 0;
  int code = 0;    // exit code when signal == 0
  int signal = 0;  // terminating signal number, or 0
};

// Open flags (a subset of open(2)).
inline constexpr int kOpenRead = 0;
inline constexpr int kOpenReadWrite = 1 << 0;
inline constexpr int kOpenCreate = 1 << 1;     // O_CREAT
inline constexpr int kOpenExclusive = 1 << 2;  // O_EXCL
inline constexpr int kOpenTruncate = 1 << 3;   // O_TRUNC

struct FileStat {
  int64_t size = 0;
  bool is_dir = false;
};

// One fact about a traced protocol message (Os::NoteMessage): an LSN, a
// whole number, a flag or a text.
struct NoteField {
  enum class Type : uint8_t { kLsn, kUint, kBool, kText };
  std::string_view key;
  Type type = Type::kUint;
  uint64_t value = 0;     // kLsn, kUint, kBool
  std::string_view text;  // kText
};

// TCP keepalive (SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT).
struct KeepaliveConfig {
  Duration idle = Seconds(7200);
  Duration interval = Seconds(75);
  int count = 9;
};

class Os {
 public:
  virtual ~Os() = default;

  // ---- Identity ----
  virtual Pid MyPid() const = 0;
  virtual Pid ParentPid() const = 0;  // 0 for a process with no parent
  virtual std::string_view HostName() const = 0;
  virtual std::string_view ProcessName() const = 0;
  // The process is known by `name` from now on (its trace, its log lines,
  // who finds it by name): PostgreSQL's MyBackendType and ps display, as a
  // backend whose startup packet asks for replication becomes "walsender".
  virtual void SetProcessName(std::string_view name) = 0;

  // ---- Clocks and sleeping ----
  // CLOCK_MONOTONIC of this host (its rate includes the host's drift).
  virtual Instant Monotonic() const = 0;
  // gettimeofday() in microseconds since the Unix epoch, with the host's
  // offset and drift: what GetCurrentTimestamp() reads.
  virtual int64_t WallClockMicros() const = 0;
  // pg_usleep: returns after `d`, or earlier (kEINTR) once a signal handler
  // has run.
  virtual Task<Errno> Sleep(Duration d) = 0;

  // ---- Latches (latch.c) ----
  virtual Latch& MyLatch() = 0;
  virtual std::unique_ptr<Latch> NewSharedLatch() = 0;
  // WaitLatchOrSocket(latch, wake_events, sock, timeout): returns the WL_*
  // flags that are ready (never 0). `latch` may be null without
  // WL_LATCH_SET, `sock` kNoFd without the socket flags; `timeout` applies
  // with WL_TIMEOUT. A signal interrupts the wait; its handler runs and, if
  // that set the latch, WL_LATCH_SET is returned, else the wait goes on.
  // With WL_EXIT_ON_PM_DEATH the process exits(1) when its parent is gone.
  virtual Task<int> WaitLatchOrSocket(Latch* latch, int wake_events, Fd sock,
                                      Duration timeout) = 0;

  // ---- Signals and processes ----
  virtual void SetSignalHandler(Signal sig, SignalHandler handler) = 0;  // pqsignal
  virtual void IgnoreSignal(Signal sig) = 0;                             // SIG_IGN
  virtual void DefaultSignal(Signal sig) = 0;                            // SIG_DFL
  // sigprocmask: a blocked signal stays pending; unblocking it delivers it
  // before UnblockSignal returns when its disposition is a handler, else at
  // the next suspension point.
  virtual void BlockSignal(Signal sig) = 0;
  virtual void UnblockSignal(Signal sig) = 0;
  // A handler that only _exit()s with `code`, as process_startup_packet_die
  // (startup_die before 13) does while a backend reads its startup packet.
  // `last_words`, if set, runs first and must not wait: quickdie's WARNING
  // before its exit(2).
  virtual void ExitOnSignal(Signal sig, int code, SignalHandler last_words) = 0;
  void ExitOnSignal(Signal sig, int code) { ExitOnSignal(sig, code, nullptr); }
  // kill(pid, sig) to a process on this host: kESRCH if none.
  virtual Errno Kill(Pid pid, Signal sig) = 0;
  // fork() + the child's body: the child's parent is this process.
  Result<Pid> StartChild(std::string name, ProcessBody body) {
    return StartChild(std::move(name), std::move(body), {});
  }
  // The same, handing the descriptors `pass_fds` over to the child under the
  // same numbers: the parent no longer has them (as the postmaster closes
  // its copy of an accepted socket right after fork). kEBADF if one is not
  // open here.
  virtual Result<Pid> StartChild(std::string name, ProcessBody body,
                                 std::vector<Fd> pass_fds) = 0;
  // waitpid(-1, &status, WNOHANG): one exited child, or nullopt.
  virtual std::optional<ChildExit> WaitChild() = 0;
  // False once the parent (the postmaster) has exited.
  virtual bool PostmasterIsAlive() const = 0;
  // proc_exit(code): never resumes.
  virtual Task<> Exit(int code) = 0;
  // abort(3): the process ends as killed by SIGABRT, which no PostgreSQL
  // process catches. errfinish does this after a PANIC is logged, so the
  // postmaster sees "terminated by signal 6: Aborted". Never resumes.
  virtual Task<> Abort() = 0;

  // ---- Sockets (TCP) ----
  virtual Result<Fd> Listen(int port, int backlog) = 0;
  virtual Result<Fd> TryAccept(Fd listener) = 0;
  virtual Task<Result<Fd>> Accept(Fd listener) = 0;
  virtual Task<Result<Fd>> Connect(std::string_view host, int port) = 0;
  // A non-blocking connect(): the socket at once, connecting (EINPROGRESS);
  // it becomes writable (WL_SOCKET_WRITEABLE) when the connection is made or
  // has failed, which ConnectResult (getsockopt SO_ERROR) then says: kOk,
  // kEINPROGRESS while still connecting, or the error.
  virtual Result<Fd> ConnectStart(std::string_view host, int port) = 0;
  virtual Errno ConnectResult(Fd sock) = 0;
  // Partial writes happen; kEAGAIN when the send buffer is full.
  virtual Result<size_t> TrySend(Fd sock, absl::Span<const uint8_t> data) = 0;
  // Blocks until all of `data` is queued, or an error.
  virtual Task<Result<size_t>> Send(Fd sock, absl::Span<const uint8_t> data) = 0;
  // 0 means EOF.
  virtual Result<size_t> TryRecv(Fd sock, absl::Span<uint8_t> buf) = 0;
  virtual Task<Result<size_t>> Recv(Fd sock, absl::Span<uint8_t> buf) = 0;
  virtual Errno ShutdownWrite(Fd sock) = 0;  // shutdown(SHUT_WR)
  virtual Errno SetKeepalive(Fd sock, const KeepaliveConfig& config) = 0;
  // getpeername() + getnameinfo(): the host at the other end of a
  // connected socket (a Port's remote_host); kENOTCONN when not connected.
  virtual Result<std::string> PeerHost(Fd sock) = 0;
  // Closes a socket or a file.
  virtual Errno Close(Fd fd) = 0;

  // ---- Files and directories ----
  virtual Result<Fd> Open(std::string_view path, int flags) = 0;
  virtual Task<Result<size_t>> PRead(Fd fd, absl::Span<uint8_t> buf,
                                     int64_t offset) = 0;
  virtual Task<Result<size_t>> PWrite(Fd fd, absl::Span<const uint8_t> data,
                                      int64_t offset) = 0;
  virtual Task<Errno> Fsync(Fd fd) = 0;
  virtual Task<Errno> Fdatasync(Fd fd) = 0;
  virtual Task<Errno> FsyncDir(std::string_view dir) = 0;
  virtual Errno Truncate(Fd fd, int64_t size) = 0;
  // Takes the disk space a zero-fill of the file to `len` bytes would
  // (XLogFileInit's 16 MiB), without storing the zeros: replsim's WAL files
  // hold only what was written, and WAL readers take what lies past it as
  // zeros. ENOSPC when the disk has no room. Takes a write's time.
  virtual Task<Errno> ReserveSpace(Fd fd, int64_t len) = 0;
  virtual Errno Rename(std::string_view from, std::string_view to) = 0;
  virtual Errno Unlink(std::string_view path) = 0;
  virtual Errno MakeDir(std::string_view path) = 0;
  virtual Errno RemoveDir(std::string_view path) = 0;  // rmdir(2): empty only
  virtual Result<FileStat> Stat(std::string_view path) = 0;
  virtual Result<std::vector<std::string>> ListDir(std::string_view dir) = 0;

  // ---- Faults and logging ----
  // A named fault point (FoundationDB's BUGGIFY): true when the simulator
  // decides this point fires now. A real OS answers false.
  virtual bool FaultPoint(std::string_view name) = 0;
  // A named moment of this process (protocol/os/trace_marks.h), kept in the
  // trace: what a scenario's triggered faults wait for. A real OS may ignore
  // it.
  virtual void Mark(std::string_view name) {}
  // One line of the process's log (elog), kept in the trace.
  virtual void Log(std::string_view kind, std::string_view message) = 0;
  // A protocol message this process put into its send buffer for the
  // connected socket `sock` (`sent`) or read from it: bytes [offset, offset +
  // len) of that direction's stream, named as the protocol names it
  // ("XLogData", "CommandComplete") with what a reader looks at (its LSNs,
  // its text). Kept in the trace, so viewers can draw a message from its
  // sender to its reader; a real OS may ignore it.
  virtual void NoteMessage(Fd sock, bool sent, uint64_t offset, uint64_t len,
                           std::string_view name, absl::Span<const NoteField> fields) {}
};

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_OS_H_
