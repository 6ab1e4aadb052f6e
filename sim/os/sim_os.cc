// SimOs: identity, clocks, signals, latches, processes, faults. Sockets are
// in sim_os_net.cc, files in sim_os_files.cc.
#include "sim/os/sim_os.h"

#include <vector>

#include "absl/types/span.h"
#include "protocol/os/check.h"
#include "sim/os/cluster.h"

namespace replsim::sim::os_sim {
namespace {

// Builds the wait outside the coroutine: g++ 12 rejects a braced
// initializer_list inside a co_await expression. A null entry is something
// that cannot happen (a latch not waited for, no socket): it is left out.
WaitAnyAwaitable WaitOn(ProcessContext& ctx, Waitable* a, Waitable* b, Waitable* c,
                        Waitable* d, Waitable* e, std::optional<os::Duration> t) {
  Waitable* list[5];
  size_t n = 0;
  for (Waitable* w : {a, b, c, d, e}) {
    if (w != nullptr) list[n++] = w;
  }
  return ctx.WaitAnyOf(absl::MakeConstSpan(list, n), t);
}

}  // namespace

SimOs::SimOs(Cluster& cluster, host::Host& host, std::string name, os::Pid parent)
    : cluster_(cluster),
      host_(host),
      name_(std::move(name)),
      parent_(parent),
      boot_(host.boot()),
      latch_(&host.NewLatch()) {}

void SimOs::Attach(ProcessContext& ctx) {
  ctx_ = &ctx;
  pid_ = ctx.pid();
  cluster_.Register(pid_, this);
}

SimOs::~SimOs() {
  cluster_.Unregister(pid_);
  if (cluster_.tearing_down() || host_.boot() != boot_) return;  // no kernel left
  // The kernel's exit path: close every descriptor, lowest first.
  for (os::Fd fd = fds_.Lowest(); fd != os::kNoFd; fd = fds_.Lowest()) Close(fd);
  std::vector<os::Pid> children;
  for (const auto& [pid, p] : cluster_.live_) {
    if (p->parent_ == pid_) children.push_back(pid);
  }
  for (os::Pid c : children) cluster_.Find(c)->ParentDied();
}

TraceBuilder SimOs::Emit(std::string_view kind, Severity s) {
  return cluster_.world().trace().Emit(cluster_.world().now(), host_.name(), name_,
                                       kind, s, pid_);
}

void SimOs::Copied(size_t n) { cluster_.world().executor().ChargeBytes(pid_, n); }

std::string_view SimOs::HostName() const { return host_.name(); }

void SimOs::SetProcessName(std::string_view name) {
  name_.assign(name);
  if (ctx_ != nullptr) ctx_->set_name(name_);
}
os::Instant SimOs::Monotonic() const { return host_.Monotonic(); }
int64_t SimOs::WallClockMicros() const { return host_.WallClockMicros(); }

// ---- Signals ----

void SimOs::Raise(os::Signal sig) {
  host::SignalState::RaiseResult r = signals_.Raise(sig);
  if (r == host::SignalState::RaiseResult::kIgnored) return;
  if (r == host::SignalState::RaiseResult::kCoalesced) {
    Emit("signal_coalesced").Str("signal", os::SignalName(sig));
    return;
  }
  if (signals_.is_blocked(sig)) return;  // pending until unblocked
  signal_arrived_.Set();
}

os::Task<bool> SimOs::DeliverPendingSignals() {
  bool ran = false;
  if (const int n = signals_.deliverable_count(); n > 1) {
    // Linux takes them lowest number first (next_signal()); a scenario can
    // ask for a random order instead.
    ++cluster_.stats().signals_pending_together;
    Emit("signals_pending").Int("count", n);
  }
  while (std::optional<os::Signal> sig = signals_.TakeNext(cluster_.signal_order_rng())) {
    host::SignalState::Action a = signals_.action(*sig);
    Emit("signal_delivered").Str("signal", os::SignalName(*sig));
    if (a == host::SignalState::Action::kHandler) {
      signals_.handler(*sig)();
      ran = true;
    } else if (a == host::SignalState::Action::kTerminate) {
      co_await DieBySignal(*sig);
    } else if (a == host::SignalState::Action::kExit) {
      if (os::SignalHandler* last_words = signals_.last_words(*sig)) (*last_words)();
      co_await Exit(signals_.exit_code(*sig));
    }
  }
  signal_arrived_.Reset();
  co_return ran;
}

os::Task<> SimOs::DieBySignal(os::Signal sig) {
  cluster_.world().executor().Kill(pid_, static_cast<int>(sig));
  co_await ctx_->Wait(never_);  // never resumes: the executor ends us here
}

void SimOs::SetSignalHandler(os::Signal sig, os::SignalHandler handler) {
  signals_.SetHandler(sig, std::move(handler));
}
void SimOs::IgnoreSignal(os::Signal sig) { signals_.Ignore(sig); }

void SimOs::BlockSignal(os::Signal sig) { signals_.Block(sig); }

void SimOs::UnblockSignal(os::Signal sig) {
  signals_.Unblock(sig);
  if (!signals_.is_pending(sig)) return;
  if (signals_.action(sig) == host::SignalState::Action::kHandler) {
    // Delivered before sigprocmask returns.
    signals_.Take(sig);
    Emit("signal_delivered").Str("signal", os::SignalName(sig));
    signals_.handler(sig)();
    return;
  }
  signal_arrived_.Set();  // exits and terminations happen at the next suspension
}
void SimOs::DefaultSignal(os::Signal sig) { signals_.Default(sig); }
void SimOs::ExitOnSignal(os::Signal sig, int code, os::SignalHandler last_words) {
  signals_.ExitOnDelivery(sig, code, std::move(last_words));
}

os::Errno SimOs::Kill(os::Pid pid, os::Signal sig) {
  return cluster_.Deliver(host_.name(), name_, pid, sig);
}

// ---- Waiting ----

void SimOs::SetSlowRead(uint32_t bytes_per_ms) {
  slow_read_bytes_per_ms_ = bytes_per_ms;
  Emit(bytes_per_ms == 0 ? "slow_reader_end" : "fault_slow_reader",
       bytes_per_ms == 0 ? Severity::kInfo : Severity::kWarning)
      .Int("read_bytes_per_ms", bytes_per_ms);
}

WaitScope SimOs::Waiting(const WaitInfo& w) {
  Executor& ex = cluster_.world().executor();
  if (ex.wait_observer() == nullptr) return WaitScope();
  ex.wait_observer()->WaitBegin(cluster_.world().now(), host_.name(), name_, pid_, w);
  return WaitScope(&ex, pid_, w.kind);
}

WaitScope SimOs::WaitingOnFile(WaitKind kind, os::Fd fd) {
  if (cluster_.world().executor().wait_observer() == nullptr) return WaitScope();
  const FdEntry* f = FileOf(fd);
  auto it = f == nullptr ? observed_paths_.end() : observed_paths_.find(f->id);
  return Waiting({.kind = kind, .path = it == observed_paths_.end() ? "" : it->second});
}

os::Task<> SimOs::PayReadDebt() {
  const WaitScope waiting = Waiting({.kind = WaitKind::kSlowRead});
  const os::Duration d = read_debt_;
  read_debt_ = os::Duration();
  co_await ctx_->Sleep(d);
}

os::Task<bool> SimOs::BlockOn(Waitable& w, std::optional<os::Instant> until) {
  if (read_debt_ > os::Duration()) co_await PayReadDebt();
  co_await ServiceSignals();
  if (w.IsReady()) co_return true;
  std::optional<os::Duration> timeout;
  if (until.has_value()) timeout = *until - cluster_.world().now();
  co_await WaitOn(*ctx_, &signal_arrived_, &w, nullptr, nullptr, nullptr, timeout);
  co_await ServiceSignals();
  co_return w.IsReady();
}

os::Task<> SimOs::Pause(os::Duration d) {
  co_await ctx_->Sleep(d);
  co_await ServiceSignals();  // uninterruptible, but a suspension point
}

os::Task<os::Errno> SimOs::Sleep(os::Duration d) {
  os::Instant until = cluster_.world().now() + host_.HostToWorld(d);
  const WaitScope waiting = Waiting({.kind = WaitKind::kSleep});
  co_await ServiceSignals();
  while (cluster_.world().now() < until) {
    co_await WaitOn(*ctx_, &signal_arrived_, nullptr, nullptr, nullptr, nullptr,
                    until - cluster_.world().now());
    const bool interrupted = co_await ServiceSignals();
    if (interrupted) co_return os::Errno::kEINTR;
  }
  co_return os::Errno::kOk;
}

std::unique_ptr<os::Latch> SimOs::NewSharedLatch() {
  return std::make_unique<host::SimLatch>();
}

os::Task<int> SimOs::WaitLatchOrSocket(os::Latch* latch, int ev, os::Fd sock,
                                       os::Duration timeout) {
  using namespace os;  // WL_* flags
  host::SimLatch* l = nullptr;
  if (ev & WL_LATCH_SET) {
    CHECK(latch != nullptr);
    l = static_cast<host::SimLatch*>(latch);
  }
  net::TcpSocket* s = nullptr;
  if (ev & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE)) {
    s = SocketOf(sock);
    CHECK(s != nullptr) << "WaitLatchOrSocket on fd " << sock << " (not a socket)";
  }
  bool pm = ev & (WL_POSTMASTER_DEATH | WL_EXIT_ON_PM_DEATH);
  std::optional<Instant> deadline;
  if (ev & WL_TIMEOUT) {
    // Measured on CLOCK_MONOTONIC (INSTR_TIME, latch.c): a wall-clock step
    // does not move it.
    deadline = cluster_.world().now() + host_.HostToWorld(std::max(timeout, Duration()));
  }
  const WaitScope waiting = Waiting(
      {.kind = WaitKind::kLatchOrSocket, .wake_events = ev, .own_latch = latch == latch_});
  for (;;) {
    if (read_debt_ > Duration()) co_await PayReadDebt();
    co_await ServiceSignals();
    int ready = 0;
    if (l != nullptr && l->is_set()) ready |= WL_LATCH_SET;
    if (pm && !PostmasterIsAlive()) {
      if (ev & WL_EXIT_ON_PM_DEATH) co_await Exit(1);
      ready |= WL_POSTMASTER_DEATH;
    }
    if (s != nullptr && (ev & WL_SOCKET_READABLE) && s->readable().IsReady()) {
      ready |= WL_SOCKET_READABLE;
    }
    if (s != nullptr && (ev & WL_SOCKET_WRITEABLE) && s->writable().IsReady()) {
      ready |= WL_SOCKET_WRITEABLE;
    }
    if (ready != 0) co_return ready;
    if (deadline.has_value() && cluster_.world().now() >= *deadline) co_return WL_TIMEOUT;
    std::optional<Duration> left;
    if (deadline.has_value()) left = *deadline - cluster_.world().now();
    Waitable* latch_w = l != nullptr ? static_cast<Waitable*>(l) : nullptr;
    Waitable* pm_w = pm ? &parent_death_ : nullptr;
    Waitable* rd = (s != nullptr && (ev & WL_SOCKET_READABLE))
                       ? static_cast<Waitable*>(&s->readable()) : nullptr;
    Waitable* wr = (s != nullptr && (ev & WL_SOCKET_WRITEABLE))
                       ? static_cast<Waitable*>(&s->writable()) : nullptr;
    co_await WaitOn(*ctx_, &signal_arrived_, latch_w, pm_w, rd, wr, left);
  }
}

// ---- Processes ----

os::Result<os::Pid> SimOs::StartChild(std::string name, os::ProcessBody body,
                                      std::vector<os::Fd> pass_fds) {
  std::vector<std::pair<os::Fd, FdEntry>> moved;
  for (os::Fd fd : pass_fds) {
    if (fds_.Find(fd) == nullptr) return os::Errno::kEBADF;
  }
  for (os::Fd fd : pass_fds) moved.emplace_back(fd, *fds_.Take(fd));
  os::Pid child = cluster_.SpawnProcess(
      host_, std::move(name), std::move(body), pid_,
      [moved = std::move(moved)](SimOs& c) {
        for (const auto& [fd, e] : moved) c.fds_.Put(fd, e);
      });
  Emit("fork").Int("child", child).Int("passed_fds", static_cast<int64_t>(pass_fds.size()));
  return child;
}

void SimOs::ChildExited(const os::ChildExit& status) {
  // A signal the child (or anyone) sent is still pending as SIGCHLD comes:
  // both are handled at the parent's next suspension point, lowest first.
  if (signals_.any_pending()) ++cluster_.stats().sigchld_joins_pending;
  zombies_.push_back(status);
  Emit("child_exit_status")
      .Int("child", status.pid)
      .Int("code", status.code)
      .Int("signal", status.signal);
  Raise(os::Signal::kSIGCHLD);
}

std::optional<os::ChildExit> SimOs::WaitChild() {
  if (zombies_.empty()) return std::nullopt;
  os::ChildExit c = zombies_.front();
  zombies_.pop_front();
  return c;
}

os::Task<> SimOs::Exit(int code) { co_await ctx_->Exit(code); }

os::Task<> SimOs::Abort() { co_await DieBySignal(os::Signal::kSIGABRT); }

// ---- Faults and logging ----

bool SimOs::FaultPoint(std::string_view name) {
  return cluster_.fault_points().Fire(name, host_.name(), name_);
}

void SimOs::Mark(std::string_view name) {
  Emit("mark").Str("name", name);
  if (cluster_.mark_listener_ != nullptr) cluster_.mark_listener_(host_.name(), name_, name);
}

void SimOs::Log(std::string_view kind, std::string_view message) {
  Emit("log").Str("kind", kind).Str("message", message);
  if (cluster_.log_sink_ != nullptr) {
    cluster_.log_sink_(cluster_.world().now(), host_.name(), name_, kind, message);
  }
}

}  // namespace replsim::sim::os_sim
