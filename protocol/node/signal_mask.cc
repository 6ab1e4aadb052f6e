#include "protocol/node/signal_mask.h"

namespace replsim::node {
namespace {

// BlockSig minus what StartupBlockSig lets through (SIGQUIT, SIGTERM,
// SIGALRM), of the signals replsim's processes send.
constexpr os::Signal kBlockedUntilPostgresMain[] = {
    os::Signal::kSIGHUP, os::Signal::kSIGINT, os::Signal::kSIGUSR1, os::Signal::kSIGUSR2};

}  // namespace

void BlockBackendStartupSignals(os::Os& os) {
  for (os::Signal s : kBlockedUntilPostgresMain) os.BlockSignal(s);
}

void UnBlockSig(os::Os& os) {
  for (os::Signal s : kBlockedUntilPostgresMain) os.UnblockSignal(s);
}

}  // namespace replsim::node
