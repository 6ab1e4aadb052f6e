#include "protocol/archive/archive_server.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/archive/copy_wire.h"
#include "protocol/wal/segment.h"

namespace replsim::archive {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

os::Task<CopyStatus> Put(os::Os& os, const CopyRequest& req, ArchiveServerFaults& faults) {
  if (faults.fail_puts > 0) {
    --faults.fail_puts;
    os.Log("LOG", absl::StrCat("copy to ", req.path, " failed (injected)"));
    co_return CopyStatus::kFailed;
  }
  const bool temp = req.flags & kFlagTempRename;
  const std::string target = req.path;
  const std::string write_path =
      temp ? absl::StrCat(DirName(target), "/.", BaseName(target), ".tmp") : target;
  os::Result<os::Fd> fd =
      os.Open(write_path, os::kOpenReadWrite | os::kOpenCreate | os::kOpenTruncate);
  if (!fd.ok()) {
    os.Log("LOG", absl::StrCat(write_path, ": ", std::string(os::StrError(fd.error()))));
    co_return CopyStatus::kFailed;
  }
  os::Errno e = os::Errno::kOk;
  if (wal::IsXLogFileName(BaseName(target))) e = co_await os.ReserveSpace(*fd, wal::kWalSegSize);
  if (e == os::Errno::kOk && !req.data.empty()) {
    os::Result<size_t> w = co_await os.PWrite(*fd, req.data, 0);
    if (!w.ok()) e = w.error();
  }
  if (e == os::Errno::kOk && (req.flags & kFlagFsync)) e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e == os::Errno::kOk && temp) e = os.Rename(write_path, target);
  if (e != os::Errno::kOk) {
    os.Log("LOG", absl::StrCat(write_path, ": ", std::string(os::StrError(e))));
    if (temp) os.Unlink(write_path);  // rsync removes its temporary file
    co_return CopyStatus::kFailed;
  }
  co_return CopyStatus::kOk;
}

os::Task<CopyReply> Get(os::Os& os, const CopyRequest& req) {
  CopyReply reply;
  const os::Errno e = co_await ReadWholeFile(os, req.path, &reply.data);
  reply.status = e == os::Errno::kOk       ? CopyStatus::kOk
                 : e == os::Errno::kENOENT ? CopyStatus::kNoSuchFile
                                           : CopyStatus::kFailed;
  co_return reply;
}

os::Task<> ServeOne(os::Os& os, os::Fd sock, std::shared_ptr<ArchiveServerFaults> faults) {
  std::optional<CopyRequest> req = co_await RecvRequest(os, sock);
  if (!req.has_value()) co_await os.Exit(1);
  CopyReply reply;
  if (req->op == kOpPut) {
    reply.status = co_await Put(os, *req, *faults);
  } else {
    reply = co_await Get(os, *req);
  }
  (void)co_await os.Send(sock, EncodeReply(reply));
  os.Close(sock);
  co_await os.Exit(reply.status == CopyStatus::kOk ? 0 : 1);
}

}  // namespace

os::Task<> ArchiveServerMain(os::Os& os, ArchiveServerConfig config) {
  os.IgnoreSignal(os::Signal::kSIGCHLD);
  for (const std::string& d : config.directories) {
    os.MakeDir(d);
    co_await os.FsyncDir(DirName(d));
  }
  os::Result<os::Fd> listener = os.Listen(kArchivePort, 64);
  if (!listener.ok()) co_await os.Exit(1);
  for (;;) {
    os::Result<os::Fd> sock = co_await os.Accept(*listener);
    if (!sock.ok()) continue;
    std::shared_ptr<ArchiveServerFaults> faults = config.faults;
    const os::Fd fd = *sock;
    (void)os.StartChild(
        "sshd", [fd, faults](os::Os& child) -> os::Task<> { co_await ServeOne(child, fd, faults); },
        {fd});
  }
}

}  // namespace replsim::archive
