#include "sim/disk/disk.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "protocol/os/check.h"

namespace replsim::sim::disk {

Disk::Disk(World& world, std::string host, DiskConfig config)
    : world_(world),
      host_(std::move(host)),
      config_(config),
      stream_(absl::StrCat("disk/", host_)) {}

namespace {
// Every key of `m` below `dir` ("dir/..."), in order.
std::vector<std::string> Descendants(const absl::btree_map<std::string, InodeId, std::less<>>& m,
                                     std::string_view dir) {
  const std::string prefix = std::string(dir) + "/";
  std::vector<std::string> out;
  for (auto it = m.lower_bound(prefix); it != m.end() && it->first.starts_with(prefix);
       ++it) {
    out.push_back(it->first);
  }
  return out;
}

// Moves every key below `from` to the same place below `to`.
void MoveSubtree(absl::btree_map<std::string, InodeId, std::less<>>& m, std::string_view from,
                 std::string_view to) {
  for (const std::string& name : Descendants(m, from)) {
    auto node = m.extract(name);
    node.key() = std::string(to) + name.substr(from.size());
    m.insert_or_assign(std::move(node.key()), node.mapped());
  }
}
}  // namespace

TraceBuilder Disk::Emit(std::string_view kind, Severity s) {
  return world_.trace().Emit(world_.now(), host_, "disk", kind, s);
}

void Disk::SetSlowFactor(int64_t factor) {
  slow_factor_ = factor;
  Emit(factor == 1 ? "disk_speed_restored" : "fault_slow_disk",
       factor == 1 ? Severity::kInfo : Severity::kWarning)
      .Int("factor", factor);
}

std::string_view Disk::Parent(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool Disk::DirExists(std::string_view dir) const {
  if (dir.empty()) return true;  // the root
  auto it = names_.find(dir);
  return it != names_.end() && At(it->second).is_dir;
}

Inode* Disk::Get(InodeId id) {
  CHECK(Live(id)) << "stale inode " << id;
  return inodes_[id - 1].get();
}

const Inode& Disk::At(InodeId id) const {
  CHECK(Live(id)) << "stale inode " << id;
  return *inodes_[id - 1];
}

InodeId Disk::NewInode(std::unique_ptr<Inode> n) {
  inodes_.push_back(std::move(n));
  return inodes_.size();
}

void Disk::MaybeFree(InodeId id) {
  Inode* n = Get(id);
  if (n->open_count > 0) return;
  for (const auto& m : {&names_, &durable_}) {
    for (const auto& [name, ino] : *m) {
      if (ino == id) return;
    }
  }
  used_ -= n->Footprint();
  inodes_[id - 1].reset();
}

os::Result<InodeId> Disk::Open(std::string_view path, int flags) {
  if (path.empty()) return os::Errno::kENOENT;
  auto it = names_.find(path);
  if (it == names_.end()) {
    if (!(flags & os::kOpenCreate)) return os::Errno::kENOENT;
    if (!DirExists(Parent(path))) return os::Errno::kENOENT;
    const InodeId id = NewInode(std::make_unique<Inode>());
    it = names_.emplace(std::string(path), id).first;
    Emit("disk_create").Str("path", path);
  } else if ((flags & os::kOpenCreate) && (flags & os::kOpenExclusive)) {
    return os::Errno::kEEXIST;
  }
  Inode* n = Get(it->second);
  if (n->is_dir && (flags & os::kOpenReadWrite)) return os::Errno::kEISDIR;
  if ((flags & os::kOpenTruncate) && n->Footprint() > 0) {
    used_ -= n->Footprint();
    n->Truncate(0);
    n->allocated = 0;
  }
  ++n->open_count;
  return it->second;
}

void Disk::Release(InodeId id) {
  Inode* n = Get(id);
  CHECK_GT(n->open_count, 0);
  --n->open_count;
  MaybeFree(id);
}

os::Result<size_t> Disk::Read(InodeId id, int64_t offset, absl::Span<uint8_t> out) {
  Inode* n = Get(id);
  if (offset < 0) return os::Errno::kEINVAL;
  if (offset >= static_cast<int64_t>(n->data.size())) return size_t{0};
  size_t len = std::min<size_t>(out.size(), n->data.size() - offset);
  std::copy_n(n->data.data() + offset, len, reinterpret_cast<char*>(out.data()));
  return len;
}

os::Result<size_t> Disk::Write(InodeId id, int64_t offset,
                               absl::Span<const uint8_t> data) {
  Inode* n = Get(id);
  if (offset < 0) return os::Errno::kEINVAL;
  int64_t end = offset + static_cast<int64_t>(data.size());
  int64_t growth = std::max<int64_t>(0, end - n->Footprint());
  if (used_ + growth > config_.capacity) {
    ++faults_fired_;
    Emit("fault_enospc", Severity::kWarning).Int("offset", offset).Uint("bytes", data.size());
    return os::Errno::kENOSPC;
  }
  used_ += growth;
  n->Write(offset, reinterpret_cast<const char*>(data.data()), data.size());
  return data.size();
}

os::Errno Disk::Sync(InodeId id) {
  Inode* n = Get(id);
  if (n->dirty_pages.empty() && !n->size_dirty) return os::Errno::kOk;
  if (std::exchange(fail_next_fsync_, false) || Bernoulli(rng(), config_.fsync_eio)) {
    ++faults_fired_;
    Emit("fault_fsync_eio", Severity::kWarning)
        .Uint("inode", id)
        .Uint("lost_pages", n->dirty_pages.size());
    n->LoseDirtyPages();
    return os::Errno::kEIO;
  }
  int64_t bytes = n->Sync();
  Emit("disk_fsync").Uint("inode", id).Int("bytes", bytes);
  return os::Errno::kOk;
}

os::Errno Disk::SyncDir(std::string_view dir) {
  if (dir == "/") dir = "";  // the root has two spellings
  if (!DirExists(dir)) return os::Errno::kENOENT;
  auto child_of_dir = [dir](std::string_view name) { return Parent(name) == dir; };
  // A directory renamed within `dir`: its durable entries follow its new
  // name (they belong to its inode, not to the old name).
  std::vector<std::pair<std::string, std::string>> moved_dirs;
  for (const auto& [name, id] : durable_) {
    if (!child_of_dir(name) || names_.contains(name) || !Live(id) || !At(id).is_dir) continue;
    for (const auto& [now_name, now_id] : names_) {
      if (now_id == id && child_of_dir(now_name)) moved_dirs.emplace_back(name, now_name);
    }
  }
  for (const auto& [was, now] : moved_dirs) MoveSubtree(durable_, was, now);
  std::vector<InodeId> dropped;
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (child_of_dir(it->first) && !names_.contains(it->first)) {
      dropped.push_back(it->second);
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  int entries = 0;
  for (const auto& [name, id] : names_) {
    if (!child_of_dir(name)) continue;
    auto [it, inserted] = durable_.insert_or_assign(name, id);
    ++entries;
  }
  Emit("disk_fsync_dir").Str("dir", dir).Int("entries", entries);
  for (InodeId id : dropped) {
    if (Live(id)) MaybeFree(id);
  }
  return os::Errno::kOk;
}

os::Errno Disk::Truncate(InodeId id, int64_t size) {
  Inode* n = Get(id);
  if (size < 0) return os::Errno::kEINVAL;
  // Shrinking frees the blocks past `size`, allocated ones too; growing
  // makes a zero-filled tail (counted as data here).
  const int64_t before = n->Footprint();
  const int64_t after = size;
  if (after > before && used_ + (after - before) > config_.capacity) return os::Errno::kENOSPC;
  used_ += after - before;
  n->Truncate(size);
  n->allocated = std::min(n->allocated, size);
  return os::Errno::kOk;
}

os::Errno Disk::Allocate(InodeId id, int64_t len) {
  Inode* n = Get(id);
  if (len < 0) return os::Errno::kEINVAL;
  const int64_t growth = std::max<int64_t>(0, len - n->Footprint());
  if (used_ + growth > config_.capacity) {
    ++faults_fired_;
    Emit("fault_enospc", Severity::kWarning).Int("offset", 0).Uint("bytes", len);
    return os::Errno::kENOSPC;
  }
  used_ += growth;
  n->allocated = std::max(n->allocated, len);
  return os::Errno::kOk;
}

os::Result<int64_t> Disk::Size(InodeId id) const {
  return static_cast<int64_t>(At(id).data.size());
}


os::Errno Disk::Rename(std::string_view from, std::string_view to) {
  auto it = names_.find(from);
  if (it == names_.end()) return os::Errno::kENOENT;
  if (!DirExists(Parent(to))) return os::Errno::kENOENT;
  const InodeId id = it->second;
  const bool is_dir = At(id).is_dir;
  std::optional<InodeId> replaced;
  if (auto old = names_.find(to); old != names_.end()) {
    const bool to_dir = At(old->second).is_dir;
    if (is_dir && !to_dir) return os::Errno::kENOTDIR;
    if (is_dir && !Descendants(names_, to).empty()) return os::Errno::kENOTEMPTY;
    if (!is_dir && to_dir) return os::Errno::kEISDIR;
    replaced = old->second;
  }
  const std::string from_copy(from);  // `from` may view a key we erase
  names_.erase(from_copy);
  names_.insert_or_assign(std::string(to), id);
  // A directory takes its entries with it: they live in its inode.
  if (is_dir) MoveSubtree(names_, from_copy, to);
  Emit("disk_rename").Str("from", from_copy).Str("to", to);
  if (replaced) MaybeFree(*replaced);
  return os::Errno::kOk;
}

os::Errno Disk::RemoveDir(std::string_view path) {
  auto it = names_.find(path);
  if (it == names_.end()) return os::Errno::kENOENT;
  const InodeId id = it->second;
  if (!At(id).is_dir) return os::Errno::kENOTDIR;
  if (!Descendants(names_, path).empty()) return os::Errno::kENOTEMPTY;
  Emit("disk_rmdir").Str("path", path);
  names_.erase(it);
  MaybeFree(id);
  return os::Errno::kOk;
}

os::Errno Disk::Unlink(std::string_view path) {
  auto it = names_.find(path);
  if (it == names_.end()) return os::Errno::kENOENT;
  InodeId id = it->second;
  if (At(id).is_dir) return os::Errno::kEISDIR;
  names_.erase(it);
  Emit("disk_unlink").Str("path", path);
  MaybeFree(id);
  return os::Errno::kOk;
}

os::Errno Disk::MakeDir(std::string_view path) {
  if (path.empty() || names_.contains(path)) return os::Errno::kEEXIST;
  if (!DirExists(Parent(path))) return os::Errno::kENOENT;
  auto n = std::make_unique<Inode>();
  n->is_dir = true;
  names_.emplace(std::string(path), NewInode(std::move(n)));
  Emit("disk_mkdir").Str("path", path);
  return os::Errno::kOk;
}

os::Result<os::FileStat> Disk::Stat(std::string_view path) const {
  if (path.empty()) return os::FileStat{0, true};
  auto it = names_.find(path);
  if (it == names_.end()) return os::Errno::kENOENT;
  const Inode& n = At(it->second);
  return os::FileStat{static_cast<int64_t>(n.data.size()), n.is_dir};
}

os::Result<std::vector<std::string>> Disk::List(std::string_view dir) const {
  if (dir == "/") dir = "";  // the root has two spellings
  if (!DirExists(dir)) return os::Errno::kENOENT;
  std::vector<std::string> out;
  for (const auto& [name, id] : names_) {
    if (Parent(name) == dir) {
      out.push_back(dir.empty() ? name : name.substr(dir.size() + 1));
    }
  }
  return out;
}

void Disk::Crash() {
  // Entries whose directory is not durable are unreachable after the crash
  // (keys sort after their parent's, so one pass sees parents first).
  for (auto it = durable_.begin(); it != durable_.end();) {
    const std::string_view parent = Parent(it->first);
    if (!parent.empty() && !durable_.contains(parent)) {
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  names_ = durable_;
  int64_t lost = 0;
  used_ = 0;
  for (InodeId ino = 1; ino <= inodes_.size(); ++ino) {
    if (!Live(ino)) continue;
    Inode& n = *inodes_[ino - 1];
    n.open_count = 0;
    bool named = false;
    for (const auto& [name, id] : durable_) named = named || id == ino;
    if (!named) {
      inodes_[ino - 1].reset();
      continue;
    }
    lost += n.Crash([this] { return Bernoulli(rng(), config_.crash_sector_persist); });
    used_ += n.Footprint();
  }
  Emit("disk_crash", Severity::kWarning).Int("lost_dirty_pages", lost);
}

void Disk::Fill() {
  if (capacity_before_fill_ < 0) capacity_before_fill_ = config_.capacity;
  config_.capacity = used_;
  Emit("fault_disk_full", Severity::kWarning).Int("capacity", used_);
}

void Disk::Free() {
  if (capacity_before_fill_ < 0) return;
  config_.capacity = std::exchange(capacity_before_fill_, -1);
  Emit("fault_disk_freed").Int("capacity", config_.capacity);
}

}  // namespace replsim::sim::disk
