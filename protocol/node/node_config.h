// File: protocol/node/node_config.h
//
// What a postmaster is started with: the node's name, its data directory on
// its host's disk, the port it listens on, its GUCs and its behaviour profile.
// The data directory holds the durable state (pg_wal/, global/pg_control,
// standby.signal, promote, *.history); everything else is rebuilt by the
// postmaster on each start.
//
// Process entry points take the node's shared memory through a shared_ptr,
// the simulation's version of "attached to the segment": a child keeps the
// segment alive after its postmaster is gone, as a real one does until it
// notices postmaster death and exits.
#ifndef REPLSIM_PROTOCOL_NODE_NODE_CONFIG_H_
#define REPLSIM_PROTOCOL_NODE_NODE_CONFIG_H_

#include <memory>
#include <string>

#include "protocol/node/behavior.h"
#include "protocol/node/guc.h"

namespace replsim::node {

struct NodeShmem;
using ShmemRef = std::shared_ptr<NodeShmem>;

struct NodeConfig {
  std::string name;                 // "primary", "standby1": the trace's host
  std::string data_dir = "/pgdata";
  int port = 5432;
  Gucs gucs;
  Behavior behavior;
};

// Files in the data directory, as PostgreSQL 15 names them.
inline constexpr char kStandbySignal[] = "standby.signal";
inline constexpr char kRecoverySignal[] = "recovery.signal";
inline constexpr char kPromoteSignal[] = "promote";
inline constexpr char kPostmasterPid[] = "postmaster.pid";

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_NODE_CONFIG_H_
