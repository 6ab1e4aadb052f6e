#include "protocol/os/task_frames.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "protocol/os/task.h"

namespace replsim::os::internal_task {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

TEST(TaskFramesTest, AFreedFrameIsHandedOutAgainForTheSameSizeClass) {
  if (!kPooled) GTEST_SKIP() << "no pool under AddressSanitizer";
  void* a = AllocateFrame(200);
  FreeFrame(a, 200);
  // 200 and 250 both round up to 256 bytes: the same list.
  void* b = AllocateFrame(250);
  EXPECT_EQ(a, b);
  void* c = AllocateFrame(250);  // the list is empty again: a new block
  EXPECT_NE(c, b);
  FreeFrame(b, 250);
  FreeFrame(c, 250);
}

TEST(TaskFramesTest, FramesAreUsableAndAligned) {
  for (std::size_t size : {1u, 64u, 65u, 4096u, 4097u, 100000u}) {
    auto* p = static_cast<unsigned char*>(AllocateFrame(size));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t), 0u);
    for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<unsigned char>(i);
    FreeFrame(p, size);
  }
}

Task<int> Leaf(int x) { co_return x + 1; }
Task<> Sum(int n, int* out) {
  int total = 0;
  for (int i = 0; i < n; ++i) total += co_await Leaf(i);
  *out = total;
}

TEST(TaskFramesTest, TasksRunOnPooledFrames) {
  // Each Leaf's frame is freed before the next one is made, so one block
  // serves them all; the result shows every frame held its own state.
  int total = 0;
  Task<> t = Sum(1000, &total);
  t.handle().resume();
  ASSERT_TRUE(t.done());
  EXPECT_EQ(total, 1000 * 1001 / 2);
}

}  // namespace
}  // namespace replsim::os::internal_task
