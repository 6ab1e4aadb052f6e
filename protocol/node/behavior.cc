#include "protocol/node/behavior.h"

#include <initializer_list>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace replsim::node {
namespace {

absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

// One row per release: which switches it has. Dates and releases come from
// ../shared/reference (commit messages and release notes). 9.0 has its own
// walsender loop (no latch, 2746e5f21d) and a standby that reports nothing
// back (b186523fd9); 9.0 and 9.2 standbys cannot follow a timeline switch
// over streaming (abfd192b1b). Otherwise their wire protocol is 9.3's
// (START_REPLICATION's TIMELINE clause, CopyBoth, 9.2's keepalive as 9.3's).
struct ProfileRow {
  ProfileInfo info;
  Behavior behavior;
};

// Whether the release with PG_VERSION_NUM `version` has a fix first
// released in `master_release` (the next major release) and back-patched to
// the minor releases `back_patches` (one per branch; a branch not listed
// never got it).
bool HasFix(int version, int master_release, std::initializer_list<int> back_patches) {
  if (version >= master_release) return true;
  for (const int first : back_patches) {
    if (first / 100 == version / 100) return version >= first;
  }
  return false;
}

Behavior Make(int version, bool flush_on_exit, bool kick, bool wait_flush,
              bool flush_or_write, bool pg15) {
  Behavior b;
  b.server_version_num = version;
  b.walsnd_send_only_flushed = true;       // every release (fixed in 9.0beta)
  b.walsnd_drain_all_at_shutdown = true;   // every release (fixed in 9.0beta)
  b.walsnd_latch_wakeup = version >= 90100;
  b.walrcv_status_updates = version >= 90100;
  b.walrcv_follow_timeline_switch = version >= 90300;
  b.walrcv_flush_on_exit = flush_on_exit;
  b.walsnd_kick_postmaster_on_mark = kick;
  b.walsnd_wait_for_standby_flush = wait_flush;
  b.walsnd_flush_or_write = flush_or_write;
  b.walsnd_stop_path_ping = pg15;
  b.walsnd_stopping_state = pg15;
  b.recovery_target_timeline_latest_default = pg15;
  b.wal_size_from_max_wal_size = version >= 90500;
  b.wal_keep_one_checkpoint = version >= 110000;
  // Every modelled 9.x release predates the 2017 back-patch.
  b.pm_keep_walreceiver_request = version >= 100000;
  // The synchronous-replication fixes reached every profile's release
  // after it shipped: 4c703369af in 9.4.21, 48c9f49265 in 11.0 and
  // 2e57790836 in 15.13, so only pg-15 (the 15.15 tree) has them.
  b.syncrep_stopping_walsenders_release = pg15;
  b.syncrep_wait_on_shared_flag = pg15;
  b.syncrep_sync_standbys_init = pg15;
  b.xlog_durable_rename = HasFix(version, 90600, {90121, 90216, 90312, 90407, 90502});
  b.sync_data_directory_after_crash =
      HasFix(version, 90500, {90020, 90116, 90211, 90307, 90402});
  b.archive_mode_always = version >= 90500;
  b.pgarch_history_first = pg15;
  b.pgarch_done_durable = pg15;
  b.partial_segment_at_promotion = version >= 90500;
  return b;
}

// 9.4: replication slots, 9.4's WalSndLoop and WalSndDone (with its ping);
// no STOPPING state (c6c333436 reached 9.4 only in 2017).
Behavior Make94(int version, bool f66c20b317, bool r59455018a8) {
  Behavior b = Make(version, true, true, true, true, false);
  b.walsnd_stop_path_ping = true;
  b.receivexlog_flush_on_reply_request = f66c20b317;
  b.walsnd_done_ping_sets_waiting = r59455018a8;
  return b;
}

const std::vector<ProfileRow>& Rows() {
  static const std::vector<ProfileRow> kRows = {
      {{"pg-9.0.2", "9.0 before 34ef02b4d4: the walreceiver exits without fsync"},
       Make(90002, false, false, false, false, false)},
      {{"pg-9.0.3", "9.0 with 34ef02b4d4 (no clean-switchover wait: never back-patched to 9.0)"},
       Make(90003, true, false, false, false, false)},
      {{"pg-9.2.4", "last 9.2 before 985bd7d497: the walsender exits without waiting for the standby"},
       Make(90204, true, true, false, false, false)},
      {{"pg-9.2.5", "9.2 with 985bd7d497 (waits for the standby's flush; no write fallback)"},
       Make(90205, true, true, true, false, false)},
      {{"pg-9.3beta2", "9.3beta2 (2013-06-24), the last 9.3 release before 985bd7d497: "
                       "streaming follows timelines, the walsender does not wait"},
       Make(90300, true, true, false, false, false)},
      {{"pg-9.3.0", "9.3.0: 985bd7d497 without 5c6d9fc4b2 (pg_receivexlog hangs shutdown)"},
       Make(90300, true, true, true, false, false)},
      {{"pg-9.3.4", "9.3 with 5c6d9fc4b2 (write position when flush is invalid)"},
       Make(90304, true, true, true, true, false)},
      {{"pg-9.3.5", "9.3.5, the release tree the reference was read from"},
       Make(90305, true, true, true, true, false)},
      {{"pg-9.4beta3", "9.4beta3 (2014-10-06): slots, before f66c20b317 "
                       "(pg_receivexlog --slot never fsyncs the last WAL)"},
       Make94(90400, false, false)},
      {{"pg-9.4.0", "9.4.0 with f66c20b317 (pg_receivexlog fsyncs on a reply request)"},
       Make94(90400, true, false)},
      {{"pg-9.4.7", "last 9.4 before 59455018a8: the stopping walsender pings every loop"},
       Make94(90407, true, false)},
      {{"pg-9.4.8", "9.4 with 59455018a8 (one ping per reply while waiting to stop)"},
       Make94(90408, true, true)},
      {{"pg-15", "PostgreSQL 15: STOPPING state, the WalSndDone ping, target timeline 'latest'"},
       Make(150000, true, true, true, true, true)},
  };
  return kRows;
}

}  // namespace

const std::vector<SwitchInfo>& AllSwitches() {
  static const std::vector<SwitchInfo> kSwitches = {
      {"07e8b6aabc", "walsnd_send_only_flushed", "2010-06-17", "9.0.0",
       "XLogSend sends only WAL flushed on the primary (GetFlushRecPtr)",
       &Behavior::walsnd_send_only_flushed},
      {"e0b581acd2", "walsnd_drain_all_at_shutdown", "2010-05-31", "9.0.0",
       "at shutdown the walsender sends until caught up, not one chunk",
       &Behavior::walsnd_drain_all_at_shutdown},
      {"2746e5f21d", "walsnd_latch_wakeup", "2010-09-11", "9.1.0",
       "a caught-up walsender waits on a latch each WAL flush sets, not a wal_sender_delay nap",
       &Behavior::walsnd_latch_wakeup},
      {"b186523fd9", "walrcv_status_updates", "2011-02", "9.1.0",
       "the standby sends status updates (write, flush, apply positions) to the walsender",
       &Behavior::walrcv_status_updates},
      {"abfd192b1b", "walrcv_follow_timeline_switch", "2012-12-13", "9.3.0",
       "a standby follows a timeline switch over streaming; before, the primary's "
       "timeline must be the recovery target timeline",
       &Behavior::walrcv_follow_timeline_switch},
      {"34ef02b4d4", "walrcv_flush_on_exit", "2011-01-17", "9.0.3",
       "WalRcvDie fsyncs received WAL before the walreceiver exits",
       &Behavior::walrcv_flush_on_exit},
      {"38b27792ea", "walsnd_kick_postmaster_on_mark", "2011-03-30", "9.1.0",
       "a new walsender signals PMSIGNAL_ADVANCE_STATE_MACHINE after marking itself",
       &Behavior::walsnd_kick_postmaster_on_mark},
      {"985bd7d497", "walsnd_wait_for_standby_flush", "2013-06-26", "9.1.10/9.2.5/9.3.0",
       "at shutdown the walsender waits until the standby confirms flushing sentPtr",
       &Behavior::walsnd_wait_for_standby_flush},
      {"5c6d9fc4b2", "walsnd_flush_or_write", "2014-03-17", "9.3.4",
       "the shutdown wait uses the standby's write position when flush is invalid",
       &Behavior::walsnd_flush_or_write},
      {"WalSndDone", "walsnd_stop_path_ping", "-", "9.4 (seen in 15)",
       "the walsender pings for a reply while waiting to stop",
       &Behavior::walsnd_stop_path_ping},
      {"f66c20b317", "receivexlog_flush_on_reply_request", "2014-11-19", "9.4.0",
       "pg_receivexlog --slot fsyncs and reports its flush when asked for a reply",
       &Behavior::receivexlog_flush_on_reply_request},
      {"59455018a8", "walsnd_done_ping_sets_waiting", "2016-04-28", "9.4.8/9.5.3",
       "the stopping walsender's keepalive sets waiting_for_ping_response",
       &Behavior::walsnd_done_ping_sets_waiting},
      {"c6c333436", "walsnd_stopping_state", "2017", "10 (9.4+ back-patch)",
       "walsenders enter STOPPING; the checkpointer waits before the shutdown checkpoint",
       &Behavior::walsnd_stopping_state},
      {"PG12-latest", "recovery_target_timeline_latest_default", "2019", "12",
       "recovery_target_timeline defaults to 'latest'",
       &Behavior::recovery_target_timeline_latest_default},
      {"88e9823026", "wal_size_from_max_wal_size", "2015-02-23", "9.5.0",
       "max_wal_size and min_wal_size, not checkpoint_segments, size checkpoints and recycling",
       &Behavior::wal_size_from_max_wal_size},
      {"4b0d28de06", "wal_keep_one_checkpoint", "2017-11-07", "11.0",
       "a checkpoint removes WAL before its own redo, not the previous checkpoint's",
       &Behavior::wal_keep_one_checkpoint},
      {"a4d1ce095b", "pm_keep_walreceiver_request", "2017-06-26", "9.3.18/9.4.13/10.0",
       "the postmaster keeps a walreceiver start request until it launches one, "
       "instead of dropping one that arrives before the old walreceiver's SIGCHLD",
       &Behavior::pm_keep_walreceiver_request},
      {"4c703369af", "syncrep_stopping_walsenders_release", "2018-11-29", "9.4.21/10.7/11.2",
       "a STOPPING walsender is a synchronous-standby candidate and releases waiters",
       &Behavior::syncrep_stopping_walsenders_release},
      {"48c9f49265", "syncrep_wait_on_shared_flag", "2017-12-29", "11.0",
       "SyncRepWaitForLSN waits by the shared sync_standbys_defined alone, not the "
       "backend's own synchronous_standby_names",
       &Behavior::syncrep_wait_on_shared_flag},
      {"2e57790836", "syncrep_sync_standbys_init", "2025-04-11", "13.21/15.13/17.5",
       "until the checkpointer has published sync_standbys_defined, a backend waits "
       "when its own synchronous_standby_names is set",
       &Behavior::syncrep_sync_standbys_init},
      {"1d4a0ab19a", "xlog_durable_rename", "2016-03-10", "9.6.0; 9.1.21/9.2.16/9.3.12/9.4.7/9.5.2",
       "installing a WAL segment (new or recycled) fsyncs pg_wal after the rename",
       &Behavior::xlog_durable_rename},
      {"2ce439f337", "sync_data_directory_after_crash", "2015-05-04",
       "9.5.0; 9.0.20/9.1.16/9.2.11/9.3.7/9.4.2",
       "crash recovery starts by fsyncing every file of the data directory",
       &Behavior::sync_data_directory_after_crash},
      {"ffd37740ee", "archive_mode_always", "2015-05-15", "9.5.0",
       "archive_mode = always; in archive recovery segments go without a .done unless always",
       &Behavior::archive_mode_always},
      {"b981df4cc0", "pgarch_history_first", "2018-12-24", "9.5.16/10.7/11.2",
       "the archiver takes timeline history files first, not the first name in sort order",
       &Behavior::pgarch_history_first},
      {"durable_rename", "pgarch_done_durable", "-", "15 (not in 9.3.5)",
       "the archiver's .ready -> .done rename is durable (directory fsynced)",
       &Behavior::pgarch_done_durable},
      {"7cbee7c0a1", "partial_segment_at_promotion", "2015-05-08", "9.5.0",
       "at promotion the old timeline's last partial segment is archived as <name>.partial",
       &Behavior::partial_segment_at_promotion},
  };
  return kSwitches;
}

const std::vector<ProfileInfo>& AllProfiles() {
  static const std::vector<ProfileInfo> kInfos = [] {
    std::vector<ProfileInfo> v;
    for (const ProfileRow& r : Rows()) v.push_back(r.info);
    return v;
  }();
  return kInfos;
}

absl::StatusOr<Behavior> Behavior::ForProfile(std::string_view profile) {
  std::vector<std::string> names;
  for (const ProfileRow& r : Rows()) {
    if (profile == r.info.name) {
      Behavior b = r.behavior;
      b.description = r.info.name;
      return b;
    }
    names.push_back(r.info.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown profile \"", AbslView(profile),
                   "\"; expected one of: ", absl::StrJoin(names, ", ")));
}

absl::Status Behavior::Set(std::string_view switch_name, bool on) {
  const std::string name = absl::AsciiStrToLower(AbslView(switch_name));
  const SwitchInfo* match = nullptr;
  std::vector<std::string> known;
  for (const SwitchInfo& s : AllSwitches()) {
    const std::string commit = absl::AsciiStrToLower(s.commit);
    const bool hit = name == s.field || name == commit ||
                     (name.size() >= 7 && absl::StartsWith(commit, name));
    if (hit) {
      if (match != nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("switch \"", name, "\" is ambiguous"));
      }
      match = &s;
    }
    known.push_back(s.commit);
  }
  if (match == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown switch \"", AbslView(switch_name),
                     "\"; expected a commit or field name: ", absl::StrJoin(known, ", ")));
  }
  this->*(match->member) = on;
  absl::StrAppend(&description, " ", on ? "+" : "-", match->commit);
  return absl::OkStatus();
}

absl::Status Behavior::ApplyOverrides(std::string_view overrides) {
  for (absl::string_view item :
       absl::StrSplit(AbslView(overrides), ',', absl::SkipWhitespace())) {
    std::vector<std::string> kv = absl::StrSplit(item, '=');
    const std::string value =
        kv.size() == 2 ? absl::AsciiStrToLower(absl::StripAsciiWhitespace(kv[1])) : "";
    if (kv.size() != 2 || (value != "on" && value != "off")) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad switch override \"", item,
                       "\"; expected COMMIT=on or COMMIT=off"));
    }
    const std::string key(absl::StripAsciiWhitespace(kv[0]));
    if (absl::Status s = Set(key, value == "on"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace replsim::node
