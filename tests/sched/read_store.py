"""Reads a gbmsweep store with Debian's h5py, as an analyst would, and checks it is complete:
every task in store.h5 has its metadata; every done task's results open through the external
link; the probe arithmetic holds (sum = value + the dependencies' sums). Prints "ok"."""
import json
import sys

import h5py

store = sys.argv[1]
with h5py.File(store + "/store.h5", "r") as f:
    t = f["tasks"]
    keys = [k.decode() for k in t["key"][:]]
    status = dict(zip(keys, (s.decode() for s in t["status"][:])))
    deps = dict(zip(keys, (json.loads(d) for d in t["deps"][:])))
    params = dict(zip(keys, (json.loads(p) for p in t["params"][:])))
    assert len(keys) == len(t["seed"]) == len(t["digest"]) > 0
    assert int(f.attrs["n_done"]) == sum(s == "done" for s in status.values())
    sums = {}
    for k in keys:
        if status[k] != "done":
            continue
        r = f["results"][k]
        m = r["metrics"].attrs
        assert m["value"] == params[k]["value"], k
        sums[k] = m["sum"]
        p = r["predictions/probe"]
        assert p["ids"].shape == p["labels"].shape == p["scores"].shape == (4,)
        assert p["samples"].shape == (4, 2)
        assert r.attrs["key"] == k
    for k, s in sums.items():
        if all(d in sums for d in deps[k]):
            assert s == params[k]["value"] + sum(sums[d] for d in deps[k]), k
print("ok", len(keys), "tasks,", len(sums), "done")
