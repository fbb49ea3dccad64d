#!/usr/bin/env python3
"""parity.py - vox against volumizer's own outputs (../shared/data/golden-native).

Exact parity: every <file>.rR.annotation.json is reproduced from volumizer's
aligned frame <file>.prepared.cif with --no-align: ids, types, volumes and
nulls equal, x/y/z within 0.01 A, circularity/uniformity within 1e-3, same
row order.  End to end (--e2e): vox loads, cleans and aligns the original
file itself with its default options; its aligned atoms must print exactly
as volumizer's frame does (every coordinate of <label>.annotated.cif equal to
"%.3f" of volumizer's float32 value; test_alignment checks every bit), and
its table must be byte-identical to the golden file.

Prints one line per case and a closing "N passed, N failed, N skipped" line.
Exit 77 (meson's SKIP) when the shared data is absent.
"""
import argparse
import glob
import json
import os
import re
from struct import pack, unpack
import subprocess
import sys
import tempfile

TOL_LEN, TOL_SHAPE = 0.01, 1e-3
WRAPPER = []


def rows(df):
    if not df:
        return []
    n = len(df["id"])
    return [{c: df[c][str(i)] for c in df} for i in range(n)]


def compare(got, want):
    """Returns None when the tables agree, else a short reason."""
    g, w = rows(got), rows(want)
    if len(g) != len(w):
        return f"{len(g)} rows, golden has {len(w)}"
    for i, (a, b) in enumerate(zip(g, w)):
        for c in ("id", "type", "volume"):
            if a[c] != b[c]:
                return f"row {i} {c}: {a[c]!r} != {b[c]!r}"
        for c in ("x", "y", "z"):
            if abs(a[c] - b[c]) > TOL_LEN:
                return f"row {i} {c}: {a[c]} != {b[c]}"
        for c in ("cross_section_circularity", "cross_section_uniformity"):
            if (a[c] is None) != (b[c] is None) or (a[c] is not None and abs(a[c] - b[c]) > TOL_SHAPE):
                return f"row {i} {c}: {a[c]} != {b[c]}"
    return None


def run_vox(vox, path, res, outdir, extra=()):
    cmd = [*WRAPPER, vox, "analyze", "--quiet", "--write", "df-json", "--resolution", res,
           "--output-dir", outdir, "--overwrite", *extra, path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p


def read_cif_coords(path):
    """The Cartn_x/y/z fields of the atom_site loop, as strings."""
    coords, cols, in_loop = [], [], False
    for line in open(path):
        if line.startswith("_atom_site."):
            cols.append(line.strip().split(".", 1)[1])
            in_loop = True
            continue
        if in_loop and (line.startswith("ATOM") or line.startswith("HETATM")):
            f = line.split()
            coords.append(tuple(f[cols.index(k)] for k in ("Cartn_x", "Cartn_y", "Cartn_z")))
    return coords


def fixed3(text):
    """How vox prints a coordinate: "%.3f" of the float32 the text reads back as."""
    return "%.3f" % unpack("f", pack("f", float(text)))[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vox", required=True)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    ap.add_argument("--e2e", action="store_true", help="end to end from the original files")
    ap.add_argument("--only", default="", help="regex on the golden file name")
    ap.add_argument("--wrapper", default="", help="command that runs vox (qemu-aarch64 -L / for a cross build)")
    args = ap.parse_args()
    global WRAPPER
    WRAPPER = args.wrapper.split()
    isa = os.environ.get("VOX_ISA")
    if isa:
        p = subprocess.run([*WRAPPER, args.vox, "info"], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"SKIP: VOX_ISA={isa} is not available here")
            return 77
    gold = os.path.join(args.data, "golden-native")
    if not os.path.isdir(gold):
        print(f"SKIP: {gold} not found (the shared data lives beside the project as ../shared)")
        return 77
    goldens = sorted(glob.glob(os.path.join(gold, "*.annotation.json")))
    goldens = [g for g in goldens if re.search(args.only, os.path.basename(g))]
    passed = failed = skipped = 0
    matched_e2e = 0
    with tempfile.TemporaryDirectory() as tmp:
        for gpath in goldens:
            name = os.path.basename(gpath)
            m = re.match(r"(.+)\.r([0-9.]+)\.annotation\.json$", name)
            struct, res = m.group(1), m.group(2)
            want = json.load(open(gpath))
            if args.e2e:
                src = os.path.join(args.data, "structures", struct)
                p = run_vox(args.vox, src, res, tmp)
            else:
                src = os.path.join(gold, struct + ".prepared.cif")
                p = run_vox(args.vox, src, res, tmp, ["--no-align"])
            label = re.sub(r"[^A-Za-z0-9_-]", "_", os.path.splitext(os.path.basename(src))[0]).strip("_").lower()
            if p.returncode != 0:
                failed += 1
                print(f"FAIL {name}: vox exited {p.returncode}: {p.stderr.strip()[:300]}")
                continue
            got_text = open(os.path.join(tmp, label + ".df.json")).read()
            reason = compare(json.loads(got_text), want)
            if not args.e2e:
                if reason:
                    failed += 1
                    print(f"FAIL {name}: {reason}")
                else:
                    passed += 1
                    exact = got_text == open(gpath).read()
                    print(f"ok   {name}{'' if exact else ' (within tolerance, not byte-identical)'}")
                continue
            # end to end: volumizer's frame (to the printed precision) and its table, byte for byte
            frame = read_cif_coords(os.path.join(gold, struct + ".prepared.cif"))
            ours = read_cif_coords(os.path.join(tmp, label + ".annotated.cif"))[:len(frame)]
            bad = None
            if len(frame) != len(ours):
                bad = f"{len(ours)} atoms, volumizer's frame has {len(frame)}"
            else:
                for i, (a, b) in enumerate(zip(ours, frame)):
                    want_xyz = tuple(fixed3(t) for t in b)
                    if a != want_xyz:
                        bad = f"atom {i} at {a}, volumizer's frame has {want_xyz}"
                        break
            exact = got_text == open(gpath).read()
            if exact:
                matched_e2e += 1
            if bad is None and not exact:
                bad = "table differs: " + (reason or "within tolerance, not byte-identical")
            if bad:
                failed += 1
                print(f"FAIL {name}: {bad}")
            else:
                passed += 1
                print(f"ok   {name}: volumizer's frame and table, byte for byte")
    if args.e2e:
        print(f"end to end: {matched_e2e} of {len(goldens)} tables byte-identical from the original files")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
