// File: protocol/os/task_frames.h
//
// Where coroutine frames come from. A seed creates and destroys ~10,000 of
// them (every co_await of a Task makes one), mostly of a few dozen sizes, so
// freed frames are kept on per-size free lists and handed out again: a pop
// and a push instead of a trip through malloc. Frames are rounded up to 64
// bytes; larger than 4 KiB, or under a sanitizer (which must see every free),
// they go to operator new as usual.
//
// The lists only grow to the largest number of frames of a size alive at once,
// so memory stays flat over any number of seeds. No address ever reaches the
// trace, so reuse order cannot change a run. Single-threaded, like everything
// that runs Tasks.
#ifndef REPLSIM_PROTOCOL_OS_TASK_FRAMES_H_
#define REPLSIM_PROTOCOL_OS_TASK_FRAMES_H_

#include <cstddef>

namespace replsim::os::internal_task {

void* AllocateFrame(std::size_t size);
void FreeFrame(void* frame, std::size_t size) noexcept;

}  // namespace replsim::os::internal_task

#endif  // REPLSIM_PROTOCOL_OS_TASK_FRAMES_H_
