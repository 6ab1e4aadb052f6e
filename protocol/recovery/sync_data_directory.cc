// SyncDataDirectory and walkdir (fd.c), datadir_fsync_fname's fsyncs; see
// the header.
#include "protocol/recovery/sync_data_directory.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::recovery {
namespace {

// walkdir: the entries (files fsynced, directories walked), then `path`
// itself. `shown` is the name PostgreSQL's messages use (relative to the
// data directory, its working directory).
os::Task<> WalkDir(os::Os& os, const std::string& path, const std::string& shown) {
  os::Result<std::vector<std::string>> names = os.ListDir(path);
  if (!names.ok()) {
    os.Log("LOG", absl::StrFormat("could not open directory \"%s\": %s", shown,
                                  os::StrError(names.error())));
    co_return;
  }
  for (const std::string& name : *names) {
    const std::string sub = absl::StrCat(path, "/", name);
    const std::string sub_shown = absl::StrCat(shown, "/", name);
    os::Result<os::FileStat> st = os.Stat(sub);
    if (!st.ok()) continue;  // gone meanwhile
    if (st->is_dir) {
      co_await WalkDir(os, sub, sub_shown);
      continue;
    }
    os::Result<os::Fd> fd = os.Open(sub, os::kOpenReadWrite);
    os::Errno e = fd.ok() ? co_await os.Fsync(*fd) : fd.error();
    if (fd.ok()) os.Close(*fd);
    if (e != os::Errno::kOk) {
      os.Log("LOG", absl::StrFormat("could not fsync file \"%s\": %s", sub_shown,
                                    os::StrError(e)));
    }
  }
  const os::Errno e = co_await os.FsyncDir(path);
  if (e != os::Errno::kOk) {
    os.Log("LOG", absl::StrFormat("could not fsync file \"%s\": %s", shown, os::StrError(e)));
  }
}

}  // namespace

os::Task<> SyncDataDirectory(os::Os& os, const std::string& data_dir) {
  co_await WalkDir(os, data_dir, ".");
}

os::Task<bool> SyncDataDirectoryAfterCrash(os::Os& os, const node::NodeShmem& shm) {
  const node::DBState state = shm.ControlFile.state;
  if (!shm.behavior.sync_data_directory_after_crash ||
      state == node::DBState::DB_SHUTDOWNED ||
      state == node::DBState::DB_SHUTDOWNED_IN_RECOVERY) {
    co_return false;
  }
  co_await SyncDataDirectory(os, shm.data_dir);
  co_return true;
}

}  // namespace replsim::recovery
