#include "protocol/walreceiver/errno_text.h"

namespace replsim::walreceiver {

std::string FileErrorText(os::Errno e) { return std::string(os::StrError(e)); }

}  // namespace replsim::walreceiver
