// File: protocol/recovery/startup_xlog.h
//
// StartupXLOG (xlog.c, PG 15) and the end-of-recovery actions it performs
// (XLogInitNewTimeline, PerformRecoveryXLogAction with
// CreateEndOfRecoveryRecord or an end-of-recovery checkpoint). See startup.h
// for the sequence. Internal to the startup process.
#ifndef REPLSIM_PROTOCOL_RECOVERY_STARTUP_XLOG_H_
#define REPLSIM_PROTOCOL_RECOVERY_STARTUP_XLOG_H_

#include "absl/status/status.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/recovery/xlogrecovery.h"

namespace replsim::recovery {

os::Task<> StartupXLOG(os::Os& os, node::NodeShmem& shm, StartupSignals& signals);

// XLogInitNewTimeline: the new timeline's first segment is a copy of the
// old one up to endOfLog (XLogFileCopy), or a fresh file when endOfLog is a
// segment boundary (XLogFileInit); installed durably. A failure carries
// PostgreSQL's text ("could not write to file ...").
os::Task<absl::Status> XLogInitNewTimeline(os::Os& os, const node::NodeShmem& shm,
                                           TimeLineID endTLI, XLogRecPtr endOfLog,
                                           TimeLineID newTLI);

// CreateEndOfRecoveryRecord: XLOG_END_OF_RECOVERY on the insert timeline,
// flushed; pg_control.minRecoveryPoint = its end. A failure has been logged
// as its PANIC (XLogFlush, UpdateControlFile).
os::Task<os::Errno> CreateEndOfRecoveryRecord(os::Os& os, node::NodeShmem& shm);

// PostgreSQL's GetCurrentTimestamp: microseconds since 2000-01-01.
wal::TimestampTz GetCurrentTimestamp(const os::Os& os);

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_STARTUP_XLOG_H_
