#include "scenarios/harness/fake_processes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "protocol/wal/rmgr.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/xlog_io.h"
#include "scenarios/harness/wal_scan.h"

namespace replsim::scenarios {

os::Task<> FakeStartupProcessMain(os::Os& os, node::ShmemRef shm_ref) {
  node::NodeShmem& shm = *shm_ref;
  node::ControlFileData& cf = shm.ControlFile;
  const wal::TimeLineID tli = cf.checkPointCopy.ThisTimeLineID;
  if (cf.state != node::DBState::DB_SHUTDOWNED) {
    os.Log("LOG", "database system was not properly shut down; automatic recovery in "
                  "progress");
  }
  WalScan scan = co_await ScanLocalWal(os, shm.data_dir, shm.behavior.server_version_num, tli,
                                       cf.system_identifier, cf.checkPoint);
  if (scan.records.empty()) {
    os.Log("PANIC", "could not locate a valid checkpoint record");
    co_await os.Exit(2);
  }
  uint64_t next_xid = cf.checkPointCopy.nextXid;
  for (const ScannedRecord& r : scan.records) {
    if (r.record.header.xl_xid != 0) {
      next_xid = std::max<uint64_t>(next_xid, uint64_t{r.record.header.xl_xid} + 1);
    }
  }
  const ScannedRecord& last = scan.records.back();
  if (scan.records.size() > 1) {
    os.Log("LOG", absl::StrCat("redo done at ", wal::LsnToString(last.start)));
  }
  shm.ShmemVariableCache.nextXid = next_xid;
  xlog::StartXLogInsert(shm, tli, wal::MaxAlign(last.end), last.start);
  shm.XLogCtl.PrevTimeLineID = tli;
  cf.state = node::DBState::DB_IN_PRODUCTION;
  const bool awaited_1 = co_await xlog::UpdateControlFile(os, shm) != os::Errno::kOk;
  if (awaited_1) {
    os.Log("PANIC", "could not fsync file \"global/pg_control\"");
    co_await os.Exit(2);
  }
  shm.XLogCtl.SharedRecoveryInProgress = false;
}

postmaster::EntryPoints FakeEntryPoints() {
  postmaster::EntryPoints e;
  e.startup = FakeStartupProcessMain;
  return e;
}

}  // namespace replsim::scenarios
