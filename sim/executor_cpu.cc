// Executor: the CPU model's side (sim/cpu.h): run queues, bursts, cores.
#include "protocol/os/check.h"
#include "sim/executor.h"
#include "sim/executor_process.h"

namespace replsim::sim {

using internal_executor::Process;

Lane Executor::LaneOf(const Process* p) { return static_cast<Lane>(p->pid); }

void Executor::Resume(Process* p, std::coroutine_handle<> h) {
  if (p->stops > 0) {
    CHECK(!p->parked) << p->name << " woken twice while stopped";
    p->parked = h;
    return;
  }
  if (cpu_ == nullptr) {
    RunSlice(p, h);
    return;
  }
  CHECK(p->alive);
  CHECK(!p->runnable) << p->name << " woken twice";
  p->runnable = h;
  Cpu::Host& host = cpu_->host(p->host);
  if (host.free_cores > 0) {
    --host.free_cores;
    StartBurst(p, host);
    return;
  }
  p->runnable_since = queue_.now();
  host.run_queue.push_back(p->pid);
  NoteWait(p, WaitKind::kCpu, /*begin=*/true);
  ++cpu_->stats().waited;
  cpu_->stats().max_run_queue =
      std::max<uint64_t>(cpu_->stats().max_run_queue, host.run_queue.size());
}

void Executor::StartBurst(Process* p, Cpu::Host& host) {
  os::Duration cost = cpu_->ResumeCost(host) + cpu_->ByteCost(host, p->bytes_copied);
  p->bytes_copied = 0;
  if (!p->started) {
    p->started = true;
    cost = cost + cpu_->StartCost(host);
  }
  ++cpu_->stats().bursts;
  p->cpu_event = queue_.ScheduleAfter(
      cost,
      [this, p, &host] {
        p->cpu_event = TimerId();
        std::coroutine_handle<> h = p->runnable;
        p->runnable = nullptr;
        if (p->stops > 0) {
          // Stopped during its burst: it runs its code once continued.
          p->parked = h;
          ReleaseCore(host);
          return;
        }
        RunSlice(p, h);
        ReleaseCore(host);
      },
      LaneOf(p));
}

void Executor::ReleaseCore(Cpu::Host& host) {
  ++host.free_cores;
  while (host.free_cores > 0 && !host.run_queue.empty()) {
    Process* q = Find(host.run_queue.front());
    host.run_queue.pop_front();
    if (q == nullptr || !q->alive) continue;
    --host.free_cores;
    cpu_->stats().wait_ns += (queue_.now() - q->runnable_since).nanos();
    NoteWait(q, WaitKind::kCpu, /*begin=*/false);
    StartBurst(q, host);
  }
}

void Executor::Stop(Pid pid) {
  Process* p = Find(pid);
  if (p == nullptr || !p->alive) return;
  if (++p->stops == 1) NoteWait(p, WaitKind::kStopped, /*begin=*/true);
}

void Executor::Continue(Pid pid) {
  Process* p = Find(pid);
  if (p == nullptr || !p->alive || p->stops == 0) return;
  if (--p->stops > 0) return;
  NoteWait(p, WaitKind::kStopped, /*begin=*/false);
  if (!p->parked) return;
  std::coroutine_handle<> h = p->parked;
  p->parked = nullptr;
  queue_.ScheduleAfter(os::Duration(), [this, p, h, pid] {
    // Killed or stopped again before this event: nothing, or held again.
    if (Find(pid) != p || !p->alive) return;
    Resume(p, h);
  }, LaneOf(p));
}

bool Executor::IsStopped(Pid pid) const {
  Process* p = Find(pid);
  return p != nullptr && p->alive && p->stops > 0;
}

void Executor::NoteWait(Process* p, WaitKind kind, bool begin) {
  if (wait_observer_ == nullptr) return;
  if (begin) {
    wait_observer_->WaitBegin(queue_.now(), p->host, p->name, p->pid, WaitInfo{.kind = kind});
  } else {
    wait_observer_->WaitEnd(queue_.now(), p->pid, kind);
  }
}

void Executor::ChargeBytes(Pid pid, uint64_t bytes) {
  if (cpu_ == nullptr) return;
  if (Process* p = Find(pid)) p->bytes_copied += bytes;
}

}  // namespace replsim::sim
