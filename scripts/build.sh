#!/usr/bin/env bash
# Configures and builds gbmsweep (Release) in ./build. Used by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
