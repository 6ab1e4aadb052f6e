// File: protocol/wal/wal_builder.h
//
// Places records into the WAL stream the way PostgreSQL 15's XLogInsert
// does (xlog.c: ReserveXLogInsertLocation, ReserveXLogSwitch,
// CopyXLogRecordToWAL, AdvanceXLInsertBuffer):
//  * a record starts MAXALIGNed; at a page boundary it starts after the page
//    header (long, 40 bytes, at a segment start; short, 24, elsewhere);
//  * a record that does not fit continues on the next page right after that
//    page's header, which gets XLP_FIRST_IS_CONTRECORD and xlp_rem_len (bytes
//    of the record still to come), across segments alike;
//  * every page header carries xlp_tli (the builder's timeline),
//    xlp_pageaddr and XLP_BKP_REMOVABLE unless an online backup forces page
//    writes; segment-first pages carry sysid, segment size and XLOG_BLCKSZ;
//  * xl_prev is the previous record's start, and xl_crc is computed here;
//  * the insert position after a record is MAXALIGN(its end): EndRecPtr;
//  * XLOG_SWITCH consumes the rest of its segment (its EndRecPtr is the next
//    segment's start; the rest of the page and the following pages are zero,
//    headers included, as 15 writes them), and is not inserted at all when
//    the insert position is already at a segment start (ReserveXLogSwitch).
//
// Positions are "end" pointers like XLogBytePosToEndRecPtr: at a page
// boundary the insert position is the boundary itself, and
// NextRecordStart() is where the next record would begin
// (XLogBytePosToRecPtr), e.g. the REDO pointer of a shutdown checkpoint.
//
//   WalBuilder b(options, /*tli=*/1, /*insert=*/0x3000000, /*prev=*/0x2000100);
//   XLogInsertResult r = b.Insert(MakeSwitchRecord(), &buffer);
#ifndef REPLSIM_PROTOCOL_WAL_WAL_BUILDER_H_
#define REPLSIM_PROTOCOL_WAL_WAL_BUILDER_H_

#include <cstdint>

#include "protocol/wal/lsn.h"
#include "protocol/wal/page_header.h"
#include "protocol/wal/record.h"
#include "protocol/wal/segment.h"
#include "protocol/wal/wal_buffer.h"

namespace replsim::wal {

struct WalBuilderOptions {
  uint64_t system_identifier = 0;  // xlp_sysid of long headers
  uint32_t seg_size = kWalSegSize;
  // !Insert->forcePageWrites: no online backup running.
  bool bkp_removable = true;
};

struct XLogInsertResult {
  bool inserted = true;  // false only for a switch at a segment start
  XLogRecPtr ReadRecPtr = InvalidXLogRecPtr;  // where the record starts
  XLogRecPtr EndRecPtr = InvalidXLogRecPtr;   // insert position after it
};

class WalBuilder {
 public:
  // insert_pos: the current end of WAL (a record end or a page boundary,
  // CHECKed MAXALIGNed); prev_record: start of the last record there.
  WalBuilder(const WalBuilderOptions& options, TimeLineID tli,
             XLogRecPtr insert_pos, XLogRecPtr prev_record);

  // Places `rec` (xl_prev set here) into `out` and advances.
  XLogInsertResult Insert(const WalRecord& rec, WalBuffer* out);

  XLogRecPtr CurrInsertPos() const { return insert_pos_; }
  XLogRecPtr NextRecordStart() const;
  XLogRecPtr PrevRecord() const { return prev_record_; }
  TimeLineID tli() const { return tli_; }
  // Pages initialized after this carry the new TLI (end of recovery).
  void SetTimeLine(TimeLineID tli) { tli_ = tli; }
  void set_bkp_removable(bool v) { options_.bkp_removable = v; }

 private:
  XLogPageHeaderData HeaderFor(XLogRecPtr page_ptr, uint32_t rem_len) const;
  // Writes the page header at page_ptr; returns the first byte after it.
  XLogRecPtr StartPage(XLogRecPtr page_ptr, uint32_t rem_len,
                       WalBuffer* out) const;

  WalBuilderOptions options_;
  TimeLineID tli_;
  XLogRecPtr insert_pos_;
  XLogRecPtr prev_record_;
};

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_WAL_BUILDER_H_
