#!/usr/bin/env bash
# Rehearses bench/gpu/check.sh HERE, on a CPU machine with Debian's LibTorch 1.13: the same
# script, unpacking the same carried .debs and building the same GPU-core configuration, with
# small shapes and few steps so that it ends in minutes once built. check.sh finds no CUDA and
# still runs every step it can (CUDA cases skip visibly; bench runs on the CPU, fp32 only).
# Exit 0 only when every step of the check succeeded. Run from anywhere:
#   bash bench/gpu/rehearse.sh        (output: gpucheck-out/gpu_check.json, log.txt)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "$(ls bench/gpu/carry/*.deb 2>/dev/null)" ] || bash bench/gpu/prepare.sh
export OUT=${OUT:-$PWD/gpucheck-out}
export GPUCHECK_PREFIX=${GPUCHECK_PREFIX:-/tmp/gpucheck-rehearsal-prefix}
# Kept between rehearsals (incremental), ccache on: this machine has 2 shared cores.
export GPUCHECK_BUILD=${GPUCHECK_BUILD:-$PWD/build-gpucheck}
export GPUCHECK_CMAKE_EXTRA=${GPUCHECK_CMAKE_EXTRA:--DGBMSWEEP_USE_CCACHE=ON}
export GPUCHECK_TORCH_DIR=${GPUCHECK_TORCH_DIR:-/usr/lib/x86_64-linux-gnu/cmake/Torch}
export GPUCHECK_PYTHON=${GPUCHECK_PYTHON:-/usr/bin/python3}   # Debian's, with python3-torch
export GPUCHECK_JOBS=${GPUCHECK_JOBS:-2}
export GPUCHECK_BUDGET_S=${GPUCHECK_BUDGET_S:-5400}           # a cold build here takes long
export GPUCHECK_BUILD_BOX_S=${GPUCHECK_BUILD_BOX_S:-4800}
export GPUCHECK_SHAPE=${GPUCHECK_SHAPE:-16,16,16} GPUCHECK_BATCH=${GPUCHECK_BATCH:-2}
export GPUCHECK_DEPTH=${GPUCHECK_DEPTH:-10} GPUCHECK_STEPS=${GPUCHECK_STEPS:-2}
export GPUCHECK_SAMPLES=${GPUCHECK_SAMPLES:-3} GPUCHECK_THREADS=${GPUCHECK_THREADS:-1}
bash bench/gpu/check.sh
"$GPUCHECK_PYTHON" - "$OUT/gpu_check.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [n for n, s in d['steps'].items() if not s['ok']]
print('rehearsal: %d steps, device %s, %s' % (len(d['steps']), d['device'],
      'all ok' if not bad else 'FAILED: ' + ', '.join(bad)))
sys.exit(1 if bad else 0)
PY
