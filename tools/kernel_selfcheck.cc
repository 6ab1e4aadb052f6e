#include "tools/kernel_selfcheck.h"

#include <string>

#include "sim/distributions.h"
#include "sim/world.h"

namespace replsim::tools {

SelfCheckRun RunKernelSelfCheck(uint64_t seed) {
  sim::World w(seed);
  constexpr int kWorkers = 4;
  sim::Event token[kWorkers];
  for (int i = 0; i < kWorkers; ++i) {
    w.executor().Spawn(
        "worker" + std::to_string(i),
        [&w, &token, i](sim::ProcessContext& ctx) -> os::Task<> {
          sim::Rng& rng = w.Stream(ctx.name());
          for (int round = 0; round < 50; ++round) {
            int which = co_await ctx.WaitFor(
                token[i], sim::Exponential(rng, os::Milliseconds(2)));
            token[i].Reset();
            w.trace().Emit(ctx.now(), ctx.host(), ctx.name(), "step")
                .Int("round", round)
                .Bool("had_token", which == 0);
            token[sim::Choice(rng, kWorkers)].Set();
          }
        },
        "host" + std::to_string(i % 2));
  }
  w.executor().Spawn("reaper", [&w](sim::ProcessContext& ctx) -> os::Task<> {
    sim::Rng& faults = w.Stream("faults");
    co_await ctx.Sleep(sim::UniformDuration(faults, os::Milliseconds(1),
                                            os::Milliseconds(80)));
    w.executor().Kill(static_cast<sim::Pid>(1 + sim::Choice(faults, kWorkers)));
  });
  sim::RunStats stats = w.Run();
  return {w.Fingerprint(), w.Unseed(), stats.events, stats.end_time.nanos()};
}

}  // namespace replsim::tools
