// File: protocol/node/recovery_conf.h
//
// How a data directory says "recover as a standby", which changed in 12
// with 2dedf4d9a8 (2018-11-25, "Integrate recovery.conf into
// postgresql.conf"):
//  - before 12, recovery.conf in the data directory holds the recovery
//    parameters (standby_mode = 'on' makes a standby, primary_conninfo,
//    recovery_target_timeline, trigger_file, restore_command); the startup
//    process reads it (readRecoveryCommandFile) and renames it recovery.done
//    when recovery ends;
//  - from 12 on, standby.signal (or recovery.signal) asks for recovery, the
//    parameters are ordinary GUCs (pg_basebackup -R writes primary_conninfo
//    into postgresql.auto.conf), and the signal file is removed when
//    recovery ends.
//
//   if (node::UsesRecoveryConf(v)) write(kRecoveryCommandFile, FormatRecoveryConf(g));
#ifndef REPLSIM_PROTOCOL_NODE_RECOVERY_CONF_H_
#define REPLSIM_PROTOCOL_NODE_RECOVERY_CONF_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "protocol/node/guc.h"

namespace replsim::node {

inline constexpr char kRecoveryCommandFile[] = "recovery.conf";
inline constexpr char kRecoveryCommandDone[] = "recovery.done";
inline constexpr char kAutoConfFile[] = "postgresql.auto.conf";

// Whether the release with this PG_VERSION_NUM configures recovery with
// recovery.conf (before 12, 2dedf4d9a8) rather than signal files.
bool UsesRecoveryConf(int server_version_num);

// recovery.conf's text for the recovery parameters of `g` (standby_mode,
// primary_conninfo, and the others when set), one "name = 'value'" a line.
std::string FormatRecoveryConf(const Gucs& g);

// readRecoveryCommandFile's parse: applies every "name = 'value'" line of
// `content` to `g`. InvalidArgument with PostgreSQL's FATAL text for a line
// it cannot parse ("syntax error in file \"recovery.conf\" line 2, near end
// of line"), a parameter that is not a recovery parameter ("unrecognized
// recovery parameter \"x\"") or a bad value ("parameter \"standby_mode\"
// requires a Boolean value").
absl::Status ApplyRecoveryConf(std::string_view content, int server_version_num, Gucs* g);

// postgresql.auto.conf's text as pg_basebackup -R (12+) leaves it:
// primary_conninfo = '...'.
std::string FormatAutoConf(const Gucs& g);

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_RECOVERY_CONF_H_
