#!/usr/bin/env bash
# A drain signal during start-up (issue 20): SIGUSR1 before `run` has installed its handlers
# (while the libraries load, before MPI_Init) must drain — exit 3, the store consistent — and
# the next run must finish every task exactly once; it used to kill the rank (rc 138).
# Deterministic: GBMSWEEP_TEST_RAISE_AT makes every rank raise SIGUSR1 at one start-up point
# (preinit: before any shared library's initialiser; main; pre_mpi_init), and one more run
# gets SIGUSR1 from outside as soon as /proc shows the process blocking or catching it.
# usage: startup_signal.sh GBMSWEEP_EXE SWEEP_TOML WORK_DIR READ_STORE_PY MPIEXEC
set -euo pipefail
exe=$1 sweep=$2 work=$3 reader=$4 mpiexec=$5
rm -rf "$work"
mkdir -p "$work"
# 12 short probe tasks: each resume is a few seconds.
sed -e 's/^tasks = .*/tasks = 12/' -e 's/^sleep_max = .*/sleep_max = 0.1/' "$sweep" > "$work/probe.toml"
fail() { echo "FAIL: $*"; exit 1; }

check_drained() {  # STORE RC LOG: exit 3, a drain by signal 10 logged, the store reads back
  [ "$2" -eq 3 ] || { cat "$3"; fail "$1: expected exit 3 (drained), got $2 (138: killed by SIGUSR1)"; }
  grep -q 'drain (signal 10' "$3" || { cat "$3"; fail "$1: no drain on signal 10 in the log"; }
  /usr/bin/python3 "$reader" "$1" >/dev/null || fail "$1: store not consistent after the drain"
}
resume() {  # STORE: the same command again finishes every task, each done exactly once
  "$mpiexec" -n 2 "$exe" run "$work/probe.toml" --store "$1" --grace 0 >"$1.resume.log" 2>&1 ||
    { cat "$1.resume.log"; fail "$1: the resume did not finish"; }
  /usr/bin/python3 "$reader" --complete "$1" | tail -1
}

for point in preinit main pre_mpi_init; do
  store=$work/$point
  rc=0
  GBMSWEEP_TEST_RAISE_AT=$point "$mpiexec" -n 2 "$exe" run "$work/probe.toml" --store "$store" \
    --grace 0 >"$store.log" 2>&1 || rc=$?
  check_drained "$store" "$rc" "$store.log"
  # Raised before the first task was handed out: none may have run.
  n=$(grep -c '"e":"done"' "$store/journal.jsonl" || true)
  [ "$n" -eq 0 ] || fail "$point: $n tasks done after a drain requested before the first one"
  echo "$point: drained (exit 3, 0 tasks done)"
  resume "$store"
done

# From outside, at the first instant the process holds SIGUSR1 blocked or caught (bit 10 of
# SigBlk/SigCgt in /proc), on a single rank (MPI singleton).
store=$work/external
"$exe" run "$work/probe.toml" --store "$store" --grace 0 >"$store.log" 2>&1 &
pid=$!
seen=
for _ in $(seq 20000); do
  st=$(cat /proc/$pid/status 2>/dev/null) || break
  [ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$(readlink -f "$exe")" ] || continue
  blk=$(sed -n 's/^SigBlk:\s*//p' <<<"$st") cgt=$(sed -n 's/^SigCgt:\s*//p' <<<"$st")
  if (( (0x$blk | 0x$cgt) & 0x200 )); then seen=1; kill -USR1 $pid; break; fi
done
rc=0
wait $pid || rc=$?
[ -n "$seen" ] || { cat "$store.log"; fail "external: the process never blocked or caught SIGUSR1"; }
check_drained "$store" "$rc" "$store.log"
echo "external SIGUSR1 at start-up: drained (exit 3)"
resume "$store"
echo "ok"
