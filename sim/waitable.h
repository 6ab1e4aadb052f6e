// File: sim/waitable.h
//
// What a simulated process can block on. A Waitable is level-triggered: it is
// "ready" while IsReady() is true (a latch that is set, a socket with bytes to
// read), and it calls WakeWaiters() whenever it may have become ready. Waiting
// processes are resumed through the event queue, never from inside
// WakeWaiters(), so setting a latch never runs another process's code on the
// setter's stack.
//
// Registrations are intrusive list nodes owned by the waiting side (the wait
// awaitable in the process's coroutine frame). Either side may go first: a
// registration unlinks itself when the wait ends or its frame is destroyed (a
// killed process), and a Waitable being destroyed detaches whatever is still
// registered. So neither side ever holds a dangling pointer.
//
// Event is the plain Waitable: a flag with Set() and Reset().
#ifndef REPLSIM_SIM_WAITABLE_H_
#define REPLSIM_SIM_WAITABLE_H_

namespace replsim::sim {

class Waitable;

// Receives the wake-up of a registration. Implemented by the executor's wait
// awaitables.
class WakeTarget {
 public:
  virtual void OnWake(int index) = 0;

 protected:
  ~WakeTarget() = default;
};

// One wait on one Waitable. Not copyable or movable: it is linked by address.
class WaitRegistration {
 public:
  WaitRegistration() = default;
  WaitRegistration(const WaitRegistration&) = delete;
  WaitRegistration& operator=(const WaitRegistration&) = delete;
  ~WaitRegistration() { Unlink(); }

  void Link(Waitable* target, WakeTarget* owner, int index);
  void Unlink();
  bool linked() const { return target_ != nullptr; }

 private:
  friend class Waitable;
  Waitable* target_ = nullptr;
  WakeTarget* owner_ = nullptr;
  int index_ = 0;
  WaitRegistration* prev_ = nullptr;
  WaitRegistration* next_ = nullptr;
};

class Waitable {
 public:
  Waitable() = default;
  Waitable(const Waitable&) = delete;
  Waitable& operator=(const Waitable&) = delete;
  virtual bool IsReady() const = 0;

 protected:
  // Subclasses' destructors run first; then this detaches every registration.
  virtual ~Waitable();
  // Tells every registered waiter that IsReady() may now be true.
  void WakeWaiters();

 private:
  friend class WaitRegistration;
  WaitRegistration* head_ = nullptr;
  WaitRegistration* tail_ = nullptr;
};

// A level-triggered flag.
class Event final : public Waitable {
 public:
  Event() = default;
  ~Event() override = default;
  bool IsReady() const override { return set_; }
  bool is_set() const { return set_; }
  void Set() {
    if (set_) return;
    set_ = true;
    WakeWaiters();
  }
  void Reset() { set_ = false; }

 private:
  bool set_ = false;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_WAITABLE_H_
