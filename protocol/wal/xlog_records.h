// File: protocol/wal/xlog_records.h
//
// Bodies of the record kinds the simulation writes and reads, PostgreSQL 15
// layouts on x86-64 (all little-endian, struct padding zero):
//
//  * XLOG rmgr (RM_XLOG_ID), src/include/catalog/pg_control.h:
//    CHECKPOINT_SHUTDOWN / CHECKPOINT_ONLINE carry CheckPoint (88 bytes):
//      0 redo u64   8 ThisTimeLineID u32   12 PrevTimeLineID u32
//      16 fullPageWrites bool, 7 pad   24 nextXid u64 (FullTransactionId)
//      32 nextOid   36 nextMulti   40 nextMultiOffset   44 oldestXid
//      48 oldestXidDB   52 oldestMulti   56 oldestMultiDB (u32 each), 4 pad
//      64 time i64   72 oldestCommitTsXid   76 newestCommitTsXid
//      80 oldestActiveXid (u32 each), 4 pad
//    END_OF_RECOVERY carries xl_end_of_recovery (16 bytes, xlog_internal.h):
//      0 end_time i64 (TimestampTz)   8 ThisTimeLineID u32   12 PrevTimeLineID
//    SWITCH has no data (CreateCheckPoint/RequestXLogSwitch); NOOP may carry
//    any bytes.
//  * Transaction rmgr (RM_XACT_ID), access/xact.h: COMMIT with
//    xl_xact_commit {xact_time i64}; xinfo follows only with
//    XLOG_XACT_HAS_INFO, which replsim never writes.
//  * Heap rmgr (RM_HEAP_ID), access/heapam_xlog.h: INSERT with main data
//    xl_heap_insert {offnum u16, flags u8} (3 bytes) and block 0 carrying
//    xl_heap_header {t_infomask2 u16, t_infomask u16, t_hoff u8} + tuple
//    bytes; XLOG_HEAP_INIT_PAGE (0x80) when the insert starts a fresh page.
//
// Make*Record builds a WalRecord (xl_prev is filled in by the WalBuilder);
// Decode* parse the bodies back, with clear errors on wrong sizes.
#ifndef REPLSIM_PROTOCOL_WAL_XLOG_RECORDS_H_
#define REPLSIM_PROTOCOL_WAL_XLOG_RECORDS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/record.h"

namespace replsim::wal {

// XLOG rmgr info codes (pg_control.h).
inline constexpr uint8_t XLOG_CHECKPOINT_SHUTDOWN = 0x00;
inline constexpr uint8_t XLOG_CHECKPOINT_ONLINE = 0x10;
inline constexpr uint8_t XLOG_NOOP = 0x20;
inline constexpr uint8_t XLOG_NEXTOID = 0x30;
inline constexpr uint8_t XLOG_SWITCH = 0x40;
inline constexpr uint8_t XLOG_BACKUP_END = 0x50;
inline constexpr uint8_t XLOG_PARAMETER_CHANGE = 0x60;
inline constexpr uint8_t XLOG_RESTORE_POINT = 0x70;
inline constexpr uint8_t XLOG_FPW_CHANGE = 0x80;
inline constexpr uint8_t XLOG_END_OF_RECOVERY = 0x90;
inline constexpr uint8_t XLOG_FPI_FOR_HINT = 0xA0;
inline constexpr uint8_t XLOG_FPI = 0xB0;
inline constexpr uint8_t XLOG_OVERWRITE_CONTRECORD = 0xD0;

// Transaction rmgr (xact.h).
inline constexpr uint8_t XLOG_XACT_COMMIT = 0x00;
inline constexpr uint8_t XLOG_XACT_OPMASK = 0x70;
inline constexpr uint8_t XLOG_XACT_HAS_INFO = 0x80;

// Heap rmgr (heapam_xlog.h).
inline constexpr uint8_t XLOG_HEAP_INSERT = 0x00;
inline constexpr uint8_t XLOG_HEAP_OPMASK = 0x70;
inline constexpr uint8_t XLOG_HEAP_INIT_PAGE = 0x80;

inline constexpr uint32_t kSizeOfCheckPoint = 88;
inline constexpr uint32_t kSizeOfEndOfRecovery = 16;
inline constexpr uint32_t kMinSizeOfXactCommit = 8;
inline constexpr uint32_t kSizeOfHeapInsert = 3;
inline constexpr uint32_t kSizeOfHeapHeader = 5;

struct CheckPoint {
  XLogRecPtr redo = 0;
  TimeLineID ThisTimeLineID = 0;
  TimeLineID PrevTimeLineID = 0;
  bool fullPageWrites = true;
  uint64_t nextXid = 0;  // FullTransactionId: epoch << 32 | xid
  Oid nextOid = 0;
  MultiXactId nextMulti = 0;
  MultiXactOffset nextMultiOffset = 0;
  TransactionId oldestXid = 0;
  Oid oldestXidDB = 0;
  MultiXactId oldestMulti = 0;
  Oid oldestMultiDB = 0;
  pg_time_t time = 0;
  TransactionId oldestCommitTsXid = 0;
  TransactionId newestCommitTsXid = 0;
  TransactionId oldestActiveXid = 0;
  bool operator==(const CheckPoint&) const = default;
};

struct xl_end_of_recovery {
  TimestampTz end_time = 0;
  TimeLineID ThisTimeLineID = 0;
  TimeLineID PrevTimeLineID = 0;
  bool operator==(const xl_end_of_recovery&) const = default;
};

std::vector<uint8_t> EncodeCheckPoint(const CheckPoint& cp);
absl::StatusOr<CheckPoint> DecodeCheckPoint(absl::Span<const uint8_t> data);
std::vector<uint8_t> EncodeEndOfRecovery(const xl_end_of_recovery& eor);
absl::StatusOr<xl_end_of_recovery> DecodeEndOfRecovery(
    absl::Span<const uint8_t> data);

// XLOG rmgr records (xl_xid 0, as PostgreSQL writes them).
WalRecord MakeCheckpointRecord(const CheckPoint& cp, bool shutdown);
WalRecord MakeSwitchRecord();
WalRecord MakeNoopRecord(absl::Span<const uint8_t> data = {});
WalRecord MakeEndOfRecoveryRecord(const xl_end_of_recovery& eor);

// COMMIT in its simplest form (xinfo = 0): xl_xact_commit {xact_time}.
WalRecord MakeCommitRecord(TransactionId xid, TimestampTz xact_time);

struct XactCommit {
  TimestampTz xact_time = 0;
  uint32_t xinfo = 0;  // 0 unless XLOG_XACT_HAS_INFO
};
// Reads a Transaction-rmgr COMMIT record's fixed part.
absl::StatusOr<XactCommit> DecodeXactCommit(const WalRecord& rec);

// A heap tuple insert, as the simulation's workload writes it.
struct HeapInsert {
  RelFileNode rnode;
  BlockNumber blkno = 0;
  OffsetNumber offnum = 0;
  uint8_t flags = 0;
  bool init_page = false;  // XLOG_HEAP_INIT_PAGE + BKPBLOCK_WILL_INIT
  uint16_t t_infomask2 = 0;
  uint16_t t_infomask = 0;
  uint8_t t_hoff = 0;
  std::vector<uint8_t> tuple_data;  // bytes after the tuple header's t_bits
  bool operator==(const HeapInsert&) const = default;
};
WalRecord MakeHeapInsertRecord(TransactionId xid, const HeapInsert& ins);
absl::StatusOr<HeapInsert> DecodeHeapInsert(const WalRecord& rec);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_XLOG_RECORDS_H_
