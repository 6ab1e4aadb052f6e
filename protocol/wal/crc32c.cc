#include "protocol/wal/crc32c.h"

#include <array>

namespace replsim::wal {
namespace {

// Bit-reversed Castagnoli polynomial.
constexpr uint32_t kPolyReflected = 0x82F63B78u;

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) {
      c = (c & 1u) ? (c >> 1) ^ kPolyReflected : (c >> 1);
    }
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

pg_crc32c Crc32cComp(pg_crc32c crc, absl::Span<const uint8_t> data) {
  for (uint8_t byte : data) {
    crc = kTable[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
  }
  return crc;
}

pg_crc32c Crc32c(absl::Span<const uint8_t> data) {
  return Crc32cFin(Crc32cComp(Crc32cInit(), data));
}

}  // namespace replsim::wal
