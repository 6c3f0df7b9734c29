#!/usr/bin/env bash
# The main job on its embedded default: installs, builds, then plans the smoke sweep.
# (The demo grows into the whole pipeline — synthetic cohorts, run, report — as it lands.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/src/cli/gbmsweep plan sweeps/smoke.toml
