#include "protocol/wal/page_header.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/wal/byte_codec.h"

namespace replsim::wal {

void StorePageHeader(const XLogPageHeaderData& hdr, absl::Span<uint8_t> out) {
  CHECK_GE(out.size(), hdr.size());
  uint8_t* p = out.data();
  StoreU16(p + 0, hdr.xlp_magic);
  StoreU16(p + 2, hdr.xlp_info);
  StoreU32(p + 4, hdr.xlp_tli);
  StoreU64(p + 8, hdr.xlp_pageaddr);
  StoreU32(p + 16, hdr.xlp_rem_len);
  StoreU32(p + 20, 0);  // alignment padding
  if (hdr.is_long()) {
    StoreU64(p + 24, hdr.xlp_sysid);
    StoreU32(p + 32, hdr.xlp_seg_size);
    StoreU32(p + 36, hdr.xlp_xlog_blcksz);
  }
}

std::vector<uint8_t> EncodePageHeader(const XLogPageHeaderData& hdr) {
  std::vector<uint8_t> out(hdr.size());
  StorePageHeader(hdr, absl::MakeSpan(out));
  return out;
}

absl::StatusOr<XLogPageHeaderData> DecodePageHeader(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kSizeOfXLogShortPHD) {
    return absl::DataLossError(absl::StrFormat(
        "WAL page header needs %u bytes, got %u", kSizeOfXLogShortPHD,
        bytes.size()));
  }
  const uint8_t* p = bytes.data();
  XLogPageHeaderData hdr;
  hdr.xlp_magic = LoadU16(p + 0);
  hdr.xlp_info = LoadU16(p + 2);
  hdr.xlp_tli = LoadU32(p + 4);
  hdr.xlp_pageaddr = LoadU64(p + 8);
  hdr.xlp_rem_len = LoadU32(p + 16);
  if (hdr.is_long()) {
    if (bytes.size() < kSizeOfXLogLongPHD) {
      return absl::DataLossError(absl::StrFormat(
          "long WAL page header needs %u bytes, got %u", kSizeOfXLogLongPHD,
          bytes.size()));
    }
    hdr.xlp_sysid = LoadU64(p + 24);
    hdr.xlp_seg_size = LoadU32(p + 32);
    hdr.xlp_xlog_blcksz = LoadU32(p + 36);
  }
  return hdr;
}

absl::Status ValidatePageHeader(const PageValidationContext& ctx,
                                XLogRecPtr recptr,
                                const XLogPageHeaderData& hdr) {
  CHECK(IsXLogPageBoundary(recptr)) << LsnToString(recptr);
  XLogSegNo segno = XLByteToSeg(recptr, ctx.seg_size);
  uint32_t offset = XLogSegmentOffset(recptr, ctx.seg_size);
  // Named only in an error: most pages are valid, so it is built on demand.
  auto fname = [&] { return XLogFileName(ctx.file_tli, segno, ctx.seg_size); };

  if (hdr.xlp_magic != kXLogPageMagic) {
    return absl::DataLossError(absl::StrFormat(
        "invalid magic number %04X in log segment %s, offset %u",
        hdr.xlp_magic, fname(), offset));
  }
  if ((hdr.xlp_info & ~XLP_ALL_FLAGS) != 0) {
    return absl::DataLossError(absl::StrFormat(
        "invalid info bits %04X in log segment %s, offset %u", hdr.xlp_info,
        fname(), offset));
  }
  if (hdr.is_long()) {
    if (ctx.system_identifier != 0 &&
        hdr.xlp_sysid != ctx.system_identifier) {
      return absl::DataLossError(absl::StrFormat(
          "WAL file is from different database system: WAL file database "
          "system identifier is %u, pg_control database system identifier "
          "is %u",
          hdr.xlp_sysid, ctx.system_identifier));
    }
    if (hdr.xlp_seg_size != ctx.seg_size) {
      return absl::DataLossError(
          "WAL file is from different database system: incorrect segment "
          "size in page header");
    }
    if (hdr.xlp_xlog_blcksz != kXLogBlcksz) {
      return absl::DataLossError(
          "WAL file is from different database system: incorrect "
          "XLOG_BLCKSZ in page header");
    }
  } else if (offset == 0) {
    // The first page of a segment must have a long header.
    return absl::DataLossError(absl::StrFormat(
        "invalid info bits %04X in log segment %s, offset %u", hdr.xlp_info,
        fname(), offset));
  }
  if (hdr.xlp_pageaddr != recptr) {
    return absl::DataLossError(absl::StrFormat(
        "unexpected pageaddr %s in log segment %s, offset %u",
        LsnToString(hdr.xlp_pageaddr), fname(), offset));
  }
  if (recptr > ctx.latest_page_ptr && hdr.xlp_tli < ctx.latest_page_tli) {
    return absl::DataLossError(absl::StrFormat(
        "out-of-sequence timeline ID %u (after %u) in log segment %s, "
        "offset %u",
        hdr.xlp_tli, ctx.latest_page_tli, fname(), offset));
  }
  return absl::OkStatus();
}

}  // namespace replsim::wal
