// File: protocol/xlog/initdb.h
//
// initdb's part that replication cares about (BootStrapXLOG in xlog.c): a
// data directory with its release's WAL directory (pg_wal/, pg_xlog/ before
// 10: XLogDirName) and global/, a first segment (timeline 1,
// segment 1) holding one shutdown checkpoint at 0/1000028, and pg_control
// saying DB_SHUTDOWNED at that checkpoint. Everything is fsynced, directory
// entries included, so a host crash right after keeps it.
#ifndef REPLSIM_PROTOCOL_XLOG_INITDB_H_
#define REPLSIM_PROTOCOL_XLOG_INITDB_H_

#include <cstdint>
#include <string>

#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"

namespace replsim::xlog {

// Where BootStrapXLOG puts the first checkpoint: after segment 1's long page
// header.
inline constexpr wal::XLogRecPtr kBootstrapCheckPoint = 0x1000028;

// initdb of the release with this PG_VERSION_NUM. Returns the first error,
// with `*failure` (if given) saying what failed where, as initdb reports it
// after "initdb: error: " ("could not fsync file
// \"/pgdata/pg_wal/xlogtemp.3\": Input/output error"); initdb then exits
// non-zero.
os::Task<os::Errno> InitDb(os::Os& os, const std::string& data_dir, int server_version_num,
                           uint64_t system_identifier, std::string* failure = nullptr);

}  // namespace replsim::xlog

#endif  // REPLSIM_PROTOCOL_XLOG_INITDB_H_
