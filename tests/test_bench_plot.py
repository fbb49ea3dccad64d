#!/usr/bin/env python3
"""test_bench_plot.py - bench/plot.py writes the format its output name asks for and names the cases it leaves out.

Usage: test_bench_plot.py PLOT_PY
Skipped (exit 77) when no Python here has matplotlib (Debian: python3-matplotlib).
"""
import json
import os
import subprocess
import sys

PLOT = sys.argv[1]
from voxtest import check, main as run_tests


def python_with_matplotlib():
    for exe in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(exe) and subprocess.run([exe, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            return exe
    return None


PY = python_with_matplotlib()


def stages(ms):
    return {s: {"min": ms / 1e3, "median": ms / 1e3, "p90": ms / 1e3}
            for s in ("load", "prepare", "shells", "grid", "buried", "components", "classify", "metrics", "render")}


def results(n):
    cases = [{"name": f"s{i}.pdb@2.0", "kind": "structure", "stages": stages(1.0 + i)} for i in range(n)]
    cases.append({"name": "kernel:moments@1e5", "kind": "kernel", "total": {"median": 0.001}})
    cases.append({"name": "1lcd.pdb@3.0", "kind": "structure", "error": "no protein atoms left after cleaning"})
    return {"schema": 1, "tool": "vox-bench", "isa": "avx2", "cases": cases}


def plot(tmp, out, *extra):
    rp = os.path.join(tmp, "r.json")
    json.dump(results(12), open(rp, "w"))
    return subprocess.run([PY, PLOT, rp, "-o", os.path.join(tmp, out), *extra], capture_output=True, text=True)


def test_plot(tmp):
    magic = {"x.png": b"\x89PNG", "x.svg": b"<?xml", "x.pdf": b"%PDF"}
    for name, head in magic.items():
        p = plot(tmp, name)
        path = os.path.join(tmp, name)
        got = open(path, "rb").read(8) if os.path.exists(path) else b""
        check(p.returncode == 0 and got.startswith(head), f"{name} is written in its format: {got!r} {p.stderr}")
        check("kernel:moments@1e5" in p.stdout and "kernel micro-case" in p.stdout
              and "1lcd.pdb@3.0" in p.stdout and "no protein atoms" in p.stdout,
              f"the cases left out are named with the reason: {p.stdout}")
    p = plot(tmp, "few.png", "--max-cases", "10")
    check(p.returncode == 0 and "beyond --max-cases 10" in p.stdout and "s10.pdb@2.0" in p.stdout
          and "s11.pdb@2.0" in p.stdout and "10 bars" in p.stdout, f"--max-cases says which were cut: {p.stdout}")
    svg = os.path.join(tmp, "x.svg")
    check("s11.pdb@2.0" in open(svg).read() and "left out" in open(svg).read(),
          "every case is drawn by default, and the picture carries the note")
    p = plot(tmp, "x.weird")
    check(p.returncode != 0 and "x.weird" in p.stderr and not os.path.exists(os.path.join(tmp, "x.weird")),
          f"an unknown suffix is refused, nothing written: {p.stderr}")
    p = plot(tmp, "noext")
    check(p.returncode != 0 and not os.path.exists(os.path.join(tmp, "noext")), "no suffix: refused")


if __name__ == "__main__":
    if not PY:
        print("SKIP: matplotlib not found (apt-get install python3-matplotlib)")
        sys.exit(77)
    sys.exit(run_tests([test_plot], "vox-bench-plot-"))
