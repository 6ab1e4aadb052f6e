// StartupProcessMain (postmaster/startup.c, PG 15): signal handlers, then
// StartupXLOG, then exit 0.
#include "protocol/recovery/startup.h"

#include "protocol/node/quickdie.h"
#include "protocol/recovery/startup_xlog.h"
#include "protocol/recovery/xlogrecovery.h"

namespace replsim::recovery {

os::Task<> StartupProcessMain(os::Os& os, node::ShmemRef shm_ref) {
  node::NodeShmem& shm = *shm_ref;
  StartupSignals signals;
  // OwnLatch(&XLogRecoveryCtl->recoveryWakeupLatch): only this process
  // waits on it; the walreceiver and the handlers set it.
  shm.XLogCtl.recoveryWakeupLatch = os.NewSharedLatch();
  os::Latch* wakeup = shm.XLogCtl.recoveryWakeupLatch.get();
  // StartupProcSigHupHandler, StartupProcShutdownHandler,
  // StartupProcTriggerHandler: set a flag and WakeupRecovery().
  os.SetSignalHandler(os::Signal::kSIGHUP, [&signals, wakeup] {
    signals.got_SIGHUP = true;
    wakeup->Set();
  });
  os.SetSignalHandler(os::Signal::kSIGTERM, [&signals, wakeup] {
    signals.shutdown_requested = true;
    wakeup->Set();
  });
  os.SetSignalHandler(os::Signal::kSIGUSR2, [&signals, wakeup] {
    signals.promote_signaled = true;
    wakeup->Set();
  });
  // procsignal_sigusr1_handler: recovery conflicts are not modelled.
  os.SetSignalHandler(os::Signal::kSIGUSR1, [&os] { os.MyLatch().Set(); });
  os.IgnoreSignal(os::Signal::kSIGPIPE);
  os.IgnoreSignal(os::Signal::kSIGINT);
  node::InstallCrashExitHandler(os);  // startupproc_quickdie

  co_await StartupXLOG(os, shm, signals);
}

}  // namespace replsim::recovery
