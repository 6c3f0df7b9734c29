"""The authors' preprocessing in Python (nibabel + scikit-image + scipy), as the reference that
`gbmsweep cohort` replaces (issue 19): per patient and modality, image × (segmentation > 0),
crop to the union of the tumour boxes, skimage.transform.rescale(0.5, anti_aliasing=True)
(linear, Gaussian sigma 0.5 voxel), min-max to [0, 1], zero-pad centred to the target.

usage: reference_preprocess.py DATA_DIR --ids ID[,ID...] [--shape D,H,W] [--crop z0:z1,y0:y1,x0:x1]
                               [--out DIR]
                               [--compare CACHE.h5 --tol-max X --tol-mean Y]
Without --compare the results are written as .npy files under --out (the benchmark's run);
with it they are compared with the cohort cache, and the exit code is 1 beyond the tolerances.
Exit 77 (CTest's skip) when a module is missing.
"""
import argparse
import glob
import os
import sys

try:
    import nibabel as nib
    import numpy as np
    from skimage.transform import rescale
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

MODALITIES = ["T1", "T1GD", "T2", "FLAIR", "DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR",
              "DSC_ap-rCBV", "DSC_PH", "DSC_PSR"]


def load(path):
    # nibabel's array is (i, j, k) = (W, H, D); ours is D, H, W.
    return np.asarray(nib.load(path).dataobj, dtype=np.float32).transpose(2, 1, 0)


def files_by_name(root):
    out = {}
    for p in glob.glob(os.path.join(root, "**", "*.nii.gz"), recursive=True):
        if "/old/" in p or "_unstripped" in p:
            continue
        out[os.path.basename(p)] = p
    return out


def segmentation(files, pid):
    return files.get(f"{pid}_segm.nii.gz") or files[f"{pid}_automated_approx_segm.nii.gz"]


def tumour_box(seg):
    idx = np.nonzero(seg > 0)
    return [(int(a.min()), int(a.max()) + 1) for a in idx]


def pad_centred(v, target):
    out = np.zeros(target, dtype=np.float32)
    src, dst = [], []
    for n, t in zip(v.shape, target):
        d = t - n
        src.append(slice(-d // 2 if d < 0 else 0, (-d // 2 if d < 0 else 0) + min(n, t)))
        dst.append(slice(d // 2 if d > 0 else 0, (d // 2 if d > 0 else 0) + min(n, t)))
    out[tuple(dst)] = v[tuple(src)]
    return out


def preprocess(image, seg, box, shape):
    v = (image * (seg > 0))[box[0][0]:box[0][1], box[1][0]:box[1][1], box[2][0]:box[2][1]]
    v = rescale(v, 0.5, anti_aliasing=True, order=1, preserve_range=True).astype(np.float32)
    lo, hi = float(v.min()), float(v.max())
    v = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    return pad_centred(v, shape) if shape else v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--shape")
    ap.add_argument("--crop")
    ap.add_argument("--out")
    ap.add_argument("--compare")
    ap.add_argument("--tol-max", type=float, default=0.05)
    ap.add_argument("--tol-mean", type=float, default=0.002)
    a = ap.parse_args()
    ids = a.ids.split(",")
    shape = tuple(int(x) for x in a.shape.split(",")) if a.shape else None
    files = files_by_name(a.data)
    # Pass 1: the cohort box, the union of every patient's tumour box.
    box = None
    for pid in ids:
        b = tumour_box(load(segmentation(files, pid)))
        box = b if box is None else [(min(p[0], q[0]), max(p[1], q[1])) for p, q in zip(box, b)]
    if a.crop:
        box = [tuple(int(x) for x in r.split(":")) for r in a.crop.split(",")]
    cache = None
    if a.compare:
        import h5py
        cache = h5py.File(a.compare, "r")
        cached_ids = [x.decode() if isinstance(x, bytes) else x for x in cache["ids"][()]]
    worst, total, count = 0.0, 0.0, 0
    for pid in ids:
        seg = load(segmentation(files, pid))
        for m in MODALITIES:
            path = files.get(f"{pid}_{m}.nii.gz")
            if path is None:
                continue
            v = preprocess(np.nan_to_num(load(path), nan=0, posinf=0, neginf=0), seg, box, shape)
            if a.out:
                os.makedirs(a.out, exist_ok=True)
                np.save(os.path.join(a.out, f"{pid}_{m}.npy"), v)
            if cache is not None:
                row = int(cache["rows"][m][cached_ids.index(pid)])
                ours = cache["volumes"][m][row]
                assert ours.shape == v.shape, f"{pid} {m}: shape {ours.shape} vs {v.shape}"
                d = np.abs(ours - v)
                worst = max(worst, float(d.max()))
                total += float(d.mean())
                count += 1
    if cache is not None:
        mean = total / max(count, 1)
        print(f"{count} volumes: max abs diff {worst:.3g} (tolerance {a.tol_max}), "
              f"mean abs diff {mean:.3g} (tolerance {a.tol_mean})")
        if count == 0 or worst > a.tol_max or mean > a.tol_mean:
            sys.exit(1)


if __name__ == "__main__":
    main()
