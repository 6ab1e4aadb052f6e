// File: protocol/wal/wal_buffer.h
//
// WAL bytes held by LSN: a sparse image of the WAL stream, page by page
// (8 KiB), the in-memory stand-in for pg_wal's segment files and for
// PostgreSQL's WAL buffers. Pure data: no I/O; processes copy ranges out to
// their simulated files or sockets.
//
// A page that was never written is absent (Read fails on it). A page known to
// be all zeros (the rest of a segment after XLOG_SWITCH) is stored without
// its 8 KiB, so a switch costs nothing.
//
// Deterministic: pages live in an absl::btree_map keyed by page LSN.
#ifndef REPLSIM_PROTOCOL_WAL_WAL_BUFFER_H_
#define REPLSIM_PROTOCOL_WAL_WAL_BUFFER_H_

#include <cstdint>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/types/span.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"

namespace replsim::wal {

class WalBuffer {
 public:
  // Copies bytes to [lsn, lsn + bytes.size()); pages touched for the first
  // time start as zeros.
  void Write(XLogRecPtr lsn, absl::Span<const uint8_t> bytes);
  // Makes [lsn, lsn + len) zero; whole pages become cheap zero pages.
  void WriteZeros(XLogRecPtr lsn, uint64_t len);
  // Copies [lsn, lsn + out.size()) into out. False (out unspecified) if
  // any page in the range was never written.
  bool Read(XLogRecPtr lsn, absl::Span<uint8_t> out) const;
  bool HasPage(XLogRecPtr page_ptr) const;
  // Forgets every page that ends at or before lsn (recycled segments).
  void DiscardBefore(XLogRecPtr lsn);
  size_t page_count() const { return pages_.size(); }

 private:
  // Returns the page's bytes, materializing a zero page if needed.
  std::vector<uint8_t>& MutablePage(XLogRecPtr page_ptr);
  // Empty vector = a page known to be all zeros.
  absl::btree_map<XLogRecPtr, std::vector<uint8_t>> pages_;
};

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_WAL_BUFFER_H_
