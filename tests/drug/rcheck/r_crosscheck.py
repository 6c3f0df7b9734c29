"""Cross-check of gbmsweep's GSE232173 preprocessing against Bioconductor (issue 17): the same
seeded negative-binomial count matrix (3 sequencing batches, 22 samples as the cultures with a
response) goes through sva::ComBat_seq and edgeR (filterByExpr, calcNormFactors TMM,
cpm(log = TRUE, prior.count = 2)) in R and through prep_tool (our C++ code); the outputs
must agree:
  - filterByExpr: the same genes kept, with the reference's arguments and with edgeR's defaults;
  - TMM factors and log-CPM: relative / absolute difference <= 1e-9;
  - ComBat-seq: the adjusted counts; the dispersions follow edgeR's grid and spline, and only
    the common dispersion's optimiser differs (golden section vs R's Brent, combat_seq.hpp), so
    a count at a quantile edge may move by one: >= 99.9 % identical, each within max(2, 5 %).
    (Measured: 8,800 of 8,800 identical.)
Exit 77 (CTest SKIP) when Rscript or sva/edgeR is missing (scripts/install-deps.sh installs
them: Debian's r-bioc-sva and r-bioc-edger).
usage: r_crosscheck.py PREP_TOOL SCRATCH_DIR
"""
import csv
import os
import shutil
import subprocess
import sys

import numpy as np

TOOL, WORK = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))

if shutil.which("Rscript") is None or subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages({library(sva); library(edgeR)})"],
        capture_output=True).returncode != 0:
    print("SKIP: Rscript with sva and edgeR not installed (Debian: r-bioc-sva r-bioc-edger)")
    sys.exit(77)

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(os.path.join(WORK, "r"))
os.makedirs(os.path.join(WORK, "ours"))

# 400 genes x 22 samples in batches of 8, 7 and 7; gene means log-normal, per-gene batch
# effects up to x2, dispersions 0.05-0.5; 10 all-zero genes, 10 zero in batch C, 30 sparse.
rng = np.random.default_rng(17)
genes, batches = 400, ["A"] * 8 + ["B"] * 7 + ["C"] * 7
n = len(batches)
mean = np.exp(rng.normal(4.0, 1.8, genes))
effect = {b: np.exp(rng.normal(0.0, 0.35, genes)) for b in "ABC"}
phi = rng.uniform(0.05, 0.5, genes)
depth = rng.uniform(0.6, 1.6, n)
counts = np.zeros((genes, n), dtype=np.int64)
for j, b in enumerate(batches):
    mu = mean * effect[b] * depth[j]
    counts[:, j] = rng.negative_binomial(1.0 / phi, 1.0 / (1.0 + mu * phi))
counts[:10, :] = 0
counts[10:20, 15:] = 0
counts[20:50, :] = rng.binomial(1, 0.15, (30, n))
names = [f"ENSG{100000 + g:011d}" for g in range(genes)]
samples = [f"GS.{j + 1}" for j in range(n)]
with open(os.path.join(WORK, "counts.tsv"), "w") as f:
    f.write("gene\t" + "\t".join(samples) + "\n")
    for g in range(genes):
        f.write(names[g] + "\t" + "\t".join(str(v) for v in counts[g]) + "\n")
with open(os.path.join(WORK, "batches.tsv"), "w") as f:
    f.write("sample\tbatch\n")
    for s, b in zip(samples, batches):
        f.write(f"{s}\t{b}\n")

args = [os.path.join(WORK, "counts.tsv"), os.path.join(WORK, "batches.tsv")]
subprocess.run(["Rscript", os.path.join(HERE, "crosscheck.R")] + args + [os.path.join(WORK, "r")],
               check=True, capture_output=True)
subprocess.run([TOOL] + args + [os.path.join(WORK, "ours")], check=True)


def table(who, name):
    with open(os.path.join(WORK, who, name), newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return [r[0] for r in rows[1:]], np.array([[float(v) for v in r[1:]] for r in rows[1:]])


failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


rg, rkeep = table("r", "keep.tsv")
og, okeep = table("ours", "keep.tsv")
check(rg == og and (rkeep == okeep).all(),
      f"filterByExpr: reference args keep {int(rkeep[:, 0].sum())} (R) vs {int(okeep[:, 0].sum())}"
      f" (ours), defaults {int(rkeep[:, 1].sum())} vs {int(okeep[:, 1].sum())} of {genes}")
_, rtmm = table("r", "tmm.tsv")
_, otmm = table("ours", "tmm.tsv")
d = np.max(np.abs(rtmm - otmm) / rtmm)
check(d <= 1e-9, f"TMM factors: max relative difference {d:.2e}")
_, rcpm = table("r", "logcpm.tsv")
_, ocpm = table("ours", "logcpm.tsv")
d = np.max(np.abs(rcpm - ocpm)) if rcpm.shape == ocpm.shape else float("inf")
check(d <= 1e-9, f"log-CPM: {rcpm.shape} (R) vs {ocpm.shape}, max |difference| {d:.2e}")
_, rc = table("r", "combat.tsv")
_, oc = table("ours", "combat.tsv")
same = float(np.mean(rc == oc))
diff = np.abs(rc - oc)
worst = float(np.max(diff / np.maximum(2.0, 0.05 * np.maximum(rc, oc))))
check(same >= 0.999 and worst <= 1.0,
      f"ComBat-seq: {same:.4f} of counts identical, max |difference| {diff.max():.0f}, "
      f"worst against the max(2, 5 %) bound {worst:.2f}; zero genes kept: "
      f"{bool((oc[:10] == 0).all() and (rc[:10] == 0).all())}")
check((oc[:20] == counts[:20]).all() and (rc[:20] == counts[:20]).all(),
      "ComBat-seq leaves all-zero genes and a gene zero in one batch as they were")
sys.exit(1 if failures else 0)
