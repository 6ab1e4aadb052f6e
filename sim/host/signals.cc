#include "sim/host/signals.h"

#include <vector>

#include "protocol/os/check.h"

namespace replsim::sim::host {

SignalState::RaiseResult SignalState::Raise(os::Signal sig) {
  if (action(sig) == Action::kIgnore) return RaiseResult::kIgnored;
  if (pending_ & Bit(sig)) return RaiseResult::kCoalesced;
  pending_ |= Bit(sig);
  return RaiseResult::kPending;
}

std::optional<os::Signal> SignalState::TakeNext(Rng* rng) {
  const uint32_t deliverable = pending_ & ~blocked_;
  if (deliverable == 0) return std::nullopt;
  if (rng == nullptr) {
    const os::Signal lowest = static_cast<os::Signal>(__builtin_ctz(deliverable));
    pending_ &= ~Bit(lowest);
    return lowest;
  }
  std::vector<os::Signal> pending;
  for (os::Signal s : os::kAllSignals) {
    if (deliverable & Bit(s)) pending.push_back(s);
  }
  os::Signal chosen = pending.size() == 1 ? pending[0] : pending[rng->Below(pending.size())];
  pending_ &= ~Bit(chosen);
  return chosen;
}

bool SignalState::Take(os::Signal sig) {
  const bool was = pending_ & Bit(sig);
  pending_ &= ~Bit(sig);
  return was;
}

void SignalState::Block(os::Signal sig) {
  CHECK(sig != os::Signal::kSIGKILL) << "SIGKILL cannot be blocked";
  blocked_ |= Bit(sig);
}

void SignalState::SetHandler(os::Signal sig, os::SignalHandler handler) {
  CHECK(sig != os::Signal::kSIGKILL) << "SIGKILL cannot be caught";
  ignored_.erase(static_cast<int>(sig));
  exit_codes_.erase(static_cast<int>(sig));
  last_words_.erase(static_cast<int>(sig));
  handlers_.insert_or_assign(static_cast<int>(sig), std::move(handler));
}

void SignalState::Ignore(os::Signal sig) {
  CHECK(sig != os::Signal::kSIGKILL) << "SIGKILL cannot be ignored";
  handlers_.erase(static_cast<int>(sig));
  exit_codes_.erase(static_cast<int>(sig));
  last_words_.erase(static_cast<int>(sig));
  ignored_[static_cast<int>(sig)] = true;
  pending_ &= ~Bit(sig);
}

void SignalState::Default(os::Signal sig) {
  handlers_.erase(static_cast<int>(sig));
  ignored_.erase(static_cast<int>(sig));
  exit_codes_.erase(static_cast<int>(sig));
  last_words_.erase(static_cast<int>(sig));
}

void SignalState::ExitOnDelivery(os::Signal sig, int code, os::SignalHandler last_words) {
  CHECK(sig != os::Signal::kSIGKILL) << "SIGKILL cannot be caught";
  handlers_.erase(static_cast<int>(sig));
  ignored_.erase(static_cast<int>(sig));
  exit_codes_.insert_or_assign(static_cast<int>(sig), code);
  if (last_words) {
    last_words_.insert_or_assign(static_cast<int>(sig), std::move(last_words));
  } else {
    last_words_.erase(static_cast<int>(sig));
  }
}

os::SignalHandler* SignalState::last_words(os::Signal sig) {
  auto it = last_words_.find(static_cast<int>(sig));
  return it == last_words_.end() ? nullptr : &it->second;
}

int SignalState::exit_code(os::Signal sig) const {
  auto it = exit_codes_.find(static_cast<int>(sig));
  CHECK(it != exit_codes_.end());
  return it->second;
}

SignalState::Action SignalState::action(os::Signal sig) const {
  if (handlers_.contains(static_cast<int>(sig))) return Action::kHandler;
  if (exit_codes_.contains(static_cast<int>(sig))) return Action::kExit;
  if (ignored_.contains(static_cast<int>(sig))) return Action::kIgnore;
  return sig == os::Signal::kSIGCHLD ? Action::kIgnore : Action::kTerminate;
}

os::SignalHandler& SignalState::handler(os::Signal sig) {
  auto it = handlers_.find(static_cast<int>(sig));
  CHECK(it != handlers_.end());
  return it->second;
}

}  // namespace replsim::sim::host
