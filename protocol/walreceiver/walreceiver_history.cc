// WalRcvFetchTimeLineHistoryFiles (walreceiver.c of PostgreSQL 15): fetch
// the history files of timelines first..last that pg_wal lacks.
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/segment.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/walreceiver/walreceiver_process.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::walreceiver {

os::Task<> WalReceiverProcess::WalRcvFetchTimeLineHistoryFiles(TimeLineID first,
                                                               TimeLineID last) {
  for (TimeLineID tli = first; tli <= last; ++tli) {
    // There's no history file for timeline 1.
    if (tli == 1) continue;
    const absl::StatusOr<bool> exists = co_await recovery::existsTimeLineHistory(
        os_, s_.data_dir, s_.behavior.server_version_num, tli);
    if (exists.ok() && *exists) continue;
    os_.Log("LOG", absl::StrFormat(
                       "fetching timeline history file for timeline %u from primary server",
                       tli));
    auto h = co_await pq::walrcv_readtimelinehistoryfile(*wrconn_, tli);
    co_await ProcessWalRcvInterrupts();
    if (!h.ok()) co_return co_await Fatal(std::string(h.status().message()));
    // A sanity check: the primary's file name must be the one we expect.
    if (h->filename != wal::TLHistoryFileName(tli)) {
      co_return co_await Fatal(absl::StrFormat(
          "primary reported unexpected file name for timeline history file of timeline %u",
          tli));
    }
    absl::Status s = co_await recovery::writeTimeLineHistoryFile(
        os_, s_.data_dir, tli, h->content, s_.behavior.server_version_num,
        s_.behavior.xlog_durable_rename);
    if (absl::IsDataLoss(s)) co_return co_await Panic(std::string(s.message()));
    if (!s.ok()) co_return co_await Fatal(std::string(s.message()));
    if (xlog::XLogArchivingActive(s_)) {
      xlog::XLogArchiveReceived(os_, s_, wal::TLHistoryFileName(tli));
    }
  }
}

}  // namespace replsim::walreceiver
