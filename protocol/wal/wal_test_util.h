// File: protocol/wal/wal_test_util.h
//
// Test helpers shared by the stream tests: a reader over a WalBuffer whose
// valid end the test moves, and a stream builder. testonly.
#ifndef REPLSIM_PROTOCOL_WAL_WAL_TEST_UTIL_H_
#define REPLSIM_PROTOCOL_WAL_WAL_TEST_UTIL_H_

#include <memory>
#include <vector>

#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::wal::testing {

inline constexpr uint64_t kSysid = 7712202343776888185ull;

// A WAL stream under construction plus a reader over it.
struct Stream {
  explicit Stream(XLogRecPtr start, TimeLineID tli = 1,
                  XLogRecPtr prev = 0x2000100)
      : builder(Options(), tli, start, prev), valid_upto(start) {}

  static WalBuilderOptions Options() {
    WalBuilderOptions o;
    o.system_identifier = kSysid;
    return o;
  }

  XLogInsertResult Insert(const WalRecord& rec) {
    XLogInsertResult r = builder.Insert(rec, &buffer);
    valid_upto = builder.CurrInsertPos();
    return r;
  }

  // A reader that sees the buffer up to *valid (default: this->valid_upto).
  std::unique_ptr<XLogReaderState> Reader(const XLogRecPtr* valid = nullptr) {
    if (valid == nullptr) valid = &valid_upto;
    XLogReaderOptions options;
    options.system_identifier = kSysid;
    const WalBuffer* buf = &buffer;
    return std::make_unique<XLogReaderState>(
        options, [buf, valid](XLogRecPtr p, uint32_t n, absl::Span<uint8_t> out) {
          return ReadPageFromWalBuffer(*buf, *valid, 1, p, n, out);
        });
  }

  WalBuffer buffer;
  WalBuilder builder;
  XLogRecPtr valid_upto;
};

inline WalRecord Noop(size_t len, uint8_t fill = 0x5A) {
  return MakeNoopRecord(std::vector<uint8_t>(len, fill));
}

}  // namespace replsim::wal::testing

#endif  // REPLSIM_PROTOCOL_WAL_WAL_TEST_UTIL_H_
