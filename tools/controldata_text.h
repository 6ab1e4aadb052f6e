// File: tools/controldata_text.h
//
// A node's pg_control as the release's pg_controldata prints it: the same
// labels, order and column, 9.3's ("Prior checkpoint location:", NextXID
// "0/728") or 15's (NextXID "0:728", commit-timestamp xids). Only the fields
// replsim models are printed (the cluster's compile-time settings and GUC
// copies are not in its pg_control), so the listing is pg_controldata's up
// to "End-of-backup record required:", with 9.3's prior checkpoint, which
// replsim does not keep, left out.
#ifndef REPLSIM_TOOLS_CONTROLDATA_TEXT_H_
#define REPLSIM_TOOLS_CONTROLDATA_TEXT_H_

#include <string>

#include "protocol/node/shmem.h"

namespace replsim::tools {

// The listing, one "Label:   value" line each, newline-terminated.
std::string ControlDataText(const node::ControlFileData& c, int server_version_num);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_CONTROLDATA_TEXT_H_
