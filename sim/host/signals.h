// File: sim/host/signals.h
//
// One process's signal state, as the kernel keeps it: a set of pending bits
// (so a second send before delivery coalesces with the first, as for
// non-realtime signals) and a disposition per signal (default, ignored, or a
// handler installed by pqsignal).
//
// Contract: Raise() drops a signal whose disposition is "ignore" (POSIX
// discards it at generation) and reports whether it coalesced. TakeNext()
// removes one pending signal; when several are pending it takes the lowest
// number first, as Linux's next_signal() does for standard signals, or, given
// a stream (a scenario asking for a random order), one drawn from it.
// Default actions:
// SIGCHLD is ignored, every other signal terminates.
#ifndef REPLSIM_SIM_HOST_SIGNALS_H_
#define REPLSIM_SIM_HOST_SIGNALS_H_

#include <cstdint>
#include <optional>

#include "absl/container/btree_map.h"
#include "protocol/os/signal.h"
#include "sim/rng.h"

namespace replsim::sim::host {

class SignalState {
 public:
  enum class Action { kTerminate, kIgnore, kHandler, kExit };
  enum class RaiseResult { kPending, kCoalesced, kIgnored };

  RaiseResult Raise(os::Signal sig);
  // Pending and not blocked: what delivery would take now.
  bool any_pending() const { return (pending_ & ~blocked_) != 0; }
  bool is_pending(os::Signal sig) const { return pending_ & Bit(sig); }
  // How many signals are deliverable now.
  int deliverable_count() const { return __builtin_popcount(pending_ & ~blocked_); }
  // One deliverable signal (pending, not blocked), removed from the set: the
  // lowest-numbered, or with `rng` one drawn uniformly.
  std::optional<os::Signal> TakeNext(Rng* rng);
  // Removes `sig` from the pending set; whether it was there.
  bool Take(os::Signal sig);

  // sigprocmask: a blocked signal stays pending until it is unblocked.
  void Block(os::Signal sig);
  void Unblock(os::Signal sig) { blocked_ &= ~Bit(sig); }
  bool is_blocked(os::Signal sig) const { return blocked_ & Bit(sig); }

  void SetHandler(os::Signal sig, os::SignalHandler handler);
  void Ignore(os::Signal sig);
  void Default(os::Signal sig);
  // A handler that does nothing but _exit(code), after `last_words` if set.
  void ExitOnDelivery(os::Signal sig, int code, os::SignalHandler last_words = nullptr);
  Action action(os::Signal sig) const;
  // Only when action(sig) == kExit.
  int exit_code(os::Signal sig) const;
  // What runs before that exit, or null; only when action(sig) == kExit.
  os::SignalHandler* last_words(os::Signal sig);
  // The installed handler; only when action(sig) == kHandler.
  os::SignalHandler& handler(os::Signal sig);

 private:
  static uint32_t Bit(os::Signal sig) { return uint32_t{1} << static_cast<int>(sig); }

  uint32_t pending_ = 0;
  uint32_t blocked_ = 0;
  absl::btree_map<int, os::SignalHandler> handlers_;
  absl::btree_map<int, bool> ignored_;
  absl::btree_map<int, int> exit_codes_;
  absl::btree_map<int, os::SignalHandler> last_words_;
};

}  // namespace replsim::sim::host

#endif  // REPLSIM_SIM_HOST_SIGNALS_H_
