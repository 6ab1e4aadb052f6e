// File: protocol/wal/rmgr.h
//
// Resource manager ids of PostgreSQL 15 (src/include/access/rmgrlist.h,
// rmgr.h): the built-in ids 0..21, custom ids 128..255, RmgrIdIsValid as
// xlogreader.c checks it, and the names pg_waldump prints.
#ifndef REPLSIM_PROTOCOL_WAL_RMGR_H_
#define REPLSIM_PROTOCOL_WAL_RMGR_H_

#include <string_view>

#include "protocol/wal/lsn.h"

namespace replsim::wal {

inline constexpr RmgrId RM_XLOG_ID = 0;
inline constexpr RmgrId RM_XACT_ID = 1;
inline constexpr RmgrId RM_SMGR_ID = 2;
inline constexpr RmgrId RM_STANDBY_ID = 8;
inline constexpr RmgrId RM_HEAP2_ID = 9;
inline constexpr RmgrId RM_HEAP_ID = 10;
inline constexpr RmgrId RM_BTREE_ID = 11;
inline constexpr RmgrId RM_MAX_BUILTIN_ID = 21;  // RM_LOGICALMSG_ID
inline constexpr RmgrId RM_MIN_CUSTOM_ID = 128;

constexpr bool RmgrIdIsValid(int rmid) {
  return (rmid >= 0 && rmid <= RM_MAX_BUILTIN_ID) ||
         (rmid >= RM_MIN_CUSTOM_ID && rmid <= 255);
}

// rm_name of a built-in rmgr ("XLOG", "Transaction", "Heap", ...); "custom"
// for 128..255 and "invalid" otherwise.
std::string_view RmgrName(RmgrId rmid);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_RMGR_H_
