#!/usr/bin/env bash
# Issue 19 benchmark: the authors' Python preprocessing (tests/mri/reference_preprocess.py)
# against `gbmsweep cohort --threads 1` and `--threads 2`, and the torch-free `gbmsweep-cohort
# --threads 1` and `--threads 2` (same code, without LibTorch's ~150 MiB at start-up), on 4 synthetic patients at the real
# size (155×240×240 float32 .nii.gz), runs interleaved, median wall time of ROUNDS rounds
# (default 3; ROUNDS=1 for a quick look), peak RSS from /usr/bin/time -v.
# usage: bench/mri/run_bench.sh [BUILD_DIR]    (env: ROUNDS, PATIENTS, WORK)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
exe=$build/src/cli/gbmsweep
lean=$build/src/cli/gbmsweep-cohort
rounds=${ROUNDS:-3}
patients=${PATIENTS:-4}
work=${WORK:-$build/bench-mri}
py=/usr/bin/python3
rm -rf "$work" && mkdir -p "$work"
"$exe" synth mri --out "$work/data" --patients "$patients" --seed 7 --shape 155,240,240 >/dev/null
# A first, untimed build names the labelled patients (the Python run gets the same ones) and
# warms the page cache for everyone.
"$exe" cohort --data "$work/data" --cache "$work/warm.h5" --shape 70,86,86 --threads 1 >/dev/null
ids=$($py -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); \
print(','.join(x.decode() if isinstance(x,bytes) else x for x in f['ids'][()]))" "$work/warm.h5")
nvol=$(find "$work/data" -name '*.nii.gz' | wc -l)
echo "patients: $ids ($nvol .nii.gz files), rounds: $rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {  # name, command...: appends "seconds kilobytes" to $work/<name>.txt
  local name=$1; shift
  rm -rf "$work/out" "$work/c.h5"
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/$name.err"
  local s kb
  s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); t=0; for(i=1;i<=n;i++) t=t*60+a[i];
      print t}' "$work/time.txt")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$s $kb" >>"$work/$name.txt"
  printf '  %-10s %6.2f s %7.0f MB\n' "$name" "$s" "$(echo "$kb / 1024" | bc -l)"
}
for r in $(seq "$rounds"); do
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg))"
  run python $py "$here/tests/mri/reference_preprocess.py" "$work/data" --ids "$ids" \
    --shape 70,86,86 --out "$work/out"
  run threads1 "$exe" cohort --data "$work/data" --cache "$work/c.h5" --shape 70,86,86 --threads 1
  run threads2 "$exe" cohort --data "$work/data" --cache "$work/c.h5" --shape 70,86,86 --threads 2
  run lean1 "$lean" --data "$work/data" --cache "$work/c.h5" --shape 70,86,86 --threads 1
  run lean2 "$lean" --data "$work/data" --cache "$work/c.h5" --shape 70,86,86 --threads 2
done
median() {  # file, column
  sort -n -k"$2" "$work/$1.txt" | awk -v c="$2" '{v[NR]=$c} END {print v[int((NR+1)/2)]}'
}
tp=$(median python 1); t1=$(median threads1 1); t2=$(median threads2 1)
tl=$(median lean1 1); ml=$(median lean1 2); tl2=$(median lean2 1)
mp=$(median python 2); m1=$(median threads1 2); m2=$(median threads2 2)
echo "median wall time: python ${tp} s, threads 1 ${t1} s, threads 2 ${t2} s," \
     "gbmsweep-cohort threads 1 ${tl} s"
echo "ratio threads1/python: $(echo "$t1 / $tp" | bc -l | cut -c1-5) (target <= 0.33)"
echo "speed-up threads2 vs threads1: $(echo "$t1 / $t2" | bc -l | cut -c1-5) (target >= 1.8)," \
     "gbmsweep-cohort: $(echo "$tl / $tl2" | bc -l | cut -c1-5) (${tl2} s at 2 threads)"
echo "median peak RSS: python $((mp / 1024)) MB, threads 1 $((m1 / 1024)) MB," \
     "threads 2 $((m2 / 1024)) MB, gbmsweep-cohort threads 1 $((ml / 1024)) MB (target <= python)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
