// File: protocol/walreceiver/errno_text.h
//
// strerror() for the errnos file operations report, as PostgreSQL's %m
// prints them ("No space left on device"). Unknown values print their name.
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_ERRNO_TEXT_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_ERRNO_TEXT_H_

#include <string>

#include "protocol/os/errno.h"

namespace replsim::walreceiver {

std::string FileErrorText(os::Errno e);

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_ERRNO_TEXT_H_
