#include "sim/host/host.h"

namespace replsim::sim::host {

Host::Host(World& world, std::string name, HostConfig config)
    : world_(world),
      name_(std::move(name)),
      config_(config),
      disk_(world, name_, config.disk) {}

os::Instant Host::Monotonic() const {
  int64_t t = world_.now().nanos();
  // t * ppm / 1e6 split to stay within int64 for centuries of virtual time.
  int64_t drift = (t / 1000000) * config_.drift_ppm +
                  (t % 1000000) * config_.drift_ppm / 1000000;
  return os::Instant::FromNanos(t + drift);
}

int64_t Host::WallClockMicros() const {
  return kWallEpochMicros +
         (config_.clock_offset.nanos() + wall_steps_.nanos() + Monotonic().nanos()) / 1000;
}

void Host::SetClock(os::Duration offset, int64_t drift_ppm) {
  config_.clock_offset = offset;
  config_.drift_ppm = drift_ppm;
  world_.trace()
      .Emit(world_.now(), name_, "host", "clock")
      .Int("offset_us", offset.micros())
      .Int("drift_ppm", drift_ppm);
}

void Host::StepWallClock(os::Duration d) {
  wall_steps_ += d;
  world_.trace()
      .Emit(world_.now(), name_, "host", "clock_step", Severity::kWarning)
      .Int("step_us", d.micros());
}

os::Duration Host::HostToWorld(os::Duration d) const {
  if (config_.drift_ppm == 0) return d;
  // d / (1 + ppm/1e6), split as in Monotonic() to stay within int64.
  const int64_t scale = 1000000 + config_.drift_ppm;
  const int64_t n = d.nanos();
  return os::Nanoseconds((n / scale) * 1000000 + (n % scale) * 1000000 / scale);
}

SimLatch& Host::NewLatch() {
  latches_.push_back(std::make_unique<SimLatch>());
  return *latches_.back();
}

void Host::Crash() {
  up_ = false;
  ++boot_;
  world_.trace().Emit(world_.now(), name_, "host", "host_crash", Severity::kWarning);
  disk_.Crash();
}

void Host::Restart() {
  up_ = true;
  world_.trace().Emit(world_.now(), name_, "host", "host_restart");
}

}  // namespace replsim::sim::host
