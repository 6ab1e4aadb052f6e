// Tests for os::Task: laziness, nested awaits with values, that destroying a
// suspended root destroys every nested frame (what a process kill relies on),
// and that awaits finishing without suspending do not grow the stack.
#include "protocol/os/task.h"

#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::os {
namespace {

// Suspends and leaves the handle where the test can resume it.
struct Park {
  std::coroutine_handle<>* slot;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { *slot = h; }
  void await_resume() const noexcept {}
};

struct Marker {
  std::vector<std::string>* log;
  std::string name;
  ~Marker() { log->push_back("~" + name); }
};

Task<int> Leaf(std::coroutine_handle<>* slot, std::vector<std::string>* log) {
  Marker m{log, "leaf"};
  log->push_back("leaf start");
  co_await Park{slot};
  log->push_back("leaf resumed");
  co_return 41;
}

Task<int> Middle(std::coroutine_handle<>* slot, std::vector<std::string>* log) {
  Marker m{log, "middle"};
  int v = co_await Leaf(slot, log);
  co_return v + 1;
}

Task<> Root(std::coroutine_handle<>* slot, std::vector<std::string>* log,
            int* out) {
  Marker m{log, "root"};
  *out = co_await Middle(slot, log);
  log->push_back("root done");
}

TEST(TaskTest, IsLazyUntilResumed) {
  std::coroutine_handle<> slot;
  std::vector<std::string> log;
  int out = 0;
  Task<> t = Root(&slot, &log, &out);
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(t.done());
}

TEST(TaskTest, NestedValuesFlowBackToTheCaller) {
  std::coroutine_handle<> slot;
  std::vector<std::string> log;
  int out = 0;
  Task<> t = Root(&slot, &log, &out);
  t.handle().resume();
  ASSERT_TRUE(slot);
  EXPECT_EQ(log, (std::vector<std::string>{"leaf start"}));
  slot.resume();  // resumes the innermost frame
  EXPECT_TRUE(t.done());
  EXPECT_EQ(out, 42);
  EXPECT_EQ(log, (std::vector<std::string>{"leaf start", "leaf resumed", "~leaf",
                                           "~middle", "root done", "~root"}));
}

TEST(TaskTest, DestroyingASuspendedRootUnwindsEveryFrameInnermostFirst) {
  std::coroutine_handle<> slot;
  std::vector<std::string> log;
  int out = 0;
  {
    Task<> t = Root(&slot, &log, &out);
    t.handle().resume();
    log.clear();
  }
  EXPECT_EQ(log, (std::vector<std::string>{"~leaf", "~middle", "~root"}));
  EXPECT_EQ(out, 0);
}

TEST(TaskTest, MoveTransfersOwnership) {
  std::coroutine_handle<> slot;
  std::vector<std::string> log;
  int out = 0;
  Task<> a = Root(&slot, &log, &out);
  Task<> b = std::move(a);
  EXPECT_FALSE(a.valid());
  EXPECT_TRUE(b.valid());
}

// Where the stack is when a plain function runs.
__attribute__((noinline)) uintptr_t StackProbe() {
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

Task<uintptr_t> FinishesAtOnce() { co_return StackProbe(); }

Task<> ManySynchronousAwaits(int n, uintptr_t* first, uintptr_t* last) {
  for (int i = 0; i < n; ++i) {
    const uintptr_t at = co_await FinishesAtOnce();
    if (i == 0) *first = at;
    *last = at;
  }
}

TEST(TaskTest, AwaitsThatFinishWithoutSuspendingDoNotGrowTheStack) {
  // A walsender loop pass that finds nothing to wait for is such a chain; a
  // million of them (a reply-request flood) once overflowed the stack under
  // ASan, where g++ does not turn symmetric transfer into a tail call.
  uintptr_t first = 0, last = 0;
  Task<> t = ManySynchronousAwaits(1000000, &first, &last);
  t.handle().resume();
  EXPECT_TRUE(t.done());
  EXPECT_NE(first, 0u);
  EXPECT_EQ(first, last);  // every callee ran at the same depth
}

TEST(TaskTest, ACalleeThatSuspendedResumesItsCallerWhenItFinishes) {
  std::coroutine_handle<> slot;
  std::vector<std::string> log;
  int out = 0;
  Task<> t = Root(&slot, &log, &out);
  t.handle().resume();
  EXPECT_FALSE(t.done());  // the caller suspended with the leaf
  slot.resume();           // the leaf finishes: middle, then root continue
  EXPECT_TRUE(t.done());
  EXPECT_EQ(out, 42);
}

}  // namespace
}  // namespace replsim::os
