// File: protocol/wal/page_header.h
//
// The header at the start of every 8 KiB WAL page, PostgreSQL 15
// (XLogPageHeaderData / XLogLongPageHeaderData in xlog_internal.h), and the
// checks XLogReaderValidatePageHeader (xlogreader.c) applies to it.
//
// Short header, SizeOfXLogShortPHD = MAXALIGN(20) = 24 bytes, little-endian:
//   0 xlp_magic u16 (0xD110 in 15)   2 xlp_info u16   4 xlp_tli u32
//   8 xlp_pageaddr u64   16 xlp_rem_len u32   20 4 zero pad bytes
// Long header (first page of each segment, XLP_LONG_HEADER),
// SizeOfXLogLongPHD = 40:  24 xlp_sysid u64   32 xlp_seg_size u32
//   36 xlp_xlog_blcksz u32
//
// Validation errors use xlogreader.c's exact wording ("invalid magic number
// %04X in log segment %s, offset %u", "unexpected pageaddr %X/%X in log
// segment ...", "out-of-sequence timeline ID ...").
#ifndef REPLSIM_PROTOCOL_WAL_PAGE_HEADER_H_
#define REPLSIM_PROTOCOL_WAL_PAGE_HEADER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"

namespace replsim::wal {

inline constexpr uint16_t kXLogPageMagic = 0xD110;  // XLOG_PAGE_MAGIC, 15

// xlp_info flags.
inline constexpr uint16_t XLP_FIRST_IS_CONTRECORD = 0x0001;
inline constexpr uint16_t XLP_LONG_HEADER = 0x0002;
inline constexpr uint16_t XLP_BKP_REMOVABLE = 0x0004;
inline constexpr uint16_t XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
inline constexpr uint16_t XLP_ALL_FLAGS = 0x000F;

inline constexpr uint32_t kSizeOfXLogShortPHD = 24;  // SizeOfXLogShortPHD
inline constexpr uint32_t kSizeOfXLogLongPHD = 40;   // SizeOfXLogLongPHD

// XRecOffIsValid: a record cannot start inside a page's short header.
constexpr bool XRecOffIsValid(XLogRecPtr p) {
  return p % kXLogBlcksz >= kSizeOfXLogShortPHD;
}

// Header size of the page starting at page_ptr, as the writer lays it out
// (long at a segment start).
constexpr uint32_t PageHeaderSizeAt(XLogRecPtr page_ptr,
                                    uint32_t seg_size = kWalSegSize) {
  return XLogSegmentOffset(page_ptr, seg_size) == 0 ? kSizeOfXLogLongPHD
                                                    : kSizeOfXLogShortPHD;
}

struct XLogPageHeaderData {
  uint16_t xlp_magic = kXLogPageMagic;
  uint16_t xlp_info = 0;
  TimeLineID xlp_tli = 0;
  XLogRecPtr xlp_pageaddr = 0;
  uint32_t xlp_rem_len = 0;
  // Meaningful only with XLP_LONG_HEADER.
  uint64_t xlp_sysid = 0;
  uint32_t xlp_seg_size = 0;
  uint32_t xlp_xlog_blcksz = 0;

  bool is_long() const { return (xlp_info & XLP_LONG_HEADER) != 0; }
  // XLogPageHeaderSize(hdr).
  uint32_t size() const {
    return is_long() ? kSizeOfXLogLongPHD : kSizeOfXLogShortPHD;
  }
  bool operator==(const XLogPageHeaderData&) const = default;
};

// The 24 or 40 header bytes (padding zero).
std::vector<uint8_t> EncodePageHeader(const XLogPageHeaderData& hdr);
// Writes the header into out[0, hdr.size()); CHECKs out is big enough.
void StorePageHeader(const XLogPageHeaderData& hdr, absl::Span<uint8_t> out);

// Reads a header from the start of `bytes`: at least 24 bytes, and 40 when
// xlp_info says long. No semantic checks (see ValidatePageHeader).
absl::StatusOr<XLogPageHeaderData> DecodePageHeader(
    absl::Span<const uint8_t> bytes);

// What XLogReaderValidatePageHeader compares a header against.
struct PageValidationContext {
  // 0 = do not check xlp_sysid (state->system_identifier unset).
  uint64_t system_identifier = 0;
  uint32_t seg_size = kWalSegSize;
  // TLI of the segment file being read; only used to name the file in
  // messages (state->seg.ws_tli).
  TimeLineID file_tli = 0;
  // Last page validated before, for the TLI-never-goes-backwards check.
  XLogRecPtr latest_page_ptr = 0;
  TimeLineID latest_page_tli = 0;
};

// XLogReaderValidatePageHeader for the page at recptr (a page boundary,
// CHECKed). DataLoss with PostgreSQL's message on failure. The caller
// updates latest_page_ptr/latest_page_tli on success.
absl::Status ValidatePageHeader(const PageValidationContext& ctx,
                                XLogRecPtr recptr,
                                const XLogPageHeaderData& hdr);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_PAGE_HEADER_H_
