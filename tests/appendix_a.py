#!/usr/bin/env python3
"""appendix_a.py - volumizer's own published results (ALGORITHM.md Appendix A), from its frames.

Exit 77 (SKIP) without ../shared/data.  Usage: appendix_a.py VOX DATA_DIR [WRAPPER]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

VOX, DATA = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []
FRAMES = os.path.join(DATA, "golden-native")
ok = {"passed": 0, "failed": 0}


def check(cond, what):
    ok["passed" if cond else "failed"] += 1
    if not cond:
        print(f"FAIL {what}")


def run(name, res, tmp):
    src = os.path.join(FRAMES, name + ".prepared.cif")
    p = subprocess.run([*WRAPPER, VOX, "analyze", "--no-align", "--quiet", "--stage-timings", "--write", "df-json,pdb",
                        "--include-hubs", "--resolution", res, "--output-dir", tmp, "--overwrite", src],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"{name} at {res}: {p.stderr}")
    label = re.sub(r"[^a-z0-9_-]", "_", (name + ".prepared").lower())
    df = json.load(open(os.path.join(tmp, label + ".df.json")))
    rows = [{c: df[c][str(i)] for c in df} for i in range(len(df["id"]))] if df else []
    grid = tuple(int(g) for g in re.search(r"grid=(\d+)x(\d+)x(\d+)", p.stderr).groups())
    pseudo = Counter()
    chains = {}
    seen_end = False
    for line in open(os.path.join(tmp, label + ".annotated.pdb")):
        if line.startswith("END"):
            seen_end = True
            continue
        if seen_end and line.startswith("ATOM") and len(line) > 26 and line[22:26].strip().isdigit():
            # serials past 99999 overflow the 5-column field, as in volumizer; only 4jpn is checked
            res_name, chain, resid = line[17:20], line[21], int(line[22:26])
            pseudo[(res_name, resid)] += 1
            chains[res_name] = chain
    return rows, grid, pseudo, chains


def main():
    if not os.path.isdir(FRAMES):
        print(f"SKIP: {FRAMES} not found")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        rows, grid, pseudo, chains = run("4jpn.pdb", "3.0", tmp)
        table = [(0, "pore", 38286.0, 108.221, 38.574, 36.31, 0.8453, 0.8535),
                 (0, "pocket", 189.0, 8.214, 5.628, 0.0, 0.0, 0.798),
                 (1, "pocket", 162.0, 10.757, 2.701, 0.0, None, 1.0),
                 (2, "pocket", 162.0, 7.298, 4.002, 2.557, 0.0971, 0.5918),
                 (3, "pocket", 162.0, 6.635, 3.843, 2.84, 0.3635, 0.5918),
                 (4, "pocket", 135.0, 6.0, 6.0, 0.0, 0.0, 0.4343)]
        got = [tuple(r.values()) for r in rows]
        check(got == table, f"4jpn 3.0 rows: {got}")
        check(grid == (39, 18, 19), f"4jpn 3.0 grid {grid}")
        check(pseudo[("POR", 0)] == 1418 and [pseudo[("POK", i)] for i in range(5)] == [7, 6, 6, 6, 5]
              and pseudo[("OCC", 0)] == 4 and pseudo[("OCC", 1)] == 4, f"4jpn pseudo-atoms {dict(pseudo)}")
        check(chains.get("POR") == "L" and chains.get("POK") == "M" and chains.get("OCC") == "O", f"chains {chains}")

        rows, *_ = run("4jpn.pdb", "2.0", tmp)
        kinds = Counter(r["type"] for r in rows)
        check(len(rows) == 40 and kinds == Counter(pore=1, hub=1, pocket=38) and rows[0]["volume"] == 45048.0
              and any(r["type"] == "hub" and r["volume"] == 232.0 for r in rows), f"4jpn 2.0: {kinds}")

        rows, *_ = run("4jpp.cif", "2.0", tmp)
        top = rows[0]
        check(len(rows) == 66 and top["type"] == "pore" and top["volume"] == 71160.0 and
              (top["x"], top["y"], top["z"]) == (170.034, 37.198, 35.485), f"4jpp 2.0: {len(rows)} rows, {top}")

        rows, grid, *_ = run("7odw.cif", "3.0", tmp)
        kinds = Counter(r["type"] for r in rows)
        check(grid == (81, 80, 79) and rows[0]["type"] == "cavity" and rows[0]["volume"] == 3043440.0
              and kinds["pore"] == 0 and len(rows) == 137 and kinds == Counter(pocket=125, hub=10, cavity=2),
              f"7odw 3.0: grid {grid}, {kinds}, top {rows[0]}")
        # P-SEA: biotite documents 1L2Y's annotation as 'c' + 8 x 'a' + 11 x 'c'
        src = os.path.join(DATA, "structures", "1l2y.pdb")
        p = subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--output-dir", tmp, "--overwrite", src],
                           capture_output=True, text=True)
        payload = json.load(open(os.path.join(tmp, "1l2y.annotation.json")))
        check(p.returncode == 0 and (payload["frac_alpha"], payload["frac_beta"], payload["frac_coil"]) == (0.4, 0.0, 0.6),
              f"1l2y P-SEA fractions {payload.get('frac_alpha')}, {payload.get('frac_beta')}, {payload.get('frac_coil')}")
    print(f"{ok['passed']} passed, {ok['failed']} failed")
    return 1 if ok["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
