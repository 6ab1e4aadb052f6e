// The crashing execution's scenario, written from the signal handler
// (crash_reproducer.h).
#include "tools/libfuzzer/crash_reproducer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace replsim::tools::libfuzzer {
namespace {

constexpr int kSignals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
struct sigaction previous[std::size(kSignals)];

std::string dir_;
std::string path_;  // dir_/name
std::string text_;
volatile sig_atomic_t armed = 0;

void Say(const char* s) { (void)!write(STDERR_FILENO, s, strlen(s)); }

void OnFatalSignal(int sig, siginfo_t* info, void* context) {
  if (armed) {
    armed = 0;
    mkdir(dir_.c_str(), 0755);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      size_t done = 0;
      while (done < text_.size()) {
        const ssize_t n = write(fd, text_.data() + done, text_.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      close(fd);
      Say("replsim-libfuzzer: replsim crashed (a bug in replsim); the schedule: ");
      Say(path_.c_str());
      Say("\n");
    }
  }
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    if (kSignals[i] != sig) continue;
    const struct sigaction& p = previous[i];
    if (p.sa_flags & SA_SIGINFO) {
      if (p.sa_sigaction != nullptr) p.sa_sigaction(sig, info, context);
    } else if (p.sa_handler != SIG_IGN && p.sa_handler != SIG_DFL) {
      p.sa_handler(sig);
    }
    // No handler took the process down: die of the signal as it would have.
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

}  // namespace

void InstallCrashReproducer(const std::string& dir) {
  dir_ = dir;
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    struct sigaction sa = {};
    sa.sa_sigaction = OnFatalSignal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(kSignals[i], &sa, &previous[i]);
  }
}

void ArmCrashReproducer(const std::string& name, std::string text) {
  armed = 0;
  path_ = dir_ + "/" + name;
  text_ = std::move(text);
  armed = 1;
}

void DisarmCrashReproducer() { armed = 0; }

}  // namespace replsim::tools::libfuzzer
