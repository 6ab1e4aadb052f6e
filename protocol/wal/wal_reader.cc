#include "protocol/wal/wal_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::wal {
namespace {

#define REPLSIM_WAL_RETURN_IF_ERROR(expr) \
  do {                                    \
    absl::Status _st = (expr);            \
    if (!_st.ok()) return _st;            \
  } while (0)

template <typename... Args>
absl::Status Invalid(const absl::FormatSpec<Args...>& fmt, const Args&... args) {
  return absl::DataLossError(absl::StrFormat(fmt, args...));
}

}  // namespace

PageReadResult ReadPageFromWalBuffer(const WalBuffer& buffer,
                                     XLogRecPtr valid_upto,
                                     TimeLineID file_tli, XLogRecPtr page_ptr,
                                     uint32_t req_len,
                                     absl::Span<uint8_t> out) {
  CHECK_EQ(out.size(), kXLogBlcksz);
  PageReadResult r;
  r.file_tli = file_tli;
  if (page_ptr >= valid_upto || valid_upto - page_ptr < req_len) {
    r.status = absl::UnavailableError(absl::StrFormat(
        "WAL up to %s is not available yet (valid up to %s)",
        LsnToString(page_ptr + req_len), LsnToString(valid_upto)));
    return r;
  }
  uint32_t n = static_cast<uint32_t>(
      std::min<uint64_t>(kXLogBlcksz, valid_upto - page_ptr));
  std::fill(out.begin(), out.end(), 0);
  if (!buffer.Read(page_ptr, out.subspan(0, n))) {
    r.status = absl::UnavailableError(absl::StrFormat(
        "WAL page %s is not in the buffer", LsnToString(page_ptr)));
    return r;
  }
  r.read_len = n;
  return r;
}

XLogReaderState::XLogReaderState(const XLogReaderOptions& options,
                                 PageReadCallback page_read)
    : options_(options),
      page_read_(std::move(page_read)),
      page_(kXLogBlcksz, 0) {}

void XLogReaderState::XLogBeginRead(XLogRecPtr rec_ptr) {
  CHECK(!XLogRecPtrIsInvalid(rec_ptr));
  CHECK_EQ(rec_ptr % kMaxAlign, 0u) << LsnToString(rec_ptr);
  EndRecPtr_ = NextRecPtr_ = rec_ptr;
  ReadRecPtr_ = DecodeRecPtr_ = InvalidXLogRecPtr;
  record_.reset();
  record_bytes_.clear();
  // Forget the cached page: the bytes at the new position may be new.
  read_len_ = 0;
  seg_no_.reset();
}

absl::Status XLogReaderState::ValidateHeaderOf(XLogRecPtr page_ptr,
                                               absl::Span<const uint8_t> bytes,
                                               TimeLineID file_tli) {
  absl::StatusOr<XLogPageHeaderData> hdr = DecodePageHeader(bytes);
  if (!hdr.ok()) return hdr.status();
  PageValidationContext ctx;
  ctx.system_identifier = options_.system_identifier;
  ctx.seg_size = options_.seg_size;
  ctx.file_tli = file_tli;
  ctx.latest_page_ptr = latest_page_ptr_;
  ctx.latest_page_tli = latest_page_tli_;
  REPLSIM_WAL_RETURN_IF_ERROR(ValidatePageHeader(ctx, page_ptr, *hdr));
  latest_page_ptr_ = page_ptr;
  latest_page_tli_ = hdr->xlp_tli;
  page_hdr_ = *hdr;
  return absl::OkStatus();
}

absl::Status XLogReaderState::ReadPage(XLogRecPtr page_ptr, uint32_t req_len) {
  req_len = std::max(req_len, kSizeOfXLogShortPHD);
  CHECK_LE(req_len, kXLogBlcksz);
  if (read_len_ > 0 && page_ptr == page_ptr_ && req_len <= read_len_) {
    return absl::OkStatus();
  }
  read_len_ = 0;
  XLogSegNo segno = XLByteToSeg(page_ptr, options_.seg_size);
  uint32_t offset = XLogSegmentOffset(page_ptr, options_.seg_size);
  if (seg_no_ != segno && offset != 0) {
    // Entering a segment mid-way: check its first (long) header too.
    XLogRecPtr seg_start = page_ptr - offset;
    PageReadResult r = page_read_(seg_start, kXLogBlcksz, absl::MakeSpan(page_));
    if (!r.status.ok()) return r.status;
    CHECK_GE(r.read_len, kSizeOfXLogShortPHD);
    REPLSIM_WAL_RETURN_IF_ERROR(ValidateHeaderOf(
        seg_start, absl::MakeConstSpan(page_).subspan(0, r.read_len),
        r.file_tli));
  }
  PageReadResult r = page_read_(page_ptr, req_len, absl::MakeSpan(page_));
  if (!r.status.ok()) return r.status;
  CHECK_GE(r.read_len, req_len);
  CHECK_LE(r.read_len, kXLogBlcksz);
  if ((LoadU16(page_.data() + 2) & XLP_LONG_HEADER) &&
      r.read_len < kSizeOfXLogLongPHD) {
    r = page_read_(page_ptr, kSizeOfXLogLongPHD, absl::MakeSpan(page_));
    if (!r.status.ok()) return r.status;
    CHECK_GE(r.read_len, kSizeOfXLogLongPHD);
  }
  REPLSIM_WAL_RETURN_IF_ERROR(ValidateHeaderOf(
      page_ptr, absl::MakeConstSpan(page_).subspan(0, r.read_len),
      r.file_tli));
  seg_no_ = segno;
  page_ptr_ = page_ptr;
  read_len_ = r.read_len;
  return absl::OkStatus();
}

absl::Status XLogReaderState::ValidRecordHeader(XLogRecPtr rec_ptr,
                                                absl::Span<const uint8_t> hdr,
                                                bool rand_access) const {
  XLogRecord rec = LoadXLogRecord(hdr);
  if (rec.xl_tot_len < kSizeOfXLogRecord) {
    return Invalid("invalid record length at %s: wanted %u, got %u",
                   LsnToString(rec_ptr), kSizeOfXLogRecord, rec.xl_tot_len);
  }
  if (!RmgrIdIsValid(rec.xl_rmid)) {
    return Invalid("invalid resource manager ID %u at %s", rec.xl_rmid,
                   LsnToString(rec_ptr));
  }
  bool prev_ok = rand_access ? rec.xl_prev < rec_ptr
                             : rec.xl_prev == DecodeRecPtr_;
  if (!prev_ok) {
    return Invalid("record with incorrect prev-link %s at %s",
                   LsnToString(rec.xl_prev), LsnToString(rec_ptr));
  }
  return absl::OkStatus();
}

absl::StatusOr<const WalRecord*> XLogReaderState::XLogReadRecord() {
  abortedRecPtr_ = missingContrecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr RecPtr = NextRecPtr_;
  const bool rand_access = XLogRecPtrIsInvalid(DecodeRecPtr_);
  bool assembled = false;
  XLogRecPtr targetPagePtr = 0;
  std::vector<uint8_t> buf = std::move(spare_bytes_);  // its capacity, not its bytes
  buf.clear();
  XLogRecPtr next = 0;

  auto fail = [&](absl::Status st) -> absl::Status {
    spare_bytes_ = std::move(buf);
    if (assembled) {
      abortedRecPtr_ = RecPtr;
      missingContrecPtr_ = targetPagePtr;
    }
    read_len_ = 0;  // XLogReaderInvalReadState
    seg_no_.reset();
    return st;
  };
#define READ_OR_FAIL(expr)                      \
  do {                                          \
    absl::Status _st = (expr);                  \
    if (!_st.ok()) return fail(std::move(_st)); \
  } while (0)

  for (bool restart = true; restart;) {
    restart = false;
    assembled = false;
    buf.clear();
    targetPagePtr = XLogPageStart(RecPtr);
    uint32_t targetRecOff = XLogPageOffset(RecPtr);
    READ_OR_FAIL(ReadPage(targetPagePtr,
                          std::min(targetRecOff + kSizeOfXLogRecord, kXLogBlcksz)));
    uint32_t hdr_size = page_header().size();
    if (targetRecOff == 0) {
      RecPtr += hdr_size;
      targetRecOff = hdr_size;
      READ_OR_FAIL(ReadPage(targetPagePtr, targetRecOff + kSizeOfXLogRecord));
    } else if (targetRecOff < hdr_size) {
      return fail(Invalid("invalid record offset at %s", LsnToString(RecPtr)));
    }
    if ((page_header().xlp_info & XLP_FIRST_IS_CONTRECORD) &&
        targetRecOff == hdr_size) {
      return fail(Invalid("contrecord is requested by %s", LsnToString(RecPtr)));
    }
    uint32_t total_len = LoadU32(page_.data() + targetRecOff);
    bool gotheader = false;
    if (targetRecOff <= kXLogBlcksz - kSizeOfXLogRecord) {
      READ_OR_FAIL(ValidRecordHeader(
          RecPtr, absl::MakeConstSpan(page_).subspan(targetRecOff, kSizeOfXLogRecord),
          rand_access));
      gotheader = true;
    } else if (total_len < kSizeOfXLogRecord) {
      return fail(Invalid("invalid record length at %s: wanted %u, got %u",
                          LsnToString(RecPtr), kSizeOfXLogRecord, total_len));
    }
    uint32_t len = kXLogBlcksz - targetRecOff;
    if (total_len <= len) {
      READ_OR_FAIL(ReadPage(targetPagePtr, targetRecOff + total_len));
      buf.assign(page_.begin() + targetRecOff,
                 page_.begin() + targetRecOff + total_len);
      READ_OR_FAIL(CheckRecordCrc(buf, RecPtr));
      next = RecPtr + MaxAlign(total_len);
      break;
    }
    // The record continues on following pages: reassemble it.
    assembled = true;
    READ_OR_FAIL(ReadPage(targetPagePtr, kXLogBlcksz));
    buf.assign(page_.begin() + targetRecOff, page_.end());
    uint64_t gotlen = len;
    do {
      targetPagePtr += kXLogBlcksz;
      READ_OR_FAIL(ReadPage(targetPagePtr, kSizeOfXLogShortPHD));
      const XLogPageHeaderData& ph = page_header();
      if (ph.xlp_info & XLP_FIRST_IS_OVERWRITE_CONTRECORD) {
        overwrittenRecPtr_ = RecPtr;
        RecPtr = targetPagePtr;
        restart = true;
        break;
      }
      if (!(ph.xlp_info & XLP_FIRST_IS_CONTRECORD)) {
        return fail(Invalid("there is no contrecord flag at %s",
                            LsnToString(RecPtr)));
      }
      if (ph.xlp_rem_len == 0 || total_len != ph.xlp_rem_len + gotlen) {
        return fail(Invalid("invalid contrecord length %u (expected %d) at %s",
                            ph.xlp_rem_len,
                            static_cast<int64_t>(total_len) -
                                static_cast<int64_t>(gotlen),
                            LsnToString(RecPtr)));
      }
      uint32_t ph_size = ph.size();
      uint32_t rem_len = ph.xlp_rem_len;
      uint32_t piece = std::min(kXLogBlcksz - ph_size, rem_len);
      READ_OR_FAIL(ReadPage(targetPagePtr, ph_size + piece));
      buf.insert(buf.end(), page_.begin() + ph_size,
                 page_.begin() + ph_size + piece);
      gotlen += piece;
      if (!gotheader) {
        READ_OR_FAIL(ValidRecordHeader(
            RecPtr, absl::MakeConstSpan(buf).subspan(0, kSizeOfXLogRecord),
            rand_access));
        gotheader = true;
      }
      next = targetPagePtr + ph_size + MaxAlign(rem_len);
    } while (gotlen < total_len);
    if (restart) continue;
    READ_OR_FAIL(CheckRecordCrc(buf, RecPtr));
  }
#undef READ_OR_FAIL

  XLogRecord hdr = LoadXLogRecord(buf);
  if (hdr.xl_rmid == RM_XLOG_ID &&
      (hdr.xl_info & XLR_RMGR_INFO_MASK) == XLOG_SWITCH) {
    // Pretend the switch record extends to the end of its segment.
    next += options_.seg_size - 1;
    next -= XLogSegmentOffset(next, options_.seg_size);
  }
  absl::StatusOr<WalRecord> decoded = DecodeXLogRecord(buf, RecPtr);
  if (!decoded.ok()) return fail(decoded.status());
  DecodeRecPtr_ = ReadRecPtr_ = RecPtr;
  NextRecPtr_ = EndRecPtr_ = next;
  record_ = std::move(*decoded);
  spare_bytes_ = std::move(record_bytes_);
  record_bytes_ = std::move(buf);
  return &*record_;
}

}  // namespace replsim::wal
