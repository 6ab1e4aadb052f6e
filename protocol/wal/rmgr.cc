#include "protocol/wal/rmgr.h"

#include <array>

namespace replsim::wal {
namespace {

constexpr std::array<std::string_view, RM_MAX_BUILTIN_ID + 1> kNames = {
    "XLOG",     "Transaction", "Storage",  "CLOG",     "Database",
    "Tablespace", "MultiXact", "RelMap",   "Standby",  "Heap2",
    "Heap",     "Btree",       "Hash",     "Gin",      "Gist",
    "Sequence", "SPGist",      "BRIN",     "CommitTs", "ReplicationOrigin",
    "Generic",  "LogicalMessage"};

}  // namespace

std::string_view RmgrName(RmgrId rmid) {
  if (rmid <= RM_MAX_BUILTIN_ID) return kNames[rmid];
  if (rmid >= RM_MIN_CUSTOM_ID) return "custom";
  return "invalid";
}

}  // namespace replsim::wal
