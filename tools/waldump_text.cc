// WalDumpLine: XLogDumpDisplayRecord's line (pg_waldump.c in 15,
// pg_xlogdump.c in 9.3) and the rmgr descriptions of xlogdesc.c,
// xactdesc.c and heapdesc.c of the same releases, for replsim's records.
#include "tools/waldump_text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::tools {
namespace {

constexpr int64_t kPostgresEpochUnixSeconds = 946684800;  // 2000-01-01 UTC

bool Modern(int server_version_num) { return server_version_num >= 100000; }

// "%X/%X"
std::string Lsn(wal::XLogRecPtr p) { return wal::LsnToString(p); }

std::string CheckpointDesc(const wal::CheckPoint& cp, bool shutdown, bool modern) {
  const uint32_t epoch = static_cast<uint32_t>(cp.nextXid >> 32);
  const uint32_t xid = static_cast<uint32_t>(cp.nextXid);
  if (modern) {
    return absl::StrFormat(
        "redo %s; tli %u; prev tli %u; fpw %s; xid %u:%u; oid %u; multi %u; offset %u; "
        "oldest xid %u in DB %u; oldest multi %u in DB %u; oldest/newest commit timestamp "
        "xid: %u/%u; oldest running xid %u; %s",
        Lsn(cp.redo), cp.ThisTimeLineID, cp.PrevTimeLineID, cp.fullPageWrites ? "true" : "false",
        epoch, xid, cp.nextOid, cp.nextMulti, cp.nextMultiOffset, cp.oldestXid, cp.oldestXidDB,
        cp.oldestMulti, cp.oldestMultiDB, cp.oldestCommitTsXid, cp.newestCommitTsXid,
        cp.oldestActiveXid, shutdown ? "shutdown" : "online");
  }
  return absl::StrFormat(
      "checkpoint: redo %s; tli %u; prev tli %u; fpw %s; xid %u/%u; oid %u; multi %u; "
      "offset %u; oldest xid %u in DB %u; oldest multi %u in DB %u; oldest running xid %u; %s",
      Lsn(cp.redo), cp.ThisTimeLineID, cp.PrevTimeLineID, cp.fullPageWrites ? "true" : "false",
      epoch, xid, cp.nextOid, cp.nextMulti, cp.nextMultiOffset, cp.oldestXid, cp.oldestXidDB,
      cp.oldestMulti, cp.oldestMultiDB, cp.oldestActiveXid, shutdown ? "shutdown" : "online");
}

// A record's description in both layouts: 15's "<identity> <description>"
// (what follows "desc: ") and 9.3's rm_desc text.
struct Desc {
  std::string modern, old;
};

Desc Describe(const wal::WalRecord& r) {
  const uint8_t info = r.info();
  const auto data = absl::MakeConstSpan(r.main_data);
  if (r.rmid() == wal::RM_XLOG_ID) {
    switch (info) {
      case wal::XLOG_CHECKPOINT_SHUTDOWN:
      case wal::XLOG_CHECKPOINT_ONLINE: {
        const bool shutdown = info == wal::XLOG_CHECKPOINT_SHUTDOWN;
        absl::StatusOr<wal::CheckPoint> cp = wal::DecodeCheckPoint(data);
        return {absl::StrCat(shutdown ? "CHECKPOINT_SHUTDOWN " : "CHECKPOINT_ONLINE ",
                             cp.ok() ? CheckpointDesc(*cp, shutdown, true) : ""),
                cp.ok() ? CheckpointDesc(*cp, shutdown, false) : "checkpoint: "};
      }
      case wal::XLOG_NOOP: return {"NOOP ", "xlog no-op"};
      case wal::XLOG_SWITCH: return {"SWITCH ", "xlog switch"};
      case wal::XLOG_FPI_FOR_HINT: return {"FPI_FOR_HINT ", "UNKNOWN"};
      case wal::XLOG_FPI: return {"FPI ", "UNKNOWN"};
      case wal::XLOG_END_OF_RECOVERY: {
        absl::StatusOr<wal::xl_end_of_recovery> e = wal::DecodeEndOfRecovery(data);
        if (!e.ok()) return {"END_OF_RECOVERY ", "end_of_recovery: "};
        const std::string text = absl::StrFormat("tli %u; prev tli %u; time %s", e->ThisTimeLineID,
                                                 e->PrevTimeLineID, DumperTimestamp(e->end_time));
        return {absl::StrCat("END_OF_RECOVERY ", text), absl::StrCat("end_of_recovery: ", text)};
      }
      default: break;
    }
  } else if (r.rmid() == wal::RM_XACT_ID && (info & wal::XLOG_XACT_OPMASK) == wal::XLOG_XACT_COMMIT) {
    absl::StatusOr<wal::XactCommit> c = wal::DecodeXactCommit(r);
    const std::string when = c.ok() ? DumperTimestamp(c->xact_time) : "";
    return {absl::StrCat("COMMIT ", when), absl::StrCat("commit: ", when)};
  } else if (r.rmid() == wal::RM_HEAP_ID && (info & wal::XLOG_HEAP_OPMASK) == wal::XLOG_HEAP_INSERT) {
    absl::StatusOr<wal::HeapInsert> h = wal::DecodeHeapInsert(r);
    const bool init = (info & wal::XLOG_HEAP_INIT_PAGE) != 0;
    if (h.ok()) {
      return {absl::StrFormat("INSERT%s off %u flags 0x%02X", init ? "+INIT" : "", h->offnum,
                              h->flags),
              absl::StrFormat("%s: rel %u/%u/%u; tid %u/%u", init ? "insert(init)" : "insert",
                              h->rnode.spcNode, h->rnode.dbNode, h->rnode.relNode, h->blkno,
                              h->offnum)};
    }
  }
  return {absl::StrFormat("UNKNOWN (%x) ", info), "UNKNOWN"};
}

// XLogRecGetBlockRefInfo(pretty, no details): ", blkref #0: rel 1663/5/16384 blk 0 FPW".
std::string BlockRefs(const wal::WalRecord& r) {
  static constexpr const char* kForkNames[] = {"main", "fsm", "vm", "init"};
  std::string out;
  for (const wal::XLogBlockRef& b : r.blocks) {
    absl::StrAppendFormat(&out, ", blkref #%u: rel %u/%u/%u", b.block_id, b.rnode.spcNode,
                          b.rnode.dbNode, b.rnode.relNode);
    if (b.forknum != wal::MAIN_FORKNUM && b.forknum <= wal::INIT_FORKNUM) {
      absl::StrAppend(&out, " fork ", kForkNames[b.forknum]);
    }
    absl::StrAppendFormat(&out, " blk %u", b.blkno);
    if (b.has_image) {
      absl::StrAppend(&out, (b.bimg_info & wal::BKPIMAGE_APPLY) != 0 ? " FPW"
                                                                     : " FPW for WAL verification");
    }
  }
  return out;
}

}  // namespace

const char* WalDumperName(int server_version_num) {
  return Modern(server_version_num) ? "pg_waldump" : "pg_xlogdump";
}

std::string DumperTimestamp(int64_t timestamptz) {
  int64_t secs = timestamptz / 1000000, usecs = timestamptz % 1000000;
  if (usecs < 0) {
    usecs += 1000000;
    --secs;
  }
  const absl::Time t = absl::FromUnixSeconds(kPostgresEpochUnixSeconds + secs);
  return absl::StrFormat("%s.%06d UTC", absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone()),
                         usecs);
}

std::string WalDumpLine(const wal::WalRecord& r, wal::XLogRecPtr lsn, int server_version_num) {
  const uint32_t tot = r.header.xl_tot_len;
  const uint32_t rec = tot - r.fpi_len();
  const std::string head = absl::StrFormat(
      "rmgr: %-11s len (rec/tot): %6u/%6u, tx: %10u, lsn: %X/%08X, prev %X/%08X, ",
      wal::RmgrName(r.rmid()), Modern(server_version_num) ? rec : rec - wal::kSizeOfXLogRecord,
      tot, r.header.xl_xid, static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn),
      static_cast<uint32_t>(r.header.xl_prev >> 32), static_cast<uint32_t>(r.header.xl_prev));
  if (Modern(server_version_num)) return absl::StrCat(head, "desc: ", Describe(r).modern, BlockRefs(r));
  int bkp[4] = {0, 0, 0, 0};
  for (const wal::XLogBlockRef& b : r.blocks) {
    if (b.block_id < 4 && b.has_image) bkp[b.block_id] = 1;
  }
  return absl::StrFormat("%sbkp: %d%d%d%d, desc: %s", head, bkp[0], bkp[1], bkp[2], bkp[3],
                         Describe(r).old);
}

std::string WalDumpErrorLine(wal::XLogRecPtr last, const std::string& reason,
                             int server_version_num) {
  if (Modern(server_version_num)) {
    return absl::StrCat("pg_waldump: error: error in WAL record at ", Lsn(last), ": ", reason);
  }
  return absl::StrCat("pg_xlogdump: FATAL:  error in WAL record at ", Lsn(last), ": ", reason);
}

}  // namespace replsim::tools
