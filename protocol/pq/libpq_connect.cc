// PgConn::Connect: conninfo parsing and the start-up exchange, as
// fe-connect.c's PQconnectPoll does it for sslmode=prefer against a server
// that refuses SSL.
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/fault_points.h"
#include "protocol/pq/libpq.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/message.h"
#include "protocol/wire/startup_packet.h"

namespace replsim::pq {
namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

// "k=v k='v w'" (conninfo_parse): keywords and values, in order.
absl::StatusOr<Options> ParseConninfo(absl::string_view s) {
  Options out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  };
  for (;;) {
    skip_space();
    if (i >= s.size()) return out;
    size_t eq = s.find('=', i);
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "missing \"=\" after \"%s\" in connection info string\n", s.substr(i)));
    }
    std::string key(s.substr(i, eq - i));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    i = eq + 1;
    skip_space();
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      for (; i < s.size() && s[i] != '\''; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i]);
      }
      if (i >= s.size()) {
        return absl::InvalidArgumentError(
            "unterminated quoted string in connection info string\n");
      }
      ++i;
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') value.push_back(s[i++]);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
}

std::string Lookup(const Options& o, absl::string_view key, std::string fallback) {
  std::string v = std::move(fallback);
  for (const auto& [k, val] : o) {
    if (k == key) v = val;
  }
  return v;
}

std::string Chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

std::string ConnectFailureMessage(int libpq_version_num, const std::string& host, int port,
                                  os::Errno e) {
  if (libpq_version_num >= kLibpqUniformHostVersion) {
    return absl::StrFormat(
        "connection to server at \"%s\", port %d failed: %s\n"
        "\tIs the server running on that host and accepting TCP/IP connections?",
        host, port, SocketErrorText(e));
  }
  return absl::StrFormat(
      "could not connect to server: %s\n"
      "\tIs the server running on host \"%s\" and accepting\n"
      "\tTCP/IP connections on port %d?",
      SocketErrorText(e), host, port);
}

os::Task<absl::StatusOr<std::unique_ptr<PgConn>>> PgConn::Connect(os::Os& os, std::string conninfo,
                                                                  int libpq_version_num,
                                                                  Interrupts* interrupts) {
  absl::StatusOr<Options> opts = ParseConninfo(conninfo);
  if (!opts.ok()) co_return absl::InvalidArgumentError(Chomp(std::string(opts.status().message())));
  std::string host = Lookup(*opts, "host", "localhost");
  int port = 5432;
  if (!absl::SimpleAtoi(Lookup(*opts, "port", "5432"), &port)) {
    co_return absl::InvalidArgumentError(
        absl::StrFormat("invalid port number: \"%s\"", Lookup(*opts, "port", "")));
  }
  // 14+ prefixes every failure of the connection attempt with the server
  // it was made to; before, only a failed connect() named it.
  const std::string where =
      libpq_version_num >= kLibpqUniformHostVersion
          ? absl::StrFormat("connection to server at \"%s\", port %d failed: ", host, port)
          : "";

  os::Result<os::Fd> sock = os::Errno::kEINPROGRESS;
  if (os.FaultPoint(os::kLibpqConnectRefused)) {
    // connect() answered by RST: PQconnectPoll's "Connection refused".
    sock = os::Errno::kECONNREFUSED;
  } else if (interrupts == nullptr) {
    sock = co_await os.Connect(host, port);
  } else {
    // PQconnectPoll's non-blocking connect, waiting on the latch too.
    sock = os.ConnectStart(host, port);
    os::Errno e = os::Errno::kEINPROGRESS;
    while (sock.ok() && (e = os.ConnectResult(*sock)) == os::Errno::kEINPROGRESS) {
      const int ready = co_await os.WaitLatchOrSocket(
          interrupts->latch, os::WL_SOCKET_WRITEABLE | os::WL_LATCH_SET, *sock, os::Duration());
      if ((ready & os::WL_LATCH_SET) != 0) {
        interrupts->latch->Reset();
        co_await interrupts->check();
      }
    }
    if (sock.ok() && e != os::Errno::kOk) {
      os.Close(*sock);
      sock = e;
    }
  }
  if (!sock.ok()) {
    co_return absl::UnavailableError(
        ConnectFailureMessage(libpq_version_num, host, port, sock.error()));
  }
  // PQconnectPoll: SO_KEEPALIVE unless keepalives=0, then keepalives_idle,
  // _interval, _count (seconds) where given, else the system's.
  if (int on = 1; !absl::SimpleAtoi(Lookup(*opts, "keepalives", "1"), &on) || on != 0) {
    os::KeepaliveConfig ka;
    int v = 0;
    if (absl::SimpleAtoi(Lookup(*opts, "keepalives_idle", ""), &v) && v > 0) ka.idle = os::Seconds(v);
    if (absl::SimpleAtoi(Lookup(*opts, "keepalives_interval", ""), &v) && v > 0) {
      ka.interval = os::Seconds(v);
    }
    if (absl::SimpleAtoi(Lookup(*opts, "keepalives_count", ""), &v) && v > 0) ka.count = v;
    (void)os.SetKeepalive(*sock, ka);
  }
  std::unique_ptr<PgConn> conn(new PgConn(os, *sock));
  conn->interrupts_ = interrupts;

  // build_startup_packet's order: user, database, replication, then
  // application_name (or the fallback).
  Options params;
  params.emplace_back("user", Lookup(*opts, "user", "postgres"));
  std::string dbname = Lookup(*opts, "dbname", "");
  if (!dbname.empty()) params.emplace_back("database", dbname);
  std::string replication = Lookup(*opts, "replication", "");
  if (!replication.empty()) params.emplace_back("replication", replication);
  std::string appname =
      Lookup(*opts, "application_name", Lookup(*opts, "fallback_application_name", ""));
  if (!appname.empty()) params.emplace_back("application_name", appname);

  absl::Status st = co_await conn->StartUp(params, where);
  if (!st.ok()) co_return st;
  co_return conn;
}

os::Task<absl::Status> PgConn::StartUp(const Options& params, const std::string& where) {
  auto fail = [&]() { return absl::UnavailableError(Chomp(absl::StrCat(where, error_))); };
  PutBytes(wire::EncodeStartupPacket(wire::SslRequest{}), /*untyped=*/true);
  bool ssl_answered = false;
  const int flushed = co_await Flush();
  if (flushed < 0) co_return fail();
  for (;;) {
    const wire::Frame* f = PeekFrame();
    if (f == nullptr) {
      if (bad_) co_return fail();
      const int got = co_await WaitAndRead();
      if (got < 0) co_return fail();
      continue;
    }
    wire::Frame frame = *f;
    ConsumeFrame();
    if (!ssl_answered) {
      ssl_answered = true;
      if (frame.kind != wire::Frame::Kind::kSslResponse || frame.type != wire::kSslRefused) {
        SetBad(absl::StrFormat("received invalid response to SSL negotiation: %c\n", frame.type));
        co_return fail();
      }
      wire::StartupMessage sm;
      sm.parameters = params;
      PutBytes(wire::EncodeStartupPacket(sm), /*untyped=*/true);
      const int sent = co_await Flush();
      if (sent < 0) co_return fail();
      continue;
    }
    switch (frame.type) {
      case 'R': {
        absl::StatusOr<wire::AuthenticationRequest> auth =
            wire::Decode<wire::AuthenticationRequest>(frame.body);
        if (!auth.ok() || auth->code != wire::AuthenticationRequest::kOk) {
          SetBad(absl::StrFormat("authentication method %d not supported\n",
                                 auth.ok() ? auth->code : -1));
          co_return fail();
        }
        break;
      }
      case 'E':
        SetBad(FormatServerError(frame.body));
        co_return fail();
      case 'S': {
        absl::StatusOr<wire::ParameterStatus> ps = wire::Decode<wire::ParameterStatus>(frame.body);
        if (ps.ok()) parameters_.emplace_back(ps->name, ps->value);
        break;
      }
      case 'K':
      case 'N':
        break;
      case 'Z':
        async_ = Async::kIdle;
        co_return absl::OkStatus();
      default:
        SetBad(absl::StrFormat("expected authentication request from server, but received %c\n",
                               frame.type));
        co_return fail();
    }
  }
}

}  // namespace replsim::pq
