// File: protocol/wal/record.h
//
// One WAL record in PostgreSQL 15's format (src/include/access/xlogrecord.h),
// encoded as XLogRecordAssemble + XLogInsertRecord lay it out and decoded as
// DecodeXLogRecord (xlogreader.c) reads it.
//
// Layout, little-endian, no padding between parts:
//   XLogRecord (24): xl_tot_len u32, xl_xid u32, xl_prev u64, xl_info u8,
//                    xl_rmid u8, 2 zero bytes, xl_crc u32
//   block headers, in block_id order: id u8, fork_flags u8, data_length u16,
//     [XLogRecordBlockImageHeader: length u16, hole_offset u16, bimg_info u8,
//      [hole_length u16 if compressed with a hole]] if BKPBLOCK_HAS_IMAGE,
//     [RelFileNode: spcNode, dbNode, relNode u32] unless BKPBLOCK_SAME_REL,
//     BlockNumber u32
//   [XLR_BLOCK_ID_ORIGIN u8, origin u16]
//   [XLR_BLOCK_ID_TOPLEVEL_XID u8, xid u32]
//   [XLR_BLOCK_ID_DATA_SHORT u8, len u8 | XLR_BLOCK_ID_DATA_LONG u8, len u32]
//   then each block's image and data, in order, then the main data.
// xl_crc = CRC-32C over everything after the header, then the header's first
// 20 bytes (up to xl_crc).
//
// Full-page images are carried as opaque bytes (never decompressed).
#ifndef REPLSIM_PROTOCOL_WAL_RECORD_H_
#define REPLSIM_PROTOCOL_WAL_RECORD_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "protocol/wal/crc32c.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"

namespace replsim::wal {

inline constexpr uint32_t kSizeOfXLogRecord = 24;     // SizeOfXLogRecord
inline constexpr uint32_t kXLogRecordCrcOffset = 20;  // offsetof(xl_crc)

inline constexpr uint8_t XLR_INFO_MASK = 0x0F;
inline constexpr uint8_t XLR_RMGR_INFO_MASK = 0xF0;
inline constexpr uint8_t XLR_SPECIAL_REL_UPDATE = 0x01;
inline constexpr uint8_t XLR_CHECK_CONSISTENCY = 0x02;

inline constexpr uint8_t XLR_MAX_BLOCK_ID = 32;
inline constexpr uint8_t XLR_BLOCK_ID_DATA_SHORT = 255;
inline constexpr uint8_t XLR_BLOCK_ID_DATA_LONG = 254;
inline constexpr uint8_t XLR_BLOCK_ID_ORIGIN = 253;
inline constexpr uint8_t XLR_BLOCK_ID_TOPLEVEL_XID = 252;

inline constexpr uint8_t BKPBLOCK_FORK_MASK = 0x0F;
inline constexpr uint8_t BKPBLOCK_HAS_IMAGE = 0x10;
inline constexpr uint8_t BKPBLOCK_HAS_DATA = 0x20;
inline constexpr uint8_t BKPBLOCK_WILL_INIT = 0x40;
inline constexpr uint8_t BKPBLOCK_SAME_REL = 0x80;

inline constexpr uint8_t BKPIMAGE_HAS_HOLE = 0x01;
inline constexpr uint8_t BKPIMAGE_APPLY = 0x02;
inline constexpr uint8_t BKPIMAGE_COMPRESS_PGLZ = 0x04;
inline constexpr uint8_t BKPIMAGE_COMPRESS_LZ4 = 0x08;
inline constexpr uint8_t BKPIMAGE_COMPRESS_ZSTD = 0x10;
constexpr bool BkpImageCompressed(uint8_t bimg_info) {
  return (bimg_info & (BKPIMAGE_COMPRESS_PGLZ | BKPIMAGE_COMPRESS_LZ4 |
                       BKPIMAGE_COMPRESS_ZSTD)) != 0;
}

enum ForkNumber : uint8_t {
  MAIN_FORKNUM = 0,
  FSM_FORKNUM = 1,
  VISIBILITYMAP_FORKNUM = 2,
  INIT_FORKNUM = 3,
};

struct XLogRecord {
  uint32_t xl_tot_len = 0;
  TransactionId xl_xid = 0;
  XLogRecPtr xl_prev = 0;
  uint8_t xl_info = 0;
  RmgrId xl_rmid = 0;
  pg_crc32c xl_crc = 0;
  bool operator==(const XLogRecord&) const = default;
};

// The 24 header bytes (padding zero) / their fields. LoadXLogRecord CHECKs
// that 24 bytes are given.
void StoreXLogRecord(const XLogRecord& rec, absl::Span<uint8_t> out);
XLogRecord LoadXLogRecord(absl::Span<const uint8_t> bytes);

struct RelFileNode {
  Oid spcNode = 0;
  Oid dbNode = 0;
  Oid relNode = 0;
  bool operator==(const RelFileNode&) const = default;
};

// One block reference (DecodedBkpBlock / registered buffer).
struct XLogBlockRef {
  uint8_t block_id = 0;
  ForkNumber forknum = MAIN_FORKNUM;
  bool will_init = false;  // BKPBLOCK_WILL_INIT
  RelFileNode rnode;
  BlockNumber blkno = 0;
  // Full-page image: present iff has_image. bimg_len == image.size().
  bool has_image = false;
  uint16_t hole_offset = 0;
  uint16_t hole_length = 0;  // explicit only when compressed with a hole
  uint8_t bimg_info = 0;
  std::vector<uint8_t> image;
  // Per-block data (BKPBLOCK_HAS_DATA iff non-empty).
  std::vector<uint8_t> data;
  bool operator==(const XLogBlockRef&) const = default;
};

// A record as fields: what DecodeXLogRecord returns and EncodeXLogRecord
// takes. header.xl_tot_len and header.xl_crc are outputs of encoding.
struct WalRecord {
  XLogRecord header;
  std::vector<XLogBlockRef> blocks;  // increasing block_id
  std::optional<uint16_t> record_origin;
  std::optional<TransactionId> toplevel_xid;
  std::vector<uint8_t> main_data;

  RmgrId rmid() const { return header.xl_rmid; }
  // XLogRecGetInfo & ~XLR_INFO_MASK: the rmgr-specific info bits.
  uint8_t info() const { return header.xl_info & XLR_RMGR_INFO_MASK; }
  // Sum of the full-page image lengths (pg_waldump's fpi_len).
  uint32_t fpi_len() const;
  bool operator==(const WalRecord&) const = default;
};

// The bytes after the 24-byte header, in XLogRecordAssemble's order.
// CHECKs programmer errors (block ids out of order or > 32, image larger
// than a page, data longer than 65535 bytes).
std::vector<uint8_t> AssembleRecordBody(const WalRecord& rec);

// The whole record: header (xl_tot_len from the body, xl_crc computed, every
// other field from rec.header) + body.
std::vector<uint8_t> EncodeXLogRecord(const WalRecord& rec);
// The same with `header` in place of rec.header (XLogInsert sets xl_prev).
std::vector<uint8_t> EncodeXLogRecord(const XLogRecord& header, const WalRecord& rec);

// CRC-32C of a complete record as xl_crc should hold it.
pg_crc32c ComputeRecordCrc(absl::Span<const uint8_t> record);

// ValidXLogRecord: "incorrect resource manager data checksum in record at
// %X/%X" unless the stored xl_crc matches. `record` is xl_tot_len bytes.
absl::Status CheckRecordCrc(absl::Span<const uint8_t> record, XLogRecPtr lsn);

// DecodeXLogRecord: parses a complete record (bytes.size() must equal
// xl_tot_len, else "record with invalid length at %X/%X"). Does not check
// the CRC. Errors use xlogreader.c's wording with `lsn`.
absl::StatusOr<WalRecord> DecodeXLogRecord(absl::Span<const uint8_t> bytes,
                                           XLogRecPtr lsn);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_RECORD_H_
