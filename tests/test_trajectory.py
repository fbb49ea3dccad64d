#!/usr/bin/env python3
"""test_trajectory.py - `vox trajectory` end to end.

A generated trajectory (a pocket box that breathes, written as DCD) is
analysed frame by frame; every analysed frame's rows equal `vox analyze` of
that frame written as its own PDB file (with the same coordinates: they are
3-decimal values in both files); --start/--stop/--stride pick the frames;
thread counts give identical files; bad inputs (atom counts that differ, a
truncated frame, not a trajectory) give a clear message, exit 1, and either
nothing written or every frame before the bad one.  With ../shared, the same
on the GROMACS lysozyme run.

Usage: test_trajectory.py VOX GENERATED_DIR SHARED_DATA [WRAPPER]
"""
import json
import math
import os
import struct
import sys

from voxtest import check, main, runner

VOX, GEN, SHARED = sys.argv[1], sys.argv[2], sys.argv[3]
WRAPPER = sys.argv[4].split() if len(sys.argv) > 4 else []
vox = runner(VOX, WRAPPER)


def read_atoms(pdb):
    lines = [l for l in open(pdb) if l.startswith(("ATOM", "HETATM"))]
    return lines, [(float(l[30:38]), float(l[38:46]), float(l[46:54])) for l in lines]


def breathing(coords, k):
    """Frame k: the box scaled about its centre, rounded to PDB's 3 decimals."""
    c = [sum(p[i] for p in coords) / len(coords) for i in range(3)]
    f = 1.0 + 0.06 * math.sin(k * 0.9)
    return [tuple(round(c[i] + (p[i] - c[i]) * f, 3) for i in range(3)) for p in coords]


def write_pdb(path, lines, coords):
    with open(path, "w") as out:
        for l, p in zip(lines, coords):
            out.write(f"{l[:30]}{p[0]:8.3f}{p[1]:8.3f}{p[2]:8.3f}{l[54:].rstrip(chr(10))}\n")
        out.write("END\n")


def write_dcd(path, frames, natom=None, cut=0):
    def rec(b):
        return struct.pack("<i", len(b)) + b + struct.pack("<i", len(b))
    n = len(frames[0])
    icntrl = [len(frames), 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24]
    hdr = b"CORD" + struct.pack("<9i", *icntrl[:9]) + struct.pack("<f", 0.0409097) + struct.pack("<10i", *icntrl[10:])
    data = rec(hdr) + rec(struct.pack("<i", 1) + b"vox test".ljust(80)) + rec(struct.pack("<i", natom or n))
    for fr in frames:
        for c in range(3):
            data += rec(struct.pack(f"<{n}f", *[p[c] for p in fr]))
    with open(path, "wb") as f:
        f.write(data[:len(data) - cut] if cut else data)


def rows(csv):
    lines = open(csv).read().splitlines()
    check(lines[0] == "frame,time,type,id,track,voxels,volume,x,y,z,centre_x,centre_y,centre_z,circularity,uniformity",
          f"frames.csv header: {lines[0]}")
    return [l.split(",") for l in lines[1:]]


def test_generated(tmp):
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    frames = [breathing(coords, k) for k in range(8)]
    top = os.path.join(tmp, "top.pdb")
    write_pdb(top, lines, frames[0])
    dcd = os.path.join(tmp, "breathe.dcd")
    write_dcd(dcd, frames)
    out = os.path.join(tmp, "t1")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", out, "--resolution", "2.0")
    check(r.returncode == 0, f"vox trajectory: {r.returncode} {r.stderr}")
    got = rows(os.path.join(out, "breathe.frames.csv"))
    summary = json.load(open(os.path.join(out, "run.summary.json")))
    check(summary["frames_done"] == 8 and summary["failures"] == [], f"summary {summary}")
    volumes_seen = set()
    for k, fr in enumerate(frames):
        pdb = os.path.join(tmp, f"frame{k}.pdb")
        write_pdb(pdb, lines, fr)
        od = os.path.join(tmp, f"a{k}")
        r = vox("analyze", "--quiet", "--write", "df-json", "--assembly-policy", "asymmetric", "--resolution", "2.0",
                "--output-dir", od, pdb)
        check(r.returncode == 0, f"analyze frame {k}: {r.stderr}")
        df = json.load(open(os.path.join(od, f"frame{k}.df.json")))
        want = sorted((df["type"][i], int(df["id"][i]), float(df["volume"][i])) for i in df["id"])
        mine = sorted((row[2], int(row[3]), float(row[6])) for row in got if row[0] == str(k))
        check(want == mine, f"frame {k}: trajectory {mine} != analyze {want}")
        volumes_seen.add(tuple(v for _, _, v in mine))
        check(all(row[1] == "" or abs(float(row[1]) - 0.002 * k) < 1e-5 for row in got if row[0] == str(k)),
              f"frame {k} time")
    check(len(volumes_seen) > 1, "the breathing pocket's volume changes between frames")

    # frame selection and thread counts
    out2 = os.path.join(tmp, "t2")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", out2, "--resolution",
            "2.0", "--start", "1", "--stop", "7", "--stride", "3", env={**os.environ, "VOX_THREADS": "1"})
    check(r.returncode == 0, r.stderr)
    sel = rows(os.path.join(out2, "breathe.frames.csv"))
    check({row[0] for row in sel} <= {"1", "4"} and sel == [row for row in got if row[0] in ("1", "4")],
          "--start 1 --stop 7 --stride 3 gives frames 1 and 4, as in the full run")
    out3 = os.path.join(tmp, "t3")
    vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", out3, "--resolution", "2.0",
        env={**os.environ, "VOX_THREADS": "2"})
    check(open(os.path.join(out3, "breathe.frames.csv")).read() == open(os.path.join(out, "breathe.frames.csv")).read(),
          "2 threads give the same frames.csv")

    # bad inputs
    short = os.path.join(tmp, "short.dcd")
    write_dcd(short, [f[:-1] for f in frames])
    od = os.path.join(tmp, "bad1")
    r = vox("trajectory", "--topology", top, "--trajectory", short, "--output-dir", od)
    check(r.returncode == 1 and f"has {len(coords)} atoms" in r.stderr and f"has {len(coords) - 1}" in r.stderr
          and not os.path.exists(od), f"atom count mismatch: {r.returncode} {r.stderr}")
    cut = os.path.join(tmp, "cut.dcd")
    write_dcd(cut, frames, cut=10)
    od = os.path.join(tmp, "bad2")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", cut, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and "frame 7 at byte offset" in r.stderr and "truncated" in r.stderr,
          f"truncated: {r.returncode} {r.stderr}")
    part = rows(os.path.join(od, "cut.frames.csv")) if os.path.exists(os.path.join(od, "cut.frames.csv")) else []
    check(part == [row for row in got if int(row[0]) < 7], "frames before the truncated one are written")
    junk = os.path.join(tmp, "junk.bin")
    open(junk, "wb").write(bytes(range(256)) * 4)
    r = vox("trajectory", "--topology", top, "--trajectory", junk, "--output-dir", os.path.join(tmp, "bad3"))
    check(r.returncode == 1 and "not a trajectory file" in r.stderr, f"binary junk as trajectory: {r.stderr}")
    r = vox("trajectory", "--trajectory", dcd, "--output-dir", os.path.join(tmp, "bad4"))
    check(r.returncode == 2 and "--topology is required" in r.stderr, f"usage: {r.stderr}")
    r = vox("trajectory", "--topology", top, "--trajectory", dcd, "--output-dir", tmp, "--align", "sideways")
    check(r.returncode == 2 and "expected each, reference or none" in r.stderr, f"bad --align: {r.stderr}")
    r = vox("trajectory", "--topology", top, "--trajectory", dcd, "--output-dir", tmp, "--write", "occupancy")
    check(r.returncode == 2 and "--align reference" in r.stderr, f"occupancy needs one grid: {r.stderr}")
    r = vox("trajectory", "--topology", top, "--trajectory", dcd, "--output-dir", tmp, "--fit", "ca")
    check(r.returncode == 2 and "--fit applies to --align reference" in r.stderr, f"--fit with each: {r.stderr}")


def test_fuzz_dcd(tmp):
    """Damaged DCDs (truncated, flipped bytes, header fields set to extreme values) end in exit 0 or a
    clear error (exit 1), never a crash, a hang or a huge allocation; deterministic (seeded)."""
    import random
    rng = random.Random(1995)
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    top = os.path.join(tmp, "fuzz-top.pdb")
    write_pdb(top, lines, coords)
    good = os.path.join(tmp, "fuzz.dcd")
    write_dcd(good, [breathing(coords, k) for k in range(4)])
    data = open(good, "rb").read()
    header_ints = [8 + 4 * i for i in range(20)] + [96, 188]  # ICNTRL fields, NTITLE, NATOM (one title line)
    extremes = [0, 1, -1, 2**31 - 1, -2**31, 84, 2**24, len(coords) + 1]
    bad = 0
    for case in range(200):
        b = bytearray(data)
        op = case % 4
        if op == 0:
            b = b[: rng.randrange(len(b))]
        elif op == 1:
            for _ in range(rng.randrange(1, 20)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 2:
            off = rng.choice(header_ints + [rng.randrange(0, len(b) - 4)])
            b[off:off + 4] = struct.pack("<i", rng.choice(extremes))
        else:
            for _ in range(rng.randrange(1, 4)):
                off = rng.randrange(0, 300)
                b[off:off + 4] = struct.pack("<i", rng.choice(extremes))
        path = os.path.join(tmp, "fuzz-case.dcd")
        open(path, "wb").write(bytes(b))
        try:
            r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir",
                    os.path.join(tmp, "fuzz-out"), "--resolution", "3.0", "--max-grid-voxels", "2000000", timeout=60)
        except Exception as e:  # a hang
            check(False, f"fuzz case {case}: {e}")
            continue
        ok = r.returncode == 0 or (r.returncode == 1 and "vox trajectory: " in r.stderr)
        if not ok:
            bad += 1
            print(f"fuzz case {case} (op {op}): exit {r.returncode}: {r.stderr[-300:]}")
    check(bad == 0, f"{bad} of 200 damaged DCDs crashed or failed without a message")


def test_shared(tmp):
    d = os.path.join(SHARED, "trajectories", "1aki-md")
    if not os.path.isdir(d):
        print("SKIP: ../shared/data/trajectories/1aki-md not found")
        return
    out = os.path.join(tmp, "md")
    r = vox("trajectory", "--quiet", "--topology", os.path.join(d, "top.pdb"), "--trajectory",
            os.path.join(d, "traj.dcd"), "--output-dir", out, "--resolution", "2.0")
    check(r.returncode == 0, r.stderr)
    summary = json.load(open(os.path.join(out, "run.summary.json")))
    check(summary["frames_done"] == 201 and summary["config"]["analysed_atoms"] == 1001, f"{summary}")
    got = rows(os.path.join(out, "traj.frames.csv"))
    check(len({row[0] for row in got}) > 150, "most frames have volumes")
    check(abs(float([row for row in got if row[0] == "200"][0][1]) - 20.0) < 1e-3, "frame 200 is at 20 ps")
    for name, top in (("natoms-mismatch.dcd", "top.pdb"), ("natoms-header-patched.dcd", "top.pdb"),
                      ("traj.dcd", "broken/top-minus-one.pdb")):
        traj = os.path.join(d, "broken", name) if name != "traj.dcd" else os.path.join(d, name)
        od = os.path.join(tmp, "b-" + name)
        r = vox("trajectory", "--topology", os.path.join(d, top), "--trajectory", traj, "--output-dir", od)
        check(r.returncode == 1 and "atoms, the trajectory" in r.stderr and not os.path.exists(od),
              f"{name} with {top}: {r.returncode} {r.stderr}")


if __name__ == "__main__":
    sys.exit(main([test_generated, test_fuzz_dcd, test_shared], "vox-trajectory-"))
