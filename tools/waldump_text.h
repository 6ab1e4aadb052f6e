// File: tools/waldump_text.h
//
// WAL records as the release's WAL dumper prints them, one line a record:
// pg_waldump (PostgreSQL 10 on) or pg_xlogdump (9.3 to 9.6), for the record
// kinds replsim writes (XLOG checkpoints, SWITCH, NOOP, END_OF_RECOVERY,
// FPI_FOR_HINT; Transaction COMMIT; Heap INSERT). Other rmgrs' records are
// printed with their header and "UNKNOWN (<info>)" as the description.
//
//   15:  rmgr: XLOG        len (rec/tot):    114/   114, tx:          0,
//        lsn: 0/0300AAC0, prev 0/0300AA98, desc: CHECKPOINT_SHUTDOWN redo ...
//   9.3: rmgr: XLOG        len (rec/tot):     88/   114, tx:          0,
//        lsn: 0/0300AAC0, prev 0/0300AA98, bkp: 0000, desc: checkpoint: redo ...
//
// replsim's WAL bytes are PostgreSQL 15's in every profile, so a 9.3 line
// has pg_xlogdump's layout and descriptions over a 15-format record: its
// "rec" length is the record's bytes after its 24-byte header, without block
// images (9.3's xl_len counted the rmgr's data only), and its bkp flags the
// first four block references that carry an image.
#ifndef REPLSIM_TOOLS_WALDUMP_TEXT_H_
#define REPLSIM_TOOLS_WALDUMP_TEXT_H_

#include <string>

#include "protocol/wal/lsn.h"
#include "protocol/wal/record.h"

namespace replsim::tools {

// The dumper's name for the release: "pg_waldump" from 100000, else
// "pg_xlogdump".
const char* WalDumperName(int server_version_num);
// One record's line (no newline).
std::string WalDumpLine(const wal::WalRecord& r, wal::XLogRecPtr lsn, int server_version_num);
// The dumper's last line when the reader stops at invalid WAL after the
// record at `last` (what the reader said in `reason`).
std::string WalDumpErrorLine(wal::XLogRecPtr last, const std::string& reason,
                             int server_version_num);
// A TimestampTz (microseconds since 2000-01-01 00:00:00 UTC) as the dumpers'
// timestamptz_to_str prints it in UTC: "2000-01-01 00:00:00.273094 UTC".
std::string DumperTimestamp(int64_t timestamptz);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_WALDUMP_TEXT_H_
