#!/usr/bin/env bash
# Kill soak (docs/reliability.md): the probe sweep at 3 ranks, interrupted N times at random
# instants by either `kill -9` of mpirun and every rank, or a SIGUSR1 drain; after each
# interruption every .h5 in the store must open in h5py (tests/sched/read_store.py) and the next
# run resumes. At the end: every task done exactly once in the journal, and the digests equal
# those of an uninterrupted run.
# usage: bench/soak/kill_soak.sh N [BUILD_DIR] [SEED]
set -euo pipefail
N=${1:?usage: kill_soak.sh N [BUILD_DIR] [SEED]}
BUILD=${2:-build}
SEED=${3:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXE=$(realpath "$BUILD/src/cli/gbmsweep")
WORK=$(mktemp -d /tmp/gbmsweep-soak.XXXXXX)
trap 'pkill -9 -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE GBMSWEEP_LOG=warn
RANDOM=$SEED

# The probe DAG with sleeps long enough that a kill lands mid-task: 120 tasks, 0.05-0.4 s.
sed -e 's/^tasks = .*/tasks = 120/' -e 's/^sleep_max = .*/sleep_max = 0.4/' \
  "$ROOT/sweeps/probe.toml" > "$WORK/probe.toml"
run() { mpirun -n 3 "$EXE" run "$WORK/probe.toml" --store "$1" --grace 0 --progress-interval 1000 "${@:2}"; }
digests() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1] + "/store.h5", "r") as f:
    t = f["tasks"]
    for k, s, d in zip(t["key"][:], t["status"][:], t["digest"][:]):
        print(k.decode(), s.decode(), d.decode())
PY
}
check_h5() {  # every .h5 of the store opens, store.h5 is consistent
  /usr/bin/python3 "$ROOT/tests/sched/read_store.py" "$1" >/dev/null
  for f in "$1"/results/*.h5; do
    [ -e "$f" ] || continue
    /usr/bin/python3 -c "import h5py,sys; h5py.File(sys.argv[1],'r').close()" "$f"
  done
}

start=$(date +%s)
run "$WORK/ref" >/dev/null 2>&1
digests "$WORK/ref" | sort > "$WORK/ref.txt"
echo "reference: $(wc -l < "$WORK/ref.txt") tasks in $(( $(date +%s) - start )) s"

kills=0 drains=0 h5_checks=0
for ((i = 1; i <= N; i++)); do
  ( rc=0; run "$WORK/soak" >"$WORK/run.$i.log" 2>&1 || rc=$?; echo $rc > "$WORK/rc.$i" ) &
  pid=$!
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.8 + 3.0 * r / 32767 }')
  sleep "$delay"
  if (( RANDOM % 3 == 0 )); then
    pkill -USR1 -f "mpirun -n 3 $EXE" || true
    drains=$((drains + 1)); what="SIGUSR1 drain"
  else
    pkill -9 -f "mpirun -n 3 $EXE" || true
    pkill -9 -f "$EXE run $WORK/probe.toml" || true
    kills=$((kills + 1)); what="kill -9"
  fi
  wait "$pid" || true
  pkill -9 -f "$EXE run $WORK/probe.toml" 2>/dev/null || true
  sleep 0.2
  if [ -f "$WORK/soak/store.h5" ]; then check_h5 "$WORK/soak"; h5_checks=$((h5_checks + 1)); fi
  done_n=$(grep -c '"e":"done"' "$WORK/soak/journal.jsonl" 2>/dev/null || true)
  echo "round $i: $what after ${delay} s, rc $(cat "$WORK/rc.$i" 2>/dev/null || echo killed), done so far ${done_n:-0}"
done
run "$WORK/soak" >"$WORK/final.log" 2>&1 || { cat "$WORK/final.log"; exit 1; }
check_h5 "$WORK/soak"
digests "$WORK/soak" | sort > "$WORK/soak.txt"
/usr/bin/python3 "$ROOT/tests/sched/read_store.py" --complete "$WORK/soak" | tail -1
if diff -q "$WORK/ref.txt" "$WORK/soak.txt" >/dev/null; then
  echo "digests: identical to the uninterrupted run ($(wc -l < "$WORK/soak.txt") tasks)"
else
  diff "$WORK/ref.txt" "$WORK/soak.txt" | head; echo "digests differ"; exit 1
fi
echo "soak: $N interruptions ($kills kill -9, $drains SIGUSR1), $h5_checks h5py checks, all passed"
