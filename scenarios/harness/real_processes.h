// File: scenarios/harness/real_processes.h
//
// The postmaster's children wired to the real implementations: the startup
// process (protocol/recovery), the walreceiver (protocol/walreceiver), the
// connection child (protocol/postmaster/backend_connection) and the walsender
// (protocol/walsender). What scenarios run; the fakes are for unit tests of
// the postmaster alone.
#ifndef REPLSIM_SCENARIOS_HARNESS_REAL_PROCESSES_H_
#define REPLSIM_SCENARIOS_HARNESS_REAL_PROCESSES_H_

#include "protocol/postmaster/entry_points.h"

namespace replsim::scenarios {

postmaster::EntryPoints RealEntryPoints();

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_HARNESS_REAL_PROCESSES_H_
