// File: scenarios/archive_load.h
//
// The loader's checks of a scenario's WAL archive (scenario.proto's
// `archive`) and of what needs one: the archive_fault step and the
// ARCHIVE_PREFIX invariant; and archive_mode = always, which releases before
// 9.5 refuse.
#ifndef REPLSIM_SCENARIOS_ARCHIVE_LOAD_H_
#define REPLSIM_SCENARIOS_ARCHIVE_LOAD_H_

#include <string>

#include "absl/status/status.h"
#include "scenarios/scenario.pb.h"
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {

// The archive block, the ARCHIVE_PREFIX invariant and the settings that
// need one, and archive_mode = always under releases before 9.5.
absl::Status CheckArchiveBlock(const Scenario& s, const ScenarioLocator& c);
// An archive_fault or switch_wal step `st` (the i-th): what it refers to.
absl::Status CheckArchiveStep(const Scenario& s, const ScenarioLocator& c, int i);

std::string ArchiveDirectory(const Archive& a);
// Node `node` of `s` is an archive-only standby (Node.archive_only).
bool ArchiveOnly(const Scenario& s, const std::string& node);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_ARCHIVE_LOAD_H_
