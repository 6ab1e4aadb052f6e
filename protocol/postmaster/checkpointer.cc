#include "protocol/postmaster/checkpointer.h"

#include <memory>

#include "protocol/node/quickdie.h"
#include "protocol/os/fault_points.h"
#include "protocol/postmaster/checkpoint.h"
#include "protocol/postmaster/syncrep.h"

namespace replsim::postmaster {
namespace {

// (pg_time_t) time(NULL): whole seconds of the wall clock. checkpoint_timeout
// is measured on it (checkpointer.c, 9.3 and 15 alike), so a step of the
// host's clock moves the next timed checkpoint: forward, it comes at once;
// back, it comes that much later (the wait itself is a latch timeout).
int64_t TimeNow(os::Os& os) { return os.WallClockMicros() / 1000000; }

}  // namespace

os::Task<> CheckpointerMain(os::Os& os, node::ShmemRef shm_ref) {
  node::NodeShmem& shm = *shm_ref;
  node::CheckpointerShmemData& cs = shm.CheckpointerShmem;
  // Flags the handlers set (the process's own statics in checkpointer.c);
  // shared with the handlers, which live as long as the process.
  auto shutdown_requested = std::make_shared<bool>(false);
  auto got_SIGHUP = std::make_shared<bool>(false);
  os.SetSignalHandler(os::Signal::kSIGHUP, [&os, got_SIGHUP] {
    *got_SIGHUP = true;
    os.MyLatch().Set();
  });
  os.SetSignalHandler(os::Signal::kSIGINT, [&os] { os.MyLatch().Set(); });
  os.IgnoreSignal(os::Signal::kSIGTERM);
  os.SetSignalHandler(os::Signal::kSIGUSR1, [&os] { os.MyLatch().Set(); });
  os.SetSignalHandler(os::Signal::kSIGUSR2, [&os, shutdown_requested] {
    *shutdown_requested = true;
    os.MyLatch().Set();
  });
  node::InstallCrashExitHandler(os);  // chkpt_quickdie
  cs.checkpointer_pid = os.MyPid();
  cs.latch = &os.MyLatch();
  // A loaded host may leave the new process without a CPU for a while;
  // until it runs, sync_standbys_defined is unpublished (2e57790836).
  co_await os::DelayAtFaultPoint(os, os::kProcStartLate, os::kLateStart);
  SyncRepUpdateSyncStandbysDefined(shm);  // UpdateSharedMemoryConfig

  int64_t last_checkpoint_time = TimeNow(os);
  for (;;) {
    os.MyLatch().Reset();
    if (*got_SIGHUP) {
      // ProcessConfigFile(PGC_SIGHUP) (shm.gucs: the file as the postmaster
      // re-read it), then UpdateSharedMemoryConfig.
      *got_SIGHUP = false;
      SyncRepUpdateSyncStandbysDefined(shm);
    }
    if (*shutdown_requested) break;
    int flags = 0;
    bool do_checkpoint = false;
    if (cs.ckpt_flags != 0) {
      do_checkpoint = true;
      flags = cs.ckpt_flags;
      cs.ckpt_flags = 0;
    }
    const int64_t timeout_s = shm.gucs.checkpoint_timeout.nanos() / 1000000000;
    int64_t now = TimeNow(os);
    if (now - last_checkpoint_time >= timeout_s) {
      do_checkpoint = true;
      flags |= CHECKPOINT_CAUSE_TIME;
    }
    if (do_checkpoint) {
      ++cs.ckpt_started;
      if (RecoveryInProgress(shm)) {
        co_await CreateRestartPoint(os, shm, flags);
      } else {
        co_await CreateCheckPoint(os, shm, flags);
      }
      ++cs.ckpt_done;
      // The start time, not the end: timed checkpoints keep their spacing.
      last_checkpoint_time = now;
    }
    if (*shutdown_requested) continue;
    now = TimeNow(os);
    if (now - last_checkpoint_time >= timeout_s) continue;  // no sleep for us
    co_await os.WaitLatchOrSocket(
        &os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH,
        os::kNoFd, os::Seconds(timeout_s - (now - last_checkpoint_time)));
  }
  co_await ShutdownXLOG(os, shm);
  cs.checkpointer_pid = 0;
  cs.latch = nullptr;
  co_await os.Exit(0);
}

}  // namespace replsim::postmaster
