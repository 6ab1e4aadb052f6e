#!/bin/bash
# A campaign on a real Slurm cluster of one node, started here: munged,
# slurmctld and slurmd with a generated slurm.conf in a temporary directory,
# on loopback, on free ports. tools/slurm/campaign.sh submits a 4-task array
# sweep of clean_switchover under pg-9.3beta2; one task is requeued while it
# runs (as a preemption would), and must resume rather than start again; the
# merged failing seeds must equal those of one sweep of the same range in
# one process. Then a small campaign in campaign.sh's one-command form
# (--wait: submit, wait, merge).
#
# Every daemon and job it starts is stopped when it ends, also when it fails
# (an EXIT trap; and, where it may, it runs in its own PID namespace, which
# the kernel empties when the test's shell dies, however it dies).
#
# Skips, passing and saying why, without root or without Slurm and munge
# (tools/setup.sh installs slurm-wlm and munge).
set -euo pipefail

skip() {
  echo "SKIPPED: $*"
  exit 0
}

PATH=$PATH:/usr/sbin:/sbin  # the daemons; Bazel's PATH lacks them
[ "$(id -u)" -eq 0 ] || skip "munged, slurmctld and slurmd are started as root; this is uid $(id -u)"
for b in munged mungekey munge unmunge slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  command -v "$b" >/dev/null || skip "$b is not installed (tools/setup.sh installs slurm-wlm and munge)"
done

if [ "${1:-}" = "--inside" ]; then
  dir=$2
else
  # A short path: unix socket paths have room for 107 bytes.
  dir=$(mktemp -d /tmp/replsim-slurm.XXXXXX)
  # The cluster in its own PID namespace: when the script's shell (PID 1
  # there) exits, the kernel kills everything left in it, and --kill-child
  # kills that shell when unshare dies. Stopped from outside (a Bazel
  # timeout), this shell kills unshare, which ignores SIGTERM.
  if unshare --pid --fork --mount-proc true 2>/dev/null; then
    trap 'rm -rf "$dir"' EXIT
    trap 'kill -KILL "$ns" 2>/dev/null; wait "$ns"; exit 143' TERM INT
    unshare --pid --fork --mount-proc --kill-child "$0" --inside "$dir" &
    ns=$!
    status=0
    wait "$ns" || status=$?
    exit "$status"
  fi
fi

if [ -n "${TEST_SRCDIR:-}" ]; then
  repo=$TEST_SRCDIR/${TEST_WORKSPACE:-replsim}
  replsim=$repo/tools/replsim
else  # run by hand from a checkout, after bazel build //tools:replsim
  repo=$(cd "$(dirname "$0")/../.." && pwd)
  replsim=$repo/bazel-bin/tools/replsim
fi
scenario=$repo/scenarios/clean_switchover.textproto
seeds=2000..10000
tasks=4

export SLURM_CONF=$dir/slurm.conf
daemons=()
ok=0

cleanup() {
  set +e
  if [ "$ok" -ne 1 ]; then
    for log in "$dir"/*.log "$dir"/out/*.log; do
      [ -f "$log" ] && { echo "--- $log"; tail -n 25 "$log"; }
    done
  fi
  # Jobs first, while slurmctld can still stop them.
  if [ -n "${job:-}" ]; then
    scancel "$job" 2>/dev/null
    for _ in $(seq 50); do
      [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for pid in "${daemons[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${daemons[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${daemons[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  # Anything else started for this cluster (a job step, a task) has our
  # SLURM_CONF in its environment: that finds exactly ours.
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}
    pid=${pid%/environ}
    [ "$pid" -ne $$ ] && grep -qzxF "SLURM_CONF=$SLURM_CONF" "$env" 2>/dev/null &&
      kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # then EXIT's cleanup

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free TCP port"
}

wait_for() {  # SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.2
  done
}

# munge: a fresh key, a private socket.
mungekey --create --keyfile="$dir/munge.key" --force
chmod 600 "$dir/munge.key"
munged --foreground --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" \
  --log-file="$dir/munged.log" --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" \
  >"$dir/munged.out" 2>&1 &
daemons+=($!)
munge_works() { munge -n -S "$dir/munge.sock" | unmunge -S "$dir/munge.sock"; }
wait_for 10 munged munge_works

# Slurm: one node, this host, on loopback.
node=$(hostname -s)
mkdir -p "$dir/state" "$dir/spool" "$dir/out"
cat >"$SLURM_CONF" <<EOF
ClusterName=replsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# A requeued job waits cred_expire seconds before it may start again.
AuthInfo=socket=$dir/munge.sock,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
KillWait=10
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=replsim Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" >"$dir/slurmd.out" 2>&1 &
daemons+=($!)
node_idle() { sinfo -h -n "$node" -o %T | grep -q idle; }
wait_for 30 "the node to be idle" node_idle

# The campaign, submitted without --wait so that one task can be requeued.
out=$dir/out
submitted=$(REPLSIM=$replsim "$repo/tools/slurm/campaign.sh" "$out" "$tasks" "$scenario" \
  --seeds "$seeds" --profile pg-9.3beta2)
echo "$submitted"
job=$(sed -n 's/^submitted job array \([0-9]*\):.*/\1/p' <<<"$submitted")
[ -n "$job" ] || fail "campaign.sh printed no job id"

# Preempt task 1 once it has done some seeds: Slurm signals it, the sweep
# saves its progress, and the requeued task must resume from it.
progress=$out/shard-00001.jsonl.progress
has_progress() { [ "$(sed -n 's/^done //p' "$progress" 2>/dev/null || echo 0)" -gt 0 ]; }
wait_for 60 "task 1 to make progress" has_progress
scontrol requeue "${job}_1"
all_done() { [ -z "$(squeue -h -j "$job")" ]; }
wait_for 240 "the array to finish" all_done

grep -q "resuming: " "$out/shard-00001.log" ||
  fail "the requeued task 1 did not resume: $(cat "$out/shard-00001.log")"
for i in 0 1 2 3; do
  [ -f "$out/shard-0000$i.json" ] || fail "task $i wrote no report"
done

set +e
"$out/replsim" merge "$out" --report "$dir/merged.json" | tee "$dir/merge.out"
merge_code=${PIPESTATUS[0]}
"$replsim" sweep "$scenario" --seeds "$seeds" --profile pg-9.3beta2 --jobs 2 \
  --report "$dir/single.json" >/dev/null 2>&1
single_code=$?
set -e

merged=$(sed -n 's/.*"failing_seeds":\[\([0-9,]*\)\].*/\1/p' "$dir/merged.json")
single=$(grep -o '"seed":[0-9]*' "$dir/single.json" | cut -d: -f2 | paste -sd, -)
echo "merged failing seeds: $merged"
echo "single-process sweep: $single"
[ -n "$single" ] || fail "the single-process sweep of $seeds found no failing seed"
[ "$merged" = "$single" ] || fail "the merged failing seeds differ from one sweep's"
[ "$single_code" -eq 1 ] || fail "the single sweep exited $single_code, not 1"
[ "$merge_code" -eq 1 ] || fail "merge exited $merge_code, not 1 (safety violations found)"
grep -q '"seeds_done":8001,' "$dir/merged.json" || fail "the merge does not cover 8001 seeds"
grep -q '"problems":\[\]' "$dir/merged.json" || fail "the merge has problems"

# The one-command form: --wait, then the merge, whose exit code it returns.
set +e
REPLSIM=$replsim "$repo/tools/slurm/campaign.sh" --wait "$dir/small" 2 "$scenario" \
  --seeds 7950..8050 --profile pg-9.3beta2 >"$dir/small.out" 2>&1
small_code=$?
set -e
cat "$dir/small.out"
[ "$small_code" -eq 1 ] || fail "campaign.sh --wait exited $small_code, not 1"
grep -q '"failing_seeds":\[7971\]' "$dir/small/merged/report.json" ||
  fail "campaign.sh --wait did not merge seed 7971"
ok=1
echo "PASS in ${SECONDS}s: 4 Slurm array tasks (one requeued and resumed) merged to the failing" \
  "seeds of one sweep"
