// ControlDataText: pg_controldata.c's listing (9.3 and 15) over replsim's
// ControlFileData.
#include "tools/controldata_text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"

namespace replsim::tools {
namespace {

// pg_controldata's values start in column 39 (a label, padded to 38).
void Line(std::string* out, const char* label, const std::string& value) {
  absl::StrAppendFormat(out, "%-38s%s\n", label, value);
}

std::string U(uint64_t v) { return absl::StrCat(v); }

}  // namespace

std::string ControlDataText(const node::ControlFileData& c, int server_version_num) {
  const bool modern = server_version_num >= 100000;
  const wal::CheckPoint& cp = c.checkPointCopy;
  std::string out;
  Line(&out, "Database system identifier:", U(c.system_identifier));
  Line(&out, "Database cluster state:", node::DBStateName(c.state));
  Line(&out, "Latest checkpoint location:", wal::LsnToString(c.checkPoint));
  Line(&out, "Latest checkpoint's REDO location:", wal::LsnToString(cp.redo));
  Line(&out, "Latest checkpoint's REDO WAL file:",
       wal::XLogFileName(cp.ThisTimeLineID, wal::XLByteToSeg(cp.redo)));
  Line(&out, "Latest checkpoint's TimeLineID:", U(cp.ThisTimeLineID));
  Line(&out, "Latest checkpoint's PrevTimeLineID:", U(cp.PrevTimeLineID));
  Line(&out, "Latest checkpoint's full_page_writes:", cp.fullPageWrites ? "on" : "off");
  Line(&out, "Latest checkpoint's NextXID:",
       absl::StrCat(cp.nextXid >> 32, modern ? ":" : "/", cp.nextXid & 0xFFFFFFFFu));
  Line(&out, "Latest checkpoint's NextOID:", U(cp.nextOid));
  Line(&out, "Latest checkpoint's NextMultiXactId:", U(cp.nextMulti));
  Line(&out, "Latest checkpoint's NextMultiOffset:", U(cp.nextMultiOffset));
  Line(&out, "Latest checkpoint's oldestXID:", U(cp.oldestXid));
  Line(&out, "Latest checkpoint's oldestXID's DB:", U(cp.oldestXidDB));
  Line(&out, "Latest checkpoint's oldestActiveXID:", U(cp.oldestActiveXid));
  Line(&out, "Latest checkpoint's oldestMultiXid:", U(cp.oldestMulti));
  Line(&out, "Latest checkpoint's oldestMulti's DB:", U(cp.oldestMultiDB));
  if (modern) {
    Line(&out, "Latest checkpoint's oldestCommitTsXid:", U(cp.oldestCommitTsXid));
    Line(&out, "Latest checkpoint's newestCommitTsXid:", U(cp.newestCommitTsXid));
  }
  // strftime's %c in the C locale; replsim's clocks are UTC.
  Line(&out, "Time of latest checkpoint:",
       absl::FormatTime("%a %b %e %H:%M:%S %Y", absl::FromUnixSeconds(cp.time),
                        absl::UTCTimeZone()));
  Line(&out, "Minimum recovery ending location:", wal::LsnToString(c.minRecoveryPoint));
  Line(&out, "Min recovery ending loc's timeline:", U(c.minRecoveryPointTLI));
  Line(&out, "Backup start location:", wal::LsnToString(c.backupStartPoint));
  Line(&out, "Backup end location:", wal::LsnToString(c.backupEndPoint));
  Line(&out, "End-of-backup record required:", c.backupEndRequired ? "yes" : "no");
  return out;
}

}  // namespace replsim::tools
