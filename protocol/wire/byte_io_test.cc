// Tests for the codec basics: big-endian I/O with pqformat.c's error texts,
// LSN text, and the 2000-01-01 timestamp epoch.
#include "protocol/wire/byte_io.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/wire/lsn.h"
#include "protocol/wire/pg_time.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

TEST(ByteWriterTest, WritesBigEndian) {
  ByteWriter w;
  w.PutInt8(0x01);
  w.PutInt16(0x0203);
  w.PutInt32(0x04050607);
  w.PutInt64(0x08090a0b0c0d0e0full);
  w.PutString("ab");
  EXPECT_EQ(w.bytes(), std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                   "\x0b\x0c\x0d\x0e\x0f" "ab\0", 18));
}

TEST(ByteReaderTest, ReadsWhatWriterWrote) {
  ByteWriter w;
  w.PutInt16(0xfffe);
  w.PutInt32(0x80000001u);
  w.PutInt64(0xffffffff00000001ull);
  w.PutString("name");
  w.PutBytes("raw");
  ByteReader r(w.bytes());
  EXPECT_EQ(*r.GetInt16(), 0xfffe);
  EXPECT_EQ(*r.GetInt32(), 0x80000001u);
  EXPECT_EQ(*r.GetInt64(), 0xffffffff00000001ull);
  EXPECT_EQ(*r.GetString(), "name");
  EXPECT_FALSE(r.ExpectEnd().ok());
  EXPECT_EQ(*r.GetBytes(3), "raw");
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(ByteReaderTest, ShortReadsFailWithPqformatTextsAndKeepTheCursor) {
  const std::string bytes("\x01\x02\x03", 3);
  ByteReader r(bytes);
  absl::StatusOr<uint32_t> v = r.GetInt32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "insufficient data left in message");
  EXPECT_EQ(SqlStateOf(v.status()), sqlstate::kProtocolViolation);
  EXPECT_EQ(r.cursor(), 0u);
  EXPECT_EQ(r.GetBytes(4).status().message(),
            "insufficient data left in message");
  EXPECT_EQ(r.GetString().status().message(), "invalid string in message");
  EXPECT_EQ(*r.GetInt16(), 0x0102);
  EXPECT_EQ(*r.GetInt8(), 0x03);
  EXPECT_EQ(r.GetInt8().status().message(), "no data left in message");
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(ByteReaderTest, ExpectEndNamesTrailingBytes) {
  ByteReader r("x");
  EXPECT_EQ(r.ExpectEnd().message(), "invalid message format");
}

TEST(WireErrorTest, CarriesSqlState) {
  absl::Status s = WireError(sqlstate::kUndefinedFile, "gone");
  EXPECT_EQ(s.message(), "gone");
  EXPECT_EQ(SqlStateOf(s), "58P01");
  EXPECT_EQ(SqlStateOf(absl::OkStatus()), "");
}

TEST(LsnTest, FormatsAsPostgresDoes) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn(0x300AB38), "0/300AB38");
  EXPECT_EQ(FormatLsn(0x1000000FFull), "1/FF");
  EXPECT_EQ(FormatLsn(~0ull), "FFFFFFFF/FFFFFFFF");
}

TEST(LsnTest, ParsesStrictly) {
  EXPECT_EQ(ParseLsn("0/300AB38"), 0x300AB38u);
  EXPECT_EQ(ParseLsn("a/ff"), 0xA000000FFull);
  EXPECT_EQ(ParseLsn("FFFFFFFF/FFFFFFFF"), ~0ull);
  EXPECT_EQ(ParseLsn("1FFFFFFFF/0"), std::nullopt);
  EXPECT_EQ(ParseLsn("0/"), std::nullopt);
  EXPECT_EQ(ParseLsn("/0"), std::nullopt);
  EXPECT_EQ(ParseLsn("0/3 "), std::nullopt);
  EXPECT_EQ(ParseLsn("g/0"), std::nullopt);
  EXPECT_EQ(ParseLsn("0/0/0"), std::nullopt);
}

TEST(PgTimeTest, EpochIs2000) {
  // 2000-01-01T00:00:00Z is Unix time 946684800.
  EXPECT_EQ(UnixMicrosToTimestampTz(int64_t{946684800} * 1000000), 0);
  // The fixture's first 'r' sendTime, 848952238507957 us after 2000-01-01,
  // is 2026-11-25 20:03:58.507957 UTC = Unix 1795637038.507957.
  EXPECT_EQ(TimestampTzToUnixMicros(848952238507957), 1795637038507957);
  EXPECT_EQ(UnixMicrosToTimestampTz(TimestampTzToUnixMicros(-5)), -5);
}

}  // namespace
}  // namespace replsim::wire
