"""CTest driver: `gbmsweep cohort` against the authors' Python preprocessing
(reference_preprocess.py) on a synthetic cohort. Tolerances: see docs/mri-pipeline.md
("Python reference"); the two differ by design in the Gaussian kernel, its border rule and
the sampling grid of odd-sized boxes.

usage: check_reference.py GBMSWEEP_EXE SCRATCH_DIR      (exit 77 when a module is missing)
"""
import os
import shutil
import subprocess
import sys

try:
    import h5py
    import nibabel  # noqa: F401
    import skimage  # noqa: F401
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

EXE, WORK = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
data, cache = os.path.join(WORK, "data"), os.path.join(WORK, "cohort.h5")


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    print(p.stdout + p.stderr)
    if p.returncode != 0:
        sys.exit(f"{args[:3]}: exit {p.returncode}")
    return p


run(EXE, "synth", "mri", "--out", data, "--patients", "8", "--seed", "3", "--shape", "31,44,42")
# An even-sized box: skimage rounds an odd size's half to even (141 -> 70) where we round it up
# (-> 71), and samples odd sizes at a scale slightly off 2 (docs/mri-pipeline.md).
CROP = "1:31,2:44,1:41"
run(EXE, "cohort", "--data", data, "--cache", cache, "--shape", "18,24,24", "--threads", "2",
    "--crop", CROP,
    "--compression", "none")  # h5py reads an unfiltered cache too
with h5py.File(cache, "r") as f:
    ids = [x.decode() if isinstance(x, bytes) else x for x in f["ids"][()]]
run(sys.executable, os.path.join(HERE, "reference_preprocess.py"), data, "--ids", ",".join(ids),
    "--shape", "18,24,24", "--crop", CROP, "--compare", cache,
    "--tol-max", "0.03", "--tol-mean", "0.0005")
