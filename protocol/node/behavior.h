// File: protocol/node/behavior.h
//
// Behaviour switches and profiles. Every place where PostgreSQL's behaviour
// changed in a way that matters to a race is one switch, named after the real
// commit that changed it; a profile is the set of switches of a real release.
// A historical bug is reproduced by running a profile without its fix (or a
// profile with one switch turned off), never by special-casing a checker.
//
//   absl::StatusOr<Behavior> b = Behavior::ForProfile("pg-9.2.4");
//   b->Set("985bd7d497", true);      // a scenario's override
//   if (b->walsnd_wait_for_standby_flush) ...
//
// Each switch's `true` is PostgreSQL's behaviour *after* the commit.
#ifndef REPLSIM_PROTOCOL_NODE_BEHAVIOR_H_
#define REPLSIM_PROTOCOL_NODE_BEHAVIOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace replsim::node {

struct Behavior {
  // 07e8b6aabc (2010-06-17, before 9.0.0): XLogSend sends WAL only up to the
  // flush pointer (GetFlushRecPtr), not the write pointer, so a standby never
  // holds WAL a crashed primary lost.
  bool walsnd_send_only_flushed = true;
  // e0b581acd2 (2010-05-31, before 9.0.0): at shutdown the walsender keeps
  // calling XLogSend until caught up, instead of sending one MAX_SEND_SIZE
  // chunk and quitting.
  bool walsnd_drain_all_at_shutdown = true;
  // 2746e5f21d (2010-09-11, 9.1.0) "Introduce latches": a caught-up
  // walsender sleeps on its latch, which every WAL flush sets, so it sends a
  // commit's WAL at once. Before it (9.0) the walsender naps wal_sender_delay
  // (200 ms) in 100 ms slices, checking only that the standby is still
  // connected, and sends what was flushed meanwhile when it wakes.
  bool walsnd_latch_wakeup = true;
  // b186523fd9 (2011-02, 9.1.0): the standby sends status updates ('r':
  // written, flushed, applied). Before it nothing flows back from a 9.0
  // standby; its walsender only checks the connection for EOF or 'X'.
  bool walrcv_status_updates = true;
  // abfd192b1b (2012-12-13, 9.3.0): a standby follows a timeline switch over
  // streaming (TIMELINE_HISTORY, START_REPLICATION ... TIMELINE). Before it
  // the walreceiver insists that the primary's timeline is the recovery
  // target timeline ("timeline 2 of the primary does not match recovery
  // target timeline 1"), so without an archive holding the new history file
  // a standby cannot follow a promoted server.
  bool walrcv_follow_timeline_switch = true;
  // 34ef02b4d4 (2011-01-17, 9.0.3): WalRcvDie fsyncs the received WAL
  // (XLogWalRcvFlush) before the walreceiver exits.
  bool walrcv_flush_on_exit = true;
  // 985bd7d497 (2013-06-26; 9.1.10, 9.2.5, 9.3.0): at shutdown the walsender
  // exits only once the standby has confirmed flushing everything sent
  // (sentPtr == MyWalSnd->flush), "Support clean switchover".
  bool walsnd_wait_for_standby_flush = true;
  // 5c6d9fc4b2 (2014-03-17, 9.3.4; master commit 7899aa356a06): the shutdown
  // wait compares against the standby's write position when its flush
  // position is invalid (pg_receivexlog reports none).
  bool walsnd_flush_or_write = true;
  // 38b27792 : a walsender kicks the postmaster's state machine
  // (PMSIGNAL_ADVANCE_STATE_MACHINE) after marking itself a walsender.
  bool walsnd_kick_postmaster_on_mark = true;
  // 9.4+ (WalSndDone in 15): while waiting for the final flush confirmation
  // at shutdown, the walsender requests a reply with a keepalive.
  bool walsnd_stop_path_ping = true;
  // f66c20b317 (2014-11-19, 9.4.0): pg_receivexlog --slot fsyncs the open
  // segment and reports that flush position when a keepalive asks for a
  // reply; before it, it fsynced only at a segment switch, so a walsender
  // waiting at shutdown for the last WAL's flush waited forever.
  bool receivexlog_flush_on_reply_request = true;
  // 59455018a8 (2016-04-28, 9.4.8/9.5.3): the keepalive WalSndDone sends
  // while waiting to stop sets waiting_for_ping_response, so it asks once
  // per reply; before it, every loop iteration asked again.
  bool walsnd_done_ping_sets_waiting = true;
  // c6c333436 (PG 10, back-patched to 9.4): WALSNDSTATE_STOPPING; the
  // checkpointer waits for walsenders to stop before the shutdown checkpoint.
  bool walsnd_stopping_state = true;
  // PG 12: recovery_target_timeline defaults to 'latest'.
  bool recovery_target_timeline_latest_default = true;
  // 88e9823026 (2015-02-23, 9.5.0) "Replace checkpoint_segments with
  // min_wal_size and max_wal_size": how much WAL asks for a checkpoint
  // (max_wal_size / (1 + checkpoint_completion_target) segments, not
  // checkpoint_segments) and how many old segments a checkpoint recycles
  // (up to min_wal_size..max_wal_size past the redo, not 2 x
  // checkpoint_segments + 1 past the end of WAL).
  bool wal_size_from_max_wal_size = true;
  // 4b0d28de06 (2017-11-07, 11.0) "Remove secondary checkpoint": a
  // checkpoint removes the WAL before its own redo point; before it, only
  // the WAL before the previous checkpoint's redo (two cycles kept).
  bool wal_keep_one_checkpoint = true;
  // a4d1ce095b (2017-06-26, Tom Lane; back-patched to 9.2: 9.3.18, 9.4.13,
  // 9.5.8, 9.6.4, 10.0) "Don't lose walreceiver start requests due to race
  // condition in postmaster": the postmaster remembers a
  // PMSIGNAL_START_WALRECEIVER (WalReceiverRequested) until it has launched
  // a walreceiver. Before it, sigusr1_handler dropped a request that came
  // while WalReceiverPID was still set (the old walreceiver exited but its
  // SIGCHLD was not handled yet), and the startup process asked again only
  // after WALRCV_STARTUP_TIMEOUT (10 s). One of the hashes that carry this
  // message; which of them is master's is UNVERIFIED.
  bool pm_keep_walreceiver_request = true;
  // 4c703369af (2018-11-29; back-patched through 9.4, in the 2019-02 minor
  // releases: 9.4.21, 9.5.16, 9.6.12, 10.7, 11.2): a STOPPING walsender
  // (c6c333436) is a synchronous-standby candidate like a STREAMING one, in
  // SyncRepReleaseWaiters and SyncRepGetSyncStandbys. Before it the
  // candidate loop took only STREAMING slots, while the entry check let a
  // STOPPING walsender through (state < STREAMING), so a stopping
  // walsender's replies released nobody (9.4 asserted there).
  bool syncrep_stopping_walsenders_release = true;
  // 48c9f49265 (2017-12-29, 11.0; not back-patched): SyncRepWaitForLSN
  // decides whether to wait from the shared WalSndCtl->sync_standbys_defined
  // alone. Before it a backend also returned at once when its own copy of
  // synchronous_standby_names was empty, so after a reload that set the
  // names, a backend that had not yet processed its SIGHUP committed
  // asynchronously although the checkpointer had published the change.
  bool syncrep_wait_on_shared_flag = true;
  // 2e57790836 (2025-04-11; back-patched to 13: 13.21, 14.18, 15.13, 16.9,
  // 17.5): WalSndCtl->sync_standbys_status has an "initialized" bit the
  // checkpointer sets on its first SyncRepUpdateSyncStandbysDefined; until
  // then a backend waits when its own synchronous_standby_names is set.
  // Before it the shared flag read "not defined" from shared-memory creation
  // until the checkpointer had started and published it, and backends
  // committing in that window did not wait.
  bool syncrep_sync_standbys_init = true;
  // 1d4a0ab19a (2016-03-10; back-patched to every supported branch: 9.4.7,
  // and the same day's 9.5.2/9.3.12/9.2.16/9.1.21, those four UNVERIFIED)
  // "Avoid unlikely data-loss scenarios due to rename() without fsync":
  // InstallXLogFileSegment installs a segment (a new one from XLogFileInit,
  // or an old one RemoveOldXlogFiles recycles) with durable_link_or_rename,
  // which fsyncs the WAL directory after the rename. Before it the rename
  // (or link + unlink) was all: a host crash could bring back the old name
  // of a recycled segment (holding new WAL) or lose a new segment's name,
  // with its fdatasynced WAL. 9.0 (end of life 2015-10) never had it.
  bool xlog_durable_rename = true;
  // 2ce439f337 (2015-05-04, Robert Haas; back-patched to 9.0: 9.4.2, 9.3.7,
  // 9.2.11, 9.1.16, 9.0.20) "Recursively fsync() the data directory after a
  // crash": StartupXLOG, finding pg_control in neither shut-down state,
  // fsyncs every file and directory of the data directory before recovery
  // (fsync_pgdata; SyncDataDirectory from 9.6). Before it, WAL a crashed
  // server had written but not fsynced stayed in the kernel's page cache
  // only: recovery replayed it and the restarted server counted it as
  // flushed, so a later host crash could lose it under WAL written after.
  bool sync_data_directory_after_crash = true;
  // ffd37740ee (2015-05-15, 9.5.0) "Add archive_mode='always' option": the
  // archiver may run in recovery and a standby may archive what it
  // receives; in archive recovery a segment is removable without a .done
  // unless archive_mode is always (XLogArchiveCheckDone).
  bool archive_mode_always = true;
  // The archiver takes timeline history files before any segment (15's
  // pgarch_readyXlog heap, ready_file_comparator); before, 9.3's scan takes
  // the .ready name that sorts first, where a segment of the parent
  // timeline comes before the new history file. b981df4cc0 (2018-12-24,
  // David Steele; back-patched to 9.5) "archive history files first", per
  // ../shared/reference/bugs-to-reproduce.md entry 22(b).
  bool pgarch_history_first = true;
  // durable_rename (9.6, back-patched after 9.3.5): the archiver's rename of
  // .ready to .done is made durable (the directory fsynced), so a crash
  // cannot bring back a .ready and archive the file twice.
  bool pgarch_done_durable = true;
  // 7cbee7c0a1 (2015-05-08, 9.5.0) "At promotion, archive last segment from
  // old timeline with .partial suffix": with archiving on, the last,
  // partial segment of the old timeline (no .ready or .done yet) becomes
  // <name>.partial and is archived as such. Before it, that segment had no
  // status file, so the first checkpoint gave it a .ready and the new
  // primary archived the partial segment under the full name.
  bool partial_segment_at_promotion = true;

  // PG_VERSION_NUM of the release the profile models (90204 for 9.2.4,
  // 150000 for 15); decides GUC defaults and message details, never a race.
  int server_version_num = 150000;

  // The profile this was built from, plus any overrides ("pg-9.2.4
  // +985bd7d497"), for output.
  std::string description;

  // A named profile; an unknown name is InvalidArgument listing the known ones.
  static absl::StatusOr<Behavior> ForProfile(std::string_view profile);
  // Turns one switch on or off by its commit id (or an unambiguous prefix of
  // at least 7 hex digits, or its field name). Unknown names are
  // InvalidArgument listing the known switches.
  absl::Status Set(std::string_view switch_name, bool on);
  // Applies "985bd7d497=off,e0b581acd2=on" (as given on a command line).
  absl::Status ApplyOverrides(std::string_view overrides);
};

struct SwitchInfo {
  const char* commit;       // abbreviated hash
  const char* field;        // Behavior field name
  const char* date;         // commit date
  const char* first_release;
  const char* summary;      // what `true` means
  bool Behavior::*member;
};

struct ProfileInfo {
  const char* name;         // "pg-9.2.4"
  const char* summary;      // what it is for
};

const std::vector<SwitchInfo>& AllSwitches();
const std::vector<ProfileInfo>& AllProfiles();

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_BEHAVIOR_H_
