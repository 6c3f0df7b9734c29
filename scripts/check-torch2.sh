#!/usr/bin/env bash
# Syntax-only check of every LibTorch-using source against LibTorch 2.6 headers (issue 15).
#
# Debian 12 builds against LibTorch 1.13; a user's CUDA LibTorch is >= 2.1. Without a second
# toolchain we can still catch API drift: Debian trixie's libtorch-dev (2.6) headers are
# downloaded (never installed) and unpacked into $TORCH2_PREFIX, and each source in the
# build's compile_commands.json that includes torch is compiled with -fsyntax-only against
# them instead of the system's 1.13 headers.
#
#   scripts/check-torch2.sh [build-dir]      (default: build; configure it first)
#   TORCH2_PREFIX=/tmp/torch26 JOBS=2 FILTER='src/(models|train)/' scripts/check-torch2.sh
# FILTER is a Python regular expression searched in each source path.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
prefix=${TORCH2_PREFIX:-/tmp/torch26}
apt_dir=${TORCH2_APT_DIR:-/tmp/trixie}
jobs=${JOBS:-2}
filter=${FILTER:-}

[[ -f $build/compile_commands.json ]] || {
  echo "check-torch2: no $build/compile_commands.json (configure with cmake first)" >&2
  exit 2
}

if [[ ! -f $prefix/usr/include/torch/csrc/api/include/torch/version.h ]]; then
  echo "check-torch2: fetching Debian trixie's libtorch-dev into $prefix" >&2
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  echo 'deb http://deb.debian.org/debian trixie main' > "$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
            -o Dir::State::status=/dev/null)
  apt-get "${apt_opts[@]}" update >/dev/null
  (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download libtorch-dev >/dev/null 2>&1)
  mkdir -p "$prefix"
  for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
fi
inc=$prefix/usr/include
v=$inc/torch/csrc/api/include/torch/version.h
ver=$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {printf "%s%s", s, $3; s="."}' "$v")
echo "check-torch2: LibTorch $ver" >&2

# One shell command per torch source: the build's flags with the 1.13 include path swapped for
# 2.6's (searched before /usr/include, where Debian's 1.13 headers live), no PCH, no output.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
python3 - "$build/compile_commands.json" "$inc" "$filter" > "$list" <<'EOF'
import json, re, shlex, sys
cc, inc, filt = sys.argv[1], sys.argv[2], sys.argv[3]
for e in json.load(open(cc)):
    args = shlex.split(e["command"])
    if "/usr/include/torch/csrc/api/include" not in args or (filt and not re.search(filt, e["file"])):
        continue
    out, skip = [args[0], "-isystem", inc], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-include"):
            skip = True
            continue
        if a == "-c" or a == "-Winvalid-pch" or a.startswith("-O"):
            continue
        out.append(a.replace("/usr/include/torch/csrc/api/include",
                             inc + "/torch/csrc/api/include"))
    out[-1:-1] = ["-fsyntax-only"]
    print("cd " + shlex.quote(e["directory"]) + " && " + shlex.join(out))
EOF
n=$(wc -l < "$list")
echo "check-torch2: $n sources" >&2
fail=0
# xargs exits 123 when any command failed; each failure prints its compiler errors.
run_one='{} 2>&1 | grep -E "error|required from" | head -20; exit ${PIPESTATUS[0]}'
tr '\n' '\0' < "$list" | xargs -0 -P "$jobs" -I{} bash -c "$run_one" || fail=1
if (( fail )); then
  echo "check-torch2: FAILED (see errors above)" >&2
  exit 1
fi
echo "check-torch2: all $n sources compile against $(basename "$prefix")" >&2
