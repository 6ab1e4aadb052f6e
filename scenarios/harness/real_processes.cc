#include "scenarios/harness/real_processes.h"

#include <memory>
#include <string>
#include <utility>

#include "protocol/postmaster/backend_connection.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/recovery/startup.h"
#include "protocol/walreceiver/walreceiver.h"
#include "protocol/walsender/walsender.h"

namespace replsim::scenarios {

postmaster::EntryPoints RealEntryPoints() {
  postmaster::EntryPoints e;
  e.startup = [](os::Os& os, node::ShmemRef shm) {
    return recovery::StartupProcessMain(os, std::move(shm));
  };
  e.walreceiver = [](os::Os& os, node::ShmemRef shm) {
    return walreceiver::WalReceiverMain(os, std::move(shm));
  };
  e.walsender = [](os::Os& os, node::ShmemRef shm, std::unique_ptr<pq::PqComm> conn,
                   std::string application_name) {
    walsender::WalSndPort port;
    port.application_name = std::move(application_name);
    return walsender::WalSndMain(os, std::move(shm), std::move(conn), std::move(port));
  };
  e.connection = postmaster::BackendConnectionMain;
  e.sessions = std::make_shared<postmaster::SessionQueue>();
  return e;
}

}  // namespace replsim::scenarios
