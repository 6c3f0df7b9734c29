"""Reads a gbmsweep store with Debian's h5py, as an analyst would, and checks it is complete:
every task in store.h5 has its metadata; every done task's results open through the external
link; the probe arithmetic holds (sum = value + the dependencies' sums). Prints "ok".
With --complete (after a resumed run): every task is done, and done exactly once in the
journal (a line torn by a kill or a full disk is skipped).
usage: read_store.py [--complete] STORE"""
import collections
import json
import sys

import h5py

complete = "--complete" in sys.argv[1:]
store = [a for a in sys.argv[1:] if a != "--complete"][0]
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

if complete:
    assert all(s == "done" for s in status.values()), collections.Counter(status.values())
    done = collections.Counter()
    for line in open(store + "/journal.jsonl"):
        try:
            ev = json.loads(line)
        except ValueError:
            continue  # a line torn by a kill or a full disk
        if ev.get("e") == "done":
            done[ev["key"]] += 1
    twice = [k for k, n in done.items() if n != 1]
    assert not twice, f"done more than once: {twice}"
    assert len(done) == len(keys), (len(done), len(keys))
    print(f"journal: {len(done)} tasks done exactly once")
