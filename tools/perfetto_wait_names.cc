// NameWait: PostgreSQL's wait event names for the simulator's waits.
#include "tools/perfetto_wait_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/os/latch.h"

namespace replsim::tools {
namespace {

using sim::WaitKind;

bool IsServer(const std::string& p) {
  return p == "postmaster" || p == "startup" || p == "checkpointer" || p == "backend" ||
         p == "walsender" || p == "walreceiver";
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsWalSegment(const std::string& base) {
  if (base.size() != 24) return false;
  for (char c : base) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

WaitName LatchWait(const std::string& p, const sim::WaitInfo& w, const WaitHints& hints) {
  const bool readable = w.wake_events & os::WL_SOCKET_READABLE;
  const bool writeable = w.wake_events & os::WL_SOCKET_WRITEABLE;
  const bool socket = readable || writeable;
  const bool timeout = w.wake_events & os::WL_TIMEOUT;
  if (p == "postmaster") return {"ServerLoop", ""};
  if (p == "pg_receivexlog") return {"CopyStreamPoll", ""};
  if (!w.own_latch && !timeout && !socket) return {"WALWriteLock", "LWLock"};
  if (p == "walsender") {
    return timeout ? WaitName{"WalSenderMain", "Activity"} : WaitName{"ClientRead", "Client"};
  }
  if (p == "walreceiver") {
    if (!socket) return {"WalReceiverWaitStart", "IPC"};
    if (!readable) return {"LibPQWalReceiverConnect", "Client"};
    return timeout ? WaitName{"WalReceiverMain", "Activity"}
                   : WaitName{"LibPQWalReceiverReceive", "Client"};
  }
  if (p == "startup") {
    return hints.retry_interval ? WaitName{"RecoveryRetrieveRetryInterval", "Timeout"}
                                : WaitName{"RecoveryWalStream", "Activity"};
  }
  if (p == "checkpointer") return {"CheckpointerMain", "Activity"};
  if (p == "backend") {
    return timeout || socket ? WaitName{"ClientRead", "Client"} : WaitName{"SyncRep", "IPC"};
  }
  return {"WaitLatchOrSocket", ""};
}

WaitName FileWait(const std::string& p, const sim::WaitInfo& w, const WaitHints& hints) {
  const std::string path(w.path);
  const std::string base = Basename(path);
  const char* op = w.kind == WaitKind::kFileRead    ? "read"
                   : w.kind == WaitKind::kFileWrite ? "write"
                   : w.kind == WaitKind::kFileSync  ? "fsync"
                                                    : "extend";
  const WaitName plain{absl::StrCat(op, " ", base.empty() ? "(file)" : base), ""};
  if (!IsServer(p)) return plain;
  const bool read = w.kind == WaitKind::kFileRead;
  const bool sync = w.kind == WaitKind::kFileSync;
  if (base == "pg_control") {
    return {read ? "ControlFileRead" : sync ? "ControlFileSyncUpdate" : "ControlFileWriteUpdate",
            "IO"};
  }
  if (IsWalSegment(base)) return {read ? "WALRead" : sync ? "WALSync" : "WALWrite", "IO"};
  if (absl::StartsWith(base, "xlogtemp.") && !hints.written_tmp && !read) {
    return {sync ? "WALInitSync" : "WALInitWrite", "IO"};
  }
  if (absl::EndsWith(base, ".history")) {
    const bool walrcv = p == "walreceiver";
    if (read) return {p == "walsender" ? "WALSenderTimelineHistoryRead" : "TimelineHistoryRead", "IO"};
    if (sync) return {walrcv ? "TimelineHistoryFileSync" : "TimelineHistorySync", "IO"};
    return {walrcv ? "TimelineHistoryFileWrite" : "TimelineHistoryWrite", "IO"};
  }
  if (absl::StrContains(path, "/pg_replslot/")) {
    return {read ? "ReplicationSlotRead" : sync ? "ReplicationSlotSync" : "ReplicationSlotWrite",
            "IO"};
  }
  return plain;
}

}  // namespace

WaitName NameWait(const std::string& process, const sim::WaitInfo& w, const WaitHints& hints) {
  const bool client_socket = process == "backend" || process == "walsender";
  switch (w.kind) {
    case WaitKind::kLatchOrSocket: return LatchWait(process, w, hints);
    case WaitKind::kSleep: return {"pg_usleep", ""};
    case WaitKind::kAccept: return {"accept", ""};
    case WaitKind::kConnect: return {"connect", ""};
    case WaitKind::kSend: return client_socket ? WaitName{"ClientWrite", "Client"} : WaitName{"send", ""};
    case WaitKind::kRecv: return client_socket ? WaitName{"ClientRead", "Client"} : WaitName{"recv", ""};
    case WaitKind::kFileRead:
    case WaitKind::kFileWrite:
    case WaitKind::kFileExtend:
    case WaitKind::kFileSync: return FileWait(process, w, hints);
    case WaitKind::kDirSync: return {absl::StrCat("fsync dir ", std::string(w.path)), ""};
    case WaitKind::kSlowRead: return {"slow reader", ""};
    case WaitKind::kCpu: return {"CPU: waiting for a core", ""};
    case WaitKind::kStopped: return {"stopped (SIGSTOP)", ""};
  }
  return {"wait", ""};
}

}  // namespace replsim::tools
