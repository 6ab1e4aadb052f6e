// File: protocol/xlog/xlogarchive.h
//
// The archive status files of the WAL directory (xlogarchive.c): the
// handshake between the processes that finish WAL files and the archiver.
//  - XLogArchiveNotify: an empty <XLOGDIR>/archive_status/<file>.ready,
//    created and closed without an fsync (a host crash may lose it), then
//    the archiver is woken: 15 sets its latch (PgArchWakeup), 9.3 asks the
//    postmaster (PMSIGNAL_WAKEN_ARCHIVER), which SIGUSR1s it. A timeline
//    history file also makes the archiver rescan the directory (15).
//  - XLogArchiveForceDone: <file>.done at once (a segment streamed or
//    restored by a standby that does not archive it itself).
//  - XLogArchiveCheckDone: may a checkpoint remove this segment? Always
//    with archiving off; in archive recovery unless archive_mode = always
//    (15, 9.5+); else only with a .done. Neither file: the .ready is made
//    again (it may have been lost in a crash) and the segment is kept.
//  - XLogArchiveCleanup: the status files go with their segment.
//
// Archiving is active with archive_mode on or always (XLogArchivingActive;
// wal_level is not modelled: every profile writes replica-level WAL).
#ifndef REPLSIM_PROTOCOL_XLOG_XLOGARCHIVE_H_
#define REPLSIM_PROTOCOL_XLOG_XLOGARCHIVE_H_

#include <string>
#include <string_view>

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/segment.h"

namespace replsim::xlog {

inline constexpr char kArchiveStatusDir[] = "archive_status";

bool XLogArchivingActive(const node::NodeShmem& shm);
bool XLogArchivingAlways(const node::NodeShmem& shm);

// "<data_dir>/<XLOGDIR>/archive_status/<xlog><suffix>" (StatusFilePath).
std::string StatusFilePath(const node::NodeShmem& shm, std::string_view xlog,
                           std::string_view suffix);

void XLogArchiveNotify(os::Os& os, node::NodeShmem& shm, std::string_view xlog);
void XLogArchiveNotifySeg(os::Os& os, node::NodeShmem& shm, wal::TimeLineID tli,
                          wal::XLogSegNo segno);
void XLogArchiveForceDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog);
bool XLogArchiveCheckDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog);
void XLogArchiveCleanup(os::Os& os, node::NodeShmem& shm, std::string_view xlog);
bool XLogArchiveIsReadyOrDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog);

// CleanupAfterArchiveRecovery's last step (7cbee7c0a1, 9.5): with archiving
// on and the switch inside a segment, the old timeline's last segment,
// unless already .ready or .done, is renamed (durably) to <name>.partial
// and that is archived.
os::Task<> ArchivePartialSegment(os::Os& os, node::NodeShmem& shm, wal::TimeLineID end_tli,
                                 wal::XLogRecPtr end_of_log);

// A segment streamed or restored into pg_wal is finished: archived here
// with archive_mode = always, else marked done (walreceiver's
// XLogWalRcvClose, KeepFileRestoredFromArchive).
void XLogArchiveReceived(os::Os& os, node::NodeShmem& shm, std::string_view xlog);

}  // namespace replsim::xlog

#endif  // REPLSIM_PROTOCOL_XLOG_XLOGARCHIVE_H_
