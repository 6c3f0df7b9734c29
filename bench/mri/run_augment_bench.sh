#!/usr/bin/env bash
# Issue 19, item 5: the augmentation step at the paper size (70×86×86), gbmsweep's float32
# transforms against the authors' Python (bench/mri/reference_augment.py: skimage rotate,
# elasticdeform's grid deformation emulated with scipy), one thread each, interleaved, median of
# ROUNDS rounds (default 3). Also the ITK filters gbmsweep used before, and augment_training_set
# at 1 and 2 threads. Prints volumes/s and the time ratio ours/Python (target <= 0.33).
# usage: bench/mri/run_augment_bench.sh [BUILD_DIR]    (env: ROUNDS, SECONDS_PER_STEP)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
bench=$build/bench/mri/bench_mri
rounds=${ROUNDS:-3}
secs=${SECONDS_PER_STEP:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "rounds: $rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  /usr/bin/python3 "$here/bench/mri/reference_augment.py" --seconds "$secs" >"$work/py.$r"
  "$bench" --sizes paper --threads 1 --seconds "$secs" \
    --steps rotate,elastic,rotate_itk,elastic_itk,augment_set >"$work/ours1.$r"
  "$bench" --sizes paper --threads 2 --seconds "$secs" --steps augment_set >"$work/ours2.$r"
  echo "round $r: python $(cat "$work/py.$r"), load $(cut -d' ' -f1 /proc/loadavg)"
done
/usr/bin/python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def ours(kind, r):
    rows = {}
    for line in open(f"{work}/{kind}.{r}"):
        f = line.split()
        if len(f) == 4 and f[0] == "paper":
            rows[f[2]] = float(f[3])
    return rows
med = lambda xs: statistics.median(xs)
py = [json.load(open(f"{work}/py.{r}")) for r in range(1, rounds + 1)]
o1 = [ours("ours1", r) for r in range(1, rounds + 1)]
o2 = [ours("ours2", r) for r in range(1, rounds + 1)]
print("median volumes/s at 70x86x86, 1 thread:")
for step in ("rotate", "elastic"):
    p, g, i = med([x[step] for x in py]), med([x[step] for x in o1]), med([x[step + "_itk"] for x in o1])
    print(f"  {step:8s} python {p:8.2f}  gbmsweep {g:8.2f}  (ITK before: {i:7.2f})"
          f"  ratio ours/python {p / g:.4f} (target <= 0.33)")
s1, s2 = med([x["augment_set"] for x in o1]), med([x["augment_set"] for x in o2])
print(f"augment_training_set (8 samples x 4 copies): {s1:.1f} copies/s at 1 thread, "
      f"{s2:.1f} at 2: speed-up {s2 / s1:.2f} (target >= 1.8)")
PY
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
