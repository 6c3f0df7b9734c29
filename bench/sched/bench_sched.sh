#!/usr/bin/env bash
# Scheduler benchmark (docs/scheduler.md):
#  1. dispatch overhead per task: N probe tasks that sleep 0 s, run by `gbmsweep run` on
#     1 rank and on 2 ranks (1 coordinator + 1 worker); overhead = makespan / N;
#  2. makespan of 200 independent probe tasks sleeping 0.1-1 s: `mpirun -n 2` and `-n 3`
#     against GNU parallel -j 2 starting one `gbmsweep run` per task, each with its own store
#     (the naive approach). Prints the ratio.
# Usage: bench/sched/bench_sched.sh [BUILD_DIR] [--quick]   (--quick: sleeps / 10)
set -euo pipefail
BUILD=${1:-build}
SCALE=1
[[ "${2:-}" == "--quick" ]] && SCALE=0.1
EXE=$(realpath "$BUILD/src/cli/gbmsweep")
WORK=$(mktemp -d /tmp/gbmsweep-bench-sched.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE GBMSWEEP_LOG=warn

# sweep_file NAME N LO HI: N independent explicit probe tasks with sleeps uniform in [LO, HI].
sweep_file() {
  awk -v name="$1" -v n="$2" -v lo="$3" -v hi="$4" -v s="$SCALE" 'BEGIN {
    srand(1); printf "[sweep]\nname = \"%s\"\n", name;
    for (i = 0; i < n; i++)
      printf "[[probe.task]]\nname = \"t%d\"\nsleep = %.3f\nvalue = %d\n", i, (lo + (hi - lo) * rand()) * s, i;
  }'
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== dispatch overhead (1000 tasks of 0 s)"
sweep_file overhead 1000 0 0 > "$WORK/overhead.toml"
for np in 1 2; do
  for sync in "" --no-fsync; do
    t0=$(now)
    mpirun -n $np "$EXE" run "$WORK/overhead.toml" --store "$WORK/overhead-np$np$sync" $sync > /dev/null 2>&1
    t1=$(now)
    awk -v np=$np -v s="$(elapsed $t0 $t1)" -v f="${sync:-(fsync)}" 'BEGIN {
      printf "  %d rank(s) %-11s %6.2f s for 1000 tasks: %.1f ms per task (start-up included)\n", np, f, s, s }'
  done
done

echo "== 200 probe tasks of $(awk -v s=$SCALE 'BEGIN{print 0.1*s"-"1*s}') s"
sweep_file makespan 200 0.1 1.0 > "$WORK/makespan.toml"
total=$(grep '^sleep' "$WORK/makespan.toml" | awk '{ s += $3 } END { printf "%.1f", s }')
echo "  sum of sleeps: $total s"
declare -A T
for np in 2 3; do
  t0=$(now)
  mpirun -n $np "$EXE" run "$WORK/makespan.toml" --store "$WORK/makespan-np$np" > /dev/null 2>&1
  t1=$(now)
  T[$np]=$(elapsed $t0 $t1)
  echo "  gbmsweep, mpirun -n $np ($((np - 1)) worker(s)): ${T[$np]} s"
done

# The naive way: one sweep file and one store per task, one process per task.
mkdir -p "$WORK/naive"
awk -v dir="$WORK/naive" '
  /^\[\[probe.task\]\]/ { n++; f = sprintf("%s/t%03d.toml", dir, n); printf "[sweep]\nname = \"t%d\"\n", n > f }
  n > 0 { print >> f }' "$WORK/makespan.toml"
t0=$(now)
ls "$WORK"/naive/*.toml | parallel -j 2 "$EXE run {} --store {.}.store > /dev/null 2>&1"
t1=$(now)
P=$(elapsed $t0 $t1)
echo "  GNU parallel -j 2, one gbmsweep per task: $P s"
awk -v p="$P" -v a="${T[2]}" -v b="${T[3]}" 'BEGIN {
  printf "  ratio gbmsweep/parallel: %.2f (2 ranks), %.2f (3 ranks)\n", a / p, b / p }'
n_done=$("$EXE" status --store "$WORK/makespan-np3" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["done"])')
echo "  check: $n_done/200 done in the 3-rank store"
