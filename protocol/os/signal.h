// File: protocol/os/signal.h
//
// The signals PostgreSQL's processes send each other (postmaster.c, pmsignal.c,
// walsender.c), with Linux's numbers, and the handler type pqsignal installs.
//
// Contract (implemented by the OS): a signal is a pending bit, so two sends
// before delivery coalesce into one. Delivery happens at the target's next
// suspension point (an awaited Os call); a handler is a plain callback that
// sets flags and latches, as PostgreSQL's do, and must not block. With no
// handler installed the default action applies: SIGCHLD is ignored, every
// other signal terminates the process. SIGKILL cannot be caught and kills at
// once.
#ifndef REPLSIM_PROTOCOL_OS_SIGNAL_H_
#define REPLSIM_PROTOCOL_OS_SIGNAL_H_

#include <string_view>

#include "absl/functional/any_invocable.h"

namespace replsim::os {

enum class Signal : int {
  kSIGHUP = 1,
  kSIGINT = 2,
  kSIGQUIT = 3,
  kSIGABRT = 6,  // abort(3), which is how a PANIC ends a process
  kSIGKILL = 9,
  kSIGUSR1 = 10,
  kSIGUSR2 = 12,
  kSIGPIPE = 13,
  kSIGALRM = 14,
  kSIGTERM = 15,
  kSIGCHLD = 17,
};

// Every signal above, in number order (for iterating pending bits).
inline constexpr Signal kAllSignals[] = {
    Signal::kSIGHUP,  Signal::kSIGINT,  Signal::kSIGQUIT, Signal::kSIGABRT, Signal::kSIGKILL,
    Signal::kSIGUSR1, Signal::kSIGUSR2, Signal::kSIGPIPE, Signal::kSIGALRM,
    Signal::kSIGTERM, Signal::kSIGCHLD,
};

constexpr std::string_view SignalName(Signal s) {
  switch (s) {
    case Signal::kSIGHUP: return "SIGHUP";
    case Signal::kSIGINT: return "SIGINT";
    case Signal::kSIGQUIT: return "SIGQUIT";
    case Signal::kSIGABRT: return "SIGABRT";
    case Signal::kSIGKILL: return "SIGKILL";
    case Signal::kSIGUSR1: return "SIGUSR1";
    case Signal::kSIGUSR2: return "SIGUSR2";
    case Signal::kSIGPIPE: return "SIGPIPE";
    case Signal::kSIGALRM: return "SIGALRM";
    case Signal::kSIGTERM: return "SIGTERM";
    case Signal::kSIGCHLD: return "SIGCHLD";
  }
  return "SIG?";
}

// What pqsignal installs: runs in the process, between its suspension points.
using SignalHandler = absl::AnyInvocable<void()>;

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_SIGNAL_H_
