// SimOs: files and directories over the host's disk (sim/disk). Each I/O
// waits out its latency first and takes effect at its end, so a crash in the
// middle of a write or fsync loses it.
#include "protocol/os/check.h"
#include "sim/os/cluster.h"
#include "sim/os/sim_os.h"

namespace replsim::sim::os_sim {

const FdEntry* SimOs::FileOf(os::Fd fd) const {
  const FdEntry* e = fds_.Find(fd);
  return e == nullptr || e->socket ? nullptr : e;
}

os::Result<os::Fd> SimOs::Open(std::string_view path, int flags) {
  os::Result<disk::InodeId> id = host_.disk().Open(path, flags);
  if (!id.ok()) return id.error();
  if (cluster_.world().executor().wait_observer() != nullptr) {
    observed_paths_[*id] = std::string(path);
  }
  return AddFd({false, *id});
}

os::Task<os::Result<size_t>> SimOs::PRead(os::Fd fd, absl::Span<uint8_t> buf,
                                          int64_t offset) {
  if (FileOf(fd) == nullptr) co_return os::Errno::kEBADF;
  const WaitScope waiting = WaitingOnFile(WaitKind::kFileRead, fd);
  co_await Pause(host_.disk().IoLatency());
  const FdEntry* f = FileOf(fd);
  if (f == nullptr) co_return os::Errno::kEBADF;
  os::Result<size_t> r = host_.disk().Read(f->id, offset, buf);
  if (r.ok()) Copied(*r);
  co_return r;
}

os::Task<os::Result<size_t>> SimOs::PWrite(os::Fd fd, absl::Span<const uint8_t> data,
                                           int64_t offset) {
  if (FileOf(fd) == nullptr) co_return os::Errno::kEBADF;
  const WaitScope waiting = WaitingOnFile(WaitKind::kFileWrite, fd);
  co_await Pause(host_.disk().WriteLatency());
  const FdEntry* f = FileOf(fd);
  if (f == nullptr) co_return os::Errno::kEBADF;
  os::Result<size_t> r = host_.disk().Write(f->id, offset, data);
  if (r.ok()) Copied(*r);
  co_return r;
}

os::Task<os::Errno> SimOs::Fsync(os::Fd fd) {
  if (FileOf(fd) == nullptr) co_return os::Errno::kEBADF;
  const WaitScope waiting = WaitingOnFile(WaitKind::kFileSync, fd);
  co_await Pause(host_.disk().SyncLatency());
  const FdEntry* f = FileOf(fd);
  if (f == nullptr) co_return os::Errno::kEBADF;
  co_return host_.disk().Sync(f->id);
}

os::Task<os::Errno> SimOs::FsyncDir(std::string_view dir) {
  std::string d(dir);  // the caller's view may not outlive the wait
  const WaitScope waiting = Waiting({.kind = WaitKind::kDirSync, .path = d});
  co_await Pause(host_.disk().SyncLatency());
  co_return host_.disk().SyncDir(d);
}

os::Task<os::Errno> SimOs::ReserveSpace(os::Fd fd, int64_t len) {
  if (FileOf(fd) == nullptr) co_return os::Errno::kEBADF;
  const WaitScope waiting = WaitingOnFile(WaitKind::kFileExtend, fd);
  co_await Pause(host_.disk().WriteLatency());
  const FdEntry* f = FileOf(fd);
  if (f == nullptr) co_return os::Errno::kEBADF;
  co_return host_.disk().Allocate(f->id, len);
}

os::Errno SimOs::Truncate(os::Fd fd, int64_t size) {
  const FdEntry* f = FileOf(fd);
  if (f == nullptr) return os::Errno::kEBADF;
  return host_.disk().Truncate(f->id, size);
}

os::Errno SimOs::Rename(std::string_view from, std::string_view to) {
  return host_.disk().Rename(from, to);
}
os::Errno SimOs::Unlink(std::string_view path) { return host_.disk().Unlink(path); }
os::Errno SimOs::MakeDir(std::string_view path) { return host_.disk().MakeDir(path); }
os::Errno SimOs::RemoveDir(std::string_view path) { return host_.disk().RemoveDir(path); }
os::Result<os::FileStat> SimOs::Stat(std::string_view path) {
  return host_.disk().Stat(path);
}
os::Result<std::vector<std::string>> SimOs::ListDir(std::string_view dir) {
  return host_.disk().List(dir);
}

}  // namespace replsim::sim::os_sim
