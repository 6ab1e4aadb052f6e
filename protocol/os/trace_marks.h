// File: protocol/os/trace_marks.h
//
// Named moments of PostgreSQL's processes (Os::Mark), traced as a "mark"
// event with the name, so that a scenario's triggered faults
// (`trigger { on: "checkpointer.shutdown_checkpoint_start" ... }`) can strike
// right then. The names are stable: scenarios refer to them, and the loader
// refuses any other. Each is marked by the code that models the PostgreSQL
// function named here.
#ifndef REPLSIM_PROTOCOL_OS_TRACE_MARKS_H_
#define REPLSIM_PROTOCOL_OS_TRACE_MARKS_H_

#include <string_view>

namespace replsim::os {

struct TraceMarkInfo {
  std::string_view name;
  std::string_view when;
};

// CreateCheckPoint(CHECKPOINT_IS_SHUTDOWN) begins (ShutdownXLOG, in the
// checkpointer once the postmaster asked it to, after the walsenders stopped).
inline constexpr std::string_view kMarkShutdownCheckpointStart =
    "checkpointer.shutdown_checkpoint_start";
// The shutdown checkpoint is written and pg_control says "shut down".
inline constexpr std::string_view kMarkShutdownCheckpointDone =
    "checkpointer.shutdown_checkpoint_done";
// A walsender queued CommandComplete "COPY 0" to end streaming at shutdown
// (WalSndDone), after its last WAL.
inline constexpr std::string_view kMarkWalSndCommandComplete = "walsender.command_complete_sent";
// RemoveOldXlogFiles recycled a WAL segment (InstallXLogFileSegment's rename).
inline constexpr std::string_view kMarkSegmentRecycled = "xlog.segment_recycled";
// The startup process asks for a walreceiver (RequestXLogStreaming).
inline constexpr std::string_view kMarkRequestStreaming = "startup.request_streaming";
// The walreceiver began streaming (START_REPLICATION accepted, "started
// streaming WAL from primary").
inline constexpr std::string_view kMarkStreamingStarted = "walreceiver.streaming_started";
// The startup process noticed a promotion request (CheckForStandbyTrigger).
inline constexpr std::string_view kMarkPromoteRequested = "startup.promote_requested";

inline constexpr TraceMarkInfo kAllTraceMarks[] = {
    {kMarkShutdownCheckpointStart, "the checkpointer starts the shutdown checkpoint"},
    {kMarkShutdownCheckpointDone, "the shutdown checkpoint is durable"},
    {kMarkWalSndCommandComplete, "a walsender queued CommandComplete at shutdown"},
    {kMarkSegmentRecycled, "a checkpoint recycled a WAL segment"},
    {kMarkRequestStreaming, "the startup process requests streaming"},
    {kMarkStreamingStarted, "the walreceiver started streaming"},
    {kMarkPromoteRequested, "the startup process saw the promotion request"},
};

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_TRACE_MARKS_H_
