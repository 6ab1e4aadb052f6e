// File: tools/real_check.h
//
// What `replsim real` can do on real PostgreSQL 15, checked before any
// server starts: the binaries (Debian's postgresql-15), and every step of
// the scenario. Steps that have no faithful counterpart on a real machine
// are refused with file:line:col naming the step: a host crash with the loss
// of the page cache (and torn pages), simulated disk faults, and network
// partitions and connection drops (iptables/tc in a network namespace would
// need the host's netfilter, which replsim does not touch). So are the
// fault model's drawn faults (fsync EIO, torn sectors, packet loss, latency
// spikes) and pg_receivexlog nodes; latencies, bandwidths and socket
// buffers are the simulator's and are ignored: loopback is what it is.
#ifndef REPLSIM_TOOLS_REAL_CHECK_H_
#define REPLSIM_TOOLS_REAL_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"

namespace replsim::tools::real {

// The directory of PostgreSQL 15's programs: $REPLSIM_PG_BINDIR, else
// `pg_config --bindir` if that is release 15, else
// /usr/lib/postgresql/15/bin. FailedPrecondition saying how to install it
// when none has initdb, pg_ctl, postgres, pg_basebackup, psql, pgbench and
// pg_controldata.
absl::StatusOr<std::string> FindPostgres15();

// Parses `path` (as displayed: `display`) again with locations and refuses
// the first step or fault that a real run cannot perform faithfully:
// InvalidArgument "file:line:col: ...".
absl::Status CheckRealScenario(const std::string& path, const std::string& display);

}  // namespace replsim::tools::real

#endif  // REPLSIM_TOOLS_REAL_CHECK_H_
