// File: protocol/walreceiver/timeline_history_file.h
//
// timeline.c's existsTimeLineHistory and writeTimeLineHistoryFile, as the
// walreceiver uses them for history files fetched from the primary. This is
// a local copy because the startup process's version (protocol/recovery) is
// not available yet; it should be replaced by it.
//
// writeTimeLineHistoryFile writes pg_wal/xlogtemp.<pid>, fsyncs it, then
// durable_rename()s it to pg_wal/<TLI>.history (fsync file, rename, fsync
// pg_wal), so the file is either absent or complete after a crash.
//
// Errors are returned with PostgreSQL's ERROR texts ("could not create file
// ...", "could not write to file ...", "could not rename file ... to ...");
// an fsync failure is a PANIC in PostgreSQL (data_sync_elevel) and is
// returned as a DataLoss status whose message is the PANIC text.
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_TIMELINE_HISTORY_FILE_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_TIMELINE_HISTORY_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"

namespace replsim::walreceiver {

// "<data_dir>/pg_wal/<TLI>.history"
std::string TimeLineHistoryFilePath(const std::string& data_dir, wal::TimeLineID tli);

bool existsTimeLineHistory(os::Os& os, const std::string& data_dir, wal::TimeLineID tli);

os::Task<absl::Status> writeTimeLineHistoryFile(os::Os& os, const std::string& data_dir,
                                                wal::TimeLineID tli,
                                                absl::string_view content);

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_TIMELINE_HISTORY_FILE_H_
