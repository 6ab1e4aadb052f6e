#include "protocol/os/task_frames.h"

#include <new>

namespace replsim::os::internal_task {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPool = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPool = false;
#else
constexpr bool kPool = true;
#endif
#else
constexpr bool kPool = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 64;  // up to 64 * 64 = 4 KiB

struct FreeFrameNode {
  FreeFrameNode* next;
};

FreeFrameNode** FreeLists() {
  // An allocator cache: no address reaches the trace.
  static FreeFrameNode* lists[kClasses] = {};  // determinism-ok: see above

  return lists;
}

}  // namespace

void* AllocateFrame(std::size_t size) {
  const std::size_t c = (size + kGranule - 1) / kGranule;
  if (!kPool || c == 0 || c > kClasses) return ::operator new(size);
  FreeFrameNode*& head = FreeLists()[c - 1];
  if (head != nullptr) {
    FreeFrameNode* n = head;
    head = n->next;
    return n;
  }
  return ::operator new(c * kGranule);
}

void FreeFrame(void* frame, std::size_t size) noexcept {
  const std::size_t c = (size + kGranule - 1) / kGranule;
  if (!kPool || c == 0 || c > kClasses) {
    ::operator delete(frame, size);
    return;
  }
  FreeFrameNode*& head = FreeLists()[c - 1];
  head = new (frame) FreeFrameNode{head};
}

}  // namespace replsim::os::internal_task
