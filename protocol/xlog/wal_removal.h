// File: protocol/xlog/wal_removal.h
//
// How much WAL a server keeps, and when it asks for a checkpoint to keep
// less (xlog.c):
//  - XLogCheckpointNeeded: CheckPointSegments segments written since the
//    redo of the checkpoint begun last (RedoRecPtr). XLogWrite asks on finishing a segment, and a
//    standby's startup process on leaving a replayed one; the checkpointer
//    then runs a checkpoint (a restartpoint in recovery) with CAUSE_XLOG.
//    CheckPointSegments is checkpoint_segments (3) before 88e9823026 (9.5),
//    max_wal_size / (1 + checkpoint_completion_target) segments after.
//  - RemoveWalAfterCheckpoint, the tail of CreateCheckPoint and
//    CreateRestartPoint: segments before the cutoff go, where the cutoff is
//    the previous checkpoint's redo before 4b0d28de06 (11) and the current
//    one's after, held back by KeepLogSeg (wal_keep_segments / wal_keep_size,
//    and the oldest restart_lsn of the replication slots).
//  - RemoveOldXlogFiles: a segment of any timeline numbered at or below the
//    cutoff is recycled (renamed to a future segment number of the current
//    timeline, keeping its old bytes, which readers reject by their page
//    addresses) while recycling has room, else unlinked. Room: 2 x
//    checkpoint_segments + 1 past the end of WAL before 88e9823026; up to
//    min_wal_size..max_wal_size past the redo, by the distance estimate,
//    after. The newest number removed is lastRemovedSegNo, which the
//    walsender checks (CheckXLogRemoved).
//  - PreallocXlogFiles: the next segment is made ahead once the current one
//    is 3/4 full.
//
// Durability (Behavior::xlog_durable_rename, 1d4a0ab19a): from 9.4.7 (and
// the other branches' same-day releases) a recycled segment's new name is
// made durable by fsyncing the WAL directory (durable_link_or_rename, 15's
// durable_rename), which also makes the unlinks before it durable (15's
// durable_unlink); before, nothing is fsynced and a host crash keeps only
// what some later directory fsync made durable.
//
// With archiving on, a segment goes only once archived
// (XLogArchiveCheckDone, xlogarchive.h), and its status file with it.
// Not modelled: max_slot_wal_keep_size and slot
// invalidation, 15's RemoveNonParentXlogFiles and its
// InstallXLogFileSegmentActive (a 15 standby that is not streaming deletes
// instead of recycling). An unlink is not fsynced on its own (15's
// durable_unlink): a segment it brings back after a crash is older than the
// redo point and goes again at the next checkpoint.
#ifndef REPLSIM_PROTOCOL_XLOG_WAL_REMOVAL_H_
#define REPLSIM_PROTOCOL_XLOG_WAL_REMOVAL_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"

namespace replsim::xlog {

int CheckPointSegments(const node::NodeShmem& shm);

// `new_segno` is at least CheckPointSegments - 1 segments past the segment
// of the redo of the checkpoint (or restartpoint) begun last.
bool XLogCheckpointNeeded(const node::NodeShmem& shm, wal::XLogSegNo new_segno);

// The oldest segment to keep for wal_keep_* and the slots, if older than
// `segno`, with the end of WAL at `recptr`.
wal::XLogSegNo KeepLogSeg(const node::NodeShmem& shm, wal::XLogRecPtr recptr, wal::XLogSegNo segno);

struct RemovedWal {
  int removed = 0;
  int recycled = 0;
};

// Removes or recycles every segment numbered at or below `segno`.
os::Task<RemovedWal> RemoveOldXlogFiles(os::Os& os, node::NodeShmem& shm, wal::XLogSegNo segno,
                                        wal::XLogRecPtr lastredoptr, wal::XLogRecPtr endptr,
                                        wal::TimeLineID tli);

os::Task<> PreallocXlogFiles(os::Os& os, node::NodeShmem& shm, wal::XLogRecPtr endptr,
                             wal::TimeLineID tli);

// After a checkpoint or restartpoint whose redo is `redo` (the one before it
// had `prior_redo`) with the end of WAL at `endptr`, on timeline `tli`.
// Shutdown and end-of-recovery checkpoints preallocate nothing.
os::Task<RemovedWal> RemoveWalAfterCheckpoint(os::Os& os, node::NodeShmem& shm,
                                              wal::XLogRecPtr prior_redo, wal::XLogRecPtr redo,
                                              wal::XLogRecPtr endptr, wal::TimeLineID tli,
                                              bool shutdown);

}  // namespace replsim::xlog

#endif  // REPLSIM_PROTOCOL_XLOG_WAL_REMOVAL_H_
