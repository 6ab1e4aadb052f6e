#include "tools/flags.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace replsim::tools {
namespace {

struct CommandSpec {
  const char* name;
  const char* args;  // positional arguments, for the usage text
  const char* what;
  size_t min_positional;
  size_t max_positional;
};

const CommandSpec kCommands[] = {
    {"run", "FILE", "one run: outcome, first violation, fingerprint", 1, 1},
    {"replay", "FILE", "the whole trace of one run, then its fingerprint", 1, 1},
    {"sweep", "FILE", "a seed range: failing seeds, seeds/s; resumable", 1, 1},
    {"fuzz", "SPEC", "generated schedules per seed; each failure as a shrunk scenario file", 1, 1},
    {"shrink", "FILE", "the smallest scenario that fails a seed the same way (ddmin)", 1, 1},
    {"suite", "[DIR]", "every scenario in DIR (default: the bundled ones), each row", 0, 1},
    {"real", "FILE", "the scenario on real PostgreSQL 15: each run's outcome record", 1, 1},
    {"diff", "FILE", "real PostgreSQL 15 vs the pg-15 profile: the outcome classes of both", 1,
     1},
    {"merge", "DIR...", "one result from a campaign's shards (their reports, failures files)",
     1, 100000},
};

struct FlagSpec {
  const char* name;
  const char* value;
  std::set<std::string> commands;
  const char* help;
};

const FlagSpec kFlags[] = {
    {"seed", "N", {"run", "replay", "shrink"}, "the seed, 0..18446744073709551615 (required)"},
    {"seeds", "A..B", {"sweep", "fuzz", "diff"},
     "the seed range, inclusive (default: the scenario's)"},
    {"runs", "N", {"real", "diff"}, "runs on real PostgreSQL 15 (default 1 for real, 2 for diff)"},
    {"profile", "P", {"run", "replay", "sweep", "fuzz", "shrink"},
     "behaviour profile instead of the scenario's (pg-9.3beta2, pg-15, ...)"},
    {"switches", "S", {"run", "replay", "sweep", "fuzz", "shrink"},
     "switch overrides on top of the profile and the scenario's own: 985bd7d497=off,..."},
    {"scheduler", "S", {"run", "replay", "sweep", "fuzz", "shrink"},
     "instead of the scenario's scheduler block: fifo|random|pct|pct:D, cpu_time=on|off, "
     "cores=N, signals=linux|random (comma-separated)"},
    {"trace", "FILE", {"run"}, "write the run's trace here (up to a crash, if it crashes)"},
    {"trace_format", "F", {"run"}, "text, json (one event per line) or perfetto"},
    {"html", "OUT.html", {"run", "replay"},
     "write the run as a space-time diagram: one self-contained HTML file"},
    {"logs", "DIR", {"run", "replay"},
     "write each node's server log, DIR/NODE.log (log_line_prefix '%m [%p] %b: ')"},
    {"dump-at", "T", {"run", "replay"},
     "write each node's pg_controldata and pg_waldump listing as of T seconds of virtual "
     "time, into --dump-dir or --logs (without it they are written at the first violation)"},
    {"dump-dir", "DIR", {"run", "replay"},
     "where dumps go (default: the --logs DIR): DIR/NODE.pg_controldata, NODE.pg_waldump"},
    {"until", "T", {"replay"}, "print the trace up to T seconds of virtual time"},
    {"node", "NAME", {"replay"}, "print only the events of node NAME"},
    {"grep", "TEXT", {"replay"}, "print only the trace lines containing TEXT"},
    {"jobs", "N", {"sweep", "suite", "fuzz"}, "worker processes (default 1 for sweep, 2 for suite)"},
    {"shard", "i/n", {"sweep"},
     "run every n-th seed from the i-th (default: Bazel's TEST_SHARD_INDEX/TOTAL)"},
    {"shard_count", "N", {"sweep"},
     "n of --shard i/n, i from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)"},
    {"failures", "FILE", {"sweep"},
     "append each failing seed here as a JSON line, fsynced; FILE.progress resumes"},
    {"report", "FILE.json", {"sweep", "suite", "fuzz", "merge"},
     "write the results as one JSON document"},
    {"junit", "FILE.xml", {"sweep", "suite", "fuzz", "merge"},
     "write the results as JUnit XML for CI"},
    {"report-html", "OUT.html", {"sweep", "fuzz"},
     "write the results as one self-contained HTML page: failing seeds over the range, "
     "failure rate (95% Wilson interval), seeds to the first failure, signatures, seeds/s"},
    {"html-dir", "DIR", {"sweep", "fuzz"},
     "write the space-time diagram of the first failing seed of each violation signature "
     "(not of every failing seed) to DIR/SIGNATURE-SEED.html"},
    {"out", "PATH", {"fuzz", "shrink", "real", "diff"},
     "fuzz: the directory for reproducers (default fuzz-out/SPEC); shrink: the file written; "
     "real, diff: each run's server logs and outcome, PATH/real-N/, PATH/sim-SEED/"},
};

const FlagSpec* FindFlag(const std::string& name) {
  for (const FlagSpec& f : kFlags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> out;
  for (const CommandSpec& c : kCommands) out.push_back(c.name);
  return out;
}

}  // namespace

std::string CommandLine::Get(const std::string& name, const std::string& fallback) const {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  std::vector<std::pair<std::string, std::string>> given;  // in order, for the checks
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      if (cl.command.empty()) {
        cl.command = a;
      } else {
        cl.positional.push_back(a);
      }
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    if (a == "--help" || a == "-h" || a == "-help" || a == "--helpfull") {
      cl.help = true;
      continue;
    }
    if (a == "--version") {
      cl.version = true;
      continue;
    }
    if (!absl::StartsWith(a, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option \"", a, "\"; flags are written --name=value"));
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* spec = FindFlag(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, "; `replsim --help` lists the flags"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value: --", name, " ", spec->value));
      }
      value = args[++i];
    }
    if (cl.flags.count(name) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " is given twice"));
    }
    cl.flags[name] = value;
    given.emplace_back(name, value);
  }
  if (cl.command == "help") cl.help = true;
  if (cl.help || cl.version) return cl;
  if (cl.command.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing command: ", absl::StrJoin(CommandNames(), ", "), " (see --help)"));
  }
  const CommandSpec* command = FindCommand(cl.command);
  if (command == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown command \"", cl.command,
                                                   "\"; expected ",
                                                   absl::StrJoin(CommandNames(), ", ")));
  }
  if (cl.positional.size() < command->min_positional ||
      cl.positional.size() > command->max_positional) {
    return absl::InvalidArgumentError(
        absl::StrCat(cl.command, " takes ", command->args,
                     command->max_positional == 1 && command->min_positional == 1
                         ? " (exactly one file)"
                         : "",
                     ", got ", cl.positional.size(), " argument(s)"));
  }
  for (const auto& [name, value] : given) {
    const FlagSpec* spec = FindFlag(name);
    if (spec->commands.count(cl.command) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " does not apply to ", cl.command, "; it is for ",
                       absl::StrJoin(spec->commands, " and ")));
    }
  }
  return cl;
}

std::string UsageText() {
  std::string out =
      "replsim: a deterministic simulation testbed for PostgreSQL streaming replication\n\n"
      "usage: replsim COMMAND ARGS [--flag=value ...]\n\ncommands:\n";
  for (const CommandSpec& c : kCommands) {
    absl::StrAppend(&out, "  ", c.name, " ", c.args,
                    std::string(std::max<int>(1, 14 - static_cast<int>(strlen(c.name)) -
                                                     static_cast<int>(strlen(c.args))),
                                ' '),
                    c.what, "\n");
  }
  absl::StrAppend(&out, "\nflags:\n");
  for (const FlagSpec& f : kFlags) {
    const std::string head = absl::StrCat("  --", f.name, " ", f.value);
    absl::StrAppend(&out, head, std::string(std::max<int>(1, 26 - head.size()), ' '), f.help,
                    " [", absl::StrJoin(f.commands, ", "), "]\n");
  }
  absl::StrAppend(
      &out, "  --help                  this text\n",
      "  --version               the version and the git commit replsim was built from\n",
      "\nA run prints its fingerprint, a hash of its whole trace: the same scenario,\n"
      "seed, profile and switches give the same fingerprint on any machine. It also\n"
      "prints its unseed, a digest of the state of every random stream at the end\n"
      "(FoundationDB's name): two runs with the same unseed drew the same random\n"
      "numbers, so a run whose fingerprint differs but whose unseed matches took\n"
      "another path without drawing differently.\n",
      "\nexit codes: 0 as expected; 1 a safety violation; 2 a liveness violation;\n"
      "3 replsim itself crashed (a bug in replsim, reported with its seed); 4 bad\n"
      "input or usage; 5 a suite row not as expected (a bug not reproduced);\n"
      "130/143 interrupted by SIGINT/SIGTERM (progress saved).\n");
  return out;
}

absl::StatusOr<uint64_t> ParseSeed(const std::string& flag, const std::string& text) {
  uint64_t v = 0;
  // SimpleAtoi accepts a leading '+' and whitespace; a seed is digits only.
  const bool digits = !text.empty() && text.size() <= 20 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || !absl::SimpleAtoi(text, &v)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected a whole number 0..18446744073709551615, got \"", text, "\""));
  }
  return v;
}

absl::StatusOr<int64_t> ParseIntFlag(const std::string& flag, const std::string& text,
                                     int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < lo || v > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected a whole number ", lo, "..", hi, ", got \"", text, "\""));
  }
  return v;
}

}  // namespace replsim::tools
