#!/bin/bash
# Runs a replsim campaign on a Slurm cluster in one command:
#
#   tools/slurm/campaign.sh [--wait] OUT TASKS SCENARIO [FLAGS...]
#
#   bazel build --config=fast //tools:replsim
#   tools/slurm/campaign.sh --wait /shared/c1 64 scenarios/clean_switchover.textproto \
#     --seeds 1..100000000 --profile pg-9.3beta2
#
# copies the replsim binary to OUT/replsim (every task runs the same build),
# submits tools/slurm/replsim_array.sbatch as a TASKS-task job array, task i
# sweeping shard i/TASKS of FLAGS' seed range into OUT (its log in
# OUT/shard-0000i.log), and prints the job id and the merge command. With
# --wait it waits for the array to end, then merges: the result on stdout and
# in OUT/merged/report.json and OUT/merged/junit.xml, with merge's exit code.
#
# OUT, SCENARIO and this checkout must be visible at the same paths on every
# node. Variables: REPLSIM (the binary to copy; default bazel-bin/tools/replsim
# of this checkout), COMMAND (default sweep), JOBS (cores per task, default 1),
# and sbatch's own SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ...
set -euo pipefail

die() {
  echo "campaign: $*" >&2
  exit 4
}

wait_flag=()
if [ "${1:-}" = "--wait" ]; then
  wait_flag=(--wait)
  shift
fi
[ $# -ge 3 ] || die "usage: campaign.sh [--wait] OUT TASKS SCENARIO [--seeds A..B --profile P ...]"
out=$1
tasks=$2
scenario=$3
shift 3
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || die "TASKS must be a whole number >= 1, got \"$tasks\""
[ -f "$scenario" ] || die "$scenario: no such scenario file"
command -v sbatch >/dev/null || die "sbatch not found: this is not a Slurm submit host"

here=$(cd "$(dirname "$0")" && pwd)
replsim=${REPLSIM:-$here/../../bazel-bin/tools/replsim}
[ -x "$replsim" ] || die "no replsim at $replsim: bazel build --config=fast //tools:replsim," \
  "or set REPLSIM"
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -e "$out/replsim" ] && ! cmp -s "$replsim" "$out/replsim"; then
  die "$out holds another build's campaign; give a new directory"
fi
cp "$replsim" "$out/replsim.tmp" && mv "$out/replsim.tmp" "$out/replsim"
"$out/replsim" --version >/dev/null || die "$out/replsim does not run"

# With --wait, sbatch exits with the highest exit code of the tasks: 1 or 2
# when one found violations, which is merge's to report.
job=$(OUT=$out REPLSIM=$out/replsim COMMAND=${COMMAND:-sweep} \
  sbatch --parsable "${wait_flag[@]}" --array="0-$((tasks - 1))" \
  --cpus-per-task="${JOBS:-1}" --output="$out/shard-%5a.log" \
  "$here/replsim_array.sbatch" "$scenario" "$@") || [ ${#wait_flag[@]} -eq 1 ]
[ -n "$job" ] || die "sbatch refused the job"
if [ ${#wait_flag[@]} -eq 0 ]; then
  echo "submitted job array $job: $tasks tasks writing to $out"
  echo "watch it:  squeue -j $job"
  echo "merge it:  $out/replsim merge $out"
  exit 0
fi
mkdir -p "$out/merged"
exec "$out/replsim" merge "$out" --report "$out/merged/report.json" \
  --junit "$out/merged/junit.xml"
