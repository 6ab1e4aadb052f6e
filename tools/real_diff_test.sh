#!/bin/bash
# replsim real and diff on real PostgreSQL 15 (Debian's postgresql-15, which
# tools/setup.sh installs), CI-sized:
# 1. a step real runs cannot perform is refused with file:line:col, exit 4,
#    before any server starts;
# 2. three differential scenarios, 2 real runs each against 10 seeds of the
#    pg-15 profile: their outcome classes must agree (exit 0);
# 3. a real run interrupted with SIGINT while its servers run exits 130 and
#    leaves no process and no file of that run behind.
# Skips, passing and saying why, when PostgreSQL 15 is not installed.
set -euo pipefail

skip() {
  echo "SKIPPED: $*"
  exit 0
}

BIN=/usr/lib/postgresql/15/bin
if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/postgres" ]; then
  BIN=$(pg_config --bindir)
fi
[ -x "$BIN/postgres" ] && "$BIN/postgres" --version | grep -q ') 15\.' ||
  skip "PostgreSQL 15 is not installed (apt-get install postgresql-15; tools/setup.sh does)"

REPLSIM=$(pwd)/tools/replsim
D=scenarios/differential
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 1. a crash step is refused before any server starts"
sed 's/^steps { wait_for_catch_up { node: "standby" timeout_s: 30 } }$/&\nsteps { crash { node: "standby" restart_after_ms: 100 } }/' \
  $D/fast_stop_switchover.textproto > "$work/crash.textproto"
line=$(grep -n 'crash {' "$work/crash.textproto" | cut -d: -f1)
set +e
"$REPLSIM" real "$work/crash.textproto" > "$work/out" 2> "$work/err"
rc=$?
set -e
cat "$work/err"
[ $rc -eq 4 ] || { echo "FAIL: exit $rc, expected 4"; exit 1; }
grep -q "crash.textproto:$line:[0-9]*: step 5 cannot run on real PostgreSQL: crash" "$work/err" ||
  { echo "FAIL: no file:$line:col naming the crash step"; exit 1; }
if grep -q "real: run" "$work/err"; then echo "FAIL: a run began"; exit 1; fi

echo "== 2. differential scenarios agree"
for s in fast_stop_switchover detached_standby_quiet walreceiver_killed; do
  "$REPLSIM" diff $D/$s.textproto --runs 2 --seeds 1..10 | tee "$work/$s.out"
  grep -q "^agree:" "$work/$s.out" || { echo "FAIL: $s disagrees"; exit 1; }
done

echo "== 3. SIGINT in the middle of a real run leaves nothing behind"
"$REPLSIM" real $D/fast_stop_switchover.textproto > "$work/int.out" 2> "$work/int.err" &
pid=$!
dir=""
running() {  # pids of processes whose working directory or command line is under $1
  {
    ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -F -- "-> $1" | sed 's|.*/proc/\([0-9]*\)/cwd.*|\1|' ||
      true
    # The pattern from a file, so that this grep's own command line lacks it.
    printf '%s' "$1" > "$work/pattern"
    grep -lFf "$work/pattern" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 || true
  } | sort -u
}
for _ in $(seq 1 600); do
  dir=$(sed -n 's/^real: run 1 in //p' "$work/int.err")
  # Interrupted once its servers run: a postmaster.pid in a data directory.
  if [ -n "$dir" ] && ls "$dir"/*/postmaster.pid > /dev/null 2>&1; then break; fi
  sleep 0.1
done
[ -n "$dir" ] || { echo "FAIL: the run never said where it is"; exit 1; }
before=$(running "$dir" | wc -l)
echo "processes of the run before SIGINT: $before"
[ "$before" -gt 0 ] || { echo "FAIL: no process of the run found to begin with"; exit 1; }
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
cat "$work/int.err"
[ $rc -eq 130 ] || { echo "FAIL: exit $rc after SIGINT, expected 130"; exit 1; }
left=$(running "$dir")
[ -z "$left" ] || { echo "FAIL: processes of the run remain: $left"; ps -fp $left; exit 1; }
[ ! -e "$dir" ] || { echo "FAIL: $dir remains"; exit 1; }
echo "PASS"
