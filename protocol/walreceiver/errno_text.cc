#include "protocol/walreceiver/errno_text.h"

namespace replsim::walreceiver {

std::string FileErrorText(os::Errno e) {
  switch (e) {
    case os::Errno::kENOENT: return "No such file or directory";
    case os::Errno::kEIO: return "Input/output error";
    case os::Errno::kENOSPC: return "No space left on device";
    case os::Errno::kEEXIST: return "File exists";
    case os::Errno::kEBADF: return "Bad file descriptor";
    case os::Errno::kENOTDIR: return "Not a directory";
    case os::Errno::kEISDIR: return "Is a directory";
    case os::Errno::kEMFILE: return "Too many open files";
    default: return std::string(os::ErrnoName(e));
  }
}

}  // namespace replsim::walreceiver
