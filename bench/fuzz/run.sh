#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 60), seeded from
# the synthetic files and the shipped sweeps. Crashes land in bench/fuzz/out/<target>/; each one
# found becomes a regression test (docs/reliability.md).
# usage: bench/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
root=$(cd ../.. && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=("$@")
build_args=()
for t in "${targets[@]}"; do build_args+=(--target "$t"); done  # only those asked for
cmake --build "$build" -j"$(nproc)" "${build_args[@]}" >/dev/null
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(cd "$build" && ls fuzz_* | grep -v '\.' ))
fi
mkdir -p out
for t in "${targets[@]}"; do
  corpus=out/$t/corpus
  mkdir -p "$corpus" out/$t/crashes
  bash seeds.sh "$t" "$corpus"
  echo "== $t: ${secs} s"
  "$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=out/$t/crashes/ "$corpus" 2>&1 | tee out/$t/log.txt | \
    grep -E '^#[0-9]+ +DONE|^Done|ERROR|SUMMARY' || true
  echo "   corpus $(ls "$corpus" | wc -l) inputs, crashes $(ls out/$t/crashes | wc -l)"
done
