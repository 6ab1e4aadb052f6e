#include "protocol/postmaster/backend_connection.h"

#include <memory>
#include <string>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "protocol/postmaster/connection_refusal.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/pq/backend_startup.h"
#include "protocol/pq/pqcomm.h"

namespace replsim::postmaster {
namespace {

// parse_bool's true values, as replication= is read (15 also takes
// "database" for a logical walsender, which replsim does not model).
bool IsPhysicalReplication(const std::string& v) {
  const std::string s = absl::AsciiStrToLower(v);
  return s == "true" || s == "on" || s == "yes" || s == "1";
}

std::string ServerVersion(int num) {
  if (num >= 100000) return absl::StrFormat("%d.%d", num / 10000, num % 100);
  return absl::StrFormat("%d.%d.%d", num / 10000, (num / 100) % 100, num % 100);
}

}  // namespace

os::Task<> BackendConnectionMain(os::Os& os, node::ShmemRef shm, os::Fd sock,
                                 CAC_state cac, const EntryPoints& entry) {
  // BackendInitialize: a SIGTERM (a fast shutdown) while the startup packet
  // is read ends the process with exit code 1 (startup_die, 15's
  // process_startup_packet_die), which the postmaster takes as a normal exit.
  os.ExitOnSignal(os::Signal::kSIGTERM, 1);
  // A reload before the walsender's handler is there changes nothing it
  // has not yet read (it reads synchronous_standby_names at
  // START_REPLICATION); PostgreSQL holds the signal blocked until then.
  os.IgnoreSignal(os::Signal::kSIGHUP);
  const bool dead_end = cac != CAC_state::CAC_OK && cac != CAC_state::CAC_WAITBACKUP;
  auto comm = std::make_unique<pq::PqComm>(os, sock);
  absl::StatusOr<wire::StartupPacket> packet = co_await pq::ReadStartupPacket(*comm);
  if (!packet.ok()) {
    // ProcessStartupPacket's COMMERRORs ("incomplete startup packet", ...).
    os.Log("LOG", std::string(packet.status().message()));
    co_await os.Exit(0);
  }
  if (!std::holds_alternative<wire::StartupMessage>(*packet)) {
    co_await os.Exit(0);  // a CancelRequest: nothing to cancel here
  }
  const wire::StartupMessage& startup = std::get<wire::StartupMessage>(*packet);
  if (std::optional<ConnectionRefusal> refusal =
          ConnectionRefusalFor(cac, shm->gucs.hot_standby)) {
    os.Log("FATAL", refusal->message);
    (void)co_await pq::SendErrorResponse(*comm, "FATAL", refusal->sqlstate,
                                         refusal->message, refusal->detail);
    co_await os.Exit(1);
  }
  const std::string replication = startup.Get("replication").value_or("");
  if (!IsPhysicalReplication(replication)) {
    const std::string msg = "replsim models replication connections only";
    os.Log("FATAL", msg);
    (void)co_await pq::SendErrorResponse(*comm, "FATAL", "0A000", msg);
    co_await os.Exit(1);
  }
  // A walsender from here on (MyBackendType = B_WAL_SENDER): the name the
  // trace, the log and the kill step know it by.
  os.SetProcessName("walsender");
  const std::string appname = startup.Get("application_name").value_or("");
  // "prevent SIGTERM again" (BlockSig) until PostgresMain has its die()
  // handler, then UnBlockSig, which would deliver a SIGTERM that came in
  // between. (PostgreSQL's InitPostgres would then end in "canceling
  // authentication due to timeout"; here no time passes in between.)
  os.BlockSignal(os::Signal::kSIGTERM);
  auto proc_die_pending = std::make_shared<bool>(false);
  os.SetSignalHandler(os::Signal::kSIGTERM, [proc_die_pending] { *proc_die_pending = true; });
  os.UnblockSignal(os::Signal::kSIGTERM);
  pq::StartupResponse resp;
  resp.parameters = pq::DefaultParameterStatus(
      appname, ServerVersion(shm->behavior.server_version_num),
      shm->XLogCtl.SharedRecoveryInProgress);
  resp.backend_pid = static_cast<uint32_t>(os.MyPid());
  resp.cancel_key = static_cast<uint32_t>(os.MyPid()) * 2654435761u;
  const os::Errno sent = co_await pq::SendStartupResponse(*comm, resp);
  if (sent != os::Errno::kOk) co_await os.Exit(0);
  // A die that came while the response went out is ProcessInterrupts' FATAL
  // at the next CHECK_FOR_INTERRUPTS, which the client is sent too (it used
  // to end the process with code 1 and no word).
  if (*proc_die_pending) {
    const std::string msg = "terminating connection due to administrator command";
    os.Log("FATAL", msg);
    (void)co_await pq::SendErrorResponse(*comm, "FATAL", "57P01", msg);
    co_await os.Exit(1);
  }
  if (!entry.walsender) co_await os.Exit(1);
  // InitProcess, once the startup packet is taken: from here an exit that
  // skips the exit callbacks (which mark the slot inactive again) is a crash.
  if (!dead_end) MarkPostmasterChildActive(os, *shm);
  co_await entry.walsender(os, shm, std::move(comm), appname);
}

}  // namespace replsim::postmaster
