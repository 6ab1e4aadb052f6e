// File: protocol/wal/crc32c.h
//
// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and
// final XOR 0xFFFFFFFF. It is the checksum PostgreSQL (since 9.5) puts in every
// WAL record (xl_crc) and in pg_control. The incremental API mirrors
// src/include/port/pg_crc32c.h: INIT_CRC32C, COMP_CRC32C, FIN_CRC32C,
// EQ_CRC32C, here as Crc32cInit / Crc32cComp / Crc32cFin.
//
//   pg_crc32c crc = Crc32cInit();
//   crc = Crc32cComp(crc, body);
//   crc = Crc32cComp(crc, header_prefix);
//   crc = Crc32cFin(crc);
//
// Pure functions over bytes; the lookup table is a compile-time constant. On
// x86-64 with SSE4.2 (checked at run time) the crc32 instruction computes the
// same values faster.
#ifndef REPLSIM_PROTOCOL_WAL_CRC32C_H_
#define REPLSIM_PROTOCOL_WAL_CRC32C_H_

#include <cstdint>

#include "absl/types/span.h"

namespace replsim::wal {

using pg_crc32c = uint32_t;

// INIT_CRC32C: the running value before any byte.
constexpr pg_crc32c Crc32cInit() { return 0xFFFFFFFFu; }

// COMP_CRC32C: folds `data` into a running value. Splitting the input into
// pieces in any way gives the same result as one call.
pg_crc32c Crc32cComp(pg_crc32c crc, absl::Span<const uint8_t> data);

// Crc32cComp by table lookup, one byte at a time: what Crc32cComp does on a
// CPU without SSE4.2. Exposed so tests can check that both paths agree.
pg_crc32c Crc32cCompPortable(pg_crc32c crc, absl::Span<const uint8_t> data);

// FIN_CRC32C: the final XOR.
constexpr pg_crc32c Crc32cFin(pg_crc32c crc) { return crc ^ 0xFFFFFFFFu; }

// The whole CRC-32C of one buffer.
pg_crc32c Crc32c(absl::Span<const uint8_t> data);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_CRC32C_H_
