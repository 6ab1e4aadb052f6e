// File: protocol/node/guc.h
//
// The configuration parameters (GUCs) the replication processes read, with
// PostgreSQL's names, units and defaults (guc.c; 9.3 and 15 differ where
// noted), and a parser for postgresql.conf-style settings that answers bad
// values with PostgreSQL's own messages. Times are os::Duration; a value
// without a unit takes the parameter's base unit, as in PostgreSQL.
//
//   Gucs g = Gucs::Defaults(behavior.server_version_num);
//   absl::Status s = g.Set("wal_sender_timeout", "5s");
#ifndef REPLSIM_PROTOCOL_NODE_GUC_H_
#define REPLSIM_PROTOCOL_NODE_GUC_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "protocol/os/time.h"

namespace replsim::node {

// synchronous_commit's values (SYNCHRONOUS_COMMIT_* in xact.h).
enum class SynchronousCommit { kOff, kLocal, kRemoteWrite, kOn, kRemoteApply };

struct Gucs {
  // Replication, sending side.
  int max_wal_senders = 10;                             // 9.3: 0
  int max_replication_slots = 10;                       // 9.4 (new there): 0
  os::Duration wal_sender_timeout = os::Seconds(60);    // base unit ms; 0 disables
                                                        // (9.1-9.2 replication_timeout; 9.0: none)
  os::Duration wal_sender_delay = os::Milliseconds(200);  // base unit ms; 9.0-9.1 only
  int wal_keep_size_mb = 0;                             // base unit MB; 9.3: wal_keep_segments (x16 MB)
  std::string synchronous_standby_names;                // empty: no sync standby
  SynchronousCommit synchronous_commit = SynchronousCommit::kOn;

  // Replication, receiving side.
  os::Duration wal_receiver_status_interval = os::Seconds(10);  // base unit s; 0 disables
  os::Duration wal_receiver_timeout = os::Seconds(60);          // base unit ms; 0 disables
                                                                // (new in 9.3)
  os::Duration wal_retrieve_retry_interval = os::Seconds(5);    // base unit ms (fixed in 9.3)
  bool hot_standby = true;                                      // 9.3: off
  bool hot_standby_feedback = false;

  // Recovery (recovery.conf in 9.3; postgresql.conf + standby.signal in 12+).
  bool standby_mode = false;
  std::string primary_conninfo;
  std::string restore_command;
  std::string promote_trigger_file;                     // 9.3: trigger_file
  std::string recovery_target_timeline = "latest";      // 9.3: "" = pg_control's TLI

  // Connections (StreamConnection): 0 keeps the system's TCP keepalive
  // setting (Linux: tcp_keepalive_time 7200 s, _intvl 75 s, _probes 9).
  os::Duration tcp_keepalives_idle;      // base unit s
  os::Duration tcp_keepalives_interval;  // base unit s
  int tcp_keepalives_count = 0;

  // WAL and checkpoints.
  os::Duration checkpoint_timeout = os::Seconds(300);   // base unit s
  int checkpoint_segments = 3;                          // 9.4 and before
  int max_wal_size_mb = 1024;                           // base unit MB; 9.5+
  int min_wal_size_mb = 80;                             // base unit MB; 9.5+
  double checkpoint_completion_target = 0.9;            // 0.5 before 14
  bool fsync = true;
  // archive_mode: off, on, or always (9.5+: the archiver runs in recovery
  // too, and a standby archives what it receives); always sets both.
  bool archive_mode = false;
  bool archive_mode_always = false;
  std::string archive_command;
  os::Duration archive_timeout;                         // base unit s; 0 disables

  // The defaults of the release with this PG_VERSION_NUM.
  static Gucs Defaults(int server_version_num);

  // Whether the release with this PG_VERSION_NUM has the parameter: an
  // unknown one in postgresql.conf (or 9.x's recovery.conf) keeps the
  // server from starting. InvalidArgument with PostgreSQL's "unrecognized
  // configuration parameter" and the releases that have it.
  static absl::Status CheckExists(std::string_view name, int server_version_num);

  // Sets one parameter from its text form ("5s", "on", "'host=a'"). Errors
  // carry PostgreSQL's messages ("unrecognized configuration parameter ...",
  // "invalid value for parameter ...", "parameter ... requires a Boolean
  // value").
  absl::Status Set(std::string_view name, std::string_view value);
};

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_GUC_H_
