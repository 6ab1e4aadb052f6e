// Tests for replication result sets: column types per command and release,
// and the walreceiver's checks when reading them.
#include "protocol/wire/result_sets.h"

#include "gtest/gtest.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

TEST(ResultSetsTest, IdentifySystemColumnsPerRelease) {
  IdentifySystemResult r{7712202343776888185ull, 2, 0x300AB68, std::nullopt};
  ResultSet rs15 = BuildIdentifySystem(r, Dialect::kPg15);
  ASSERT_EQ(rs15.description.fields.size(), 4u);
  EXPECT_EQ(rs15.description.fields[1].type_oid, kInt4Oid);
  EXPECT_EQ(rs15.description.fields[1].type_size, 4);
  EXPECT_EQ(rs15.rows[0].values[2], "0/300AB68");
  EXPECT_EQ(*ReadIdentifySystem(rs15), r);
  ResultSet rs93 = BuildIdentifySystem(r, Dialect::kPg93);
  EXPECT_EQ(rs93.description.fields.size(), 3u);
  EXPECT_EQ(ReadIdentifySystem(rs93)->system_id, r.system_id);
}

TEST(ResultSetsTest, IdentifySystemShapeIsChecked) {
  ResultSet rs = BuildIdentifySystem({1, 1, 1, std::nullopt}, Dialect::kPg15);
  rs.rows.push_back(rs.rows[0]);
  absl::Status s = ReadIdentifySystem(rs).status();
  EXPECT_EQ(s.message(),
            "invalid response from primary server: Could not identify system: "
            "got 2 rows and 4 fields, expected 1 rows and 3 or more fields.");
  ResultSet bad_lsn = BuildIdentifySystem({1, 1, 1, std::nullopt}, Dialect::kPg15);
  bad_lsn.rows[0].values[2] = "zz";
  EXPECT_FALSE(ReadIdentifySystem(bad_lsn).ok());
}

TEST(ResultSetsTest, TimelineHistoryIsTextIn15AndByteaIn93) {
  TimelineHistoryResult h{TimelineHistoryFileName(2),
                          "1\t0/300AB38\tno recovery target specified\n"};
  EXPECT_EQ(h.filename, "00000002.history");
  ResultSet rs = BuildTimelineHistory(h, Dialect::kPg15);
  EXPECT_EQ(rs.description.fields[1].type_oid, kTextOid);
  EXPECT_EQ(rs.description.fields[1].type_modifier, 0);
  EXPECT_EQ(BuildTimelineHistory(h, Dialect::kPg93).description.fields[1].type_oid,
            kByteaOid);
  EXPECT_EQ(*ReadTimelineHistory(rs), h);
  rs.description.fields.pop_back();
  rs.rows[0].values.pop_back();
  EXPECT_FALSE(ReadTimelineHistory(rs).ok());
}

TEST(ResultSetsTest, EndOfTimeline) {
  EndOfTimelineResult e{2, 0x300AB38};
  ResultSet rs = BuildEndOfTimeline(e);
  EXPECT_EQ(rs.description.fields[0].type_oid, kInt8Oid);
  EXPECT_EQ(rs.description.fields[0].type_size, 8);
  EXPECT_EQ(rs.rows[0].values[0], "2");
  EXPECT_EQ(*ReadEndOfTimeline(rs), e);
  rs.rows.clear();
  EXPECT_EQ(ReadEndOfTimeline(rs).status().message(),
            "unexpected result set after end-of-streaming");
}

TEST(ResultSetsTest, ShowAndFullEncoding) {
  ResultSet rs = BuildShow("wal_segment_size", "16MB");
  std::string bytes = EncodeResultSet(rs, "SHOW");
  EXPECT_EQ(bytes[0], 'T');
  EXPECT_EQ(bytes.substr(bytes.size() - 10), std::string("C\0\0\0\x09SHOW\0", 10));
}

}  // namespace
}  // namespace replsim::wire
