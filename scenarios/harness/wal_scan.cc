#include "scenarios/harness/wal_scan.h"

#include "protocol/wal/segment.h"
#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::scenarios {

namespace {

WalScan ScanBuffer(const wal::WalBuffer& buf, wal::XLogRecPtr valid_upto, wal::TimeLineID tli,
                   uint64_t system_identifier, wal::XLogRecPtr start) {
  WalScan scan;
  wal::XLogReaderState reader(
      {.system_identifier = system_identifier},
      [&](wal::XLogRecPtr page, uint32_t len, absl::Span<uint8_t> out) {
        return wal::ReadPageFromWalBuffer(buf, valid_upto, tli, page, len, out);
      });
  reader.XLogBeginRead(start);
  for (;;) {
    absl::StatusOr<const wal::WalRecord*> rec = reader.XLogReadRecord();
    if (!rec.ok()) {
      scan.stop_reason = std::string(rec.status().message());
      break;
    }
    scan.records.push_back({reader.ReadRecPtr(), reader.EndRecPtr(), **rec});
  }
  return scan;
}

}  // namespace

os::Task<WalScan> ScanLocalWal(os::Os& os, const std::string& data_dir, int server_version_num,
                               wal::TimeLineID tli, uint64_t system_identifier,
                               wal::XLogRecPtr start) {
  wal::WalBuffer buf;
  wal::XLogRecPtr valid_upto = 0;
  for (wal::XLogSegNo seg = wal::XLByteToSeg(start);; ++seg) {
    os::Result<os::FileStat> st =
        os.Stat(xlog::XLogFilePath(data_dir, server_version_num, tli, seg));
    if (!st.ok() || st->size == 0) break;
    std::vector<uint8_t> bytes(st->size);
    const wal::XLogRecPtr seg_start = wal::XLogSegNoOffsetToRecPtr(seg, 0);
    const bool awaited_1 = co_await xlog::XLogRead(os, data_dir, server_version_num, tli, seg_start,
                                                   absl::MakeSpan(bytes)) != os::Errno::kOk;
    if (awaited_1) {
      break;
    }
    buf.Write(seg_start, bytes);
    valid_upto = seg_start + bytes.size();
    if (static_cast<uint64_t>(st->size) < wal::kWalSegSize) break;
  }
  co_return ScanBuffer(buf, valid_upto, tli, system_identifier, start);
}

WalScan ScanWalSegments(
    const std::function<std::optional<std::string>(wal::XLogSegNo)>& read_segment,
    wal::TimeLineID tli, uint64_t system_identifier, wal::XLogRecPtr start) {
  wal::WalBuffer buf;
  wal::XLogRecPtr valid_upto = 0;
  for (wal::XLogSegNo seg = wal::XLByteToSeg(start);; ++seg) {
    std::optional<std::string> bytes = read_segment(seg);
    if (!bytes.has_value() || bytes->empty()) break;
    const wal::XLogRecPtr seg_start = wal::XLogSegNoOffsetToRecPtr(seg, 0);
    buf.Write(seg_start, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes->data()),
                                             bytes->size()));
    valid_upto = seg_start + bytes->size();
    if (bytes->size() < wal::kWalSegSize) break;
  }
  return ScanBuffer(buf, valid_upto, tli, system_identifier, start);
}

}  // namespace replsim::scenarios
