#!/usr/bin/env bash
# Seed corpus for one fuzz target: the shipped sweeps, the synthetic cohorts' tables, the test
# fixtures. usage: seeds.sh TARGET DIR
set -euo pipefail
t=$1; dir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
copy() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | sha1sum | cut -c1-12)" || true; done; }
case $t in
  fuzz_sweep) copy "$root"/sweeps/*.toml ;;
  fuzz_delimited)
    copy $(find "$root/tests" "$root/data" -maxdepth 4 \( -name '*.csv' -o -name '*.tsv' -o -name '*.txt' \) 2>/dev/null | head -50) ;;
  fuzz_torchfile) copy "$root"/tests/fixtures/medicalnet/*.pth ;;
  fuzz_drug_tables)
    # The synthetic drug cohort with the real downloads' quirks (BOM, CRLF, repeated columns,
    # Ensembl keys), from the main build's executable.
    exe=${GBMSWEEP_EXE:-$root/build/src/cli/gbmsweep}
    tmp=$(mktemp -d)
    "$exe" synth drug --out "$tmp" >/dev/null 2>&1 || true
    copy $(find "$tmp" -type f -size -256k)
    rm -rf "$tmp" ;;
  fuzz_nifti|fuzz_clinical)
    # The synthetic MRI cohort with the release's quirks (BOM/CRLF/quoted tables, a NaN voxel,
    # the 4-D DSC series), small scans; NIfTI also gunzipped so that mutations reach the header
    # and voxel checks instead of dying in the gzip CRC.
    exe=${GBMSWEEP_EXE:-$root/build/src/cli/gbmsweep}
    tmp=$(mktemp -d)
    "$exe" synth mri --out "$tmp" --patients 4 --shape 8,10,10 --quirks >/dev/null 2>&1 || true
    if [ "$t" = fuzz_clinical ]; then
      copy $(find "$tmp" -name '*.csv')
    else
      files=$(find "$tmp" -name '*.nii.gz' | sort | head -12)
      copy $files
      for f in $files; do gunzip -c "$f" > "$dir/$(basename "$f" .gz)" 2>/dev/null || true; done
    fi
    rm -rf "$tmp" ;;
  fuzz_journal)
    # The journal of a real store: the probe sweep run to the end, and one drained half-way.
    exe=${GBMSWEEP_EXE:-$root/build/src/cli/gbmsweep}
    tmp=$(mktemp -d)
    sed -e 's/^tasks = .*/tasks = 8/' -e 's/^sleep_max = .*/sleep_max = 0.06/' \
      "$root/sweeps/probe.toml" > "$tmp/probe.toml"
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 GBMSWEEP_LOG=error \
      "$exe" run "$tmp/probe.toml" --store "$tmp/store" >/dev/null 2>&1 || true
    copy "$tmp/store/journal.jsonl"
    [ -f "$tmp/store/journal.jsonl" ] && head -c 1500 "$tmp/store/journal.jsonl" > "$dir/torn"
    rm -rf "$tmp" ;;
esac
# Never empty: libFuzzer then starts from nothing.
[ -n "$(ls "$dir")" ] || printf 'a,b\n1,2\n' > "$dir/minimal"
