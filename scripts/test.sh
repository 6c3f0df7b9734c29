#!/usr/bin/env bash
# Installs the Debian packages, builds and runs the whole test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh
bash scripts/build.sh
built=$(date +%s)
cd build
ctest --output-on-failure -j"$(nproc)"
end=$(date +%s)
echo "build: $((built - start)) s, tests: $((end - built)) s"
