// File: protocol/recovery/timeline_files.h
//
// Timeline history files in the WAL directory, through os::Os: PostgreSQL 15's
// timeline.c (existsTimeLineHistory, findNewestTimeLine, readTimeLineHistory,
// writeTimeLineHistory, writeTimeLineHistoryFile). The content format and the
// list operations are protocol/wal/timeline_history.h; this file adds the
// file system: "<data_dir>/<XLOGDIR>/%08X.history", XLOGDIR being the
// release's pg_wal or pg_xlog (xlog::XLogDirName).
//
// There is no archive (restore_command) in the simulation, so every lookup
// is XLOGDIR only, as PostgreSQL's are when RestoreArchivedFile finds nothing.
//
// Writes are durable as PostgreSQL makes them: a temp file
// "<XLOGDIR>/xlogtemp.<pid>" created O_EXCL, written, fsynced, then
// durable_rename (fsync file, rename, fsync file, fsync XLOGDIR); before
// 1d4a0ab19a (9.4.7 and its siblings) link/rename only, the directory never
// fsynced (the `durable_rename` arguments).
//
// Errors are values: absl::Status with PostgreSQL's message ("could not open
// file \"...\": ENOENT", "syntax error in history file: ..."); the caller
// decides the level (FATAL in the startup process, ERROR in the walreceiver).
#ifndef REPLSIM_PROTOCOL_RECOVERY_TIMELINE_FILES_H_
#define REPLSIM_PROTOCOL_RECOVERY_TIMELINE_FILES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/timeline_history.h"

namespace replsim::recovery {

using wal::TimeLineID;
using wal::XLogRecPtr;

// "<data_dir>/<XLOGDIR>/%08X.history" (TLHistoryFilePath).
std::string TLHistoryFilePath(const std::string& data_dir, int server_version_num, TimeLineID tli);

// Reads a whole file; nullopt if it does not exist (ENOENT), an error
// Status "could not open/read file" otherwise.
os::Task<absl::StatusOr<std::optional<std::string>>> ReadWholeFile(
    os::Os& os, const std::string& path);

// existsTimeLineHistory: false for timeline 1 and for a missing file.
os::Task<absl::StatusOr<bool>> existsTimeLineHistory(os::Os& os, const std::string& data_dir,
                                                     int server_version_num, TimeLineID probe_tli);

// findNewestTimeLine: probes start+1, start+2, ... and stops at the first
// history file that is missing (a gap hides everything after it, RW-17).
os::Task<absl::StatusOr<TimeLineID>> findNewestTimeLine(os::Os& os, const std::string& data_dir,
                                                        int server_version_num,
                                                        TimeLineID start_tli);

// readTimeLineHistory: the history of target_tli, newest first. Timeline 1,
// or a missing file, gives the single open entry (PostgreSQL assumes a
// missing file means "no parents").
os::Task<absl::StatusOr<wal::TimeLineHistory>> readTimeLineHistory(os::Os& os,
                                                                   const std::string& data_dir,
                                                                   int server_version_num,
                                                                   TimeLineID target_tli);

// writeTimeLineHistory: new_tli's file = parent's file (if any) + "\n" +
// "parent\tX/X\treason\n", written durably.
os::Task<absl::Status> writeTimeLineHistory(os::Os& os,
                                            const std::string& data_dir,
                                            TimeLineID new_tli,
                                            TimeLineID parent_tli,
                                            XLogRecPtr switchpoint,
                                            const std::string& reason,
                                            int server_version_num,
                                            bool durable_rename = true);

// writeTimeLineHistoryFile: the walreceiver's copy of a history file fetched
// with TIMELINE_HISTORY, written durably as given.
os::Task<absl::Status> writeTimeLineHistoryFile(os::Os& os,
                                                const std::string& data_dir,
                                                TimeLineID tli,
                                                const std::string& content,
                                                int server_version_num,
                                                bool durable_rename = true);

// A file in XLOGDIR made the way PostgreSQL installs one: "xlogtemp.<pid>"
// created O_EXCL, written, zero-filled to `zero_fill_to` bytes if that is
// more (the space only, see Os::ReserveSpace: XLogFileCopy pads a segment),
// fsynced, then DurableRename to `path`; without `durable_rename`
// (Behavior::xlog_durable_rename, 1d4a0ab19a) a plain rename, whose new
// name a host crash can take back. A failed fsync is DataLoss. Errors
// name files relative to the data directory, in the release's WAL directory
// (xlog::XLogDirName: pg_xlog before 10).
os::Task<absl::Status> WriteFileDurably(os::Os& os, const std::string& data_dir,
                                        const std::string& path,
                                        absl::Span<const uint8_t> content,
                                        int server_version_num, int64_t zero_fill_to = 0,
                                        bool durable_rename = true);

// durable_rename (fd.c): fsync `from`, rename, fsync `to`, fsync its
// directory. Status names the failing step as PostgreSQL's messages do.
os::Task<absl::Status> DurableRename(os::Os& os, const std::string& from,
                                     const std::string& to,
                                     const std::string& dir);

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_TIMELINE_FILES_H_
