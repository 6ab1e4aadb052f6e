#include "protocol/wire/replication_command.h"

#include "absl/strings/str_format.h"

namespace replsim::wire {
namespace {

struct TagVisitor {
  std::string operator()(const IdentifySystemCmd&) const {
    return "IDENTIFY_SYSTEM";
  }
  std::string operator()(const TimelineHistoryCmd&) const {
    return "TIMELINE_HISTORY";
  }
  std::string operator()(const StartReplicationCmd&) const {
    return "START_REPLICATION";
  }
  std::string operator()(const BaseBackupCmd&) const { return "BASE_BACKUP"; }
  std::string operator()(const ShowCmd&) const { return "SHOW"; }
  std::string operator()(const CreateReplicationSlotCmd&) const {
    return "CREATE_REPLICATION_SLOT";
  }
  std::string operator()(const DropReplicationSlotCmd&) const {
    return "DROP_REPLICATION_SLOT";
  }
  std::string operator()(const ReadReplicationSlotCmd&) const {
    return "READ_REPLICATION_SLOT";
  }
  std::string operator()(const SqlCommand&) const { return ""; }
};

}  // namespace

std::string CommandTag(const ReplicationCommand& command) {
  return std::visit(TagVisitor{}, command);
}

std::string FormatStartReplication(const std::optional<std::string>& slot_name,
                                   XLogRecPtr start_point, uint32_t timeline) {
  std::string cmd = "START_REPLICATION";
  if (slot_name.has_value()) {
    absl::StrAppendFormat(&cmd, " SLOT \"%s\"", *slot_name);
  }
  absl::StrAppendFormat(&cmd, " %s TIMELINE %u", FormatLsn(start_point),
                        timeline);
  return cmd;
}

std::string FormatTimelineHistory(uint32_t timeline) {
  return absl::StrFormat("TIMELINE_HISTORY %u", timeline);
}

}  // namespace replsim::wire
