// RunState: the stall steps (stall_process, pause_host, slow_disk,
// slow_reader, clock_step; sim/os/stalls.h) and the hosts' clocks drawn from
// the fault model. A stall step starts its fault and returns: the next step
// may run while the process is stopped or the host frozen.
#include <algorithm>

#include "scenarios/run_state.h"
#include "sim/distributions.h"
#include "sim/os/stalls.h"

namespace replsim::scenarios {
namespace {

int64_t DrawSigned(sim::Rng& rng, const SignedRange& r) {
  return sim::UniformInt(rng, r.min(), r.max());
}

}  // namespace

void RunState::DrawClock(const std::string& node) {
  const FaultModel& f = s_.faults();
  if (!f.has_clock_offset_ms() && !f.has_clock_drift_ppm()) return;
  sim::Rng& rng = t_.world().Stream("clock/" + node);
  const int64_t offset_ms = f.has_clock_offset_ms() ? DrawSigned(rng, f.clock_offset_ms()) : 0;
  const int64_t drift_ppm = f.has_clock_drift_ppm() ? DrawSigned(rng, f.clock_drift_ppm()) : 0;
  t_.cluster().host(node).SetClock(os::Milliseconds(offset_ms), drift_ppm);
}

void RunState::PlayStall(const Step& st) {
  auto draw = [this](const Range& r) {
    return os::Milliseconds(sim::UniformInt(rng_, r.min(), std::max(r.min(), r.max())));
  };
  sim::os_sim::Cluster& c = t_.cluster();
  switch (st.op_case()) {
    case Step::kStallProcess: {
      const StallProcess& p = st.stall_process();
      const os::Duration d = draw(p.duration_ms());
      if (const os::Pid pid = c.FindByName(p.node(), p.process()); pid != 0) {
        sim::os_sim::StallProcess(c, pid, d);
      }
      break;
    }
    case Step::kPauseHost:
      sim::os_sim::PauseHost(c, st.pause_host().node(), draw(st.pause_host().duration_ms()));
      break;
    case Step::kSlowDisk:
      sim::os_sim::SlowDisk(c, st.slow_disk().node(), st.slow_disk().factor(),
                            draw(st.slow_disk().duration_ms()));
      break;
    case Step::kSlowReader: {
      const SlowReader& r = st.slow_reader();
      const os::Duration d = draw(r.duration_ms());
      if (const os::Pid pid = c.FindByName(r.node(), r.process()); pid != 0) {
        sim::os_sim::SlowReader(c, pid, r.read_bytes_per_ms(), d);
      }
      break;
    }
    case Step::kClockStep:
      sim::os_sim::StepWallClock(c, st.clock_step().node(),
                                 os::Milliseconds(st.clock_step().step_ms()));
      break;
    default:
      break;
  }
}

}  // namespace replsim::scenarios
