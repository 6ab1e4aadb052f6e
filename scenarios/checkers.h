// File: scenarios/checkers.h
//
// The invariant checks a scenario run applies, over what a run leaves behind:
// the nodes' files (read straight from the simulated disks, which does not
// touch the trace), their shared memory, and the log lines.
//  - CLEAN_SWITCHOVER: a standby promoted after its primary's clean shutdown
//    must have been promoted at or after the end of that shutdown
//    checkpoint (E >= C_end), and the old primary, restarted as a standby of
//    the promoted one, must follow the new timeline; "new timeline N forked
//    off current database system timeline M before current recovery point X"
//    or "requested timeline N is not a child of this server's history" is the
//    failure real PostgreSQL shows (../shared/fixtures/README.md).
//  - WAL_PREFIX: where a standby and its upstream both have a segment file of
//    a timeline, the standby's bytes are a prefix of the upstream's (both
//    read as their page caches hold them).
//  - NO_PANIC: no log line at PANIC.
#ifndef REPLSIM_SCENARIOS_CHECKERS_H_
#define REPLSIM_SCENARIOS_CHECKERS_H_

#include <optional>
#include <string>
#include <vector>

#include "protocol/wal/lsn.h"
#include "scenarios/harness/harness.h"
#include "scenarios/runner.h"

namespace replsim::scenarios {

// A file's bytes as its host's page cache holds them, or nullopt.
std::optional<std::string> ReadFileDirect(Harness& t, const std::string& host,
                                          const std::string& path);

// The first log line of `node` containing `needle` at or after `since`.
const LogLine* FindLog(const Harness& t, const std::string& node, const std::string& needle,
                       os::Instant since = os::Instant());
std::string FormatLogLine(const LogLine& l);

// What most likely stopped `node` since `since`: of its log lines at ERROR,
// FATAL or PANIC from then on, the last one at the most severe of those
// levels present (a PANIC's aftermath logs FATALs that are not its cause),
// or null. Lines containing one of `expected` are what the step itself
// caused (a fast stop's "terminating connection due to administrator
// command"), not a cause, and are passed over.
const LogLine* LastError(const Harness& t, const std::string& node, os::Instant since,
                         const std::vector<std::string>& expected = {});

// The switchpoint of timeline `tli` in `node`'s pg_wal/<tli>.history.
std::optional<wal::XLogRecPtr> SwitchPointOf(Harness& t, const std::string& node,
                                             wal::TimeLineID tli);

// WAL_PREFIX between `standby` and `upstream`; empty when it holds.
std::vector<Violation> CheckWalPrefix(Harness& t, const std::string& standby,
                                      const std::string& upstream);

// NO_PANIC over every node's log.
std::vector<Violation> CheckNoPanic(const Harness& t);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_CHECKERS_H_
