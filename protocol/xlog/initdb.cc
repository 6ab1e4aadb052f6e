#include "protocol/xlog/initdb.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/node/shmem.h"
#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::xlog {
namespace {

// What initdb prints for a failed step on the first WAL segment (timeline 1).
std::string WalFailureText(const std::string& data_dir, int server_version_num,
                           const XLogIoFailure& f, os::Errno e) {
  const std::string wal_dir = XLogDir(data_dir, server_version_num);
  const std::string segment = XLogFilePath(data_dir, server_version_num, 1, f.segno);
  const std::string temp = absl::StrCat(wal_dir, "/", f.path);
  const std::string_view m = os::StrError(e);
  switch (f.op) {
    case XLogIoFailure::Op::kOpen:
      return absl::StrFormat("could not open file \"%s\": %s", segment, m);
    case XLogIoFailure::Op::kWrite:
      return absl::StrFormat("could not write to file \"%s\": %s", segment, m);
    case XLogIoFailure::Op::kFsyncDir:
      return absl::StrFormat("could not fsync file \"%s\": %s", wal_dir, m);
    case XLogIoFailure::Op::kFsync:
      return absl::StrFormat("could not fsync file \"%s\": %s", segment, m);
    case XLogIoFailure::Op::kInitCreate:
      return absl::StrFormat("could not create file \"%s\": %s", temp, m);
    case XLogIoFailure::Op::kInitWrite:
      return absl::StrFormat("could not write to file \"%s\": %s", temp, m);
    case XLogIoFailure::Op::kInitFsync:
      return absl::StrFormat("could not fsync file \"%s\": %s", temp, m);
    case XLogIoFailure::Op::kInitRename:
      return absl::StrFormat("could not rename file \"%s\" to \"%s\": %s", temp, segment, m);
  }
  return absl::StrFormat("could not write file \"%s\": %s", segment, m);
}

}  // namespace

os::Task<os::Errno> InitDb(os::Os& os, const std::string& data_dir, int server_version_num,
                           uint64_t system_identifier, std::string* failure) {
  std::string ignored;
  std::string& why = failure != nullptr ? *failure : ignored;
  const std::string wal_dir = XLogDir(data_dir, server_version_num);
  for (const std::string& d : {data_dir, wal_dir, absl::StrCat(wal_dir, "/archive_status"),
                               absl::StrCat(data_dir, "/global")}) {
    os::Errno e = os.MakeDir(d);
    if (e != os::Errno::kOk) {
      why = absl::StrFormat("could not create directory \"%s\": %s", d, os::StrError(e));
      co_return e;
    }
  }
  // The bootstrap checkpoint (BootStrapXLOG): redo at itself, TLI 1.
  wal::CheckPoint cp;
  cp.redo = kBootstrapCheckPoint;
  cp.ThisTimeLineID = 1;
  cp.PrevTimeLineID = 1;
  cp.fullPageWrites = true;
  cp.nextXid = 3;  // FirstNormalTransactionId
  cp.nextOid = 10000;
  cp.nextMulti = 1;
  cp.oldestXid = 3;
  cp.oldestXidDB = 1;
  cp.oldestMulti = 1;
  cp.oldestMultiDB = 1;
  wal::WalBuilderOptions opts;
  opts.system_identifier = system_identifier;
  wal::WalBuilder builder(opts, /*tli=*/1, /*insert_pos=*/0x1000000,
                          /*prev_record=*/wal::InvalidXLogRecPtr);
  wal::WalBuffer buffer;
  wal::XLogInsertResult r = builder.Insert(wal::MakeCheckpointRecord(cp, true), &buffer);
  CHECK_EQ(r.ReadRecPtr, kBootstrapCheckPoint);
  std::vector<uint8_t> bytes(r.EndRecPtr - 0x1000000);
  CHECK(buffer.Read(0x1000000, absl::MakeSpan(bytes)));
  XLogIoFailure f;
  os::Errno e = co_await XLogWriteRaw(os, data_dir, server_version_num, 1, 0x1000000, bytes, &f);
  if (e == os::Errno::kOk) {
    e = co_await XLogFsyncRange(os, data_dir, server_version_num, 1, 0x1000000, r.EndRecPtr, &f);
  }
  if (e != os::Errno::kOk) {
    why = WalFailureText(data_dir, server_version_num, f, e);
    co_return e;
  }

  node::ControlFileData c;
  c.system_identifier = system_identifier;
  c.state = node::DBState::DB_SHUTDOWNED;
  c.checkPoint = kBootstrapCheckPoint;
  c.checkPointCopy = cp;
  e = co_await WriteControlFile(os, data_dir, c, &why);
  if (e != os::Errno::kOk) co_return e;
  // initdb --sync: every new directory entry durable.
  for (const std::string& d :
       {absl::StrCat(data_dir, "/global"), wal_dir, data_dir, std::string("/")}) {
    e = co_await os.FsyncDir(d);
    if (e != os::Errno::kOk) {
      why = absl::StrFormat("could not fsync file \"%s\": %s", d, os::StrError(e));
      co_return e;
    }
  }
  co_return os::Errno::kOk;
}

}  // namespace replsim::xlog
