// File: scenarios/harness/fake_processes.h
//
// Stand-ins for the processes other packages implement, good enough to drive
// the postmaster until the real ones are wired in:
//  - FakeStartupProcessMain: crash recovery only. Reads WAL from pg_control's
//    checkpoint to its end, advances nextXid past every xid seen, starts WAL
//    insertion at the end, sets DB_IN_PRODUCTION, leaves recovery, exits 0.
//    Logs "database system was not properly shut down; automatic recovery in
//    progress" when pg_control was not DB_SHUTDOWNED, and "redo done at
//    %X/%X" when it replayed anything.
#ifndef REPLSIM_SCENARIOS_HARNESS_FAKE_PROCESSES_H_
#define REPLSIM_SCENARIOS_HARNESS_FAKE_PROCESSES_H_

#include <string>

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/entry_points.h"

namespace replsim::scenarios {

os::Task<> FakeStartupProcessMain(os::Os& os, node::ShmemRef shm);

// EntryPoints with the fake startup process and nothing else.
postmaster::EntryPoints FakeEntryPoints();

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_HARNESS_FAKE_PROCESSES_H_
