#include "protocol/recovery/pm_signal.h"

namespace replsim::recovery {

void SignalPostmaster(os::Os& os, node::NodeShmem& shm,
                      node::PMSignalReason reason) {
  shm.PMSignalState.PMSignalFlags[static_cast<int>(reason)] = true;
  if (shm.postmaster_pid != 0) os.Kill(shm.postmaster_pid, os::Signal::kSIGUSR1);
}

}  // namespace replsim::recovery
