// File: protocol/xlog/control_file.h
//
// pg_control (global/pg_control): the node's durable summary, read at
// startup and rewritten (in place, then fsynced) by UpdateControlFile, as
// xlog.c's WriteControlFile/UpdateControlFile/ReadControlFile do. The
// meaningful bytes stay under 512 (PG_CONTROL_MAX_SAFE_SIZE), so a torn
// sector-granular write cannot tear it, which is PostgreSQL's own assumption.
// The byte layout is replsim's (a magic, the fields, CRC-32C), not
// PostgreSQL's: only WAL and the wire protocol are byte-exact.
//
// Durability is the same in every profile, so no switch: 9.x's
// UpdateControlFile and 15's update_controlfile both open the existing
// file, write it in place and fsync it (no temp file, no rename, nothing
// for a directory fsync to make durable).
#ifndef REPLSIM_PROTOCOL_XLOG_CONTROL_FILE_H_
#define REPLSIM_PROTOCOL_XLOG_CONTROL_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/node/shmem.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::xlog {

// "<data_dir>/global/pg_control"
std::string ControlFilePath(const std::string& data_dir);

std::vector<uint8_t> EncodeControlFile(const node::ControlFileData& c);
// DataLoss "incorrect checksum in control file" on a bad CRC, as PostgreSQL
// reports it.
absl::StatusOr<node::ControlFileData> DecodeControlFile(
    absl::Span<const uint8_t> bytes);

// Writes shm.ControlFile to pg_control and fsyncs it. A failure is logged as
// the PANIC PostgreSQL raises there (update_controlfile in 15,
// UpdateControlFile in 9.x) and returned; the caller then exits.
os::Task<os::Errno> UpdateControlFile(os::Os& os, const node::NodeShmem& shm);
// Writes `c` as a new pg_control and fsyncs it (initdb's bootstrap). On
// failure `*failure`, if given, says what failed, as 15 words it ("could not
// fsync file \"<path>\": Input/output error").
os::Task<os::Errno> WriteControlFile(os::Os& os, const std::string& data_dir,
                                     const node::ControlFileData& c,
                                     std::string* failure = nullptr);
// Reads and checks pg_control. kENOENT if absent; kEIO on a bad checksum.
os::Task<os::Result<node::ControlFileData>> ReadControlFile(
    os::Os& os, const std::string& data_dir);

}  // namespace replsim::xlog

#endif  // REPLSIM_PROTOCOL_XLOG_CONTROL_FILE_H_
