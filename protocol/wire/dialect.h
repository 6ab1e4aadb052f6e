// File: protocol/wire/dialect.h
//
// Which PostgreSQL release's replication protocol a codec follows, where 9.3
// and 15 differ: the command grammar (repl_gram.y), the hot standby feedback
// payload ('h' gained catalog_xmin and its epoch in 10), and the replication
// result sets (IDENTIFY_SYSTEM gained dbname in 9.4; TIMELINE_HISTORY's
// content became text in 9.6). Everything else on the wire is the same.
#ifndef REPLSIM_PROTOCOL_WIRE_DIALECT_H_
#define REPLSIM_PROTOCOL_WIRE_DIALECT_H_

namespace replsim::wire {

enum class Dialect {
  kPg93,  // 9.3.x (dpaks/postgresql-9.3.5)
  kPg15,  // 15.x (LianhangZ/postgresql-15.15)
};

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_DIALECT_H_
