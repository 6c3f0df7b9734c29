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
esac
# Never empty: libFuzzer then starts from nothing.
[ -n "$(ls "$dir")" ] || printf 'a,b\n1,2\n' > "$dir/minimal"
