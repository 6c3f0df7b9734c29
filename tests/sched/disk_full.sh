#!/usr/bin/env bash
# The disk fills up while results are written (issue 20): the store lives on a small tmpfs.
# The run must stop with an error that names the file and says the device is full (exit != 0),
# leave a store that Debian's h5py reads and that passes read_store.py, and, once space is back,
# resume to every task done exactly once. Skips (77) where a tmpfs cannot be mounted (not root,
# or a container without CAP_SYS_ADMIN).
# usage: disk_full.sh GBMSWEEP_EXE SWEEP_TOML WORK_DIR READ_STORE_PY
set -euo pipefail
exe=$1 sweep=$2 work=$3 reader=$4
mnt=$work/mnt
umount "$mnt" 2>/dev/null || true
rm -rf "$work"
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null || true' EXIT
# Room for the store's index and a few dozen results, not for all 60 of the probe sweep.
if ! mount -t tmpfs -o size=${DISK_FULL_KB:-600}k tmpfs "$mnt" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)"
  exit 77
fi
store=$mnt/store
rc=0
"$exe" run "$sweep" --store "$store" --grace 0 >"$work/full.log" 2>&1 || rc=$?
echo "run on a full disk: exit $rc"
if [ "$rc" -ne 1 ]; then
  cat "$work/full.log"; df -k "$mnt"
  echo "FAIL: expected exit 1 (the store cannot be written), not $rc (0: finished although the"
  echo "tmpfs is too small; >= 128: a crash)"; exit 1
fi
grep -E "No space left on device|disk is full" "$work/full.log" | head -3
grep -qE "$mnt/store[^ ]*: .*(No space left on device|disk is full)|(No space left on device|disk is full).*$mnt/store" \
  "$work/full.log" || { cat "$work/full.log"; echo "FAIL: no error naming the file and the full disk"; exit 1; }
# Nothing already stored is lost: the index and every result file open, the probe sums hold.
/usr/bin/python3 "$reader" "$store"
done_before=$(grep -c '"e":"done"' "$store/journal.jsonl" || true)
echo "done before the disk filled: $done_before"
# Space is back: the same command resumes.
mount -o remount,size=64m "$mnt"
"$exe" run "$sweep" --store "$store" --grace 0 >"$work/resume.log" 2>&1 || {
  cat "$work/resume.log"; echo "FAIL: the resume did not finish"; exit 1; }
/usr/bin/python3 "$reader" --complete "$store"
