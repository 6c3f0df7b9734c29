"""Reads a `gbmsweep synth mri` cohort with an independent reader (nibabel) and checks the
layout, shapes, spacing, labels, availability and the planted signal; then checks the
`gbmsweep cohort --json` summary against the files, also on a cohort given the release's
quirks (`--quirks`: v2.1 + v1.0 tables with BOM/CRLF/quotes, old/ copies, a NaN voxel, ...).

usage: check_synth.py GBMSWEEP_EXE SCRATCH_DIR
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys

import nibabel as nib
import numpy as np

EXE, WORK = sys.argv[1], sys.argv[2]
STRUCT = ["T1", "T1GD", "T2", "FLAIR"]
DTI = ["DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR"]
DSC = ["DSC_ap-rCBV", "DSC_PH", "DSC_PSR"]
SHAPE = (16, 20, 24)  # D, H, W as given to --shape; NIfTI/nibabel order is (W, H, D)


def run(*args, expect=0):
    p = subprocess.run([EXE, *args], capture_output=True, text=True)
    assert p.returncode == expect, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def synth(name, signal, patients=12, seed=5, *extra):
    out = os.path.join(WORK, name)
    shutil.rmtree(out, ignore_errors=True)
    run("synth", "mri", "--out", out, "--patients", str(patients), "--seed", str(seed),
        "--shape", ",".join(map(str, SHAPE)), "--signal", str(signal), *extra)
    return out


def read_clinical(root, version="2.1"):
    # utf-8-sig drops a BOM; the csv module handles CRLF and quoted fields.
    path = os.path.join(root, f"UPENN-GBM_clinical_info_v{version}.csv")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows and "ID" in rows[0] and "MGMT" in rows[0]
    return rows


def image(root, group, pid, mod):
    return os.path.join(root, group, pid, f"{pid}_{mod}.nii.gz")


def check_layout(root, patients):
    rows = read_clinical(root)
    assert len(rows) == patients
    assert len({r["ID"] for r in rows}) == patients
    n_dti = n_dsc = 0
    for r in rows:
        pid = r["ID"]
        assert pid.startswith("UPENN-GBM-") and pid.endswith("_11"), pid
        assert r["MGMT"] in ("Methylated", "Unmethylated", "Indeterminate", "Not Available")
        for mod in STRUCT:
            img = nib.load(image(root, "images_structural", pid, mod))
            assert img.shape == SHAPE[::-1], (pid, mod, img.shape)
            assert np.allclose(img.header.get_zooms(), (1.0, 1.0, 1.0))
            data = np.asanyarray(img.dataobj)
            assert data.dtype == np.float32 and np.isfinite(data).all() and data.max() > 0
        has_dti = [os.path.exists(image(root, "images_DTI", pid, m)) for m in DTI]
        has_dsc = [os.path.exists(image(root, "images_DSC", pid, m)) for m in DSC]
        assert len(set(has_dti)) == 1 and len(set(has_dsc)) == 1, pid  # a group is whole
        assert not has_dsc[0] or has_dti[0], pid  # DSC patients are a subset of DTI ones
        n_dti += has_dti[0]
        n_dsc += has_dsc[0]
        segs = glob.glob(os.path.join(root, "images_segm", f"{pid}_segm.nii.gz")) + \
            glob.glob(os.path.join(root, "automated_segm", f"{pid}_automated_approx_segm.nii.gz"))
        assert len(segs) == 1, (pid, segs)
        seg = np.asanyarray(nib.load(segs[0]).dataobj)
        assert seg.shape == SHAPE[::-1]
        assert set(np.unique(seg)) <= {0, 1, 2, 4} and (seg > 0).any(), (pid, np.unique(seg))
    assert 0 < n_dsc <= n_dti < patients + 1
    return rows


def separation(root, rows, group, mod):
    """Mean log(enhancing / necrotic) intensity, methylated minus unmethylated."""
    vals = {0: [], 1: []}
    for r in rows:
        if r["MGMT"] not in ("Methylated", "Unmethylated"):
            continue
        pid = r["ID"]
        path = image(root, group, pid, mod)
        if not os.path.exists(path):
            continue
        seg_path = (glob.glob(os.path.join(root, "*segm", f"{pid}_*segm.nii.gz")))[0]
        seg = np.asanyarray(nib.load(seg_path).dataobj)
        img = np.asanyarray(nib.load(path).dataobj)
        vals[r["MGMT"] == "Methylated"].append(np.log(img[seg == 4].mean() / img[seg == 1].mean()))
    assert vals[0] and vals[1], "need both classes"
    return np.mean(vals[1]) - np.mean(vals[0])


root = synth("signal", 1.0, patients=24)
rows = check_layout(root, 24)
dsc_sep = separation(root, rows, "images_DSC", "DSC_ap-rCBV")
t1_sep = separation(root, rows, "images_structural", "T1")
assert dsc_sep > 0.3 and dsc_sep > 3 * abs(t1_sep), (dsc_sep, t1_sep)

# Same seed, same volumes; --signal 0 is the null cohort.
again = synth("signal_again", 1.0, patients=24)
a = np.asanyarray(nib.load(image(root, "images_structural", "UPENN-GBM-00003_11", "T2")).dataobj)
b = np.asanyarray(nib.load(image(again, "images_structural", "UPENN-GBM-00003_11", "T2")).dataobj)
assert np.array_equal(a, b)
null = synth("null", 0.0, patients=24)
null_rows = check_layout(null, 24)
assert abs(separation(null, null_rows, "images_DSC", "DSC_ap-rCBV")) < 0.15

# The cohort summary agrees with the files.
cache = os.path.join(WORK, "cohort.h5")
if os.path.exists(cache):
    os.remove(cache)
out = run("cohort", "--data", root, "--cache", cache, "--shape", "8,10,12", "--folds", "3",
          "--json").stdout
s = json.loads(out)
assert set(s) == {"patients", "labels", "modalities", "test", "folds", "skipped",
                  "dropped_unlabelled", "nonfinite", "notes"}, s.keys()
labelled = [r for r in rows if r["MGMT"] in ("Methylated", "Unmethylated")]
assert s["patients"] == len(labelled)
assert s["labels"] == {"methylated": sum(r["MGMT"] == "Methylated" for r in labelled),
                       "unmethylated": sum(r["MGMT"] == "Unmethylated" for r in labelled)}
for group, mods in (("images_structural", STRUCT), ("images_DTI", DTI), ("images_DSC", DSC)):
    for m in mods:
        assert s["modalities"][m] == sum(os.path.exists(image(root, group, r["ID"], m))
                                         for r in labelled), m
assert len(s["folds"]) == 3 and s["test"] + sum(s["folds"]) == s["patients"]
assert s["skipped"] == []
# The cache holds what the summary says, in the requested shape (h5py as a second reader).
import h5py  # noqa: E402
with h5py.File(cache, "r") as f:
    assert f["volumes/T1"].shape == (s["patients"], 8, 10, 12)
    assert f["volumes/DSC_PH"].shape[0] == s["modalities"]["DSC_PH"]
    assert 0.0 <= f["volumes/T1"][...].min() and f["volumes/T1"][...].max() <= 1.0

# The release's quirks: every labelled patient of the v2.1 table is kept (v1.0 says "Not
# Available" for all), the NaN voxel is zeroed and counted, the old/ folders are noted.
quirky = synth("quirks", 1.0, 10, 5, "--quirks")
qrows = read_clinical(quirky)
assert all(r["MGMT"] == "Not Available" for r in read_clinical(quirky, "1.0"))
assert qrows[1]["IDH1"].startswith('NOS, see "notes"'), qrows[1]
qlabelled = [r for r in qrows if r["MGMT"] in ("Methylated", "Unmethylated")]
assert any(r["MGMT"] == "Partially methylated" for r in qrows)
qcache = os.path.join(WORK, "quirks.h5")
if os.path.exists(qcache):
    os.remove(qcache)
q = json.loads(run("cohort", "--data", quirky, "--cache", qcache, "--shape", "8,10,12",
                   "--folds", "3", "--json").stdout)
assert q["patients"] == len(qlabelled), (q["patients"], len(qlabelled))
assert q["skipped"] == []
assert q["nonfinite"] == [{"id": "UPENN-GBM-00004_11", "modality": "DSC_PH", "voxels": 1}], q
assert any("old" in n and "superseded" in n for n in q["notes"]), q["notes"]
assert any("Partially methylated" in n for n in q["notes"]), q["notes"]
assert any("v2.1" in n and "v1.0" in n for n in q["notes"]), q["notes"]
# Under --nonfinite reject, --skip-bad lists the NaN patient and why.
r = json.loads(run("cohort", "--data", quirky, "--cache", qcache, "--shape", "8,10,12",
                   "--folds", "3", "--nonfinite", "reject", "--skip-bad", "--json").stdout)
assert r["patients"] == len(qlabelled) - 1
assert [x["id"] for x in r["skipped"]] == ["UPENN-GBM-00004_11"], r["skipped"]
assert "NaN voxel" in r["skipped"][0]["reason"] and "DSC_PH" in r["skipped"][0]["reason"]

# Bad input on the command line: exit code 2 naming the directory.
p = run("cohort", "--data", os.path.join(WORK, "missing"), "--cache", cache, expect=2)
assert "missing" in p.stderr and "not found" in p.stderr, p.stderr
print("ok")
