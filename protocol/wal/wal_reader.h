// File: protocol/wal/wal_reader.h
//
// Reads WAL records back out of page bytes the way PostgreSQL 15's
// xlogreader.c does (XLogReaderState, XLogBeginRead, XLogReadRecord with
// XLogDecodeNextRecord, ReadPageInternal, ValidXLogRecordHeader,
// ValidXLogRecord, XLogReaderValidatePageHeader), minus prefetching.
//
// The caller supplies pages through a synchronous callback: given a page
// start and how many bytes of it are needed, it copies at least that many
// bytes of the page into the 8 KiB buffer and returns how many are valid,
// or says "not available yet" (the walreceiver has not flushed that far),
// or fails.
//
// XLogReadRecord() returns:
//   * the decoded record: ReadRecPtr() is its start, EndRecPtr() the
//     MAXALIGNed end (for XLOG_SWITCH, the next segment's start);
//   * kUnavailable when a page is not available yet: nothing advanced, call
//     again later;
//   * kDataLoss with xlogreader's exact message when the WAL is invalid.
//     End of WAL looks the same as in PostgreSQL: zeroed space after the
//     last record gives "invalid record length at X/X: wanted 24, got 0",
//     a recycled segment "unexpected pageaddr ...". Nothing advances; a
//     retry re-reads the same record.
//   * the callback's own error status, unchanged.
// Checks: page headers (magic, info bits, long header vs pg_control,
// pageaddr, TLI never decreasing), the first page of each new segment,
// record headers (xl_tot_len >= 24, valid rmid, xl_prev equal to the
// previous record, or below the record's start right after XLogBeginRead),
// continuation flags and xlp_rem_len, the CRC, and the block headers.
#ifndef REPLSIM_PROTOCOL_WAL_WAL_READER_H_
#define REPLSIM_PROTOCOL_WAL_WAL_READER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/page_header.h"
#include "protocol/wal/record.h"
#include "protocol/wal/segment.h"
#include "protocol/wal/wal_buffer.h"

namespace replsim::wal {

struct PageReadResult {
  // OK: read_len bytes of the page (>= the request) are in the buffer.
  // kUnavailable: not there yet. Anything else: a read error.
  absl::Status status;
  uint32_t read_len = 0;
  // TLI of the segment file the page came from (names files in messages).
  TimeLineID file_tli = 0;
};

// (page_ptr, req_len, page buffer of kXLogBlcksz bytes).
using PageReadCallback = absl::AnyInvocable<PageReadResult(
    XLogRecPtr, uint32_t, absl::Span<uint8_t>)>;

// A page callback over a WalBuffer holding valid WAL up to valid_upto
// (e.g. the flush pointer): unavailable beyond it or on an absent page.
PageReadResult ReadPageFromWalBuffer(const WalBuffer& buffer,
                                     XLogRecPtr valid_upto,
                                     TimeLineID file_tli, XLogRecPtr page_ptr,
                                     uint32_t req_len, absl::Span<uint8_t> out);

struct XLogReaderOptions {
  uint64_t system_identifier = 0;  // 0 = do not check xlp_sysid
  uint32_t seg_size = kWalSegSize;
};

class XLogReaderState {
 public:
  XLogReaderState(const XLogReaderOptions& options, PageReadCallback page_read);

  // Next XLogReadRecord starts at rec_ptr (a record start, or a page
  // boundary whose first record is wanted). CHECKs rec_ptr is valid and
  // MAXALIGNed. Drops the cached page, so bytes rewritten since are seen.
  void XLogBeginRead(XLogRecPtr rec_ptr);

  absl::StatusOr<const WalRecord*> XLogReadRecord();

  XLogRecPtr ReadRecPtr() const { return ReadRecPtr_; }
  XLogRecPtr EndRecPtr() const { return EndRecPtr_; }
  // The last record returned, and its raw xl_tot_len bytes.
  const WalRecord* record() const { return record_ ? &*record_ : nullptr; }
  absl::Span<const uint8_t> record_bytes() const { return record_bytes_; }
  // Where a record spanning pages was cut off by the last failure
  // (abortedRecPtr / missingContrecPtr), Invalid otherwise.
  XLogRecPtr abortedRecPtr() const { return abortedRecPtr_; }
  XLogRecPtr missingContrecPtr() const { return missingContrecPtr_; }
  // Set when a continuation page said XLP_FIRST_IS_OVERWRITE_CONTRECORD.
  XLogRecPtr overwrittenRecPtr() const { return overwrittenRecPtr_; }
  TimeLineID latestPageTLI() const { return latest_page_tli_; }
  XLogRecPtr latestPagePtr() const { return latest_page_ptr_; }

 private:
  // ReadPageInternal: makes at least req_len bytes of the page at page_ptr
  // available in page_ and validates its header (and, on entering a new
  // segment, the segment's first page).
  absl::Status ReadPage(XLogRecPtr page_ptr, uint32_t req_len);
  absl::Status ValidateHeaderOf(XLogRecPtr page_ptr,
                                absl::Span<const uint8_t> bytes,
                                TimeLineID file_tli);
  absl::Status ValidRecordHeader(XLogRecPtr rec_ptr, absl::Span<const uint8_t> hdr,
                                 bool rand_access) const;
  const XLogPageHeaderData& page_header() const { return page_hdr_; }

  XLogReaderOptions options_;
  PageReadCallback page_read_;

  XLogRecPtr ReadRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr EndRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr NextRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr DecodeRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr abortedRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr missingContrecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr overwrittenRecPtr_ = InvalidXLogRecPtr;
  XLogRecPtr latest_page_ptr_ = 0;
  TimeLineID latest_page_tli_ = 0;

  // The page in page_ (valid when read_len_ > 0).
  std::vector<uint8_t> page_;
  XLogRecPtr page_ptr_ = 0;
  uint32_t read_len_ = 0;
  XLogPageHeaderData page_hdr_;
  std::optional<XLogSegNo> seg_no_;  // segment whose first page was checked

  std::optional<WalRecord> record_;
  std::vector<uint8_t> record_bytes_;
  std::vector<uint8_t> spare_bytes_;  // a buffer to assemble the next record in
};

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_WAL_READER_H_
