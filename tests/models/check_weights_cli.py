"""`gbmsweep weights` on MedicalNet checkpoints as published (written by make_legacy.py):
the JSON report, and exit code 2 naming the file for truncated, foreign or mismatched files.

usage: check_weights_cli.py GBMSWEEP_EXE FIXTURE_DIR SCRATCH_DIR
"""
import json
import os
import subprocess
import sys

EXE, FIXTURES, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)


def run(*args, expect=0):
    p = subprocess.run([EXE, "weights", *args], capture_output=True, text=True)
    assert p.returncode == expect, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


for name, fmt in (("legacy_10.pth", "legacy"), ("zip_nested_10.pth", "zip")):
    path = os.path.join(FIXTURES, name)
    r = json.loads(run(path, "--depth", "10", "--width", "4", "--json").stdout)
    assert r["format"] == fmt, r
    assert r["loaded"] == 72 and r["missing"] == [] and r["unexpected"] == [], r
    assert len(r["dropped"]) == 14 and all(k.startswith("conv_seg.") for k in r["dropped"]), r
    assert r["classifier"] == ["fc.bias", "fc.weight"], r
    assert r["ignored"] == (["epoch", "optimizer"] if fmt == "legacy" else []), r
    assert "missing backbone keys: -" in run(path, "--depth", "10", "--width", "4").stdout

legacy = os.path.join(FIXTURES, "legacy_10.pth")
data = open(legacy, "rb").read()
for cut in (100, len(data) // 2, len(data) - 1):
    bad = os.path.join(WORK, f"cut_{cut}.pth")
    open(bad, "wb").write(data[:cut])
    p = run(bad, "--depth", "10", "--width", "4", expect=2)
    assert bad in p.stderr and "truncated" in p.stderr, p.stderr
foreign = os.path.join(WORK, "page.pth")
open(foreign, "w").write("<html>404</html>\n")
p = run(foreign, "--depth", "50", expect=2)
assert foreign in p.stderr and "not a PyTorch file" in p.stderr, p.stderr
p = run(legacy, "--depth", "10", "--width", "8", expect=2)  # wrong width: shape mismatch
assert legacy in p.stderr and "wrong depth or width" in p.stderr, p.stderr
run(legacy, "--depth", "11", expect=2)
print("ok")
