#include "protocol/postmaster/pm_state.h"

namespace replsim::postmaster {

const char* PMStateName(PMState s) {
  switch (s) {
    case PMState::PM_INIT: return "PM_INIT";
    case PMState::PM_STARTUP: return "PM_STARTUP";
    case PMState::PM_RECOVERY: return "PM_RECOVERY";
    case PMState::PM_HOT_STANDBY: return "PM_HOT_STANDBY";
    case PMState::PM_RUN: return "PM_RUN";
    case PMState::PM_WAIT_BACKUP: return "PM_WAIT_BACKUP";
    case PMState::PM_WAIT_READONLY: return "PM_WAIT_READONLY";
    case PMState::PM_STOP_BACKENDS: return "PM_STOP_BACKENDS";
    case PMState::PM_WAIT_BACKENDS: return "PM_WAIT_BACKENDS";
    case PMState::PM_SHUTDOWN: return "PM_SHUTDOWN";
    case PMState::PM_SHUTDOWN_2: return "PM_SHUTDOWN_2";
    case PMState::PM_WAIT_DEAD_END: return "PM_WAIT_DEAD_END";
    case PMState::PM_NO_CHILDREN: return "PM_NO_CHILDREN";
  }
  return "PM_?";
}

const char* CacStateName(CAC_state s) {
  switch (s) {
    case CAC_state::CAC_OK: return "CAC_OK";
    case CAC_state::CAC_STARTUP: return "CAC_STARTUP";
    case CAC_state::CAC_SHUTDOWN: return "CAC_SHUTDOWN";
    case CAC_state::CAC_RECOVERY: return "CAC_RECOVERY";
    case CAC_state::CAC_NOTCONSISTENT: return "CAC_NOTCONSISTENT";
    case CAC_state::CAC_TOOMANY: return "CAC_TOOMANY";
    case CAC_state::CAC_WAITBACKUP: return "CAC_WAITBACKUP";
  }
  return "CAC_?";
}

}  // namespace replsim::postmaster
