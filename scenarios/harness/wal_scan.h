// File: scenarios/harness/wal_scan.h
//
// Reads a node's local WAL from its segment files, from a start record to
// the end of valid WAL (the first record the reader rejects), as crash
// recovery's redo loop and pg_waldump see it. Used by the fake startup
// process (to find the end of WAL) and by tests (the last record).
#ifndef REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_
#define REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/record.h"

namespace replsim::scenarios {

struct ScannedRecord {
  wal::XLogRecPtr start = 0;
  wal::XLogRecPtr end = 0;
  wal::WalRecord record;
};

struct WalScan {
  std::vector<ScannedRecord> records;  // from `start` on, in order
  std::string stop_reason;             // why the reader stopped
};

os::Task<WalScan> ScanLocalWal(os::Os& os, const std::string& data_dir,
                               wal::TimeLineID tli, uint64_t system_identifier,
                               wal::XLogRecPtr start);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_
