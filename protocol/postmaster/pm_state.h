// File: protocol/postmaster/pm_state.h
//
// The postmaster's state vocabulary (postmaster.c): PMState with both 9.3's
// and 15's members, the shutdown level, the connection verdict
// (canAcceptConnections' CAC_state) and the backend type bits of the
// BackendList. 9.3 uses PM_WAIT_BACKUP/PM_WAIT_READONLY, 15 uses
// PM_STOP_BACKENDS; the enum keeps PostgreSQL's order so "later state"
// comparisons read as in postmaster.c.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_PM_STATE_H_
#define REPLSIM_PROTOCOL_POSTMASTER_PM_STATE_H_

namespace replsim::postmaster {

enum class PMState {
  PM_INIT,
  PM_STARTUP,
  PM_RECOVERY,
  PM_HOT_STANDBY,
  PM_RUN,
  PM_WAIT_BACKUP,    // 9.3 only
  PM_WAIT_READONLY,  // 9.3 only
  PM_STOP_BACKENDS,  // 15 only
  PM_WAIT_BACKENDS,
  PM_SHUTDOWN,
  PM_SHUTDOWN_2,
  PM_WAIT_DEAD_END,
  PM_NO_CHILDREN,
};
const char* PMStateName(PMState s);

// The Shutdown variable: the strongest request received so far.
enum class ShutdownLevel { NoShutdown = 0, SmartShutdown, FastShutdown, ImmediateShutdown };

// canAcceptConnections' verdict for a new connection.
enum class CAC_state {
  CAC_OK,
  CAC_STARTUP,
  CAC_SHUTDOWN,
  CAC_RECOVERY,
  CAC_NOTCONSISTENT,  // 15
  CAC_TOOMANY,
  CAC_WAITBACKUP,     // 9.3: superusers only
};
const char* CacStateName(CAC_state s);

// BACKEND_TYPE_* bits (postmaster.c).
inline constexpr int BACKEND_TYPE_NORMAL = 0x0001;
inline constexpr int BACKEND_TYPE_AUTOVAC = 0x0002;
inline constexpr int BACKEND_TYPE_WALSND = 0x0004;
inline constexpr int BACKEND_TYPE_BGWORKER = 0x0008;
inline constexpr int BACKEND_TYPE_ALL = 0x000F;

// StartupStatus (15): whether the startup process was signalled or crashed.
enum class StartupStatusEnum { STARTUP_NOT_RUNNING, STARTUP_RUNNING, STARTUP_SIGNALED,
                               STARTUP_CRASHED };

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_PM_STATE_H_
