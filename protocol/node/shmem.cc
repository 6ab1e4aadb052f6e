#include "protocol/node/shmem.h"

namespace replsim::node {

const char* DBStateName(DBState s) {
  switch (s) {
    case DBState::DB_STARTUP: return "starting up";
    case DBState::DB_SHUTDOWNED: return "shut down";
    case DBState::DB_SHUTDOWNED_IN_RECOVERY: return "shut down in recovery";
    case DBState::DB_SHUTDOWNING: return "shutting down";
    case DBState::DB_IN_CRASH_RECOVERY: return "in crash recovery";
    case DBState::DB_IN_ARCHIVE_RECOVERY: return "in archive recovery";
    case DBState::DB_IN_PRODUCTION: return "in production";
  }
  return "unrecognized status code";
}

const char* WalSndStateName(WalSndState s) {
  switch (s) {
    case WalSndState::WALSNDSTATE_STARTUP: return "startup";
    case WalSndState::WALSNDSTATE_BACKUP: return "backup";
    case WalSndState::WALSNDSTATE_CATCHUP: return "catchup";
    case WalSndState::WALSNDSTATE_STREAMING: return "streaming";
    case WalSndState::WALSNDSTATE_STOPPING: return "stopping";
  }
  return "UNKNOWN";
}

const char* WalRcvStateName(WalRcvState s) {
  switch (s) {
    case WalRcvState::WALRCV_STOPPED: return "stopped";
    case WalRcvState::WALRCV_STARTING: return "starting";
    case WalRcvState::WALRCV_STREAMING: return "streaming";
    case WalRcvState::WALRCV_WAITING: return "waiting";
    case WalRcvState::WALRCV_RESTARTING: return "restarting";
    case WalRcvState::WALRCV_STOPPING: return "stopping";
  }
  return "UNKNOWN";
}

}  // namespace replsim::node
