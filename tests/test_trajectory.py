#!/usr/bin/env python3
"""test_trajectory.py - `vox trajectory` end to end.

A generated trajectory (a pocket box that breathes, written as DCD) is
analysed frame by frame; every analysed frame's rows equal `vox analyze` of
that frame written as its own PDB file (with the same coordinates: they are
3-decimal values in both files); --start/--stop/--stride pick the frames;
thread counts give identical files; bad inputs (atom counts that differ, a
truncated frame, not a trajectory, an ensemble model listing other atoms than
the first) give a clear message, exit 1, and either nothing written or every
frame before the bad one.  With ../shared, the same on the GROMACS lysozyme run.

Usage: test_trajectory.py VOX GENERATED_DIR SHARED_DATA [WRAPPER]
"""
import json
import math
import os
import re
import shutil
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


def breathing_setup(tmp, top_name, count):
    """The generated pocket box breathing over count frames: its atom lines, the frames' coordinates, and
    the topology (frame 0 as a PDB file named top_name in tmp)."""
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    frames = [breathing(coords, k) for k in range(count)]
    top = os.path.join(tmp, top_name)
    write_pdb(top, lines, frames[0])
    return lines, frames, top


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


def write_models_pdb(path, lines, frames):
    """frames as the models (MODEL/ENDMDL) of one PDB file, each with the atom lines of lines."""
    with open(path, "w") as out:
        for m, fr in enumerate(frames):
            out.write(f"MODEL     {m + 1:4d}\n")
            for l, p in zip(lines, fr):
                out.write(f"{l[:30]}{p[0]:8.3f}{p[1]:8.3f}{p[2]:8.3f}{l[54:].rstrip(chr(10))}\n")
            out.write("ENDMDL\n")
        out.write("END\n")


def write_models_cif(path, lines, frames):
    """frames as the models (pdbx_PDB_model_num) of one mmCIF atom_site loop, label_* and auth_* from lines."""
    cols = ["group_PDB", "id", "type_symbol", "label_atom_id", "label_comp_id", "label_asym_id", "label_seq_id",
            "Cartn_x", "Cartn_y", "Cartn_z", "auth_seq_id", "auth_asym_id", "pdbx_PDB_model_num"]
    with open(path, "w") as out:
        out.write("data_ensemble\n#\nloop_\n" + "".join(f"_atom_site.{c}\n" for c in cols))
        n = 0
        for m, fr in enumerate(frames):
            for l, p in zip(lines, fr):
                n += 1
                el = l[76:78].strip() or l[12:16].strip()[0]
                chain = l[21].strip() or "A"
                out.write(f"{l[:6].strip()} {n} {el} {l[12:16].strip()} {l[17:20].strip()} {chain} "
                          f"{int(l[22:26])} {p[0]:.3f} {p[1]:.3f} {p[2]:.3f} {int(l[22:26])} {chain} {m + 1}\n")
        out.write("#\n")


MAGICINTS = [0] * 9 + [
    8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 80, 101, 128, 161, 203, 256, 322, 406, 512, 645, 812, 1024, 1290, 1625,
    2048, 2580, 3250, 4096, 5060, 6501, 8192, 10321, 13003, 16384, 20642, 26007, 32768, 41285, 52015, 65536, 82570,
    104031, 131072, 165140, 208063, 262144, 330280, 416127, 524287, 660561, 832255, 1048576, 1321122, 1664510,
    2097152, 2642245, 3329021, 4194304, 5284491, 6658042, 8388607, 10568983, 13316085, 16777216]


def xtc_frame(ints, step, time, box, precision=10000.0, smallidx=12):
    """One XTC frame (more than 9 atoms, every range under 2^24) of integer coordinates: runs of up to
    8 small atoms at a fixed smallidx, taken greedily, as the format allows."""
    n = len(ints)
    lo = [min(p[c] for p in ints) for c in range(3)]
    hi = [max(p[c] for p in ints) for c in range(3)]
    size = [h - l + 1 for l, h in zip(lo, hi)]
    bitsize = (size[0] * size[1] * size[2]).bit_length()
    acc, nbits = 0, 0

    def put(nb, v):
        nonlocal acc, nbits
        acc, nbits = acc << nb | v, nbits + nb

    def put_ints(nb, s, v):  # the mixed-radix number, least significant byte first
        big = (v[0] * s[1] + v[1]) * s[2] + v[2]
        while nb > 8:
            put(8, big & 0xff)
            big >>= 8
            nb -= 8
        put(nb, big)

    sz = MAGICINTS[smallidx]
    half = sz // 2
    fits = lambda a, b: all(0 <= a[c] - b[c] + half < sz for c in range(3))
    prev_of = lambda i, k: i + 1 if k == 0 else i if k == 1 else i + k  # small atom k: i, i + 2, i + 3...
    at_of = lambda i, k: i if k == 0 else i + k + 1
    i, prevrun = 0, 0
    while i < n:
        r = 0
        while r < 8 and at_of(i, r) < n and i + 1 < n and fits(ints[at_of(i, r)], ints[prev_of(i, r)]):
            r += 1
        big = ints[i + 1] if r else ints[i]
        put_ints(bitsize, size, [big[c] - lo[c] for c in range(3)])
        if 3 * r != prevrun:
            put(1, 1)
            put(5, 3 * r + 1)  # run + is_smaller (0) + 1
            prevrun = 3 * r
        else:
            put(1, 0)
        for k in range(r):
            a, b = ints[at_of(i, k)], ints[prev_of(i, k)]
            put_ints(smallidx, [sz] * 3, [a[c] - b[c] + half for c in range(3)])
        i += r + 1 if r else 1
    nbytes = (nbits + 7) // 8
    data = (acc << (8 * nbytes - nbits)).to_bytes(nbytes, "big")
    return (struct.pack(">iiif9fi", 1995, n, step, time, *box, n) +
            struct.pack(">f3i3iii", precision, *lo, *hi, smallidx, nbytes) + data + bytes(-nbytes % 4))


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def xtc_angstrom(v, precision=10000.0):
    """What an XTC reader returns for integer v: float32(float32(v * float32(1/precision)) * 10)."""
    return f32(f32(f32(v) * f32(1.0 / precision)) * 10.0)


def write_xtc(path, frames, precision=10000.0, times=None):
    """frames in Å (3 decimals: exact at precision 10^4 per nm), times in ps (default 0.002 per frame);
    returns the coordinates a reader gets and each frame's byte offset."""
    out, back, offsets = b"", [], []
    for k, fr in enumerate(frames):
        ints = [tuple(round(x * precision / 10) for x in p) for p in fr]
        offsets.append(len(out))
        out += xtc_frame(ints, k, f32(0.002 * k) if times is None else times[k], [5, 0, 0, 0, 5, 0, 0, 0, 5],
                         precision)
        back.append([tuple(xtc_angstrom(v, precision) for v in p) for p in ints])
    open(path, "wb").write(out)
    return back, offsets


def rows(csv):
    lines = open(csv).read().splitlines()
    check(lines[0] == "frame,time,type,id,track,voxels,volume,x,y,z,centre_x,centre_y,centre_z,circularity,uniformity",
          f"frames.csv header: {lines[0]}")
    return [l.split(",") for l in lines[1:]]


def test_generated(tmp):
    lines, frames, top = breathing_setup(tmp, "top.pdb", 8)
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

    # the folder's run record is not replaced when it is another run's: a vox analyze run's (a{0} holds one) or
    # another trajectory's; the same trajectory again replaces its own. Before, each replaced the summary.
    analyzed = os.path.join(tmp, "a0")
    before = open(os.path.join(analyzed, "run.summary.json"), "rb").read()
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", analyzed, "--resolution",
            "2.0")
    check(r.returncode == 1 and f"{os.path.join(analyzed, 'run.summary.json')} is the summary of a vox analyze run (1 "
          "structure)" in r.stderr and open(os.path.join(analyzed, "run.summary.json"), "rb").read() == before and
          not os.path.exists(os.path.join(analyzed, "breathe.frames.csv")),
          f"a trajectory run into a vox analyze run's folder stops, the summary kept: {r.returncode} {r.stderr}")
    other = os.path.join(tmp, "other.dcd")
    shutil.copy(dcd, other)
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", other, "--output-dir", out, "--resolution",
            "2.0")
    check(r.returncode == 1 and "is the summary of the trajectory 'breathe'; this one's ('other')" in r.stderr and
          json.load(open(os.path.join(out, "run.summary.json")))["config"]["label"] == "breathe",
          f"another trajectory into the folder stops: {r.returncode} {r.stderr}")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", out, "--resolution", "2.0")
    check(r.returncode == 0 and rows(os.path.join(out, "breathe.frames.csv")) == got,
          f"the same trajectory again replaces its own: {r.returncode} {r.stderr}")
    # the same label from another file (rep2/breathe.dcd): refused, as another label is (before: its outputs
    # were replaced, exit 0)
    os.makedirs(os.path.join(tmp, "rep2"))
    twin = os.path.join(tmp, "rep2", "breathe.dcd")
    shutil.copy(dcd, twin)
    before = open(os.path.join(out, "run.summary.json"), "rb").read()
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", twin, "--output-dir", out, "--resolution",
            "2.0")
    check(r.returncode == 1 and f"read from {dcd}; this one, from {twin}, has the same label" in r.stderr and
          open(os.path.join(out, "run.summary.json"), "rb").read() == before,
          f"the same stem from another file: {r.returncode} {r.stderr}")
    # the same relative path from two working directories names two files (refused), and another path to the
    # same file is the same trajectory (taken); before, the summary's path was resolved from the new run's
    # working directory, which got both wrong
    absvox = runner(os.path.abspath(VOX), WRAPPER)
    for rep in ("cwd1", "cwd2"):
        os.makedirs(os.path.join(tmp, rep))
        shutil.copy(dcd, os.path.join(tmp, rep, "breathe.dcd"))
        shutil.copy(top, os.path.join(tmp, rep, "top.pdb"))
    rel = ["trajectory", "--quiet", "--topology", "top.pdb", "--trajectory", "breathe.dcd", "--output-dir", "../cwd-out",
           "--resolution", "2.0"]
    r1 = absvox(*rel, cwd=os.path.join(tmp, "cwd1"))
    r2 = absvox(*rel, cwd=os.path.join(tmp, "cwd2"))
    check(r1.returncode == 0 and r2.returncode == 1 and "has the same label" in r2.stderr,
          f"breathe.dcd from two working directories: {r1.returncode} {r2.returncode} {r2.stderr}")
    r3 = absvox(*rel[:5], "../cwd1/breathe.dcd", *rel[6:], cwd=os.path.join(tmp, "cwd2"))
    check(r3.returncode == 0, f"the same file by another path: {r3.returncode} {r3.stderr}")
    # a run again with fewer outputs leaves none of the earlier run's others (before: tracks, maps, descriptors
    # and page of the earlier run stayed beside the new frames.csv)
    again = os.path.join(tmp, "again")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", again, "--resolution",
            "2.0", "--align", "reference", "--write", "occupancy,descriptors,html")
    kinds = lambda: sorted(f for f in os.listdir(again) if f.startswith("breathe."))
    first = kinds()
    check(r.returncode == 0 and "breathe.tracks.csv" in first and "breathe.occupancy.pocket.dx" in first and
          "breathe.descriptors.csv" in first and "breathe.trajectory.html" in first, f"every output: {first}")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", again, "--resolution",
            "2.0")
    check(r.returncode == 0 and kinds() == ["breathe.frames.csv"] and rows(os.path.join(again, "breathe.frames.csv"))
          == got and not os.path.exists(os.path.join(again, "index.html")),
          f"a plain run after it (no page, so no index listing it): {kinds()} {r.stderr}")
    before = open(os.path.join(out, "run.summary.json"), "rb").read()
    r = vox("analyze", "--quiet", "--output-dir", out, os.path.join(tmp, "frame0.pdb"))
    check(r.returncode == 1 and "is the summary of the vox trajectory run 'breathe'" in r.stderr and
          open(os.path.join(out, "run.summary.json"), "rb").read() == before and
          not os.path.exists(os.path.join(out, "frame0.annotation.json")),
          f"vox analyze into a trajectory's folder stops, its summary kept: {r.returncode} {r.stderr}")

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

    # --write descriptors: one row per row of frames.csv, the same for any number of jobs; names from the
    # topology are data: chains '"' and ',' stay inside the one quoted field of the lining residues
    import csv
    hostile = [l[:21] + ('"' if i % 2 else ",") + l[22:] for i, l in enumerate(lines)]
    htop = os.path.join(tmp, "hostile.pdb")
    write_pdb(htop, hostile, frames[0])
    runs = {}
    for jobs in ("1", "2"):
        od = os.path.join(tmp, "desc" + jobs)
        r = vox("trajectory", "--quiet", "--topology", htop, "--trajectory", dcd, "--output-dir", od, "--resolution",
                "2.0", "--align", "reference", "--write", "descriptors", "--jobs", jobs)
        check(r.returncode == 0, f"--write descriptors: {r.stderr}")
        runs[jobs] = open(os.path.join(od, "breathe.descriptors.csv"), "rb").read()
        check(json.load(open(os.path.join(od, "run.summary.json")))["config"]["descriptors"] is True,
              "the summary records --write descriptors")
    check(runs["1"] == runs["2"], "--jobs 1 and 2 give the same descriptors.csv")
    table = list(csv.reader(runs["1"].decode().splitlines()))
    frames_rows = rows(os.path.join(tmp, "desc1", "breathe.frames.csv"))
    check(table[0][-1] == "lining_residues" and len(table) - 1 == len(frames_rows) and
          all(len(t) == 15 for t in table), f"descriptors.csv: {len(table) - 1} rows of 15 fields")
    check([t[:4] for t in table[1:]] == [[f[0], f[2], f[3], f[4]] for f in frames_rows],
          "each row is the volume of the frames.csv row at the same place")
    labels = [lab for t in table[1:] for lab in t[14].split(" ")]
    check(labels and all(lab[:2] in ('":', ",:") and lab[2:5] == "ALA" and lab[5:].isdigit() for lab in labels),
          f"lining residues labelled chain:name number: {labels[:4]}")
    check(all(float(t[4]) > 0 and int(t[10]) > 0 and float(t[6]) == 1.8 for t in table[1:]),
          "every volume has a depth, lining atoms, and the alanines' hydropathy 1.8")
    check(not os.path.exists(os.path.join(out, "breathe.descriptors.csv")), "no descriptors.csv unless asked for")
    # a name byte that is not UTF-8 (a Latin-1 chain, a UTF-8 name cut short) is U+FFFD, as in the volumes
    # JSON: the file stays UTF-8, which pandas.read_csv and csv.reader read by default
    l1top = os.path.join(tmp, "latin1.pdb")
    write_pdb(l1top, [l[:21] + "Q" + l[22:26] + "Q" + l[27:] for l in lines], frames[0])
    raw = open(l1top, "rb").read().splitlines(True)
    open(l1top, "wb").write(b"".join(l[:21] + b"\xe9" + l[22:26] + b"\xc3" + l[27:] if l.startswith(b"ATOM") else l
                                     for l in raw))
    od = os.path.join(tmp, "desc-latin1")
    r = vox("trajectory", "--quiet", "--topology", l1top, "--trajectory", dcd, "--output-dir", od, "--resolution",
            "2.0", "--align", "reference", "--write", "descriptors")
    check(r.returncode == 0, f"--write descriptors, a Latin-1 chain: {r.stderr}")
    try:
        text = open(os.path.join(od, "breathe.descriptors.csv"), "rb").read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        text = ""
        check(False, f"descriptors.csv of a Latin-1 chain is UTF-8: {e}")
    table = list(csv.reader(text.splitlines()))
    labels = [lab for t in table[1:] for lab in t[14].split(" ")]
    check(len(table) > 1 and all(len(t) == 15 for t in table) and labels and
          all(re.fullmatch("\ufffd:ALA\\d+\ufffd", lab) for lab in labels),
          f"a name byte that is not UTF-8 is U+FFFD in descriptors.csv: {labels[:4]}")

    # bad inputs
    short = os.path.join(tmp, "short.dcd")
    write_dcd(short, [f[:-1] for f in frames])
    od = os.path.join(tmp, "bad1")
    r = vox("trajectory", "--topology", top, "--trajectory", short, "--output-dir", od)
    check(r.returncode == 1 and f"has {len(frames[0])} atoms" in r.stderr and f"has {len(frames[0]) - 1}" in r.stderr
          and not os.path.exists(od), f"atom count mismatch: {r.returncode} {r.stderr}")
    cut = os.path.join(tmp, "cut.dcd")
    write_dcd(cut, frames, cut=10)
    od = os.path.join(tmp, "bad2")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", cut, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and "frame 7 at byte offset" in r.stderr and "truncated" in r.stderr,
          f"truncated: {r.returncode} {r.stderr}")
    part = rows(os.path.join(od, "cut.frames.csv")) if os.path.exists(os.path.join(od, "cut.frames.csv")) else []
    check(part == [row for row in got if int(row[0]) < 7], "frames before the truncated one are written")
    # outputs vox trajectory opens itself: never over (or read from) something that is not a regular file
    import stat
    for name in ("breathe.frames.csv", "breathe.frames.csv.part", "breathe.checkpoint", "breathe.descriptors.csv",
                 "breathe.descriptors.csv.part"):
        od = os.path.join(tmp, "fifo-" + name)
        os.makedirs(od)
        fifo = os.path.join(od, name)
        os.mkfifo(fifo)
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", od, "--resume",
                "--resolution", "2.0", "--write", "descriptors", timeout=60)
        check(r.returncode == 1 and "not a regular file" in r.stderr and stat.S_ISFIFO(os.stat(fifo).st_mode)
              and not os.path.exists(os.path.join(od, "run.summary.json")),
              f"a FIFO at {name}: {r.returncode} {r.stderr}")
    # links planted at the names vox trajectory opens itself are not followed: the lock file (truncated and
    # signed) is refused; a rows file being written (.part) is replaced by a new file, so the file the link
    # names keeps its bytes and the final CSV is a regular file. Before, both wrote through the link, and the
    # rename left the final CSV a link to the planted target.
    victim = os.path.join(tmp, "victim.txt")
    for name in (".vox.lock", "breathe.frames.csv.part", "breathe.descriptors.csv.part"):
        with open(victim, "w") as f:
            f.write("keep me\n")
        od = os.path.join(tmp, "link-" + name.strip("."))
        os.makedirs(od)
        os.symlink(victim, os.path.join(od, name))
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", od, "--resume",
                "--resolution", "2.0", "--write", "descriptors", timeout=120)
        kept = open(victim).read() == "keep me\n"
        if name == ".vox.lock":
            check(r.returncode == 1 and "symbolic link" in r.stderr and kept and os.path.islink(os.path.join(od, name))
                  and not os.path.exists(os.path.join(od, "breathe.frames.csv")), f"a link at {name}: {r.returncode} {r.stderr}")
        else:
            csv = os.path.join(od, "breathe.frames.csv")
            check(r.returncode == 0 and kept and not os.path.islink(csv) and rows(csv) == got and
                  not os.path.lexists(os.path.join(od, name)), f"a link at {name}: {r.returncode} {r.stderr} kept {kept}")
    # a hard link at the lock: refused too (O_NOFOLLOW does not see it; the lock would be signed into the file)
    with open(victim, "w") as f:
        f.write("keep me\n")
    od = os.path.join(tmp, "hardlink-lock")
    os.makedirs(od)
    os.link(victim, os.path.join(od, ".vox.lock"))
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and "other hard links" in r.stderr and open(victim).read() == "keep me\n",
          f"a hard link at .vox.lock: {r.returncode} {r.stderr}")
    # a coordinate that is not a number: the same message, naming the frame and the input atom, with every
    # alignment (with reference, the fit would have spread it into every atom and blamed the first)
    nan_frames = [list(f) for f in frames]
    nan_frames[2][5] = (float("nan"), nan_frames[2][5][1], nan_frames[2][5][2])
    nan_dcd = os.path.join(tmp, "nan.dcd")
    write_dcd(nan_dcd, nan_frames)
    for align in ("each", "reference", "none"):
        od = os.path.join(tmp, "nan-" + align)
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", nan_dcd, "--output-dir", od,
                "--resolution", "2.0", "--align", align)
        check(r.returncode == 1 and f"{nan_dcd}: frame 2" in r.stderr and
              "atom 5 (0-based): x coordinate is not a finite number" in r.stderr,
              f"NaN in frame 2, atom 5, --align {align}: {r.returncode} {r.stderr}")
    # one run per output directory, as for `vox analyze`: while another run holds it, a second fails at
    # once naming it, before anything there is read, removed or written; with --wait-lock it waits
    import fcntl
    import subprocess
    od = os.path.join(tmp, "locked")
    os.makedirs(od)
    args = ["trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", od, "--resolution", "2.0"]
    with open(os.path.join(od, ".vox.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        lk.write("pid 4242 on host test, vox analyze started now\n")
        lk.flush()
        r = vox(*args, timeout=60)
        check(r.returncode == 1 and "in use by another run (pid 4242 on host test" in r.stderr and
              "--wait-lock" in r.stderr and os.listdir(od) == [".vox.lock"],
              f"a second run on a directory in use fails at once, writing nothing: {r.returncode} {r.stderr} "
              f"{os.listdir(od)}")
        waiting = subprocess.Popen([*WRAPPER, VOX, *args, "--wait-lock"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        # held until it says it waits (its first line): before, for 1 s, which a slow start (a loaded machine,
        # ASan) outlasted, and then it found the directory free and never waited
        first = waiting.stderr.readline()
        still = waiting.poll() is None and os.listdir(od) == [".vox.lock"]
    err = first + waiting.communicate(timeout=600)[1]
    check(still and waiting.returncode == 0 and "waiting for the other run" in err and
          rows(os.path.join(od, "breathe.frames.csv")) == got,
          f"--wait-lock waits for the holder, then runs: {still} {waiting.returncode} {err}")
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
    r = vox("trajectory", "--topology", top, "--trajectory", dcd, "--output-dir", tmp, "--track-gap", "3")
    check(r.returncode == 2 and "--track-gap applies to --align reference or none" in r.stderr,
          f"--track-gap with each (no tracks): {r.stderr}")


ATOM_NAMES = ["N", "CA", "C", "O", "CB", "CG", "CD", "CE", "NZ"]


def named_atoms():
    """pocket_box.pdb's atom lines with the atoms of each residue named N, CA, C, ... (the box has up to 8
    per residue, all CA), so that no two atoms of a residue share a name; and its coordinates."""
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    named, k, prev = [], 0, None
    for l in lines:
        k = k + 1 if l[22:26] == prev else 0
        prev = l[22:26]
        named.append(f"{l[:12]} {ATOM_NAMES[k]:<3s}{l[16:]}")
    return named, coords


def ordinal(n):
    return f"{n}{'th' if n % 100 in (11, 12, 13) else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def edit_model(path, out, model, edit, cif=False):
    """Copies an ensemble with edit(rows) applied to the atom lines (PDB) or atom_site rows (mmCIF) of the
    1-based model; returns the model's byte offset and its first atom's line number (1-based)."""
    text = open(path).read().split("\n")
    if cif:  # the atom_site rows follow its last item; pdbx_PDB_model_num is the last value
        loop = max(i for i, l in enumerate(text) if l.startswith("_atom_site."))
        first = [i for i in range(loop + 1, len(text)) if text[i].split()[-1:] == [str(model)]]
        start = first[0]
    else:
        start = text.index(f"MODEL     {model:4d}")
        first = [i for i in range(start + 1, len(text)) if text[i].startswith("ATOM")][:1]
        first = list(range(first[0], text.index("ENDMDL", start)))
    block = [text[i] for i in first]
    edit(block)
    text[first[0]:first[-1] + 1] = block
    open(out, "w").write("\n".join(text))
    return sum(len(l) + 1 for l in text[:start]), first[0] + 1


def test_model_atoms(tmp):
    """A model that lists other atoms than the first model (two lines swapped, an atom, residue or chain
    renamed, another residue number, insertion code or altloc) is an error naming the frame, the model's
    byte offset, the line, the field, what the first model has and what was found (exit 1, the frames
    before it written); what does not name an atom (serial numbers, the names' justification, element
    columns) may change, and such an ensemble gives the rows of the plain one."""
    lines, coords = named_atoms()
    frames = [breathing(coords, k) for k in range(4)]
    top = os.path.join(tmp, "m-top.pdb")
    write_pdb(top, lines, frames[0])
    runs = {}

    def run(path, label):
        od = os.path.join(tmp, "m-" + label)
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir", od,
                "--resolution", "2.0")
        csv = os.path.join(od, os.path.splitext(os.path.basename(path))[0] + ".frames.csv")
        return r, rows(csv) if os.path.exists(csv) else []

    i = 8  # residue 2's CA (residue 1 has 7 atoms), then its C
    check(lines[i][12:16] == " CA " and lines[i + 1][12:16] == " C  ", "the atoms edited are CA and C")
    for kind in ("pdb", "cif"):
        good = os.path.join(tmp, f"models-{kind}.{kind}")
        (write_models_cif if kind == "cif" else write_models_pdb)(good, lines, frames)
        r, want = run(good, kind)
        check(r.returncode == 0 and {row[0] for row in want} == {"0", "1", "2", "3"}, f"{kind}: {r.stderr}")
        runs[kind] = want

        def at(col, value):  # PDB: columns col.. of atom i set to value
            return lambda b: b.__setitem__(i, b[i][:col] + value + b[i][col + len(value):])

        def item(k, value):  # mmCIF: value k of row i
            return lambda b: b.__setitem__(i, " ".join(value if j == k else w for j, w in enumerate(b[i].split())))

        def swap(b):
            b[i], b[i + 1] = b[i + 1], b[i]
        if kind == "pdb":
            cases = [("swapped lines", swap, "atom name", "C", "CA", "columns 13-16"),
                     ("renamed atom", at(12, " XX "), "atom name", "XX", "CA", "columns 13-16"),
                     ("renamed residue", at(17, "GLY"), "residue name", "GLY", "ALA", "columns 18-21"),
                     ("chain", at(21, "B"), "chain", "B", "A", "column 22"),
                     ("residue number", at(22, "  77"), "residue number", "77", "2", "columns 23-26"),
                     ("insertion code", at(26, "A"), "insertion code", "A", "", "column 27"),
                     ("altloc", at(16, "B"), "altloc", "B", "", "column 17")]
        else:  # group_PDB id type_symbol label_atom_id label_comp_id label_asym_id label_seq_id x y z auth_seq_id ...
            cases = [("swapped rows", swap, "atom name", "C", "CA", "label_atom_id"),
                     ("renamed atom", item(3, "XX"), "atom name", "XX", "CA", "label_atom_id"),
                     ("renamed residue", item(4, "GLY"), "residue name", "GLY", "ALA", "label_comp_id"),
                     ("chain", item(11, "B"), "chain", "B", "A", "auth_asym_id"),
                     ("residue number", item(10, "77"), "residue number", "77", "2", "auth_seq_id")]
        for what, edit, field, found, expected, where in cases:
            bad = os.path.join(tmp, f"bad-{kind}.{kind}")
            off, line = edit_model(good, bad, 3, edit, cif=kind == "cif")
            r, got = run(bad, "bad-" + kind)
            model = "model at byte" if kind == "pdb" else "model 3, byte"
            msg = (f"{bad}:{line + i}: frame 2 ({model} {off}): its {ordinal(i + 1)} atom has {field} '{found}' "
                   f"({where}), the first model '{expected}'")
            check(r.returncode == 1 and msg in r.stderr, f"{kind} {what}: {r.returncode} {r.stderr} (expected {msg})")
            check(got == [row for row in want if row[0] in ("0", "1")], f"{kind} {what}: frames 0 and 1 are written")
    check(runs["pdb"] == runs["cif"], "the PDB and mmCIF ensembles give the same rows")

    # what names no atom may change between models: the rows stay those of the plain ensemble
    good = os.path.join(tmp, "models-pdb.pdb")
    same = os.path.join(tmp, "relabelled.pdb")
    edit_model(good, same, 2, lambda b: b.__setitem__(slice(None), [l[:6] + f"{int(l[6:11]) + 500:5d}" + l[11:]
                                                                     for l in b]))
    edit_model(same, same, 3, lambda b: b.__setitem__(slice(None), [l[:12] + f"{l[12:16].strip():<4s}" + l[16:]
                                                                     for l in b]))
    edit_model(same, same, 4, lambda b: b.__setitem__(slice(None), [l[:76] + "  " for l in b]))
    r, got = run(same, "relabelled")
    check(r.returncode == 0 and got == runs["pdb"],
          f"serials, name justification and elements changed: the same rows: {r.returncode} {r.stderr}")


def test_xtc(tmp):
    """The breathing box as XTC gives the rows of a DCD holding the coordinates an XTC reader returns
    (float32 of float32(integer / 10^4) x 10); a truncated XTC keeps the frames before the cut."""
    lines, frames, top = breathing_setup(tmp, "xtc-top.pdb", 6)
    xtc = os.path.join(tmp, "breathe.xtc")
    dcd = os.path.join(tmp, "same.dcd")
    decoded, off = write_xtc(xtc, frames)
    write_dcd(dcd, decoded)
    got = {}
    for path in (xtc, dcd):
        out = os.path.join(tmp, "x-" + os.path.basename(path))
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir", out,
                "--resolution", "2.0")
        check(r.returncode == 0, f"vox trajectory {path}: {r.returncode} {r.stderr}")
        stem = os.path.splitext(os.path.basename(path))[0]
        got[path] = rows(os.path.join(out, stem + ".frames.csv"))
        summary = json.load(open(os.path.join(out, "run.summary.json")))
        check(summary["frames_done"] == 6 and summary["config"]["format"] == path[-3:], f"summary {summary}")
    drop_time = lambda rs: [r[:1] + r[2:] for r in rs]
    check(len(got[xtc]) >= 6 and drop_time(got[xtc]) == drop_time(got[dcd]),
          "XTC rows equal the rows of a DCD with the decoded coordinates")
    check(all(abs(float(r[1]) - 0.002 * int(r[0])) < 1e-6 for r in got[xtc]), "XTC times")
    # a time that is not a number is no time: an empty field, as the Python package writes it
    nan_xtc = os.path.join(tmp, "nantime.xtc")
    write_xtc(nan_xtc, frames, times=[f32(0.002 * k) if k != 3 else float("nan") for k in range(6)])
    od = os.path.join(tmp, "x-nantime")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", nan_xtc, "--output-dir", od,
            "--resolution", "2.0")
    nan_rows = rows(os.path.join(od, "nantime.frames.csv"))
    check(r.returncode == 0 and [row[1] == "" for row in nan_rows] == [row[0] == "3" for row in got[xtc]] and
          drop_time(nan_rows) == drop_time(got[xtc]), f"NaN time: an empty field: {r.returncode} {r.stderr}")
    # a time near the float range is written whole (before: cut to 31 characters, 1e35 became 1.0e30)
    big_xtc = os.path.join(tmp, "bigtime.xtc")
    big = f32(1e35)
    write_xtc(big_xtc, frames, times=[f32(0.002 * k) if k != 2 else big for k in range(6)])
    od = os.path.join(tmp, "x-bigtime")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", big_xtc, "--output-dir", od,
            "--resolution", "2.0")
    big_rows = rows(os.path.join(od, "bigtime.frames.csv"))
    check(r.returncode == 0 and {row[1] for row in big_rows if row[0] == "2"} == {"%.6f" % big} and
          drop_time(big_rows) == drop_time(got[xtc]), f"time 1e35: {r.returncode} {r.stderr} "
          f"{[row[1] for row in big_rows if row[0] == '2'][:1]}")
    cut = os.path.join(tmp, "cut.xtc")
    data = open(xtc, "rb").read()
    open(cut, "wb").write(data[:off[5] + 1000])
    od = os.path.join(tmp, "x-cut")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", cut, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and f"frame 5 at byte offset {off[5]} is truncated" in r.stderr,
          f"truncated XTC: {r.returncode} {r.stderr}")
    part = rows(os.path.join(od, "cut.frames.csv")) if os.path.exists(os.path.join(od, "cut.frames.csv")) else []
    check(part == [row for row in got[xtc] if int(row[0]) < 5], "frames before the truncated one are written")


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


def test_fuzz_xtc(tmp):
    """Damaged XTCs (truncated, flipped bytes, header fields of any frame set to extreme values) end in
    exit 0 or a clear error (exit 1), never a crash, a hang or a huge allocation; deterministic (seeded)."""
    import random
    rng = random.Random(2023)
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    top = os.path.join(tmp, "fuzz-xtc-top.pdb")
    write_pdb(top, lines, coords)
    good = os.path.join(tmp, "fuzz.xtc")
    _, offsets = write_xtc(good, [breathing(coords, k) for k in range(4)])
    data = open(good, "rb").read()
    # natoms, step, natoms again, precision, minint[3], maxint[3], smallidx, byte count, and the magic
    fields = [0, 4, 8, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88]
    extremes = [0, 1, -1, 2**31 - 1, -2**31, 9, 10, 72, 73, 1995, 2023, 2**24, 2**24 + 1, len(coords) + 1,
                len(coords) - 1, 0x3f800000, 0x7f800000, 0x7fc00000]  # the last three: 1.0f, inf, NaN
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
            off = rng.choice(offsets) + rng.choice(fields)
            b[off:off + 4] = struct.pack(">i", rng.choice(extremes))
        else:
            for _ in range(rng.randrange(1, 4)):
                off = rng.choice(offsets) + rng.randrange(0, 200)
                b[off:off + 4] = struct.pack(">I", rng.choice(extremes) & 0xffffffff)
        path = os.path.join(tmp, "fuzz-case.xtc")
        open(path, "wb").write(bytes(b))
        try:
            r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir",
                    os.path.join(tmp, "fuzz-xtc-out"), "--resolution", "3.0", timeout=60)
        except Exception as e:  # a hang
            check(False, f"fuzz case {case}: {e}")
            continue
        ok = r.returncode == 0 or (r.returncode == 1 and "vox trajectory: " in r.stderr)
        if not ok:
            bad += 1
            print(f"fuzz case {case} (op {op}): exit {r.returncode}: {r.stderr[-300:]}")
    check(bad == 0, f"{bad} of 200 damaged XTCs crashed or failed without a message")


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
    # traj.xtc (GROMACS) gives the rows of traj.dcd (MDAnalysis wrote it from the XTC: the same float32s)
    out_x = os.path.join(tmp, "md-xtc")
    r = vox("trajectory", "--quiet", "--topology", os.path.join(d, "top.pdb"), "--trajectory",
            os.path.join(d, "traj.xtc"), "--output-dir", out_x, "--resolution", "2.0")
    check(r.returncode == 0, r.stderr)
    got_x = rows(os.path.join(out_x, "traj.frames.csv"))
    check([g[:1] + g[2:] for g in got_x] == [g[:1] + g[2:] for g in got], "traj.xtc rows equal traj.dcd rows")
    check(all(abs(float(a[1]) - float(b[1])) < 1e-5 for a, b in zip(got_x, got)), "traj.xtc times equal traj.dcd times")
    od = os.path.join(tmp, "md-trunc")
    r = vox("trajectory", "--quiet", "--topology", os.path.join(d, "top.pdb"), "--trajectory",
            os.path.join(d, "broken", "truncated.xtc"), "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and "frame 10 at byte offset 74948 is truncated" in r.stderr,
          f"truncated.xtc: {r.returncode} {r.stderr}")
    part = rows(os.path.join(od, "truncated.frames.csv")) if os.path.exists(os.path.join(od, "truncated.frames.csv")) else []
    check(part == [row for row in got_x if int(row[0]) < 10], "truncated.xtc: frames 0-9 written as in traj.xtc")
    for name, top in (("natoms-mismatch.dcd", "top.pdb"), ("natoms-header-patched.dcd", "top.pdb"),
                      ("traj.dcd", "broken/top-minus-one.pdb"), ("traj.xtc", "broken/top-minus-one.pdb")):
        traj = os.path.join(d, "broken", name) if not name.startswith("traj.") else os.path.join(d, name)
        od = os.path.join(tmp, "b-" + name)
        r = vox("trajectory", "--topology", os.path.join(d, top), "--trajectory", traj, "--output-dir", od)
        check(r.returncode == 1 and "atoms, the trajectory" in r.stderr and not os.path.exists(od),
              f"{name} with {top}: {r.returncode} {r.stderr}")
    # a topology listing residue 1's CA and HA the other way round, and one whose His15 is HID (another
    # protonation, the same atom count): the first model of either ensemble is checked against it, the
    # error names the file, frame 0, the line, the field, the topology's value and the model's (exit 1,
    # nothing written); ensemble20 against the topology it was written from is checked above
    top_lines = open(os.path.join(d, "top.pdb")).read().splitlines(True)
    at = [i for i, l in enumerate(top_lines) if l.startswith("ATOM")]
    swapped = list(top_lines)
    swapped[at[4]], swapped[at[5]] = top_lines[at[5]], top_lines[at[4]]
    hid = [l[:17] + "HID" + l[20:] if l.startswith("ATOM") and l[17:20] == "HIS" else l for l in top_lines]
    first_his = next(k for k, i in enumerate(at) if top_lines[i][17:20] == "HIS")
    for tname, lines in (("top-swapped.pdb", swapped), ("top-hid.pdb", hid)):
        tpath = os.path.join(tmp, tname)
        open(tpath, "w").write("".join(lines))
        for kind in ("pdb", "cif"):
            ens = os.path.join(d, "ensemble20." + kind)
            ens_lines = open(ens).read().splitlines()
            # the first atom's line, 1-based (gemmi's rows start with the atom's id, not ATOM)
            first = 1 + (next(i for i, l in enumerate(ens_lines) if l.startswith("ATOM")) if kind == "pdb" else
                         next(i for i, l in enumerate(ens_lines) if l.startswith("1 N N ")))
            od = os.path.join(tmp, f"md-top-{tname}-{kind}")
            r = vox("trajectory", "--quiet", "--topology", tpath, "--trajectory", ens, "--output-dir", od)
            model = "model at byte" if kind == "pdb" else "model 1, byte"
            if tname == "top-swapped.pdb":
                k, field, found, expected = 4, "atom name", "CA", "HA"
            else:
                k, field, found, expected = first_his, "residue name", "HIS", "HID"
            where = {"pdb": {"atom name": "columns 13-16", "residue name": "columns 18-21"},
                     "cif": {"atom name": "label_atom_id", "residue name": "label_comp_id"}}[kind][field]
            nth = f"{k + 1}{'th' if 10 <= (k + 1) % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get((k + 1) % 10, 'th')}"
            msg = f"{ens}:{first + k}: frame 0 ({model} "
            tail = f"): its {nth} atom has {field} '{found}' ({where}), the topology {tpath} '{expected}'"
            check(r.returncode == 1 and msg in r.stderr and tail in r.stderr and not os.path.exists(od),
                  f"{tname} with ensemble20.{kind}: {r.returncode} {r.stderr} ({msg} ... {tail})")
        # XTC and DCD name no atoms: the same count is all that is checked (as before)
        r = vox("trajectory", "--quiet", "--topology", tpath, "--trajectory", os.path.join(d, "traj.dcd"),
                "--output-dir", os.path.join(tmp, f"md-top-{tname}-dcd"), "--stop", "1")
        check(r.returncode == 0, f"{tname} with traj.dcd: {r.stderr}")
    # ensemble20's model 3 with residue 1's CA and HA swapped, its CA renamed, or residue 1 renamed: an
    # error naming the frame, the line and the field; frames 0 and 1 are those of the whole ensemble
    for kind in ("pdb", "cif"):
        ens = os.path.join(d, "ensemble20." + kind)
        od = os.path.join(tmp, "md-ens-" + kind)
        r = vox("trajectory", "--quiet", "--topology", os.path.join(d, "top.pdb"), "--trajectory", ens,
                "--output-dir", od, "--resolution", "2.0")
        check(r.returncode == 0, f"ensemble20.{kind}: {r.stderr}")
        whole = rows(os.path.join(od, "ensemble20.frames.csv"))
        name = (lambda l: l.split()[2]) if kind == "cif" else (lambda l: l[12:16].strip())
        ca = 4  # the 5th atom: N, H1, H2, H3, CA, HA

        def swap(b):
            check(name(b[ca]) == "CA" and name(b[ca + 1]) == "HA", f"ensemble20.{kind}: CA and HA are atoms 5 and 6")
            b[ca], b[ca + 1] = b[ca + 1], b[ca]

        def renamed(k, col, value):
            if kind == "cif":
                return lambda b: b.__setitem__(ca, " ".join(value if j == k else w
                                                            for j, w in enumerate(b[ca].split())))
            return lambda b: b.__setitem__(ca, b[ca][:col] + value + b[ca][col + len(value):])
        for what, edit, field, found, expected in (("swapped", swap, "atom name", "HA", "CA"),
                                                   ("atom", renamed(2, 12, " CX "), "atom name", "CX", "CA"),
                                                   ("residue", renamed(4, 17, "ALA"), "residue name", "ALA", "LYS")):
            bad = os.path.join(tmp, f"ens-{what}.{kind}")
            off, line = edit_model(ens, bad, 3, edit, cif=kind == "cif")
            od = os.path.join(tmp, f"md-ens-{what}-{kind}")
            r = vox("trajectory", "--quiet", "--topology", os.path.join(d, "top.pdb"), "--trajectory", bad,
                    "--output-dir", od, "--resolution", "2.0")
            model = "model at byte" if kind == "pdb" else "model 3, byte"
            where = {"pdb": {"atom name": "columns 13-16", "residue name": "columns 18-21"},
                     "cif": {"atom name": "label_atom_id", "residue name": "label_comp_id"}}[kind][field]
            msg = f"{bad}:{line + ca}: frame 2 ({model} {off}): its 5th atom has {field} '{found}' ({where}), " \
                  f"the first model '{expected}'"
            check(r.returncode == 1 and msg in r.stderr, f"ensemble20.{kind} {what}: {r.returncode} {r.stderr} ({msg})")
            csv = os.path.join(od, f"ens-{what}.frames.csv")
            got = rows(csv) if os.path.exists(csv) else []
            check(got == [row for row in whole if row[0] in ("0", "1")], f"ensemble20.{kind} {what}: frames 0 and 1")


def test_options(tmp):
    """Option mistakes: the message names the option as the user wrote it (also as --opt=value or an
    abbreviation), a missing value is not an unknown option, a stray argument is named; exit 2, nothing written."""
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    top = os.path.join(tmp, "opt-top.pdb")
    write_pdb(top, lines, coords)
    od = os.path.join(tmp, "opt-out")
    base = ["trajectory", "--topology", top, "--output-dir", od]
    for args, want in ((["--start=-1"], "invalid value '-1' for --start (expected a whole number"),
                       (["--stri=0"], "invalid value '0' for --stride (expected a whole number >= 1"),
                       (["--resolution=abc"], "invalid value 'abc' for --resolution"),
                       (["--align", "EACH"], "invalid value 'EACH' for --align"),
                       (["--stop"], "option '--stop' needs a value"),
                       (["--step", "2"], "unknown option '--step' (did you mean --stride?"),
                       (["extra.dcd"], "unexpected argument 'extra.dcd'"),
                       # a list with a hole was taken (exit 0); numbers past a limit were "not a whole number"
                       (["--write", ""], "invalid value '' for --write (expected a comma-separated list"),
                       (["--write", ","], "invalid value ',' for --write (expected a comma-separated list"),
                       (["--write", "descriptors,"], "without empty items"),
                       (["--write", "html,,occupancy"], "without empty items"),
                       # a list over 255 bytes was cut there: the rest was dropped, or a word cut short taken
                       (["--write", "html," * 51 + "occupancyXYZ"], "invalid value 'html,html,"),
                       (["--track-gap", "2000000"], "(expected a whole number from 0 to 1000000)"),
                       (["--stop", "9223372036854775808"], "(expected a whole number from 0 to 9223372036854775807)"),
                       (["--max-input-bytes", "0"], "(expected a positive byte count such as 500M or 2G)")):
        r = vox(*base, *args)
        check(r.returncode == 2 and want in r.stderr and not os.path.exists(od),
              f"{args}: {r.returncode} {r.stderr[:300]} (want: {want})")
    # the topology's input limit: the advice in the message names an option vox trajectory takes
    dcd = os.path.join(tmp, "opt.dcd")
    write_dcd(dcd, [coords])
    r = vox(*base, "--trajectory", dcd, "--max-input-bytes", "1K")
    check(r.returncode == 1 and "more than 1024 bytes" in r.stderr and "--max-input-bytes" in r.stderr and
          not os.path.exists(os.path.join(od, "opt.frames.csv")), f"--max-input-bytes 1K: {r.returncode} {r.stderr}")
    r = vox(*base, "--trajectory", dcd, "--max-input-bytes", "10M", "--quiet", "--write", "html," * 51 + "occupancy",
            "--align", "none")
    check(r.returncode == 0 and os.path.exists(os.path.join(od, "opt.occupancy.dx")),
          f"--max-input-bytes 10M, a long --write list taken whole: {r.returncode} {r.stderr}")
    shutil.rmtree(od, ignore_errors=True)
    r = vox("validate", "--output-dir", od, "--write", "pdb,")
    check(r.returncode == 2 and "--write: an empty item in 'pdb,'" in r.stderr, f"validate --write 'pdb,': {r.stderr}")
    for cmd in ("analyze", "validate"):  # their lists too: any length, an unknown item named
        r = vox(cmd, "--output-dir", od, "--write", "pdb," * 70 + "bogus", os.path.join(GEN, "pocket_box.pdb"))
        check(r.returncode == 2 and "unknown output 'bogus'" in r.stderr, f"{cmd} --write, 355 bytes: {r.stderr}")


def test_empty_model(tmp):
    """A model without atoms (MODEL then ENDMDL, or a file ending after a MODEL line: a cut file) is an
    error naming the frame and its byte offset, exit 1, with the frames before it written; it used to end
    the trajectory there silently (exit 0, the later models dropped)."""
    lines, frames, top = breathing_setup(tmp, "em-top.pdb", 4)
    whole = os.path.join(tmp, "em-whole.pdb")
    write_models_pdb(whole, lines, frames)
    od = os.path.join(tmp, "em-whole")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", whole, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 0, f"4 models: {r.stderr}")
    want = [row for row in rows(os.path.join(od, "em-whole.frames.csv")) if row[0] in ("0", "1")]
    text = open(whole).read()
    m3 = text.index("MODEL        3")
    for name, body in (("em-empty.pdb", text[:m3] + "MODEL        3\nENDMDL\n" + text[text.index("MODEL        4"):]),
                       ("em-cut.pdb", text[:m3] + "MODEL        3\n")):
        path = os.path.join(tmp, name)
        open(path, "w").write(body)
        od = os.path.join(tmp, name + ".out")
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir", od,
                "--resolution", "2.0")
        check(r.returncode == 1 and f"frame 2 (model at byte {m3})" in r.stderr and "no atoms" in r.stderr,
              f"{name}: {r.returncode} {r.stderr}")
        csv = os.path.join(od, name[:-4] + ".frames.csv")
        check(os.path.exists(csv) and rows(csv) == want, f"{name}: frames 0 and 1 written")


def test_no_frames(tmp):
    """A selection with no frame in it is an error, not an empty table and exit 0: --stop not after
    --start is a usage error (exit 2); --start past the last frame, or a trajectory without frames, is
    exit 1 naming the frame count, with nothing written."""
    lines, frames, top = breathing_setup(tmp, "nf-top.pdb", 8)
    dcd = os.path.join(tmp, "nf.dcd")
    write_dcd(dcd, frames)
    for n, args, rc, want in ((1, ["--start", "5", "--stop", "3"], 2, "--stop 3 is not after --start 5"),
                              (2, ["--stop", "0"], 2, "--stop 0 is not after --start 0"),
                              (3, ["--start", "8"], 1, f"{dcd} has 8 frames (0 to 7): --start 8 selects none"),
                              (4, ["--start", "500", "--align", "reference"], 1, "has 8 frames (0 to 7): --start 500"),
                              (5, ["--start", "2", "--stop", "9", "--stride", "7"], 0, "")):
        od = os.path.join(tmp, f"nf{n}")
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir", od,
                "--resolution", "2.0", *args)
        written = os.listdir(od) if os.path.isdir(od) else []
        ok = r.returncode == rc and want in r.stderr
        ok = ok and (rc == 0 and "nf.frames.csv" in written or rc != 0 and not [w for w in written if w[0] != "."])
        check(ok, f"{args}: {r.returncode} {r.stderr} {written}")
    one = os.path.join(tmp, "nf-one.dcd")
    write_dcd(one, frames[:1])
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", one, "--output-dir", os.path.join(tmp, "nf-1"),
            "--start", "1")
    check(r.returncode == 1 and f"{one} has 1 frame (0 to 0): --start 1 selects none" in r.stderr, f"one frame: {r.stderr}")
    empty = os.path.join(tmp, "nf-empty.dcd")
    write_dcd(empty, frames)
    data = open(empty, "rb").read()
    natom_end = 8 + 84 + 8 + 84 + 8 + 4  # CORD record, one title line, NATOM
    open(empty, "wb").write(data[:natom_end])
    od = os.path.join(tmp, "nf-empty")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", empty, "--output-dir", od)
    written = os.listdir(od) if os.path.isdir(od) else []
    check(r.returncode == 1 and f"{empty} has no frames" in r.stderr and not [w for w in written if w[0] != "."],
          f"a DCD without frames: {r.returncode} {r.stderr} {written}")


def test_compressed(tmp):
    """A compressed trajectory (or a compressed ensemble given as its own trajectory: the loaders read a
    .pdb.gz topology) is refused with a message that says it is compressed, not 'not a trajectory file'."""
    import gzip
    lines, frames, top = breathing_setup(tmp, "gz-top.pdb", 3)
    ens = os.path.join(tmp, "gz-ens.pdb")
    write_models_pdb(ens, lines, frames)
    dcd = os.path.join(tmp, "gz.dcd")
    write_dcd(dcd, frames)
    for src in (ens, dcd):
        with open(src, "rb") as f, gzip.open(src + ".gz", "wb") as g:
            g.write(f.read())
    cases = ((["--topology", ens + ".gz"], ens + ".gz", "gzip"), (["--topology", top, "--trajectory", dcd + ".gz"],
             dcd + ".gz", "gzip"))
    for n, (args, name, kind) in enumerate(cases):
        od = os.path.join(tmp, f"gz{n}")
        r = vox("trajectory", "--quiet", *args, "--output-dir", od)
        check(r.returncode == 1 and f"{name}: {kind}-compressed" in r.stderr and "decompress it first" in r.stderr
              and not os.path.exists(od), f"{args}: {r.returncode} {r.stderr}")


def test_end_separated(tmp):
    """Frames separated by END records without MODEL/ENDMDL (as VMD writes a multi-frame PDB, and as
    `cat frame*.pdb` gives): each is a frame, as MDAnalysis reads them; such a file given as its own
    topology (whose loader reads every frame's atoms as one structure) is refused with a message that
    says so. Before, the frames ran together: 'the trajectory has 8 times the atoms', or, as its own
    topology, one frame of every frame's atoms at once and exit 0."""
    lines, frames, top = breathing_setup(tmp, "end-top.pdb", 4)
    ens = os.path.join(tmp, "end-models.pdb")
    write_models_pdb(ens, lines, frames)
    vmd = os.path.join(tmp, "end-vmd.pdb")
    with open(vmd, "w") as out:
        for fr in frames:
            out.write("CRYST1    0.000    0.000    0.000  90.00  90.00  90.00 P 1           1\n")
            for l, p in zip(lines, fr):
                out.write(f"{l[:30]}{p[0]:8.3f}{p[1]:8.3f}{p[2]:8.3f}{l[54:].rstrip(chr(10))}\n")
            out.write("END\n")
    want = None
    for name in (ens, vmd):
        od = os.path.join(tmp, os.path.basename(name) + ".out")
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", name, "--output-dir", od,
                "--resolution", "2.0")
        label = os.path.basename(name)[:-4]
        csv = os.path.join(od, label + ".frames.csv")
        got = rows(csv) if r.returncode == 0 else None
        summary = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
        check(r.returncode == 0 and summary.get("frames_done") == 4, f"{name}: {r.returncode} {r.stderr}")
        if want is None:
            want = got
        else:
            check(got == want, "END-separated frames give the rows of MODEL/ENDMDL models")
    od = os.path.join(tmp, "end-own")
    r = vox("trajectory", "--quiet", "--topology", vmd, "--output-dir", od)
    check(r.returncode == 1 and f"has {4 * len(frames[0])} atoms" in r.stderr and "separated by END records" in r.stderr
          and not os.path.exists(od), f"END-separated file as its own topology: {r.returncode} {r.stderr}")


def test_cif_blocks(tmp):
    """An mmCIF file of several data blocks, each with its atom_site loop (cat frame*.cif): every block's
    models are frames. Before, the first block's were all (1 frame, exit 0, the rest dropped unsaid)."""
    lines, frames, top = breathing_setup(tmp, "blk-top.pdb", 3)
    one = os.path.join(tmp, "blk-one.cif")
    write_models_cif(one, lines, frames)
    parts = []
    for k, fr in enumerate(frames):
        p = os.path.join(tmp, f"blk-part{k}.cif")
        write_models_cif(p, lines, [fr])
        text = open(p).read().replace("data_ensemble", f"data_frame{k}")
        parts.append(text + ("#\nloop_\n_struct_conf.id\nHELX1\n" if k == 0 else ""))  # a loop after atom_site
    many = os.path.join(tmp, "blk-many.cif")
    open(many, "w").write("".join(parts))
    # data blocks whose atom_site loop has no rows hold no frames: the frames go on after them (before, such a
    # block ended the frames with exit 0, or as the first block made the file "not a trajectory file")
    empty = "data_empty\n#\nloop_\n" + "".join(f"_atom_site.{c}\n" for c in ("id", "Cartn_x", "Cartn_y", "Cartn_z"))
    gaps = os.path.join(tmp, "blk-gaps.cif")
    open(gaps, "w").write(empty + "#\n" + parts[0] + empty + "_struct.title x\n" + parts[1] + empty + "\n" + empty +
                          parts[2] + empty)
    got = {}
    for name in (one, many, gaps):
        od = os.path.join(tmp, os.path.basename(name) + ".out")
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", name, "--output-dir", od,
                "--resolution", "2.0")
        summary = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
        check(r.returncode == 0 and summary.get("frames_done") == 3, f"{name}: {r.returncode} {r.stderr} {summary}")
        csv = os.path.join(od, os.path.basename(name)[:-4] + ".frames.csv")
        got[name] = rows(csv) if os.path.exists(csv) else None
    check(got[one] is not None and got[one] == got[many], "data blocks give the rows of one block's models")
    check(got[gaps] == got[one], "data blocks whose atom_site loop has no rows are passed over")
    only = os.path.join(tmp, "blk-only-empty.cif")
    open(only, "w").write(empty + "loop_\n_atom_site.id\n_atom_site.Cartn_x\n" + empty)
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", only, "--output-dir",
            os.path.join(tmp, "blk-only-empty"))
    check(r.returncode == 1 and "its 3 atom_site loops have no rows" in r.stderr,
          f"only loops without rows: {r.returncode} {r.stderr}")
    # a row wrapped over two lines, or a value as a ';' text field: refused naming the line and saying why
    text = open(one).read().split("\n")
    row = next(i for i, l in enumerate(text) if l.startswith("ATOM"))
    head, tail = text[row].split(" 1 ", 1)
    for name, lines_ in (("wrapped", text[:row] + [head + " 1", tail] + text[row + 1:]),
                         ("textfield", text[:row] + [head + " 1", ";" + tail.split(" ", 1)[0], ";",
                                                     tail.split(" ", 1)[1]] + text[row + 1:])):
        bad = os.path.join(tmp, f"blk-{name}.cif")
        open(bad, "w").write("\n".join(lines_))
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", bad, "--output-dir",
                os.path.join(tmp, f"blk-{name}"), "--resolution", "2.0")
        check(r.returncode == 1 and f"{bad}:{row + 1}: frame 0: an atom_site row with" in r.stderr and
              "read one row per line" in r.stderr, f"{name}: {r.returncode} {r.stderr}")


def test_topology_pipe(tmp):
    """A topology that can be read only once (a FIFO, a pipe on stdin) serves every job: it is loaded once
    and the other jobs analyse copies.  Before, each job read it again: with --jobs 2 a FIFO hung (the
    second open waited for a second writer) and /dev/stdin was an "empty file" the second time."""
    import threading
    lines, frames, top = breathing_setup(tmp, "pipe-top.pdb", 6)
    dcd = os.path.join(tmp, "pipe.dcd")
    write_dcd(dcd, frames)
    args = ["--quiet", "--trajectory", dcd, "--resolution", "2.0", "--jobs", "2"]
    od = os.path.join(tmp, "pipe-file")
    r = vox("trajectory", *args, "--topology", top, "--output-dir", od)
    check(r.returncode == 0, f"regular topology: {r.returncode} {r.stderr}")
    want = rows(os.path.join(od, "pipe.frames.csv"))
    fifo = os.path.join(tmp, "top-fifo.pdb")
    os.mkfifo(fifo)
    text = open(top, "rb").read()

    def feed():
        try:
            with open(fifo, "wb") as f:  # blocks until vox opens it, once
                f.write(text)
        except OSError:
            pass
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    od = os.path.join(tmp, "pipe-fifo")
    try:
        r = vox("trajectory", *args, "--topology", fifo, "--output-dir", od, timeout=60)
        ok = r.returncode == 0 and rows(os.path.join(od, "pipe.frames.csv")) == want
        check(ok, f"a FIFO topology, --jobs 2: {r.returncode} {r.stderr}")
    except Exception as e:  # subprocess.TimeoutExpired: the hang this guards against
        check(False, f"a FIFO topology, --jobs 2: {e}")
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # let a writer still waiting go
    writer.join(5)
    od = os.path.join(tmp, "pipe-stdin")
    r = vox("trajectory", *args, "--topology", "/dev/stdin", "--output-dir", od, input=text.decode(), timeout=60)
    check(r.returncode == 0 and rows(os.path.join(od, "pipe.frames.csv")) == want,
          f"the topology on stdin, --jobs 2: {r.returncode} {r.stderr}")


def test_summary_text(tmp):
    """run.summary.json is valid UTF-8 JSON when a path is not UTF-8 (a Latin-1 file name): its bytes are
    written as Python's surrogate escapes, as vox analyze writes them (before: the raw byte, which no strict
    JSON reader takes); --stride and --stop past 2^53 are written with all their digits."""
    lines, frames, top = breathing_setup(tmp, "sum-top.pdb", 2)
    dcd = os.fsencode(os.path.join(tmp, "caf")) + b"\xe9.dcd"
    write_dcd(dcd, frames)
    od = os.path.join(tmp, "sum-out")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", os.fsdecode(dcd), "--output-dir", od,
            "--resolution", "2.0", "--stride", "9007199254740993", "--stop", "9007199254740995")
    raw = open(os.path.join(od, "run.summary.json"), "rb").read() if r.returncode == 0 else b""
    try:
        summary = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        summary = {"error": str(e)}
    cfg = summary.get("config", {})
    check(r.returncode == 0 and cfg.get("trajectory") == os.fsdecode(dcd) and b"\\udce9" in raw and
          summary.get("frames_done") == 1, f"a Latin-1 trajectory name: {r.returncode} {r.stderr} {summary}")
    check(cfg.get("stride") == 9007199254740993 and cfg.get("stop") == 9007199254740995,
          f"large --stride/--stop: {cfg.get('stride')} {cfg.get('stop')}")


def test_far_atom(tmp):
    """One atom thousands of angstroms from the rest in one frame, --align none: the tracking lattice (the
    union of the frames' grids, 12-32 bytes a voxel) is bounded.  Without --max-grid-voxels such a frame,
    which would grow it over 64 times at once, is refused naming the frame (before: taken, the lattice grown
    to match: with x = 1e6 on the lysozyme run, 9.5 GB and 56 s, exit 0); with it, the lattice is bounded
    by it (frames whose grids each fit, but whose union does not, are refused at the frame that overflows)."""
    lines, frames, top = breathing_setup(tmp, "far-top.pdb", 6)
    far = [list(f) for f in frames]
    far[3][4] = (far[3][4][0] + 3000.0, far[3][4][1], far[3][4][2])
    dcd = os.path.join(tmp, "far.dcd")
    write_dcd(dcd, far)
    od = os.path.join(tmp, "far-out")
    args = ["--topology", top, "--trajectory", dcd, "--align", "none", "--resolution", "2.0", "--jobs", "1"]
    r = vox("trajectory", "--quiet", *args, "--output-dir", od)
    s = json.load(open(os.path.join(od, "run.summary.json"))) if os.path.exists(os.path.join(od, "run.summary.json")) else {}
    check(r.returncode == 1 and f"{dcd}: frame 3" in r.stderr and "at most 64 times the first frame's"
          in r.stderr and "--max-grid-voxels" in r.stderr and s.get("frames_done") == 3,
          f"a far atom in frame 3: exit {r.returncode} {r.stderr} {s.get('frames_done')}")
    check({row[0] for row in rows(os.path.join(od, "far.frames.csv"))} <= {"0", "1", "2"}, "the frames before it are written")
    # given --max-grid-voxels, the user's bound: taken while the lattice fits
    od = os.path.join(tmp, "far-given")
    r = vox("trajectory", "--quiet", *args, "--max-grid-voxels", "50000000", "--output-dir", od)
    s = json.load(open(os.path.join(od, "run.summary.json")))
    check(r.returncode == 0 and s["frames_done"] == 6, f"--max-grid-voxels given: {r.returncode} {r.stderr}")
    d = s["config"]["grid"]["dims"]
    # frame 3 far along +x, frame 4 along -x: each grid fits the limit, their union does not
    far[4][4] = (far[4][4][0] - 3000.0, far[4][4][1], far[4][4][2])
    write_dcd(dcd, far)
    limit = (d[0] + 2250) * d[1] * d[2]
    od = os.path.join(tmp, "far-union")
    r = vox("trajectory", "--quiet", *args, "--max-grid-voxels", str(limit), "--output-dir", od)
    s = json.load(open(os.path.join(od, "run.summary.json")))
    check(r.returncode == 1 and "frame 4" in r.stderr and f"over the limit of {limit}" in r.stderr
          and s["frames_done"] == 4, f"the union over --max-grid-voxels {limit}: {r.returncode} {r.stderr}")
    # --align reference: the wild atom spoils the fit, and the frame's grid would take gigabytes (6,000 A on
    # the lysozyme run: 6.8 GB, then "out of memory for classification", before the lattice check could
    # refuse it); refused before its grid is allocated, within 1 GiB of address space
    far = [list(f) for f in frames]
    far[3][4] = (far[3][4][0] + 6000.0, far[3][4][1], far[3][4][2])
    write_dcd(dcd, far)
    od = os.path.join(tmp, "far-reference")
    import resource

    def one_gib():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    # (not under qemu, nor AddressSanitizer, which reserves terabytes of address space for itself)
    sanitized = b"__asan_init" in open(VOX, "rb").read()
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--align", "reference", "--resolution",
            "1.0", "--jobs", "1", "--output-dir", od, preexec_fn=None if WRAPPER or sanitized else one_gib)
    check(r.returncode == 1 and f"{dcd}: frame 3" in r.stderr and "at most 64 times" in r.stderr
          and "out of memory" not in r.stderr, f"a wild atom after a fit: refused first: {r.returncode} {r.stderr}")


def test_first_frame_failure_keeps_earlier_run(tmp):
    """A run whose first frame fails analyses nothing and writes nothing: an earlier run's table, tracks and
    maps in the folder stay as they were (they were replaced by a header-only table, the rest removed)."""
    _, frames, top = breathing_setup(tmp, "ff-top.pdb", 3)
    dcd = os.path.join(tmp, "ff.dcd")
    write_dcd(dcd, frames)
    od = os.path.join(tmp, "ff-out")
    args = ["--quiet", "--topology", top, "--trajectory", dcd, "--align", "reference", "--write", "occupancy",
            "--resolution", "3.0", "--output-dir", od]
    r = vox("trajectory", *args)
    before = {f: open(os.path.join(od, f), "rb").read() for f in os.listdir(od) if not f.startswith(".")}
    check(r.returncode == 0 and "ff.tracks.csv" in before, f"the first run: {r.returncode} {r.stderr}")
    bad = [list(f) for f in frames]
    bad[0][2] = (float("nan"), 0.0, 0.0)
    write_dcd(dcd, bad)
    r = vox("trajectory", *args)
    after = {f: open(os.path.join(od, f), "rb").read() for f in os.listdir(od) if not f.startswith(".")}
    check(r.returncode == 1 and "frame 0" in r.stderr and "nothing written" in r.stderr and after == before,
          f"a first frame that fails: the earlier run's files kept: {r.returncode} {r.stderr} "
          f"{sorted(set(before) ^ set(after))}")


def test_damaged_model_values(tmp):
    """Values of a multi-model PDB or mmCIF trajectory that the readers once let through, found by an
    adversarial pass: refused naming the line, never read otherwise. A NUL byte ended a coordinate ("2\\0.646"
    was 2: the frame had no volumes, exit 0), C's hexadecimal 0x1p4 was 16, a ';' text field opening a model
    ended the trajectory there (exit 0, frames missing), and of a column given twice the trajectory reader
    took the last while vox analyze took the first."""
    lines, frames, top = breathing_setup(tmp, "dmv-top.pdb", 3)
    pdb = os.path.join(tmp, "dmv.pdb")
    write_models_pdb(pdb, lines, frames)
    cif = os.path.join(tmp, "dmv.cif")
    write_models_cif(cif, lines, frames)
    good_pdb, good_cif = open(pdb, "rb").read(), open(cif, "rb").read()
    n = len(lines)
    pdb_lines = good_pdb.split(b"\n")
    cif_lines = good_cif.split(b"\n")
    row2 = 5 + 13 + n  # model 2's first row in the mmCIF (1-based: data_, #, loop_, 13 tags, model 1)

    def pdb_with(i, old, new):
        ls = list(pdb_lines)
        ls[i] = ls[i].replace(old, new, 1)
        return b"\n".join(ls)

    at = n + 3  # model 2's first ATOM line (0-based): MODEL, n atoms, ENDMDL, MODEL
    x = pdb_lines[at][30:38]
    cases = [("nul.pdb", pdb_with(at, x, x[:4] + b"\0" + x[5:]), [f"nul.pdb:{at + 1}", "NUL byte"]),
             ("hex.pdb", pdb_with(at, x, b"  0x1p4 "), [f"hex.pdb:{at + 1}", "x coordinate", "not a number"])]
    ls = list(cif_lines)
    ls[row2 - 1] = b";" + ls[row2 - 1] + b"\n;"
    cases.append(("textfield.cif", b"\n".join(ls), [f"textfield.cif:{row2}", "';' text field"]))
    ls = [l + b" 99.000" if l[:4] == b"ATOM" else l for l in cif_lines]  # a second x column, every row a value
    ls.insert(3 + 13, b"_atom_site.Cartn_x")
    cases.append(("twice.cif", b"\n".join(ls), ["twice.cif:17", "Cartn_x' is given twice"]))
    for name, data, said in cases:
        path = os.path.join(tmp, name)
        open(path, "wb").write(data)
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", path, "--output-dir",
                os.path.join(tmp, "dmv-" + name), "--resolution", "2.0")
        check(r.returncode == 1 and all(w in r.stderr for w in said), f"{name}: {r.returncode} {r.stderr}")


def test_long_label(tmp):
    """A label whose outputs' temporaries (NAME.tmp.PID.XXXXXX) exceed a file name's 255 bytes is refused
    before the first frame, naming the file (it failed at the first checkpoint, or after the last frame, and
    said to resume, which failed the same way); one that fits runs."""
    _, frames, top = breathing_setup(tmp, "long-top.pdb", 3)
    # (the rows' part files have no temporary: a 224-byte label, whose checkpoint and tracks just fit, runs)
    for length, ok, write in ((226, False, ["--write", "occupancy,html"]), (200, True, ["--write", "occupancy,html"]),
                              (224, True, [])):
        dcd = os.path.join(tmp, "c" * length + ".dcd")
        write_dcd(dcd, frames)
        od = os.path.join(tmp, f"long-{length}")
        r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--align", "reference", *write,
                "--resolution", "3.0", "--output-dir", od)
        made = sorted(f for f in os.listdir(od) if not f.startswith(".")) if os.path.isdir(od) else []
        if ok:
            check(r.returncode == 0 and len(made) >= 3, f"a {length}-byte label runs: {r.returncode} {r.stderr} {made}")
        else:
            check(r.returncode == 1 and "NAME.tmp.PID.XXXXXX" in r.stderr and "nothing written" in r.stderr
                  and not made, f"a {length}-byte label: refused first: {r.returncode} {r.stderr[-300:]} {made}")


if __name__ == "__main__":
    sys.exit(main([test_generated, test_options, test_empty_model, test_no_frames, test_compressed, test_end_separated, test_cif_blocks, test_topology_pipe, test_summary_text, test_far_atom, test_long_label, test_damaged_model_values, test_first_frame_failure_keeps_earlier_run, test_model_atoms, test_xtc, test_fuzz_dcd, test_fuzz_xtc, test_shared],
                  "vox-trajectory-"))
