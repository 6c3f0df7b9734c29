#!/usr/bin/env bash
# Runs a sweep to completion on a workstation with plain mpirun, then writes the report.
#   jobs/local.sh SWEEP.toml STORE_DIR [RANKS]
# RANKS default: the number of cores; for a sweep with MRI trainings on a CUDA build that sees
# GPUs, one worker per GPU + the coordinator (more would make workers share a GPU's memory).
# Interrupt it (Ctrl-C) at any time and run the same line again: it resumes from the store.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
GBMSWEEP=${GBMSWEEP:-$here/build/src/cli/gbmsweep}
sweep=${1:?usage: jobs/local.sh SWEEP.toml STORE_DIR [RANKS]}
store=${2:?usage: jobs/local.sh SWEEP.toml STORE_DIR [RANKS]}
[ -x "$GBMSWEEP" ] || { echo "jobs/local.sh: $GBMSWEEP not found: run scripts/build.sh first" >&2; exit 2; }
gpus=$("$GBMSWEEP" --version 2>/dev/null | sed -n 's/.*cuda: yes  gpus visible: \([0-9]*\).*/\1/p')
trains=$("$GBMSWEEP" plan "$sweep" --json 2>/dev/null | grep -o '"mri.train": *[0-9]*' | grep -o '[0-9]*$')
if [ -n "${3:-}" ]; then
  ranks=$3
elif [ -n "$gpus" ] && [ "$gpus" -gt 0 ] && [ "${trains:-0}" -gt 0 ]; then
  ranks=$((gpus + 1))
  echo "jobs/local.sh: $gpus GPU(s) for $trains MRI trainings: $ranks ranks (one worker per" \
    "GPU + the coordinator; pass RANKS to choose)" >&2
else
  ranks=$(nproc)
fi

export OMP_WAIT_POLICY=PASSIVE
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# mpirun kills its ranks on SIGINT/SIGTERM but forwards SIGUSR1, on which gbmsweep drains.
child=
trap '[ -n "$child" ] && kill -USR1 "$child" 2>/dev/null' INT TERM
mpirun --oversubscribe -n "$ranks" "$GBMSWEEP" run "$sweep" --store "$store" &
child=$!
while :; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$rc" -ne 0 ]; then
  echo "jobs/local.sh: gbmsweep run exited with $rc; run the same command again to resume" >&2
  [ "$rc" -eq 1 ] || exit "$rc"   # 1: some tasks failed — still write what the store has
fi
"$GBMSWEEP" report --store "$store" --out "$store/report"
exit "$rc"
