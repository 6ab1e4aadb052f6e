#include "sim/executor.h"

#include <utility>

#include "protocol/os/check.h"
#include "sim/executor_process.h"

namespace replsim::sim {

using internal_executor::Process;

// ---- ProcessContext ----

Pid ProcessContext::pid() const { return p_->pid; }
const std::string& ProcessContext::name() const { return p_->name; }
void ProcessContext::set_name(std::string name) { p_->name = std::move(name); }
const std::string& ProcessContext::host() const { return p_->host; }
os::Instant ProcessContext::now() const { return ex_->queue_.now(); }

SleepAwaitable ProcessContext::Sleep(os::Duration d) {
  return SleepAwaitable(ex_, p_, ex_->queue_.now() + d);
}

SleepAwaitable ProcessContext::SleepUntil(os::Instant t) {
  return SleepAwaitable(ex_, p_, t);
}

WaitAnyAwaitable ProcessContext::WaitAnyOf(absl::Span<Waitable* const> waitables,
                                           std::optional<os::Duration> timeout) {
  return WaitAnyAwaitable(ex_, p_, waitables, timeout);
}

ExitAwaitable ProcessContext::Exit(int code) { return ExitAwaitable(ex_, p_, code); }

// ---- SleepAwaitable ----

bool SleepAwaitable::await_ready() const noexcept {
  return until_ <= ex_->queue_.now();
}

void SleepAwaitable::await_suspend(std::coroutine_handle<> h) {
  timer_ = ex_->queue_.Schedule(until_, [this, h] {
    timer_ = TimerId();
    ex_->Resume(p_, h);
  }, Executor::LaneOf(p_));
}

SleepAwaitable::~SleepAwaitable() { ex_->queue_.Cancel(timer_); }

// ---- WaitAnyAwaitable ----

WaitAnyAwaitable::WaitAnyAwaitable(Executor* ex, Process* p,
                                   absl::Span<Waitable* const> waitables,
                                   std::optional<os::Duration> timeout)
    : ex_(ex), p_(p), timeout_(timeout) {
  CHECK_LE(waitables.size(), static_cast<size_t>(kMaxWaitables));
  for (Waitable* w : waitables) {
    CHECK(w != nullptr);
    waitables_[count_++] = w;
  }
}

bool WaitAnyAwaitable::await_ready() noexcept {
  for (int i = 0; i < count_; ++i) {
    if (waitables_[i]->IsReady()) {
      result_ = i;
      return true;
    }
  }
  if (timeout_.has_value() && timeout_->nanos() <= 0) {
    result_ = ProcessContext::kTimedOut;
    return true;
  }
  return false;
}

void WaitAnyAwaitable::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  for (int i = 0; i < count_; ++i) regs_[i].Link(waitables_[i], this, i);
  if (timeout_.has_value()) {
    timeout_timer_ = ex_->queue_.ScheduleAfter(*timeout_, [this] {
      timeout_timer_ = TimerId();
      if (resume_event_.valid()) return;  // a wake-up got here first
      result_ = ProcessContext::kTimedOut;
      Release();
      ex_->Resume(p_, handle_);
    }, Executor::LaneOf(p_));
  }
}

void WaitAnyAwaitable::OnWake(int index) {
  if (resume_event_.valid() || !handle_) return;  // already on its way
  result_ = index;
  resume_event_ = ex_->queue_.ScheduleAfter(os::Duration(), [this] {
    resume_event_ = TimerId();
    Release();
    ex_->Resume(p_, handle_);
  }, Executor::LaneOf(p_));
}

void WaitAnyAwaitable::Release() {
  for (int i = 0; i < count_; ++i) regs_[i].Unlink();
  ex_->queue_.Cancel(timeout_timer_);
  timeout_timer_ = TimerId();
}

int WaitAnyAwaitable::await_resume() noexcept { return result_; }

WaitAnyAwaitable::~WaitAnyAwaitable() {
  Release();
  ex_->queue_.Cancel(resume_event_);
}

// ---- ExitAwaitable ----

void ExitAwaitable::await_suspend(std::coroutine_handle<>) noexcept {
  // The frame stays suspended; Resume() ends the process once control is back.
  p_->exit_requested = true;
  p_->status = ExitStatus{code_, 0};
}

// ---- Executor ----

Executor::Executor(EventQueue& queue, Trace& trace)
    : queue_(queue), trace_(trace) {}

Executor::~Executor() { KillAllSilently(); }

Pid Executor::Spawn(std::string name, Body body, std::string host) {
  auto owned = std::make_unique<Process>();
  Process* p = owned.get();
  p->pid = next_pid_++;
  p->name = std::move(name);
  p->host = std::move(host);
  p->body = std::move(body);
  p->ctx.reset(new ProcessContext(this, p));
  p->root = p->body(*p->ctx);
  CHECK(p->root.valid());
  processes_.emplace(p->pid, std::move(owned));
  ++live_;
  trace_.Emit(queue_.now(), p->host, p->name, "process_start").Int("pid", p->pid);
  p->start_event = queue_.ScheduleAfter(os::Duration(), [this, p] {
    p->start_event = TimerId();
    Resume(p, p->root.handle());
  }, LaneOf(p));
  return p->pid;
}

void Executor::RunSlice(Process* p, std::coroutine_handle<> h) {
  CHECK(p->alive);
  CHECK(running_ == nullptr) << "nested resume of " << p->name;
  running_ = p;
  h.resume();
  running_ = nullptr;
  if (p->exit_requested) {
    Finish(p, p->status, /*trace=*/true);
  } else if (p->root.done()) {
    Finish(p, ExitStatus{0, 0}, /*trace=*/true);
  }
}

void Executor::Finish(Process* p, ExitStatus status, bool trace) {
  if (!p->alive) return;
  p->alive = false;
  p->status = status;
  --live_;
  queue_.Cancel(p->start_event);
  os::Duration exit_cost;
  if (cpu_ != nullptr) {
    Cpu::Host& h = cpu_->host(p->host);
    // Killed during its burst: the core is free at once.
    if (queue_.Cancel(p->cpu_event)) ReleaseCore(h);
    if (trace) exit_cost = cpu_->ExitCost(h);
  }
  // Destroying the root destroys every nested frame; their awaitables cancel
  // their timers and unlink their registrations.
  p->root.Reset();
  p->body = nullptr;
  if (!trace) return;
  {
    TraceBuilder b = trace_.Emit(queue_.now(), p->host, p->name, "process_exit");
    b.Int("pid", p->pid).Int("code", status.code);
    if (status.signal != 0) b.Int("signal", status.signal);
  }
  std::vector<ExitListener> listeners = std::move(p->listeners);
  p->listeners.clear();
  for (ExitListener& l : listeners) {
    queue_.ScheduleAfter(exit_cost, [l = std::move(l), pid = p->pid, status]() mutable {
      l(pid, status);
    });
  }
}

void Executor::Kill(Pid pid, int signal) {
  Process* p = Find(pid);
  if (p == nullptr || !p->alive) return;
  if (p == running_) {
    // A process killing itself: end it once it is back at a suspension point.
    p->exit_requested = true;
    p->status = ExitStatus{0, signal};
    return;
  }
  Finish(p, ExitStatus{0, signal}, /*trace=*/true);
}

void Executor::KillAllSilently() {
  CHECK(running_ == nullptr);
  for (auto& [pid, p] : processes_) Finish(p.get(), ExitStatus{0, 9}, false);
}

void Executor::AddExitListener(Pid pid, ExitListener listener) {
  Process* p = Find(pid);
  CHECK(p != nullptr && p->alive) << "exit listener on dead pid " << pid;
  p->listeners.push_back(std::move(listener));
}

Process* Executor::Find(Pid pid) const {
  auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : it->second.get();
}

bool Executor::IsAlive(Pid pid) const {
  Process* p = Find(pid);
  return p != nullptr && p->alive;
}

std::optional<ExitStatus> Executor::exit_status(Pid pid) const {
  Process* p = Find(pid);
  if (p == nullptr || p->alive) return std::nullopt;
  return p->status;
}

}  // namespace replsim::sim
