#include "tools/crash_handler.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "protocol/os/check.h"

namespace replsim::tools {
namespace {

struct CrashState {
  std::string report;
  std::function<void()> finish;
};
CrashState* g_crash = nullptr;
volatile sig_atomic_t g_in_handler = 0;

void OnFatalSignal(int sig) {
  if (g_in_handler) _exit(3);
  g_in_handler = 1;
  // Not async-signal-safe, knowingly: the process is single-threaded and the
  // usual crash is a CHECK's abort(), called from ordinary code. A crash in
  // here ends in the _exit above.
  if (g_crash != nullptr) {
    if (g_crash->finish) g_crash->finish();
    std::fflush(stdout);
    std::fprintf(stdout, "REPLSIM CRASHED (%s): %s\n", strsignal(sig), g_crash->report.c_str());
    std::fflush(stdout);
  }
  _exit(3);
}

}  // namespace

void InstallCrashHandler(std::string report, std::function<void()> finish) {
  delete g_crash;
  g_crash = new CrashState{std::move(report), std::move(finish)};
  // An alternate stack, so a stack overflow is reported too.
  static char* alt = new char[1 << 16];
  stack_t ss = {};
  ss.ss_sp = alt;
  ss.ss_size = 1 << 16;
  sigaltstack(&ss, nullptr);
  struct sigaction sa = {};
  sa.sa_handler = OnFatalSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_ONSTACK;
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(sig, &sa, nullptr);
}

uint64_t SelftestCrashAfterEvents() {
  static const uint64_t n = [] {
    uint64_t v = 0;
    const char* e = std::getenv("REPLSIM_SELFTEST_CRASH_AFTER_EVENTS");
    return e != nullptr && absl::SimpleAtoi(e, &v) ? v : uint64_t{0};
  }();
  return n;
}

std::function<void(const sim::TraceEvent&)> WithSelftestCrash(
    std::function<void(const sim::TraceEvent&)> sink) {
  const uint64_t limit = SelftestCrashAfterEvents();
  if (limit == 0) return sink;
  auto seen = std::make_shared<uint64_t>(0);
  return [sink = std::move(sink), seen, limit](const sim::TraceEvent& e) {
    if (sink) sink(e);
    CHECK(++*seen < limit) << "REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=" << limit
                           << ": a deliberate crash at event " << *seen << " (" << e.kind
                           << ")";
  };
}

}  // namespace replsim::tools
