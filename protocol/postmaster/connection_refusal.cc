#include "protocol/postmaster/connection_refusal.h"

namespace replsim::postmaster {

std::optional<ConnectionRefusal> ConnectionRefusalFor(CAC_state cac, bool hot_standby) {
  switch (cac) {
    case CAC_state::CAC_OK:
    case CAC_state::CAC_WAITBACKUP:
      return std::nullopt;
    case CAC_state::CAC_STARTUP:
      return ConnectionRefusal{ERRCODE_CANNOT_CONNECT_NOW,
                               "the database system is starting up", ""};
    case CAC_state::CAC_NOTCONSISTENT:
      if (hot_standby) {
        return ConnectionRefusal{ERRCODE_CANNOT_CONNECT_NOW,
                                 "the database system is not yet accepting connections",
                                 "Consistent recovery state has not been yet reached."};
      }
      return ConnectionRefusal{ERRCODE_CANNOT_CONNECT_NOW,
                               "the database system is not accepting connections",
                               "Hot standby mode is disabled."};
    case CAC_state::CAC_SHUTDOWN:
      return ConnectionRefusal{ERRCODE_CANNOT_CONNECT_NOW,
                               "the database system is shutting down", ""};
    case CAC_state::CAC_RECOVERY:
      return ConnectionRefusal{ERRCODE_CANNOT_CONNECT_NOW,
                               "the database system is in recovery mode", ""};
    case CAC_state::CAC_TOOMANY:
      return ConnectionRefusal{ERRCODE_TOO_MANY_CONNECTIONS,
                               "sorry, too many clients already", ""};
  }
  return std::nullopt;
}

}  // namespace replsim::postmaster
