#include "protocol/wal/wal_builder.h"

#include <algorithm>

#include "protocol/os/check.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::wal {

WalBuilder::WalBuilder(const WalBuilderOptions& options, TimeLineID tli,
                       XLogRecPtr insert_pos, XLogRecPtr prev_record)
    : options_(options),
      tli_(tli),
      insert_pos_(insert_pos),
      prev_record_(prev_record) {
  CHECK_EQ(insert_pos % kMaxAlign, 0u) << LsnToString(insert_pos);
  CHECK(IsXLogPageBoundary(insert_pos) || XRecOffIsValid(insert_pos))
      << LsnToString(insert_pos);
}

XLogRecPtr WalBuilder::NextRecordStart() const {
  if (!IsXLogPageBoundary(insert_pos_)) return insert_pos_;
  return insert_pos_ + PageHeaderSizeAt(insert_pos_, options_.seg_size);
}

XLogPageHeaderData WalBuilder::HeaderFor(XLogRecPtr page_ptr,
                                         uint32_t rem_len) const {
  XLogPageHeaderData h;
  h.xlp_tli = tli_;
  h.xlp_pageaddr = page_ptr;
  h.xlp_rem_len = rem_len;
  if (options_.bkp_removable) h.xlp_info |= XLP_BKP_REMOVABLE;
  if (rem_len > 0) h.xlp_info |= XLP_FIRST_IS_CONTRECORD;
  if (XLogSegmentOffset(page_ptr, options_.seg_size) == 0) {
    h.xlp_info |= XLP_LONG_HEADER;
    h.xlp_sysid = options_.system_identifier;
    h.xlp_seg_size = options_.seg_size;
    h.xlp_xlog_blcksz = kXLogBlcksz;
  }
  return h;
}

XLogRecPtr WalBuilder::StartPage(XLogRecPtr page_ptr, uint32_t rem_len,
                                 WalBuffer* out) const {
  // A page is initialized whole (AdvanceXLInsertBuffer zeroes it first).
  out->WriteZeros(page_ptr, kXLogBlcksz);
  std::vector<uint8_t> hdr = EncodePageHeader(HeaderFor(page_ptr, rem_len));
  out->Write(page_ptr, hdr);
  return page_ptr + hdr.size();
}

XLogInsertResult WalBuilder::Insert(const WalRecord& rec, WalBuffer* out) {
  bool is_switch = rec.rmid() == RM_XLOG_ID && rec.info() == XLOG_SWITCH;
  uint32_t seg_size = options_.seg_size;
  if (is_switch && XLogSegmentOffset(insert_pos_, seg_size) == 0) {
    return {false, insert_pos_, insert_pos_};
  }
  XLogRecord header = rec.header;
  header.xl_prev = prev_record_;
  std::vector<uint8_t> bytes = EncodeXLogRecord(header, rec);
  CHECK(!is_switch || bytes.size() == kSizeOfXLogRecord);

  XLogRecPtr cur = insert_pos_;
  if (IsXLogPageBoundary(cur)) cur = StartPage(cur, 0, out);
  XLogRecPtr start = cur;
  size_t written = 0;
  while (true) {
    size_t n = std::min<size_t>(XLogPageBytesLeft(cur), bytes.size() - written);
    out->Write(cur, absl::MakeConstSpan(bytes).subspan(written, n));
    written += n;
    cur += n;
    if (written == bytes.size()) break;
    cur = StartPage(cur, static_cast<uint32_t>(bytes.size() - written), out);
  }
  XLogRecPtr end = MaxAlign(cur);
  if (end != cur) out->WriteZeros(cur, end - cur);
  if (is_switch && XLogSegmentOffset(end, seg_size) != 0) {
    XLogRecPtr seg_end =
        XLogSegNoOffsetToRecPtr(XLByteToSeg(end, seg_size) + 1, 0, seg_size);
    out->WriteZeros(end, seg_end - end);
    end = seg_end;
  }
  prev_record_ = start;
  insert_pos_ = end;
  return {true, start, end};
}

}  // namespace replsim::wal
