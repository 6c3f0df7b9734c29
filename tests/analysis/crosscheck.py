"""Reference values from scipy/sklearn for the analysis cross-check tests.

Usage: /usr/bin/python3 crosscheck.py IN.json OUT.json
IN is a list of cases {"kind": "binary"|"corr"|"friedman", ...}; OUT lists one result per case.
"""
import json
import sys

import numpy as np
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score


def binary(case):
    y, s = np.array(case["labels"]), np.array(case["scores"])
    return {"auc": roc_auc_score(y, s), "ap": average_precision_score(y, s)}


def corr(case):
    x, y = np.array(case["x"]), np.array(case["y"])
    return {"spearman": stats.spearmanr(x, y).correlation, "pearson": stats.pearsonr(x, y)[0],
            "rmse": float(np.sqrt(np.mean((x - y) ** 2)))}


def friedman(case):
    data = np.array(case["scores"])  # blocks x methods
    n, k = data.shape
    chi, p = stats.friedmanchisquare(*[data[:, j] for j in range(k)])
    ranks = np.array([stats.rankdata(-row) for row in data])
    mean = ranks.mean(axis=0)
    se = np.sqrt(k * (k + 1) / (12.0 * n))
    pairs = []
    for a in range(k):
        for b in range(a + 1, k):
            q = abs(mean[a] - mean[b]) / se
            pairs.append({"q": q, "p": stats.studentized_range.sf(q, k, np.inf)})
    alpha = case["alpha"]
    cd = stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2) * np.sqrt(k * (k + 1) / (6.0 * n))
    return {"statistic": chi, "p": p, "mean_ranks": mean.tolist(), "pairs": pairs, "cd": cd}


def main():
    cases = json.load(open(sys.argv[1]))
    kinds = {"binary": binary, "corr": corr, "friedman": friedman}
    out = [kinds[c["kind"]](c) for c in cases]
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
