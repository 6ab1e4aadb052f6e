#include "protocol/wal/xlog_records.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/rmgr.h"

namespace replsim::wal {
namespace {

absl::Status WrongSize(const char* what, size_t want, size_t got) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: wanted %u bytes, got %u", what, want, got));
}

WalRecord XlogRecord(uint8_t info, std::vector<uint8_t> data) {
  WalRecord rec;
  rec.header.xl_rmid = RM_XLOG_ID;
  rec.header.xl_info = info;
  rec.main_data = std::move(data);
  return rec;
}

}  // namespace

std::vector<uint8_t> EncodeCheckPoint(const CheckPoint& cp) {
  std::vector<uint8_t> out;
  out.reserve(kSizeOfCheckPoint);
  ByteWriter w(&out);
  w.U64(cp.redo);
  w.U32(cp.ThisTimeLineID);
  w.U32(cp.PrevTimeLineID);
  w.U8(cp.fullPageWrites ? 1 : 0);
  w.Zeros(7);
  w.U64(cp.nextXid);
  w.U32(cp.nextOid);
  w.U32(cp.nextMulti);
  w.U32(cp.nextMultiOffset);
  w.U32(cp.oldestXid);
  w.U32(cp.oldestXidDB);
  w.U32(cp.oldestMulti);
  w.U32(cp.oldestMultiDB);
  w.Zeros(4);
  w.U64(static_cast<uint64_t>(cp.time));
  w.U32(cp.oldestCommitTsXid);
  w.U32(cp.newestCommitTsXid);
  w.U32(cp.oldestActiveXid);
  w.Zeros(4);
  return out;
}

absl::StatusOr<CheckPoint> DecodeCheckPoint(absl::Span<const uint8_t> data) {
  if (data.size() != kSizeOfCheckPoint) {
    return WrongSize("CheckPoint", kSizeOfCheckPoint, data.size());
  }
  ByteReader r(data);
  CheckPoint cp;
  cp.redo = r.U64();
  cp.ThisTimeLineID = r.U32();
  cp.PrevTimeLineID = r.U32();
  cp.fullPageWrites = r.U8() != 0;
  r.Skip(7);
  cp.nextXid = r.U64();
  cp.nextOid = r.U32();
  cp.nextMulti = r.U32();
  cp.nextMultiOffset = r.U32();
  cp.oldestXid = r.U32();
  cp.oldestXidDB = r.U32();
  cp.oldestMulti = r.U32();
  cp.oldestMultiDB = r.U32();
  r.Skip(4);
  cp.time = static_cast<pg_time_t>(r.U64());
  cp.oldestCommitTsXid = r.U32();
  cp.newestCommitTsXid = r.U32();
  cp.oldestActiveXid = r.U32();
  return cp;
}

std::vector<uint8_t> EncodeEndOfRecovery(const xl_end_of_recovery& eor) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  w.U64(static_cast<uint64_t>(eor.end_time));
  w.U32(eor.ThisTimeLineID);
  w.U32(eor.PrevTimeLineID);
  return out;
}

absl::StatusOr<xl_end_of_recovery> DecodeEndOfRecovery(
    absl::Span<const uint8_t> data) {
  if (data.size() != kSizeOfEndOfRecovery) {
    return WrongSize("xl_end_of_recovery", kSizeOfEndOfRecovery, data.size());
  }
  ByteReader r(data);
  xl_end_of_recovery eor;
  eor.end_time = static_cast<TimestampTz>(r.U64());
  eor.ThisTimeLineID = r.U32();
  eor.PrevTimeLineID = r.U32();
  return eor;
}

WalRecord MakeCheckpointRecord(const CheckPoint& cp, bool shutdown) {
  return XlogRecord(shutdown ? XLOG_CHECKPOINT_SHUTDOWN : XLOG_CHECKPOINT_ONLINE,
                    EncodeCheckPoint(cp));
}

WalRecord MakeSwitchRecord() { return XlogRecord(XLOG_SWITCH, {}); }

WalRecord MakeNoopRecord(absl::Span<const uint8_t> data) {
  return XlogRecord(XLOG_NOOP, std::vector<uint8_t>(data.begin(), data.end()));
}

WalRecord MakeEndOfRecoveryRecord(const xl_end_of_recovery& eor) {
  return XlogRecord(XLOG_END_OF_RECOVERY, EncodeEndOfRecovery(eor));
}

WalRecord MakeCommitRecord(TransactionId xid, TimestampTz xact_time) {
  WalRecord rec;
  rec.header.xl_rmid = RM_XACT_ID;
  rec.header.xl_info = XLOG_XACT_COMMIT;
  rec.header.xl_xid = xid;
  rec.main_data.reserve(8);
  ByteWriter(&rec.main_data).U64(static_cast<uint64_t>(xact_time));
  return rec;
}

absl::StatusOr<XactCommit> DecodeXactCommit(const WalRecord& rec) {
  if (rec.rmid() != RM_XACT_ID ||
      (rec.info() & XLOG_XACT_OPMASK) != XLOG_XACT_COMMIT) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "not a Transaction COMMIT record (rmid %u, info 0x%02X)", rec.rmid(),
        rec.info()));
  }
  ByteReader r(rec.main_data);
  XactCommit c;
  c.xact_time = static_cast<TimestampTz>(r.U64());
  if (rec.info() & XLOG_XACT_HAS_INFO) c.xinfo = r.U32();
  if (!r.ok()) {
    return WrongSize("xl_xact_commit", kMinSizeOfXactCommit,
                     rec.main_data.size());
  }
  return c;
}

WalRecord MakeHeapInsertRecord(TransactionId xid, const HeapInsert& ins) {
  WalRecord rec;
  rec.header.xl_rmid = RM_HEAP_ID;
  rec.header.xl_info =
      XLOG_HEAP_INSERT | (ins.init_page ? XLOG_HEAP_INIT_PAGE : 0);
  rec.header.xl_xid = xid;
  XLogBlockRef& blk = rec.blocks.emplace_back();
  blk.block_id = 0;
  blk.forknum = MAIN_FORKNUM;
  blk.will_init = ins.init_page;
  blk.rnode = ins.rnode;
  blk.blkno = ins.blkno;
  blk.data.reserve(5 + ins.tuple_data.size());
  ByteWriter d(&blk.data);
  d.U16(ins.t_infomask2);
  d.U16(ins.t_infomask);
  d.U8(ins.t_hoff);
  d.Bytes(ins.tuple_data);
  rec.main_data.reserve(3);
  ByteWriter m(&rec.main_data);
  m.U16(ins.offnum);
  m.U8(ins.flags);
  return rec;
}

absl::StatusOr<HeapInsert> DecodeHeapInsert(const WalRecord& rec) {
  if (rec.rmid() != RM_HEAP_ID ||
      (rec.info() & XLOG_HEAP_OPMASK) != XLOG_HEAP_INSERT) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "not a Heap INSERT record (rmid %u, info 0x%02X)", rec.rmid(),
        rec.info()));
  }
  if (rec.main_data.size() != kSizeOfHeapInsert) {
    return WrongSize("xl_heap_insert", kSizeOfHeapInsert,
                     rec.main_data.size());
  }
  if (rec.blocks.empty() || rec.blocks[0].block_id != 0) {
    return absl::InvalidArgumentError("heap insert without block reference 0");
  }
  const XLogBlockRef& blk = rec.blocks[0];
  HeapInsert ins;
  ins.rnode = blk.rnode;
  ins.blkno = blk.blkno;
  ins.init_page = (rec.info() & XLOG_HEAP_INIT_PAGE) != 0;
  ByteReader m(rec.main_data);
  ins.offnum = m.U16();
  ins.flags = m.U8();
  if (blk.has_image && blk.data.empty()) return ins;  // tuple is in the image
  if (blk.data.size() < kSizeOfHeapHeader) {
    return WrongSize("xl_heap_header", kSizeOfHeapHeader, blk.data.size());
  }
  ByteReader d(blk.data);
  ins.t_infomask2 = d.U16();
  ins.t_infomask = d.U16();
  ins.t_hoff = d.U8();
  absl::Span<const uint8_t> tuple = d.Bytes(d.remaining());
  ins.tuple_data.assign(tuple.begin(), tuple.end());
  return ins;
}

}  // namespace replsim::wal
