// Tests for the replication CopyData payloads: exact layouts and the checks
// walreceiver.c / walsender.c apply, with their error texts.
#include "protocol/wire/copy_data.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

TEST(CopyDataTest, KeepaliveIs18BytesWithTheTypeAndRoundTrips) {
  PrimaryKeepalive k{0x300AAC0, 848952241684412, true};
  std::string p = EncodeCopyPayload(k);
  ASSERT_EQ(p.size(), 1 + PrimaryKeepalive::kBodySize);
  EXPECT_EQ(p.substr(0, 9), std::string("k\0\0\0\0\x03\x00\xaa\xc0", 9));
  EXPECT_EQ(p.back(), '\x01');
  absl::StatusOr<WalSenderMessage> d = DecodeWalSenderMessage(p);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(std::get<PrimaryKeepalive>(*d), k);
}

TEST(CopyDataTest, KeepaliveOfAnyOtherLengthIsRejected) {
  std::string p = EncodeCopyPayload(PrimaryKeepalive{1, 2, false});
  for (std::string bad : {p + "x", p.substr(0, p.size() - 1)}) {
    absl::StatusOr<WalSenderMessage> d = DecodeWalSenderMessage(bad);
    EXPECT_EQ(d.status().message(),
              "invalid keepalive message received from primary");
    EXPECT_EQ(SqlStateOf(d.status()), "08P01");
  }
}

TEST(CopyDataTest, XLogDataCarriesWalAfterA24ByteHeader) {
  XLogData w{0x3000000, 0x3007840, 848952238632157, std::string("\x01\0\x02", 3)};
  std::string p = EncodeCopyPayload(w);
  EXPECT_EQ(p.size(), 1 + 24 + 3u);
  absl::StatusOr<WalSenderMessage> d = DecodeWalSenderMessage(p);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::get<XLogData>(*d), w);
  XLogData empty{5, 6, 7, ""};
  EXPECT_EQ(std::get<XLogData>(*DecodeWalSenderMessage(EncodeCopyPayload(empty))),
            empty);
  EXPECT_EQ(DecodeWalSenderMessage(p.substr(0, 24)).status().message(),
            "invalid WAL message received from primary");
}

TEST(CopyDataTest, WalReceiverRejectsOtherTypesByNumber) {
  EXPECT_EQ(DecodeWalSenderMessage("r").status().message(),
            "invalid replication message type 114");
  EXPECT_FALSE(DecodeWalSenderMessage("").ok());
}

TEST(CopyDataTest, StatusUpdateLayoutAndRoundTrip) {
  StandbyStatusUpdate r{0x3007840, 0x3000000, 0x2FFFFFF, 848952238646597, false};
  std::string p = EncodeCopyPayload(r);
  ASSERT_EQ(p.size(), 34u);
  EXPECT_EQ(p.substr(0, 9), std::string("r\0\0\0\0\x03\x00\x78\x40", 9));
  for (Dialect d : {Dialect::kPg93, Dialect::kPg15}) {
    absl::StatusOr<StandbyMessage> m = DecodeStandbyMessage(p, d);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<StandbyStatusUpdate>(*m), r);
  }
}

TEST(CopyDataTest, FeedbackHasCatalogFieldsOnlyIn15) {
  HotStandbyFeedback h{848952238508017, 725, 1, 700, 1};
  std::string p15 = EncodeCopyPayload(h, Dialect::kPg15);
  std::string p93 = EncodeCopyPayload(h, Dialect::kPg93);
  EXPECT_EQ(p15.size(), 25u);
  EXPECT_EQ(p93.size(), 17u);
  EXPECT_EQ(std::get<HotStandbyFeedback>(*DecodeStandbyMessage(p15, Dialect::kPg15)),
            h);
  HotStandbyFeedback h93 = h;
  h93.catalog_xmin = h93.catalog_epoch = 0;
  EXPECT_EQ(std::get<HotStandbyFeedback>(*DecodeStandbyMessage(p93, Dialect::kPg93)),
            h93);
  // A 9.3-sized message to a 15 walsender is short.
  EXPECT_EQ(DecodeStandbyMessage(p93, Dialect::kPg15).status().message(),
            "insufficient data left in message");
  // Trailing bytes are ignored, as PostgreSQL ignores them.
  EXPECT_TRUE(DecodeStandbyMessage(p15 + "junk", Dialect::kPg15).ok());
}

TEST(CopyDataTest, WalSenderErrors) {
  EXPECT_EQ(DecodeStandbyMessage("", Dialect::kPg15).status().message(),
            "no data left in message");
  EXPECT_EQ(DecodeStandbyMessage("w123", Dialect::kPg15).status().message(),
            "unexpected message type \"w\"");
  EXPECT_EQ(DecodeStandbyMessage("r\0\0", Dialect::kPg15).status().message(),
            "insufficient data left in message");
}

}  // namespace
}  // namespace replsim::wire
