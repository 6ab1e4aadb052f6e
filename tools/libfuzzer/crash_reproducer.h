// File: tools/libfuzzer/crash_reproducer.h
//
// When replsim crashes inside a libFuzzer execution (a CHECK aborts, a
// fatal signal), libFuzzer reports it as a crash and writes the input bytes
// as crash-<sha1>; this also writes the execution's schedule as a scenario
// file, so the crash reproduces with `replsim run`, without libFuzzer. The
// text is prepared before each execution (nothing is formatted in the
// signal handler, which only open()s, write()s and close()s), and the
// handler then hands the signal on to libFuzzer's own.
#ifndef REPLSIM_TOOLS_LIBFUZZER_CRASH_REPRODUCER_H_
#define REPLSIM_TOOLS_LIBFUZZER_CRASH_REPRODUCER_H_

#include <string>

namespace replsim::tools::libfuzzer {

// Chains a handler before the current ones of SIGABRT, SIGSEGV, SIGBUS,
// SIGILL and SIGFPE. Call once libFuzzer has installed its handlers (from
// the first execution: LLVMFuzzerInitialize runs before they are). `dir`
// must be creatable with mkdir (its parent exists).
void InstallCrashReproducer(const std::string& dir);
// What to write, as `dir`/`name`, if the coming execution crashes.
void ArmCrashReproducer(const std::string& name, std::string text);
// Nothing to write (between executions, and for a deliberate abort whose
// reproducer is already written).
void DisarmCrashReproducer();

}  // namespace replsim::tools::libfuzzer

#endif  // REPLSIM_TOOLS_LIBFUZZER_CRASH_REPRODUCER_H_
