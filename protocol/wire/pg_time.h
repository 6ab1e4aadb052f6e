// File: protocol/wire/pg_time.h
//
// PostgreSQL's integer timestamps as replication messages carry them
// (TimestampTz, src/include/datatype/timestamp.h): Int64 microseconds since
// 2000-01-01 00:00:00 UTC (POSTGRES_EPOCH_JDATE), not the Unix epoch. The
// conversions here are exact integer arithmetic; nothing reads a host clock —
// the caller supplies the wall time (in the simulator, the host's virtual
// wall clock).
//
//   TimestampTz t = UnixMicrosToTimestampTz(wall_unix_us);
//   int64_t unix_us = TimestampTzToUnixMicros(t);
#ifndef REPLSIM_PROTOCOL_WIRE_PG_TIME_H_
#define REPLSIM_PROTOCOL_WIRE_PG_TIME_H_

#include <cstdint>

namespace replsim::wire {

// Microseconds since 2000-01-01 00:00:00 UTC.
using TimestampTz = int64_t;

// 2000-01-01 00:00:00 UTC in microseconds since 1970-01-01 00:00:00 UTC:
// 10957 days (30 years incl. 7 leap days) * 86400 s.
inline constexpr int64_t kPostgresEpochUnixMicros = int64_t{946684800} * 1000000;

constexpr TimestampTz UnixMicrosToTimestampTz(int64_t unix_micros) {
  return unix_micros - kPostgresEpochUnixMicros;
}

constexpr int64_t TimestampTzToUnixMicros(TimestampTz t) {
  return t + kPostgresEpochUnixMicros;
}

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_PG_TIME_H_
