"""`gbmsweep-cohort` (no LibTorch) against `gbmsweep cohort`: the same summary and the same
cached volumes on a synthetic cohort with the release's quirks, the same exit code and message
on a missing directory, and a smaller resident set at start-up (--help).
usage: check_lean.py GBMSWEEP GBMSWEEP_COHORT SCRATCH_DIR
"""
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

EXE, LEAN, WORK = sys.argv[1:4]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
data = os.path.join(WORK, "data")
subprocess.run([EXE, "synth", "mri", "--out", data, "--patients", "8", "--seed", "3",
                "--shape", "16,20,20", "--quirks"], check=True, capture_output=True)


def cohort(cmd, cache):
    p = subprocess.run(cmd + ["--data", data, "--cache", cache, "--shape", "8,10,12", "--folds",
                              "3", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


a = cohort([EXE, "cohort"], os.path.join(WORK, "full.h5"))
b = cohort([LEAN], os.path.join(WORK, "lean.h5"))
assert a == b, (a, b)
with h5py.File(os.path.join(WORK, "full.h5"), "r") as fa, \
        h5py.File(os.path.join(WORK, "lean.h5"), "r") as fb:
    names = sorted(fa["volumes"])
    assert names and names == sorted(fb["volumes"]), names
    for n in names:
        assert np.array_equal(fa["volumes"][n][...], fb["volumes"][n][...]), n

missing = os.path.join(WORK, "missing")
pa = subprocess.run([EXE, "cohort", "--data", missing, "--cache", "x.h5"], capture_output=True,
                    text=True)
pb = subprocess.run([LEAN, "--data", missing, "--cache", "x.h5"], capture_output=True, text=True)
assert pa.returncode == pb.returncode == 2, (pa.returncode, pb.returncode)
assert pb.stderr.startswith("gbmsweep-cohort: error: ") and "missing" in pb.stderr, pb.stderr


def peak_kib(cmd):
    out = os.path.join(WORK, "time.txt")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, capture_output=True, check=True)
    return int(open(out).read().split()[-1])


lean_kib = peak_kib([LEAN, "--help"])
full_kib = peak_kib([EXE, "--version"])
print(f"start-up peak RSS: gbmsweep-cohort {lean_kib // 1024} MiB, gbmsweep {full_kib // 1024} MiB")
assert lean_kib < full_kib, (lean_kib, full_kib)
print("ok")
