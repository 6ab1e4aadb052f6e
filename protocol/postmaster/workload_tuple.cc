#include "protocol/postmaster/workload_tuple.h"

#include <algorithm>

#include "protocol/os/check.h"

namespace replsim::postmaster {
namespace {

constexpr int kBlockSize = 8192;            // BLCKSZ
constexpr int kPageHeaderSize = 24;         // SizeOfPageHeaderData
constexpr int kItemIdSize = 4;              // sizeof(ItemIdData)
constexpr int kMaxHeapTuplesPerPage = 291;  // MaxHeapTuplesPerPage
constexpr int kMaxShortVarlena = 127;       // VARATT_SHORT_MAX: a 1-byte header

int MaxAlign(int n) { return (n + 7) & ~7; }

void PutLE32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

int HeapTuplesPerPage(int row_bytes) {
  const int per_tuple = MaxAlign(kHeapTupleHoff + row_bytes) + kItemIdSize;
  return std::min(kMaxHeapTuplesPerPage, (kBlockSize - kPageHeaderSize) / per_tuple);
}

wal::HeapInsert MakeWorkloadTuple(uint32_t xid, int session, int row_bytes) {
  CHECK(row_bytes >= kMinRowBytes && row_bytes <= kMaxRowBytes);
  const uint32_t per_page = static_cast<uint32_t>(HeapTuplesPerPage(row_bytes));
  wal::HeapInsert ins;
  ins.rnode = {1663, 5, 16384};
  ins.blkno = xid / per_page;
  ins.offnum = static_cast<uint16_t>(xid % per_page + 1);
  ins.init_page = xid % per_page == 0;
  ins.t_infomask2 = row_bytes > kMinRowBytes ? 3 : 2;  // natts
  // HEAP_XMAX_INVALID, and HEAP_HASVARWIDTH when the text column is there.
  ins.t_infomask = row_bytes > kMinRowBytes ? 0x0802 : 0x0800;
  ins.t_hoff = kHeapTupleHoff;
  std::vector<uint8_t>& d = ins.tuple_data;
  d.reserve(row_bytes);
  PutLE32(d, xid);
  PutLE32(d, static_cast<uint32_t>(session));
  const int text = row_bytes - kMinRowBytes;  // the text datum, header included
  if (text > 0) {
    int header = 1;
    if (text <= kMaxShortVarlena) {
      d.push_back(static_cast<uint8_t>(text << 1 | 1));  // 1-byte varlena header
    } else {
      header = 4;  // offset 8 is already int-aligned: no padding before it
      PutLE32(d, static_cast<uint32_t>(text) << 2);  // 4-byte header, uncompressed
    }
    d.insert(d.end(), text - header, static_cast<uint8_t>('a' + xid % 26));
  }
  return ins;
}

}  // namespace replsim::postmaster
