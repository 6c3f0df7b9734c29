#!/usr/bin/env python3
"""The authors' augmentation step at the paper size, timed (issue 19, item 5).

LabAIRT/gbm_project, pytorch/dataset_class.py: `skimage.transform.rotate(arr, angle,
preserve_range=True)` per channel and `elasticdeform.deform_random_grid(arr, sigma=5, order=0)`
(3x3x3 grid by default). elasticdeform is not packaged for Debian, so its deformation is
emulated with scipy the way it computes it: the grid's displacements interpolated to every voxel
by a cubic spline (scipy's prefilter), then the image sampled at the moved positions (order 0 as
the authors call it; --order 1 for the linear interpolation gbmsweep uses). Prints volumes/s per
step as JSON. usage: reference_augment.py [--shape 70,86,86] [--seconds 3] [--order 0]
"""
import argparse
import json
import time

import numpy as np
from scipy import ndimage
from skimage.transform import rotate


def elastic(arr, rng, sigma=5.0, points=3, order=0):
    shape = arr.shape
    grid = rng.normal(0.0, sigma, size=(3, points, points, points))
    # Voxel i of an axis of n lies at knot i (points - 1) / (n - 1), as in elasticdeform.
    axes = [np.arange(n) * (points - 1) / (n - 1) for n in shape]
    knots = np.stack(np.meshgrid(*axes, indexing="ij"))
    disp = [ndimage.map_coordinates(grid[a], knots, order=3, mode="mirror") for a in range(3)]
    coords = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")).astype(np.float64)
    coords += np.stack(disp)
    return ndimage.map_coordinates(arr, coords, order=order, mode="constant", cval=0.0)


def rate(f, seconds):
    f()
    n, t0 = 0, time.perf_counter()
    while True:
        f()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and n >= 3:
            return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="70,86,86")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--order", type=int, default=0)
    a = ap.parse_args()
    shape = tuple(int(x) for x in a.shape.split(","))
    rng = np.random.default_rng(42)
    vol = rng.random(shape, dtype=np.float32)
    out = {
        "rotate": rate(lambda: rotate(vol, float(rng.integers(-180, 180)), preserve_range=True), a.seconds),
        "elastic": rate(lambda: elastic(vol, rng, order=a.order), a.seconds),
    }
    print(json.dumps({k: round(v, 3) for k, v in out.items()}))


if __name__ == "__main__":
    main()
