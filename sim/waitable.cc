#include "sim/waitable.h"

namespace replsim::sim {

void WaitRegistration::Link(Waitable* target, WakeTarget* owner, int index) {
  Unlink();
  target_ = target;
  owner_ = owner;
  index_ = index;
  // Appended, so waiters are told in the order they registered.
  next_ = nullptr;
  prev_ = target->tail_;
  if (prev_ != nullptr) {
    prev_->next_ = this;
  } else {
    target->head_ = this;
  }
  target->tail_ = this;
}

void WaitRegistration::Unlink() {
  if (target_ == nullptr) return;
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    target_->head_ = next_;
  }
  if (next_ != nullptr) {
    next_->prev_ = prev_;
  } else {
    target_->tail_ = prev_;
  }
  target_ = nullptr;
  prev_ = next_ = nullptr;
}

Waitable::~Waitable() {
  while (head_ != nullptr) head_->Unlink();
}

void Waitable::WakeWaiters() {
  // OnWake only schedules a resumption (it never unlinks), so walking the list
  // here is safe. Waiters are told in registration order; each schedules its
  // resumption, so they run FIFO in that order.
  for (WaitRegistration* r = head_; r != nullptr; r = r->next_) {
    r->owner_->OnWake(r->index_);
  }
}

}  // namespace replsim::sim
