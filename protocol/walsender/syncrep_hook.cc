#include "protocol/walsender/syncrep_hook.h"

#include "protocol/postmaster/syncrep.h"

namespace replsim::walsender {

void CallSyncRepInitConfig(node::NodeShmem& shm, int slot) {
  node::WalSnd& w = shm.WalSndCtl.walsnds[slot];
  w.sync_standby_priority =
      shm.gucs.synchronous_standby_names.empty()
          ? 0
          : postmaster::SyncRepGetStandbyPriority(shm.gucs.synchronous_standby_names,
                                                  w.application_name);
}

void CallSyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, int slot,
                               postmaster::SyncRepWalSndState& state) {
  postmaster::SyncRepReleaseWaiters(os, shm, shm.WalSndCtl.walsnds[slot], state);
}

}  // namespace replsim::walsender
