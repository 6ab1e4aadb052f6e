#include "protocol/node/quickdie.h"

#include <utility>

#include "protocol/node/shmem.h"

namespace replsim::node {
namespace {

// The release from which quickdie tells the client only, and a walsender's
// SIGQUIT is SignalHandlerForCrashExit.
constexpr int kClientOnlyQuitVersion = 140000;

}  // namespace

void InstallCrashExitHandler(os::Os& os) { os.ExitOnSignal(os::Signal::kSIGQUIT, 2); }

void InstallQuickDie(os::Os& os, ShmemRef shm) {
  os.ExitOnSignal(os::Signal::kSIGQUIT, 2, [&os, shm = std::move(shm)] {
    if (shm->behavior.server_version_num < kClientOnlyQuitVersion) {
      os.Log("WARNING", "terminating connection because of crash of another server process");
    } else if (shm->PMSignalState.sigquit_reason == QuitSignalReason::PMQUIT_NOT_SENT) {
      os.Log("WARNING", "terminating connection because of unexpected SIGQUIT signal");
    }
  });
}

void InstallWalSndQuickDie(os::Os& os, ShmemRef shm) {
  if (shm->behavior.server_version_num < kClientOnlyQuitVersion) {
    InstallQuickDie(os, std::move(shm));
  } else {
    InstallCrashExitHandler(os);
  }
}

}  // namespace replsim::node
