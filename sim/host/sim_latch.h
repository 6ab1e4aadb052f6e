// File: sim/host/sim_latch.h
//
// os::Latch in the simulator: a level-triggered Waitable. Set() wakes the
// owner's WaitLatchOrSocket through the event queue (never on the setter's
// stack), as SetLatch's self-pipe/signal wakes a real process.
#ifndef REPLSIM_SIM_HOST_SIM_LATCH_H_
#define REPLSIM_SIM_HOST_SIM_LATCH_H_

#include "protocol/os/latch.h"
#include "sim/waitable.h"

namespace replsim::sim::host {

class SimLatch final : public os::Latch, public Waitable {
 public:
  SimLatch() = default;
  ~SimLatch() override = default;
  void Set() override {
    if (set_) return;
    set_ = true;
    WakeWaiters();
  }
  void Reset() override { set_ = false; }
  bool is_set() const override { return set_; }
  bool IsReady() const override { return set_; }

 private:
  bool set_ = false;
};

}  // namespace replsim::sim::host

#endif  // REPLSIM_SIM_HOST_SIM_LATCH_H_
