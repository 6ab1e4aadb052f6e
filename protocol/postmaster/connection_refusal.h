// File: protocol/postmaster/connection_refusal.h
//
// What a connection's child answers when canAcceptConnections said no
// (postmaster.c ProcessStartupPacket, after reading the startup packet): a
// FATAL ErrorResponse with SQLSTATE 57P03 (ERRCODE_CANNOT_CONNECT_NOW) or
// 53300, sent to the client and logged, then exit 1. The texts are
// PostgreSQL 15's; 9.3 has no CAC_NOTCONSISTENT (PM_RECOVERY says "starting
// up") and admits superusers in PM_WAIT_BACKUP (CAC_WAITBACKUP).
#ifndef REPLSIM_PROTOCOL_POSTMASTER_CONNECTION_REFUSAL_H_
#define REPLSIM_PROTOCOL_POSTMASTER_CONNECTION_REFUSAL_H_

#include <optional>
#include <string>

#include "protocol/postmaster/pm_state.h"

namespace replsim::postmaster {

inline constexpr char ERRCODE_CANNOT_CONNECT_NOW[] = "57P03";
inline constexpr char ERRCODE_TOO_MANY_CONNECTIONS[] = "53300";

struct ConnectionRefusal {
  std::string sqlstate;
  std::string message;
  std::string detail;  // empty when none
};

// nullopt for CAC_OK and CAC_WAITBACKUP (the simulated clients connect as a
// superuser, so a 9.3 PM_WAIT_BACKUP admits them).
std::optional<ConnectionRefusal> ConnectionRefusalFor(CAC_state cac, bool hot_standby);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_CONNECTION_REFUSAL_H_
