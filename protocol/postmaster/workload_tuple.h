// File: protocol/postmaster/workload_tuple.h
//
// The row a workload transaction inserts, as heap_insert lays it out and
// logs it. A row is two int4 columns (the xid and the session number) and,
// when the scenario asks for more bytes, a text column that fills the rest:
// `row_bytes` is the tuple's data after its header (t_hoff = 24: the
// 23-byte HeapTupleHeader, MAXALIGNed, no null bitmap). The XLOG_HEAP_INSERT
// record carries that data after xl_heap_header, as heap_insert logs it.
//
// Rows fill the table's pages in order (no fillfactor, no FSM reuse): row n
// goes to block n / per_page at offset n % per_page + 1, and the first row
// of a page initializes it (XLOG_HEAP_INIT_PAGE). per_page is what fits in
// the 8168 bytes after the page header, MAXALIGN(t_len) plus a 4-byte line
// pointer each, as PageAddItem would place them.
//
// A tuple longer than TOAST_TUPLE_THRESHOLD (2032 bytes with 8 KiB blocks,
// in 9.3 as in 15) is TOASTed by heap_insert: compressed or moved out of
// line into the TOAST table with records of its own. replsim does not model
// TOAST, so a row may not exceed it: row_bytes is at most 2008.
// Nothing here survives a crash; the rows live only in the WAL.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_WORKLOAD_TUPLE_H_
#define REPLSIM_PROTOCOL_POSTMASTER_WORKLOAD_TUPLE_H_

#include <cstdint>

#include "protocol/wal/xlog_records.h"

namespace replsim::postmaster {

inline constexpr int kHeapTupleHoff = 24;          // MAXALIGN(23), no nulls
inline constexpr int kToastTupleThreshold = 2032;  // TOAST_TUPLE_THRESHOLD
inline constexpr int kMinRowBytes = 8;             // the two int4 columns
inline constexpr int kMaxRowBytes = kToastTupleThreshold - kHeapTupleHoff;

// Rows of `row_bytes` that fit on one heap page.
int HeapTuplesPerPage(int row_bytes);

// The insert of row `xid` (the workload's xids number its rows) by `session`,
// with `row_bytes` bytes of data (kMinRowBytes..kMaxRowBytes).
wal::HeapInsert MakeWorkloadTuple(uint32_t xid, int session, int row_bytes);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_WORKLOAD_TUPLE_H_
