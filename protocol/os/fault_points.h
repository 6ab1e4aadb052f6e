// File: protocol/os/fault_points.h
//
// The named fault points (BUGGIFY, Os::FaultPoint) placed in protocol code,
// and two helpers that apply them. Each point makes Linux do something it
// really does, at a place where PostgreSQL's code handles it; none makes
// PostgreSQL do what it cannot. A real OS answers FaultPoint with false, so
// these are no-ops outside the simulator. Whether a point fires is the
// simulator's choice (sim/fault/fault_points.h: off unless the scenario's
// `fault_points { enabled: true }` turns them on; each firing is traced as
// "fault_point_fired" with its name).
//
//   const size_t n = ShortCount(os, kPqShortSend, buffer.size());
//   co_await DelayAtFaultPoint(os, kXlogFsyncSlow, kSlowFsync);
#ifndef REPLSIM_PROTOCOL_OS_FAULT_POINTS_H_
#define REPLSIM_PROTOCOL_OS_FAULT_POINTS_H_

#include <cstddef>
#include <string_view>

#include "absl/types/span.h"
#include "protocol/os/os.h"

namespace replsim::os {

// pqcomm.c's internal_flush: send() queues only part of the buffer (Linux
// returns a short count when the socket's send buffer has room for only
// part of it); internal_flush loops until all is sent.
inline constexpr std::string_view kPqShortSend = "pq.short_send";
// internal_flush: a blocking send() is interrupted by a signal whose handler
// was installed without SA_RESTART (timeout.c's SIGALRM) before it queued a
// byte, and returns EINTR; internal_flush retries ("Ok if we were
// interrupted").
inline constexpr std::string_view kPqSendEintr = "pq.send_eintr";
// pqcomm.c's pq_recvbuf: recv() returns only part of what has arrived (a
// later segment is not yet in the receive queue); pq_getmessage asks
// pq_recvbuf again for the rest.
inline constexpr std::string_view kPqShortRecv = "pq.short_recv";
// fe-misc.c's pqSendSome: send() takes only part of libpq's output buffer;
// pqSendSome reads what has arrived, waits until the socket is writable
// (pqWait) and sends the rest.
inline constexpr std::string_view kLibpqShortSend = "libpq.short_send";
// fe-connect.c's PQconnectPoll: connect() fails with ECONNREFUSED (the
// server's SYN answered by RST: its listen socket being re-created, or a
// REJECT rule on the way). libpq reports "Connection refused"; the
// walreceiver exits with "could not connect to the primary server" and the
// startup process starts another after wal_retrieve_retry_interval
// (WaitForWALToBecomeAvailable); pg_receivexlog exits, or retries after 5 s
// without -n.
inline constexpr std::string_view kLibpqConnectRefused = "libpq.connect_refused";
// xlog.c's issue_xlog_fsync: an fdatasync that takes kSlowFsync longer
// (writeback contending with other I/O); the caller holds WALWriteLock and
// waits, as every backend behind it does.
inline constexpr std::string_view kXlogFsyncSlow = "xlog.fsync_slow";
// latch.c's WaitLatchOrSocket (WaitEventSetWait): the process is woken but
// gets a CPU kLateWakeup later (the run queue is busy); WalSndLoop and
// WalReceiverMain simply go on from where they were.
inline constexpr std::string_view kLatchLateWakeup = "latch.late_wakeup";

// fork(): the new process gets its first CPU kLateStart after it was
// created (a host under load, a cgroup's CPU quota spent); the checkpointer's
// start-up work, and so its first SyncRepUpdateSyncStandbysDefined, waits.
inline constexpr std::string_view kProcStartLate = "proc.start_late";

inline constexpr Duration kSlowFsync = Milliseconds(50);
inline constexpr Duration kLateStart = Milliseconds(500);
// What a short recv() returns at most: less than a message header.
inline constexpr size_t kShortRecvBytes = 3;
inline constexpr Duration kLateWakeup = Milliseconds(2);

struct FaultPointInfo {
  std::string_view name;
  std::string_view handled_by;  // the PostgreSQL function that copes with it
};

// Every fault point protocol code may ask for: the names a scenario's
// `fault_points { off: ... }` accepts.
inline constexpr FaultPointInfo kAllFaultPoints[] = {
    {kPqShortSend, "internal_flush (pqcomm.c)"},
    {kPqSendEintr, "internal_flush (pqcomm.c)"},
    {kPqShortRecv, "pq_recvbuf / pq_getmessage (pqcomm.c)"},
    {kLibpqShortSend, "pqSendSome (fe-misc.c)"},
    {kLibpqConnectRefused, "PQconnectPoll (fe-connect.c), WaitForWALToBecomeAvailable"},
    {kXlogFsyncSlow, "issue_xlog_fsync (xlog.c)"},
    {kLatchLateWakeup, "WaitLatchOrSocket (latch.c)"},
    {kProcStartLate, "CheckpointerMain (checkpointer.c)"},
};

// `len`, or about half of it (at least 1) when `point` fires: the count a
// short send() or recv() of `len` bytes returns.
inline size_t ShortCount(Os& os, std::string_view point, size_t len) {
  if (len < 2 || !os.FaultPoint(point)) return len;
  return len / 2;
}

// When `point` fires, `d` passes before the process goes on, and no signal
// shortens it (an uninterruptible fsync, a process waiting for a CPU); its
// handlers run meanwhile, as they would the moment it ran again.
inline Task<> DelayAtFaultPoint(Os& os, std::string_view point, Duration d) {
  if (!os.FaultPoint(point)) co_return;
  const Instant until = os.Monotonic() + d;
  while (os.Monotonic() < until) (void)co_await os.Sleep(until - os.Monotonic());
}

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_FAULT_POINTS_H_
