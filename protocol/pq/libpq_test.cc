// The client (PgConn, walrcv_*) against a scripted server over the simulated
// network: handshake, IDENTIFY_SYSTEM, COPY BOTH both ways, the shutdown's
// "COPY 0", the end of a timeline, and connection failures.
#include <string>
#include <vector>

#include "protocol/pq/libpqwalreceiver.h"
#include "protocol/pq/pq_test_util.h"
#include "protocol/wire/message.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/sqlstate.h"

namespace replsim::pq {
namespace {

constexpr char kConninfo[] = "host=primary port=5432 user=postgres";
constexpr int kPg15 = 150000;
constexpr int kPg93 = 90300;

// Reads frames until one of `type` (others are recorded); false at EOF/error.
os::Task<bool> ReadUntil(PqComm& comm, char type, wire::Frame* f,
                         std::vector<wire::Frame>* skipped = nullptr) {
  std::string error;
  for (;;) {
    const ReadStatus st = co_await comm.ReadMessage(f, &error);
    if (st != ReadStatus::kMessage) co_return false;
    if (f->type == type) co_return true;
    if (skipped != nullptr) skipped->push_back(*f);
  }
}

// walrcv_receive until it returns something other than 0.
os::Task<absl::StatusOr<int>> Receive(os::Os& os, WalReceiverConn& conn, std::string* buf) {
  for (;;) {
    os::Fd fd = os::kNoFd;
    absl::StatusOr<int> r = co_await walrcv_receive(conn, buf, &fd);
    if (!r.ok() || *r != 0) co_return r;
    co_await WaitReadable(os, fd, os::Milliseconds(100));
  }
}

TEST_F(PqTest, HandshakeIdentifyStreamAndCopyZero) {
  wire::StartupMessage startup;
  std::vector<std::string> queries;
  std::string reply_from_client;
  cluster_.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    std::unique_ptr<PqComm> comm = co_await AcceptReplicationConnection(os, &startup);
    if (comm == nullptr) co_return;
    wire::Frame f;
    bool got_query = co_await ReadUntil(*comm, 'Q', &f);
    if (!got_query) co_return;
    queries.push_back(f.body);
    comm->PutRaw(wire::EncodeResultSet(
        wire::BuildIdentifySystem({7000000000000000001ULL, 3, 0x3000000, std::nullopt},
                                  wire::Dialect::kPg15),
        "IDENTIFY_SYSTEM"));
    comm->PutMessage('Z', "I");
    co_await comm->Flush();
    got_query = co_await ReadUntil(*comm, 'Q', &f);
    if (!got_query) co_return;
    queries.push_back(f.body);
    comm->PutRaw(wire::Encode(wire::CopyBothResponse{}));
    comm->PutMessage('d', "wal-1");
    co_await comm->Flush();
    bool ok = co_await ReadUntil(*comm, 'd', &f);
    if (!ok) co_return;
    reply_from_client = f.body;
    // WalSndDone: "COPY 0", pq_flush, proc_exit.
    comm->PutRaw(wire::Encode(wire::CommandComplete{"COPY 0"}));
    co_await comm->Flush();
  });

  absl::Status connect, identify, end;
  IdentifySystemReply id;
  std::string data;
  int last = 0;
  bool started = false;
  cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    auto conn = co_await walrcv_connect(os, kConninfo, "n2", kPg15);
    connect = conn.status();
    if (!conn.ok()) co_return;
    absl::StatusOr<IdentifySystemReply> r = co_await walrcv_identify_system(**conn);
    identify = r.status();
    if (r.ok()) id = *r;
    absl::StatusOr<bool> s = co_await walrcv_startstreaming(**conn, 0x3000000, 3);
    started = s.ok() && *s;
    absl::StatusOr<int> n = co_await Receive(os, **conn, &data);
    if (!n.ok()) co_return;
    absl::Status sent = co_await walrcv_send(**conn, "reply-1");
    EXPECT_TRUE(sent.ok()) << sent;
    std::string more;
    absl::StatusOr<int> n2 = co_await Receive(os, **conn, &more);
    last = n2.ok() ? *n2 : -99;
    absl::StatusOr<uint32_t> e = co_await walrcv_endstreaming(**conn);
    end = e.status();
    walrcv_disconnect(**conn);
  });
  RunFor(os::Seconds(5));

  ASSERT_TRUE(connect.ok()) << connect;
  EXPECT_EQ(startup.Get("user"), "postgres");
  EXPECT_EQ(startup.Get("database"), "replication");
  EXPECT_EQ(startup.Get("replication"), "true");
  EXPECT_EQ(startup.Get("application_name"), "n2");
  ASSERT_TRUE(identify.ok()) << identify;
  EXPECT_EQ(id.primary_sysid, "7000000000000000001");
  EXPECT_EQ(id.primary_tli, 3u);
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0], std::string("IDENTIFY_SYSTEM") + '\0');
  EXPECT_EQ(queries[1], std::string("START_REPLICATION 0/3000000 TIMELINE 3") + '\0');
  EXPECT_TRUE(started);
  EXPECT_EQ(data, "wal-1");
  EXPECT_EQ(reply_from_client, "reply-1");
  EXPECT_EQ(last, -1);
  // 9.3's walrcv_endstreaming after "COPY 0": libpq has left COPY (RW-13).
  EXPECT_EQ(end.message(),
            "could not send end-of-streaming message to primary: no COPY in progress");
}

TEST_F(PqTest, EndOfTimelineReturnsNextTli) {
  bool got_client_copydone = false;
  bool got_terminate = false;
  cluster_.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    wire::StartupMessage startup;
    std::unique_ptr<PqComm> comm = co_await AcceptReplicationConnection(os, &startup);
    if (comm == nullptr) co_return;
    wire::Frame f;
    bool got_query = co_await ReadUntil(*comm, 'Q', &f);
    if (!got_query) co_return;
    comm->PutRaw(wire::Encode(wire::CopyBothResponse{}));
    comm->PutMessage('d', "last-wal");
    comm->PutMessage('c', "");
    co_await comm->Flush();
    got_client_copydone = co_await ReadUntil(*comm, 'c', &f);
    comm->PutRaw(wire::EncodeResultSet(wire::BuildEndOfTimeline({4, 0x300AB38}),
                                       "START_STREAMING"));
    comm->PutRaw(wire::Encode(wire::CommandComplete{"START_REPLICATION"}));
    comm->PutMessage('Z', "I");
    co_await comm->Flush();
    got_terminate = co_await ReadUntil(*comm, 'X', &f);
  });
  std::string data;
  int end_of_copy = 0;
  absl::StatusOr<uint32_t> next_tli = absl::UnknownError("not run");
  cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    auto conn = co_await walrcv_connect(os, kConninfo, "n2", kPg15);
    if (!conn.ok()) co_return;
    absl::StatusOr<bool> s = co_await walrcv_startstreaming(**conn, 0x3000000, 3);
    if (!s.ok() || !*s) co_return;
    (void)co_await Receive(os, **conn, &data);
    std::string none;
    absl::StatusOr<int> r = co_await Receive(os, **conn, &none);
    end_of_copy = r.ok() ? *r : -99;
    next_tli = co_await walrcv_endstreaming(**conn);
    walrcv_disconnect(**conn);
  });
  RunFor(os::Seconds(5));
  EXPECT_EQ(data, "last-wal");
  EXPECT_EQ(end_of_copy, -1);
  EXPECT_TRUE(got_client_copydone);
  ASSERT_TRUE(next_tli.ok()) << next_tli.status();
  EXPECT_EQ(*next_tli, 4u);
  EXPECT_TRUE(got_terminate);
}

// What the server does with a connection whose startup packet it has read:
// nothing (nobody listens at all), an ErrorResponse, or a close.
enum class Answer { kNobodyListens, kShuttingDown, kClose };

// The walreceiver's connect error, with `version`'s libpq, against a server
// that answers `answer`.
class ConnectErrorTest : public PqTest {
 protected:
  std::string ConnectError(int version, Answer answer) {
    if (answer != Answer::kNobodyListens) {
      cluster_.Spawn("primary", "postmaster", [answer](os::Os& os) -> os::Task<> {
        os::Fd listener = *os.Listen(kPort, 8);
        os::Result<os::Fd> sock = co_await os.Accept(listener);
        PqComm comm(os, *sock);
        absl::StatusOr<wire::StartupPacket> p = co_await ReadStartupPacket(comm);
        EXPECT_TRUE(p.ok());
        if (answer == Answer::kShuttingDown) {
          co_await SendErrorResponse(comm, "FATAL", wire::sqlstate::kCannotConnectNow,
                                     "the database system is shutting down");
        }
      });
    }
    absl::Status st;
    cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
      st = (co_await walrcv_connect(os, kConninfo, "n2", version)).status();
    });
    RunFor(os::Seconds(5));
    return std::string(st.message());
  }
};

// The server's FATAL at start-up, as the walreceiver reports it: 14+'s
// libpq names the server first, 9.3's gives the server's text alone.
TEST_F(ConnectErrorTest, ShuttingDownInTheReleasesWords) {
  EXPECT_EQ(ConnectError(kPg15, Answer::kShuttingDown),
            "could not connect to the primary server: connection to server at \"primary\", "
            "port 5432 failed: FATAL:  the database system is shutting down");
  EXPECT_EQ(ConnectError(kPg93, Answer::kShuttingDown),
            "could not connect to the primary server: FATAL:  the database system is "
            "shutting down");
}

// A refused connect(): 9.3's "could not connect to server" names the host
// and port in its hint, 14+ before the error.
TEST_F(ConnectErrorTest, ConnectionRefusedWhenNobodyListensInTheReleasesWords) {
  EXPECT_EQ(ConnectError(kPg15, Answer::kNobodyListens),
            "could not connect to the primary server: connection to server at \"primary\", "
            "port 5432 failed: Connection refused\n\tIs the server running on that host and "
            "accepting TCP/IP connections?");
  EXPECT_EQ(ConnectError(kPg93, Answer::kNobodyListens),
            "could not connect to the primary server: could not connect to server: "
            "Connection refused\n\tIs the server running on host \"primary\" and "
            "accepting\n\tTCP/IP connections on port 5432?");
}

// A server that closes the connection during start-up: the same words in
// every release, after 14's prefix.
TEST_F(ConnectErrorTest, ServerClosedTheConnectionDuringStartUp) {
  EXPECT_EQ(ConnectError(kPg15, Answer::kClose),
            "could not connect to the primary server: connection to server at \"primary\", "
            "port 5432 failed: server closed the connection unexpectedly\n\tThis probably "
            "means the server terminated abnormally\n\tbefore or while processing the "
            "request.");
  EXPECT_EQ(ConnectError(kPg93, Answer::kClose),
            "could not connect to the primary server: server closed the connection "
            "unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore "
            "or while processing the request.");
}

// PQconnectPoll sets SO_KEEPALIVE unless keepalives=0, and keepalives_idle,
// _interval, _count where given (the others stay the system's).
TEST_F(PqTest, ConnectSwitchesKeepaliveOn) {
  cluster_.Spawn("primary", "server", [&](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> l = os.Listen(5432, 8);
    for (int i = 0; i < 2; ++i) (void)co_await os.Accept(*l);
    co_await os.WaitLatchOrSocket(nullptr, os::WL_TIMEOUT, os::kNoFd, os::Seconds(60));
  });
  for (const char* conninfo : {"host=primary port=5432 keepalives_idle=5 keepalives_count=2",
                               "host=primary port=5432 keepalives=0"}) {
    cluster_.Spawn("standby", "client", [conninfo](os::Os& os) -> os::Task<> {
      (void)co_await PgConn::Connect(os, conninfo, 150000);
    });
  }
  RunFor(os::Seconds(1));
  std::vector<sim::net::SocketId> socks = cluster_.network().LiveConnections("standby");
  ASSERT_EQ(socks.size(), 2u);
  const sim::net::TcpSocket& on = *cluster_.network().Find(socks[0]);
  EXPECT_TRUE(on.keepalive);
  EXPECT_EQ(on.keepalive_config.idle, os::Seconds(5));
  EXPECT_EQ(on.keepalive_config.interval, os::Seconds(75));
  EXPECT_EQ(on.keepalive_config.count, 2);
  EXPECT_FALSE(cluster_.network().Find(socks[1])->keepalive);
}

}  // namespace
}  // namespace replsim::pq
