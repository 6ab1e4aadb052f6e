#include "protocol/wal/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <nmmintrin.h>
#define REPLSIM_CRC32C_SSE42 1
#endif

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

#ifdef REPLSIM_CRC32C_SSE42
// The SSE4.2 crc32 instruction computes this same CRC (Castagnoli,
// reflected), eight bytes at a time; as PostgreSQL's pg_comp_crc32c_sse42.
__attribute__((target("sse4.2"))) pg_crc32c Crc32cCompSse42(
    pg_crc32c crc, absl::Span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // x86 is little-endian, as the CRC wants
    c = _mm_crc32_u64(c, word);
  }
  crc = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) crc = _mm_crc32_u8(crc, *p);
  return crc;
}
#endif

#ifdef REPLSIM_CRC32C_SSE42
// CPUID leaf 1, ECX bit 20. Asked of the CPU directly rather than through
// __builtin_cpu_supports, whose __cpu_model lives in libgcc and is lost
// when the binary is linked with -flto.
bool HaveSse42() {
  // determinism-ok: a constant of the machine, and both paths give one value.
  static const bool have = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_SSE4_2) != 0;
  }();
  return have;
}
#endif

}  // namespace

pg_crc32c Crc32cCompPortable(pg_crc32c crc, absl::Span<const uint8_t> data) {
  for (uint8_t byte : data) {
    crc = kTable[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
  }
  return crc;
}

pg_crc32c Crc32cComp(pg_crc32c crc, absl::Span<const uint8_t> data) {
#ifdef REPLSIM_CRC32C_SSE42
  // Same value either way; the CPU feature only picks the faster path.
  if (HaveSse42()) return Crc32cCompSse42(crc, data);
#endif
  return Crc32cCompPortable(crc, data);
}

pg_crc32c Crc32c(absl::Span<const uint8_t> data) {
  return Crc32cFin(Crc32cComp(Crc32cInit(), data));
}

}  // namespace replsim::wal
