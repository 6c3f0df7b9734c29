#!/usr/bin/env bash
# Configures and builds gbmsweep (Release) in ./build. Used by demo.sh (only the gbmsweep
# target: the demo needs no test executables) and test.sh (everything).
# usage: build.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j"$jobs" "${targets[@]}"
