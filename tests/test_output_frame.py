#!/usr/bin/env python3
"""test_output_frame.py - `vox analyze --output-frame input`: the annotated PDB and mmCIF carry the
input file's coordinates (protein atoms within the 3-decimal rounding of the input, pseudo-atoms moved
rigidly with them); the default stays volumizer's aligned frame; with --no-align both are the same bytes.

Usage: test_output_frame.py VOX GENERATED_DIR [WRAPPER]
"""
import math
import os
import sys

from voxtest import check, main, runner

VOX, GEN = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []
vox = runner(VOX, WRAPPER)


def atoms(pdb):
    """(protein atoms, pseudo-atoms) of an annotated PDB: two blocks, each ended by END."""
    blocks, cur = [], []
    for line in open(pdb):
        if line.startswith("END"):
            blocks.append(cur)
            cur = []
        elif line.startswith(("ATOM", "HETATM")):
            cur.append((float(line[30:38]), float(line[38:46]), float(line[46:54])))
    return blocks[0], blocks[1]


def turned(path, out):
    """The structure turned by 40 degrees about z and moved, so the aligned frame differs from the input."""
    c, s = math.cos(0.7), math.sin(0.7)
    with open(path) as f, open(out, "w") as o:
        for line in f:
            if line.startswith(("ATOM", "HETATM")):
                x, y, z = float(line[30:38]), float(line[38:46]), float(line[46:54])
                x, y = c * x - s * y + 10.0, s * x + c * y - 4.0
                line = f"{line[:30]}{x:8.3f}{y:8.3f}{z + 2.5:8.3f}{line[54:]}"
            o.write(line)


def test_frames(tmp):
    src = os.path.join(tmp, "turned.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    inp = [(float(l[30:38]), float(l[38:46]), float(l[46:54])) for l in open(src) if l.startswith("ATOM")]
    res = {}
    for frame in ("aligned", "input"):
        od = os.path.join(tmp, frame)
        r = vox("analyze", "--quiet", "--write", "pdb", "--resolution", "2.0", "--output-dir", od,
                "--output-frame", frame, src)
        check(r.returncode == 0, f"{frame}: {r.stderr}")
        res[frame] = atoms(os.path.join(od, "turned.annotated.pdb"))
    prot_in, pseudo_in = res["input"]
    prot_al, pseudo_al = res["aligned"]
    check(len(prot_in) == len(inp) and max(max(abs(a - b) for a, b in zip(p, q)) for p, q in zip(prot_in, inp)) <= 0.0015,
          "input frame: the protein atoms are the input's coordinates")
    check(max(max(abs(a - b) for a, b in zip(p, q)) for p, q in zip(prot_al, inp)) > 1.0,
          "aligned frame (default): the protein atoms moved")
    check(len(pseudo_in) == len(pseudo_al) > 1, "the same pseudo-atoms in both frames")

    def dist(a, b):
        return math.dist(a, b)
    pairs = [(0, len(pseudo_al) - 1), (0, len(pseudo_al) // 2)]
    check(all(abs(dist(pseudo_in[i], pseudo_in[j]) - dist(pseudo_al[i], pseudo_al[j])) < 0.01 for i, j in pairs),
          "the pseudo-atoms move rigidly with the protein")
    # the pseudo-atoms lie where the pocket is in the input: near the input's atoms
    lo = [min(p[a] for p in inp) - 4 for a in range(3)]
    hi = [max(p[a] for p in inp) + 4 for a in range(3)]
    check(all(lo[a] <= p[a] <= hi[a] for p in pseudo_in for a in range(3)), "input-frame pseudo-atoms inside the input's box")
    # default = aligned, and --no-align makes both frames the same bytes
    od = os.path.join(tmp, "default")
    vox("analyze", "--quiet", "--write", "pdb", "--resolution", "2.0", "--output-dir", od, src)
    check(open(os.path.join(od, "turned.annotated.cif")).read() ==
          open(os.path.join(tmp, "aligned", "turned.annotated.cif")).read(), "the default is the aligned frame")
    outs = []
    for frame in ("aligned", "input"):
        od = os.path.join(tmp, "na-" + frame)
        vox("analyze", "--quiet", "--no-align", "--resolution", "2.0", "--output-dir", od, "--output-frame", frame, src)
        outs.append(open(os.path.join(od, "turned.annotated.cif")).read())
    check(outs[0] == outs[1], "--no-align: both frames give the same file")
    r = vox("analyze", "--output-frame", "sideways", "--output-dir", tmp, src)
    check(r.returncode == 2 and "--output-frame" in r.stderr, f"bad --output-frame: {r.stderr}")


if __name__ == "__main__":
    sys.exit(main([test_frames], "vox-output-frame-"))
