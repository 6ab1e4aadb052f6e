#include "protocol/walsender/syncrep_hook.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace replsim::walsender {

namespace {

// SyncRepGetStandbyPriority (9.3): the 1-based position of the walsender's
// application_name in synchronous_standby_names, '*' matching anything
// (case-insensitive, as the names are identifiers); 0 if absent.
int StandbyPriority(const std::string& names, const std::string& application_name) {
  int priority = 0;
  for (absl::string_view n : absl::StrSplit(names, ',')) {
    ++priority;
    n = absl::StripAsciiWhitespace(n);
    if (n == "*" || absl::EqualsIgnoreCase(n, application_name)) return priority;
  }
  return 0;
}

}  // namespace

void CallSyncRepInitConfig(node::NodeShmem& shm, int slot) {
  node::WalSnd& w = shm.WalSndCtl.walsnds[slot];
  w.sync_standby_priority =
      shm.gucs.synchronous_standby_names.empty()
          ? 0
          : StandbyPriority(shm.gucs.synchronous_standby_names, w.application_name);
}

void CallSyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, int slot) {
  (void)os;
  (void)shm;
  (void)slot;
}

}  // namespace replsim::walsender
