#!/usr/bin/env python3
"""test_bench_compare.py - `vox-bench compare`: verdicts and exit codes on constructed result files.

Usage: test_bench_compare.py VOX_BENCH
"""
import copy
import json
import os
import subprocess
import sys

BENCH = sys.argv[1]
WRAPPER = sys.argv[2].split() if len(sys.argv) > 2 else []
from voxtest import check, main as run_tests


def case(name, ms, ir, checksum="00ff", isa="avx2"):
    return {"name": name, "kind": "kernel", "isa": isa, "reps": 3, "checksum": checksum,
            "total": {"min": ms / 1e3, "median": ms / 1e3, "p90": ms / 1e3}, "ref_ratio": ms / 10.0,
            "instructions": ir}


BASE = {"schema": 1, "tool": "vox-bench", "machine": {"key": "aaaa", "cpu_model": "A"},
        "cases": [case("kernel:x", 10.0, 1000000), case("kernel:y", 5.0, 500000)]}


def compare(tmp, base, new, *args):
    bp, np_ = os.path.join(tmp, "base.json"), os.path.join(tmp, "new.json")
    json.dump(base, open(bp, "w"))
    json.dump(new, open(np_, "w"))
    return subprocess.run([*WRAPPER, BENCH, "compare", bp, np_, *args], capture_output=True, text=True)


def test_compare(tmp):
    if True:
        p = compare(tmp, BASE, BASE, "--gate")
        check(p.returncode == 0 and "0 regressions" in p.stdout, f"identical files pass: {p.stdout}")
        slow = copy.deepcopy(BASE)
        slow["cases"][0]["instructions"] = 1100000
        p = compare(tmp, BASE, slow, "--gate")
        check(p.returncode == 1 and "REGRESSION (instructions)" in p.stdout, f"+10% instructions fails the gate: {p.stdout}")
        p = compare(tmp, BASE, slow, "--gate", "--threshold", "15")
        check(p.returncode == 0, "within a 15% threshold")
        noisy = copy.deepcopy(BASE)
        noisy["cases"][0]["total"]["median"] *= 1.8
        noisy["cases"][0]["ref_ratio"] *= 1.8
        p = compare(tmp, BASE, noisy, "--gate")
        check(p.returncode == 0 and "not confirmed" in p.stdout, f"wall time alone never fails the gate: {p.stdout}")
        changed = copy.deepcopy(BASE)
        changed["cases"][1]["checksum"] = "1234"
        p = compare(tmp, BASE, changed, "--gate")
        check(p.returncode == 1 and "OUTPUT CHANGED" in p.stdout, "a changed output fails")
        other = copy.deepcopy(BASE)
        other["machine"]["key"] = "bbbb"
        p = compare(tmp, BASE, other)
        check(p.returncode == 2 and "different machines" in p.stderr, "different machines refused without --force")
        p = compare(tmp, BASE, other, "--force")
        check(p.returncode == 0, "--force compares anyway")
        p = compare(tmp, BASE, other, "--gate")
        check(p.returncode == 0 and "do not depend on the machine" in p.stdout, "the gate compares across machines")
        timing = copy.deepcopy(BASE)
        for c in timing["cases"]:
            del c["instructions"]
        p = compare(tmp, timing, timing, "--gate")
        check(p.returncode == 1 and "NO INSTRUCTION COUNT" in p.stdout, "the gate needs instruction counts")
        missing = copy.deepcopy(BASE)
        missing["cases"] = missing["cases"][:1]
        p = compare(tmp, BASE, missing, "--gate")
        check(p.returncode == 0 and "missing" in p.stdout, "a missing case is reported, not failed")
        isa = copy.deepcopy(BASE)
        isa["cases"][0]["isa"] = "scalar"
        isa["cases"][0]["instructions"] = 9e9
        p = compare(tmp, BASE, isa, "--gate")
        check(p.returncode == 0 and "not comparable" in p.stdout, "cases of another ISA are not compared")
        bad = os.path.join(tmp, "bad.json")
        open(bad, "w").write("{}")
        p = subprocess.run([*WRAPPER, BENCH, "compare", bad, bad], capture_output=True, text=True)
        check(p.returncode == 2 and "not a vox-bench result" in p.stderr, "garbage refused")


if __name__ == "__main__":
    sys.exit(run_tests([test_compare], "vox-bench-compare-"))
