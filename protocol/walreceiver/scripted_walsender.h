// File: protocol/walreceiver/scripted_walsender.h
//
// Test only: a walsender-like server the test drives step by step, speaking
// PostgreSQL 15's wire protocol through pq::PqComm (startup, IDENTIFY_SYSTEM,
// TIMELINE_HISTORY, START_REPLICATION in CopyBoth, 'w'/'k' out, 'r'/'h' in,
// and the three endings: "COPY 0" at shutdown, end of timeline, reset).
//
//   ScriptedWalSender ws(os, {.system_id = 7, .timeline = 1});
//   co_await ws.Accept(listener);
//   auto start = co_await ws.ServeUntilStartReplication();
//   co_await ws.SendWal(start->start_point, bytes);
//   co_await ws.WaitForReply([&](auto& r) { return r.flush >= end; }, ...);
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_SCRIPTED_WALSENDER_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_SCRIPTED_WALSENDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/replication_command.h"

namespace replsim::walreceiver {

struct ScriptedWalSenderConfig {
  uint64_t system_id = 0;
  uint32_t timeline = 1;              // IDENTIFY_SYSTEM's timeline
  uint64_t xlogpos = 0;               // IDENTIFY_SYSTEM's xlogpos
  std::map<uint32_t, std::string> histories;  // TIMELINE_HISTORY contents
};

class ScriptedWalSender {
 public:
  ScriptedWalSender(os::Os& os, ScriptedWalSenderConfig config);

  // Accepts one connection and completes its start-up. False on failure.
  os::Task<bool> Accept(os::Fd listener);
  // Answers IDENTIFY_SYSTEM and TIMELINE_HISTORY until START_REPLICATION,
  // which it answers with CopyBothResponse. nullopt if the client left.
  os::Task<std::optional<wire::StartReplicationCmd>> ServeUntilStartReplication();

  // One 'w' per chunk of at most `chunk` bytes, then a flush.
  os::Task<> SendWal(uint64_t start, const std::string& bytes, size_t chunk = 8192);
  os::Task<> SendKeepalive(uint64_t wal_end, bool reply_requested);
  // Reads every standby message available now into replies()/feedback().
  os::Task<> DrainReplies();
  // Waits (polling every 1 ms) until a reply satisfies `pred`; false after
  // `timeout`.
  os::Task<bool> WaitForReply(std::function<bool(const wire::StandbyStatusUpdate&)> pred,
                              os::Duration timeout);

  // Shutdown: CommandComplete "COPY 0", flush, read what is unread, close
  // (a FIN after the data).
  os::Task<> SendCopy0AndClose();
  // End of timeline: CopyDone, wait for the client's CopyDone, then the
  // next_tli result set, CommandComplete "START_STREAMING" and
  // "START_REPLICATION", ReadyForQuery.
  os::Task<bool> EndTimeline(uint32_t next_tli, uint64_t next_tli_startpos);
  // Closes with the client's replies unread: the kernel sends RST.
  void ResetConnection();

  // IDENTIFY_SYSTEM's timeline from now on (a promotion happened).
  void set_timeline(uint32_t tli) { config_.timeline = tli; }

  const std::vector<wire::StandbyStatusUpdate>& replies() const { return replies_; }
  const std::vector<std::string>& queries() const { return queries_; }
  int feedback_count() const { return feedback_count_; }

 private:
  // Handles one standby frame read in CopyBoth mode; false on CopyDone.
  bool Absorb(const wire::Frame& f);

  os::Os& os_;
  ScriptedWalSenderConfig config_;
  std::unique_ptr<pq::PqComm> comm_;
  std::vector<wire::StandbyStatusUpdate> replies_;
  std::vector<std::string> queries_;
  int feedback_count_ = 0;
  bool client_copy_done_ = false;
};

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_SCRIPTED_WALSENDER_H_
