#include "protocol/postmaster/walsnd_stopping.h"

namespace replsim::postmaster {

void WalSndInitStopping(os::Os& os, node::NodeShmem& shm) {
  for (node::WalSnd& w : shm.WalSndCtl.walsnds) {
    if (w.pid == 0) continue;
    w.pss_walsnd_init_stopping = true;
    os.Kill(w.pid, os::Signal::kSIGUSR1);
  }
}

os::Task<> WalSndWaitStopping(os::Os& os, node::NodeShmem& shm) {
  for (;;) {
    bool all_stopped = true;
    for (const node::WalSnd& w : shm.WalSndCtl.walsnds) {
      if (w.pid != 0 && w.state != node::WalSndState::WALSNDSTATE_STOPPING) {
        all_stopped = false;
        break;
      }
    }
    if (all_stopped) co_return;
    co_await os.Sleep(os::Milliseconds(10));  // pg_usleep(10000L)
  }
}

}  // namespace replsim::postmaster
