#include "protocol/xlog/initdb.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "protocol/node/shmem.h"
#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::xlog {

os::Task<os::Errno> InitDb(os::Os& os, const std::string& data_dir, int server_version_num,
                           uint64_t system_identifier) {
  const std::string wal_dir = XLogDir(data_dir, server_version_num);
  for (const std::string& d : {data_dir, wal_dir, absl::StrCat(data_dir, "/global")}) {
    os::Errno e = os.MakeDir(d);
    if (e != os::Errno::kOk) co_return e;
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
  os::Errno e = co_await XLogWriteRaw(os, data_dir, server_version_num, 1, 0x1000000, bytes);
  if (e != os::Errno::kOk) co_return e;
  e = co_await XLogFsyncRange(os, data_dir, server_version_num, 1, 0x1000000, r.EndRecPtr);
  if (e != os::Errno::kOk) co_return e;

  node::ControlFileData c;
  c.system_identifier = system_identifier;
  c.state = node::DBState::DB_SHUTDOWNED;
  c.checkPoint = kBootstrapCheckPoint;
  c.checkPointCopy = cp;
  e = co_await WriteControlFile(os, data_dir, c);
  if (e != os::Errno::kOk) co_return e;
  // initdb --sync: every new directory entry durable.
  for (const std::string& d :
       {absl::StrCat(data_dir, "/global"), wal_dir, data_dir, std::string("/")}) {
    e = co_await os.FsyncDir(d);
    if (e != os::Errno::kOk) co_return e;
  }
  co_return os::Errno::kOk;
}

}  // namespace replsim::xlog
