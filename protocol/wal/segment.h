// File: protocol/wal/segment.h
//
// WAL segment and page arithmetic of PostgreSQL 15
// (src/include/access/xlog_internal.h): XLByteToSeg, XLogSegmentOffset,
// XLogSegNoOffsetToRecPtr, XLByteInSeg, XLogFileName / XLogFromFileName,
// TLHistoryFileName, and page boundaries. replsim uses the defaults: 16 MiB
// segments (wal_segment_size) and 8 KiB pages (XLOG_BLCKSZ); the segment size
// is still a parameter, as in 15, defaulting to 16 MiB.
//
//   XLogFileName(1, XLByteToSeg(0x300AB38)) == "000000010000000000000003"
#ifndef REPLSIM_PROTOCOL_WAL_SEGMENT_H_
#define REPLSIM_PROTOCOL_WAL_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/wal/lsn.h"

namespace replsim::wal {

inline constexpr uint32_t kXLogBlcksz = 8192;             // XLOG_BLCKSZ
inline constexpr uint32_t kBlcksz = 8192;                 // BLCKSZ (data pages)
inline constexpr uint32_t kWalSegSize = 16 * 1024 * 1024;  // wal_segment_size

// XLogSegmentsPerXLogId: segments per 4 GiB "xlogid".
constexpr uint64_t XLogSegmentsPerXLogId(uint32_t seg_size = kWalSegSize) {
  return uint64_t{0x100000000} / seg_size;
}

constexpr XLogSegNo XLByteToSeg(XLogRecPtr p, uint32_t seg_size = kWalSegSize) {
  return p / seg_size;
}

// XLByteToPrevSeg: the segment holding the byte just before p (where a
// record ending exactly at a segment boundary lives).
constexpr XLogSegNo XLByteToPrevSeg(XLogRecPtr p,
                                    uint32_t seg_size = kWalSegSize) {
  return (p - 1) / seg_size;
}

constexpr uint32_t XLogSegmentOffset(XLogRecPtr p,
                                     uint32_t seg_size = kWalSegSize) {
  return static_cast<uint32_t>(p & (seg_size - 1));
}

constexpr XLogRecPtr XLogSegNoOffsetToRecPtr(XLogSegNo segno, uint32_t offset,
                                             uint32_t seg_size = kWalSegSize) {
  return segno * seg_size + offset;
}

constexpr bool XLByteInSeg(XLogRecPtr p, XLogSegNo segno,
                           uint32_t seg_size = kWalSegSize) {
  return p / seg_size == segno;
}

// Start of the 8 KiB WAL page holding p, and p's offset inside it.
constexpr XLogRecPtr XLogPageStart(XLogRecPtr p) { return p - p % kXLogBlcksz; }
constexpr uint32_t XLogPageOffset(XLogRecPtr p) {
  return static_cast<uint32_t>(p % kXLogBlcksz);
}
constexpr bool IsXLogPageBoundary(XLogRecPtr p) { return p % kXLogBlcksz == 0; }

// Bytes from p to the end of its page (kXLogBlcksz at a boundary).
constexpr uint32_t XLogPageBytesLeft(XLogRecPtr p) {
  return kXLogBlcksz - XLogPageOffset(p);
}

inline constexpr size_t kXLogFnameLen = 24;  // XLOG_FNAME_LEN

// XLogFileName: "%08X%08X%08X" of tli, segno / segs-per-id, segno % segs-per-id.
std::string XLogFileName(TimeLineID tli, XLogSegNo segno,
                         uint32_t seg_size = kWalSegSize);
// The same name, appended to `out` (a path being built).
void AppendXLogFileName(std::string* out, TimeLineID tli, XLogSegNo segno,
                        uint32_t seg_size = kWalSegSize);

// IsXLogFileName: exactly 24 characters of [0-9A-F].
bool IsXLogFileName(std::string_view name);

struct XLogFileId {
  TimeLineID tli = 0;
  XLogSegNo segno = 0;
};

// XLogFromFileName, with IsXLogFileName checked first; InvalidArgument names
// the file otherwise.
absl::StatusOr<XLogFileId> ParseXLogFileName(std::string_view name,
                                             uint32_t seg_size = kWalSegSize);

// TLHistoryFileName: "%08X.history".
std::string TLHistoryFileName(TimeLineID tli);

// IsTLHistoryFileName + the TLI it names.
absl::StatusOr<TimeLineID> ParseTLHistoryFileName(std::string_view name);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_SEGMENT_H_
