// File: protocol/os/task.h
//
// Task<T>: the coroutine type every simulated process body and every blocking
// call is written in. A body reads like the PostgreSQL loop it models, with
// co_await at each place PostgreSQL would block:
//
//   os::Task<> WalSndLoop(Os& os) {
//     for (;;) {
//       int rc = co_await os.WaitLatchOrSocket(...);
//       ...
//     }
//   }
//
// Contract:
// - A Task is lazy: nothing runs until it is awaited (by another Task) or the
//   executor resumes it as a process's root. Awaiting runs the callee at once;
//   when it finishes, the caller continues.
// - The stack does not grow with awaits that finish without suspending (a
//   loop of them is the common case: a walsender pass that finds nothing to
//   wait for): the awaiter resumes the callee as a plain call and, if it is
//   done when that returns, does not suspend the caller at all. Only a callee
//   that suspended hands control back to its caller by symmetric transfer,
//   and that happens from the executor's event loop, at the bottom of the
//   stack. So nothing depends on the compiler turning symmetric transfer into
//   a tail call (g++ 12 does at -O2, not under ASan).
// - A Task owns its frame. Destroying a Task destroys the frame and, through the
//   frame's locals, every Task it is awaiting: killing a process at any
//   suspension point is "destroy the root Task", and every RAII object in every
//   nested frame is destroyed innermost first, deterministically.
// - Exceptions are programmer errors here: an exception escaping a coroutine
//   terminates the program. Operating errors are values (see errno.h).
// - Only an executor resumes a suspended Task (single-threaded; no Task is
//   ever touched from two threads).
#ifndef REPLSIM_PROTOCOL_OS_TASK_H_
#define REPLSIM_PROTOCOL_OS_TASK_H_

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "protocol/os/task_frames.h"

namespace replsim::os {

template <typename T = void>
class Task;

namespace internal_task {

struct PromiseBase {
  std::coroutine_handle<> continuation;
  // The awaiting caller suspended, because this Task suspended before it
  // finished; its end must then resume the caller.
  bool caller_suspended = false;

  // Frames come from per-size free lists (task_frames.h).
  static void* operator new(std::size_t size) { return AllocateFrame(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    FreeFrame(frame, size);
  }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      // A caller that suspended waiting for us is resumed now. Otherwise
      // control returns to whoever resumed us: the awaiter (we finished
      // without suspending) or, for a root Task, the executor.
      const PromiseBase& p = h.promise();
      return p.caller_suspended ? p.continuation : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace internal_task

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = internal_task::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) : handle_(h) {}
  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      Reset();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  // For executors: the root frame of a process.
  bool valid() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }
  std::coroutine_handle<> handle() const { return handle_; }
  void Reset() {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  // Awaiting a Task runs it; the caller resumes when it returns.
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> caller) noexcept {
    handle_.promise().continuation = caller;
    handle_.resume();
    if (handle_.done()) return false;  // finished without suspending
    handle_.promise().caller_suspended = true;
    return true;
  }
  T await_resume() {
    if constexpr (!std::is_void_v<T>) return std::move(*handle_.promise().value);
  }

 private:
  Handle handle_;
};

namespace internal_task {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace internal_task

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_TASK_H_
