#!/usr/bin/env bash
# The main job on its embedded default: installs, builds, writes the synthetic MRI and drug
# cohorts, runs sweeps/smoke.toml under mpirun on the local cores (both studies, all three
# networks, the two-step drug chain), then writes the report. Running it again resumes from
# the store and only redoes the report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
G=$PWD/build/src/cli/gbmsweep
STORE=${GBMSWEEP_DEMO_STORE:-stores/smoke}
REPORT=$STORE/report
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMP_WAIT_POLICY=PASSIVE

# Synthetic cohorts in the real file layouts (written once; seeded, so always the same).
[ -f data/synth/mri/.complete ] || {
  rm -rf data/synth/mri
  "$G" synth mri --out data/synth/mri --patients 60 --seed 1
  touch data/synth/mri/.complete
}
[ -f data/synth/drug/.complete ] || {
  rm -rf data/synth/drug
  "$G" synth drug --out data/synth/drug --seed 1
  touch data/synth/drug/.complete
}

# Rank 0 coordinates; one worker rank per core.
ranks=$(( $(nproc) + 1 ))
"$G" plan sweeps/smoke.toml
mpirun --oversubscribe -n "$ranks" "$G" run sweeps/smoke.toml --store "$STORE"
"$G" report --store "$STORE" --out "$REPORT"
echo
echo "report: $REPORT/report.md (tables: $REPORT/*.csv, figures: $REPORT/*.png)"
