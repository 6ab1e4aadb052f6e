// File: scenarios/harness/wal_scan.h
//
// Reads a node's local WAL from its segment files, from a start record to
// the end of valid WAL (the first record the reader rejects), as crash
// recovery's redo loop and pg_waldump see it. ScanLocalWal reads through a
// process's Os (the fake startup process, finding the end of WAL);
// ScanWalSegments reads bytes the caller already has (the harness, which
// looks at a node's disk without running anything on it).
#ifndef REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_
#define REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/record.h"
#include "protocol/wal/segment.h"

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

os::Task<WalScan> ScanLocalWal(os::Os& os, const std::string& data_dir, int server_version_num,
                               wal::TimeLineID tli, uint64_t system_identifier,
                               wal::XLogRecPtr start);

// `read_segment(segno)` returns a segment file's bytes, or nullopt when it
// does not exist; segments are read from `start`'s on until one is missing,
// empty or short.
WalScan ScanWalSegments(
    const std::function<std::optional<std::string>(wal::XLogSegNo)>& read_segment,
    wal::TimeLineID tli, uint64_t system_identifier, wal::XLogRecPtr start);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_HARNESS_WAL_SCAN_H_
