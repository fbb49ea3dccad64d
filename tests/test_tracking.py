#!/usr/bin/env python3
"""test_tracking.py - `vox trajectory` with one lattice for all frames: --align reference and none,
tracks, occupancy maps, ensembles (multi-model PDB and mmCIF) as frames, --jobs, and --resume after kill -9.

Generated inputs (no ../shared needed): the pocket box of gen_structures, breathing (scaled about its
centre) and moved as a rigid body; with ../shared, the GROMACS lysozyme run and its ensembles.

Usage: test_tracking.py VOX GENERATED_DIR SHARED_DATA [WRAPPER]
"""
import json
import re
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from voxtest import check, main, runner
from test_trajectory import breathing, breathing_setup, read_atoms, rows, write_dcd, write_models_cif, write_models_pdb, write_pdb

VOX, GEN, SHARED = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]  # absolute: a test runs vox from another folder
WRAPPER = sys.argv[4].split() if len(sys.argv) > 4 else []
vox = runner(VOX, WRAPPER)


def breathing_dcd(tmp, top_name, dcd_name, count):
    """The generated pocket box breathing over count frames, as DCD dcd_name with its topology top_name (in tmp):
    both paths."""
    lines, frames, top = breathing_setup(tmp, top_name, count)
    dcd = os.path.join(tmp, dcd_name)
    write_dcd(dcd, frames)
    return top, dcd


def rigid(coords, k):
    """Frame k: the box turned about an axis and moved, rounded to 3 decimals (float32-exact enough)."""
    a = 0.35 * k
    ax = (1 / math.sqrt(3),) * 3
    c, s = math.cos(a), math.sin(a)
    x, y, z = ax
    R = [[c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
         [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s],
         [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c)]]
    t = (3.0 * k, -2.0 * k, 1.5 * k)
    return [tuple(round(sum(R[i][j] * p[j] for j in range(3)) + t[i], 3) for i in range(3)) for p in coords]


def traj(*args, **kw):
    return vox("trajectory", "--quiet", *args, **kw)


def outputs(od):
    """The files of an output folder but the summary (times) and the lock (the run's pid): name -> bytes."""
    return {f: open(os.path.join(od, f), "rb").read() for f in sorted(os.listdir(od))
            if f not in ("run.summary.json", ".vox.lock")}


def read_dx(path):
    """counts, origin, deltas, values of an OpenDX scalar field."""
    counts = origin = None
    deltas, values, data = [], [], False
    for line in open(path):
        w = line.split()
        if not w or w[0] == "#":
            continue
        if line.startswith("object 1"):
            counts = [int(v) for v in w[-3:]]
        elif w[0] == "origin":
            origin = [float(v) for v in w[1:]]
        elif w[0] == "delta":
            deltas.append([float(v) for v in w[1:]])
        elif line.startswith("object 3"):
            data = True
        elif w[0] in ("attribute", "object", "component"):
            data = False
        elif data:
            values += [float(v) for v in w]
    return counts, origin, deltas, values


def test_breathing(tmp):
    lines, frames, top = breathing_setup(tmp, "top.pdb", 12)
    dcd = os.path.join(tmp, "breathe.dcd")
    write_dcd(dcd, frames)
    outs = {}
    for mode in ("none", "reference"):
        for jobs in ("1", "2", "3"):
            od = os.path.join(tmp, f"{mode}-{jobs}")
            r = traj("--topology", top, "--trajectory", dcd, "--output-dir", od, "--resolution", "2.0", "--align",
                     mode, "--jobs", jobs, "--write", "occupancy")
            check(r.returncode == 0, f"{mode} jobs {jobs}: {r.stderr}")
            outs[mode, jobs] = outputs(od)
        check(outs[mode, "1"] == outs[mode, "2"] == outs[mode, "3"], f"--align {mode}: jobs 1, 2, 3 give the same files")
        od = os.path.join(tmp, f"{mode}-1")
        got = rows(os.path.join(od, "breathe.frames.csv"))
        check({r[0] for r in got} == {str(k) for k in range(12)}, f"{mode}: every frame has rows")
        check(all(r[4] != "" for r in got), f"{mode}: every row has a track")
        tracks = rows_tracks(os.path.join(od, "breathe.tracks.csv"))
        # the breathing pocket: one track through every frame, whose volume follows the rows
        full = [t for t in tracks if int(t["frames"]) == 12]
        check(len(full) >= 1, f"{mode}: a track present in all 12 frames: {tracks}")
        for t in full:
            vols = [float(r[6]) for r in got if r[4] == t["track"]]
            check(len(vols) == 12 and abs(sum(vols) / 12 - float(t["volume_mean"])) < 1e-6 * max(vols)
                  and min(vols) == float(t["volume_min"]) and max(vols) == float(t["volume_max"])
                  and t["fraction"] == "1.000000", f"{mode}: track {t['track']} statistics")
        check(len({tuple(float(r[6]) for r in got if r[4] == t["track"]) for t in full}) >= 1 and
              any(len({float(r[6]) for r in got if r[4] == t["track"]}) > 1 for t in full),
              f"{mode}: the tracked pocket breathes (its volume changes)")
        ids = [int(t["track"]) for t in tracks]
        check(ids == list(range(len(ids))), f"{mode}: track ids 0.. in order")
        firsts = [int(t["first_frame"]) for t in tracks]
        check(firsts == sorted(firsts), f"{mode}: tracks numbered in order of first appearance")
        # occupancy: fractions in [0, 1], 'any' >= each type, 1.0 where the tracked pocket always is
        counts, origin, deltas, anyv = read_dx(os.path.join(od, "breathe.occupancy.dx"))
        check(len(anyv) == counts[0] * counts[1] * counts[2] and all(0.0 <= v <= 1.0 for v in anyv),
              f"{mode}: occupancy values")
        check(max(anyv) == 1.0, f"{mode}: some voxel is in a volume in every frame")
        total = [0.0] * len(anyv)
        for ty in ("hub", "pore", "pocket", "cavity"):
            _, _, _, tv = read_dx(os.path.join(od, f"breathe.occupancy.{ty}.dx"))
            total = [a + b for a, b in zip(total, tv)]
        check(all(abs(a - b) < 1e-5 for a, b in zip(total, anyv)), f"{mode}: the types add up to 'any'")
        if mode == "none":
            check(all(abs(deltas[i][j] - (2.0 if i == j else 0.0)) < 1e-9 for i in range(3) for j in range(3)),
                  f"none: the map's axes are the input's ({deltas})")
        # voxels always occupied lie inside the box, in input coordinates
        lo = [min(p[i] for p in frames[0]) for i in range(3)]
        hi = [max(p[i] for p in frames[0]) for i in range(3)]
        nx, ny, nz = counts
        for f, v in enumerate(anyv):
            if v == 1.0:
                i, j, k = f // (ny * nz), (f // nz) % ny, f % nz
                p = [origin[a] + i * deltas[0][a] + j * deltas[1][a] + k * deltas[2][a] for a in range(3)]
                check(all(lo[a] - 4.0 <= p[a] <= hi[a] + 4.0 for a in range(3)),
                      f"{mode}: an always-occupied voxel at {p} lies inside the box {lo} {hi}")
    # --align none analyses the first frame on its own grid: its rows are vox analyze's (frame 0, no align)
    summary = json.load(open(os.path.join(tmp, "reference-1", "run.summary.json")))
    check(summary["config"]["align"] == "reference" and summary["config"]["grid"]["first_frame"] == 0
          and summary["tracks"] >= 1, f"summary {summary['config']}")


def rows_tracks(path):
    lines = open(path).read().splitlines()
    check(lines[0] == "track,types,frames,fraction,first_frame,last_frame,volume_mean,volume_sd,volume_min,volume_max",
          f"tracks.csv header {lines[0]}")
    keys = lines[0].split(",")
    return [dict(zip(keys, l.split(","))) for l in lines[1:]]


def test_rigid(tmp):
    """A box turned and moved as a rigid body: --align reference sees the same pockets in every frame."""
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    frames = [rigid(coords, k) for k in range(6)]
    top = os.path.join(tmp, "rtop.pdb")
    write_pdb(top, lines, frames[0])
    dcd = os.path.join(tmp, "rigid.dcd")
    write_dcd(dcd, frames)
    od = os.path.join(tmp, "rigid")
    r = traj("--topology", top, "--trajectory", dcd, "--output-dir", od, "--resolution", "2.0", "--align", "reference")
    check(r.returncode == 0, r.stderr)
    got = rows(os.path.join(od, "rigid.frames.csv"))
    per = {k: sorted((r[2], r[6], r[4]) for r in got if r[0] == str(k)) for k in range(6)}
    check(all(per[k] == per[0] for k in range(6)) and per[0], f"reference: the same volumes and tracks in every frame {per}")
    tracks = rows_tracks(os.path.join(od, "rigid.tracks.csv"))
    check(all(t["frames"] == "6" and t["volume_sd"] == "0" for t in tracks), f"reference: every track in all frames {tracks}")
    r = traj("--topology", top, "--trajectory", dcd, "--output-dir", od + "-ca", "--resolution", "2.0", "--align",
             "reference", "--fit", "ca")
    check(r.returncode == 0, f"--fit ca: {r.stderr}")
    check(open(os.path.join(od + "-ca", "rigid.frames.csv")).read() == open(os.path.join(od, "rigid.frames.csv")).read(),
          "--fit ca on a box made of C-alphas gives what fitting every atom gives")


def test_ensembles(tmp):
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    frames = [breathing(coords, k) for k in range(5)]
    pdb = os.path.join(tmp, "ens.pdb")
    write_models_pdb(pdb, lines, frames)
    cif = os.path.join(tmp, "ensc.cif")
    write_models_cif(cif, lines, frames)
    top = os.path.join(tmp, "etop.pdb")
    write_pdb(top, lines, frames[0])
    dcd = os.path.join(tmp, "ens-dcd.dcd")
    write_dcd(dcd, frames)
    res = {}
    for name, args in (("pdb", ["--topology", pdb]), ("cif", ["--topology", cif]),
                       ("dcd", ["--topology", top, "--trajectory", dcd])):
        for mode in ("each", "reference"):
            od = os.path.join(tmp, f"ens-{name}-{mode}")
            r = traj(*args, "--output-dir", od, "--resolution", "2.0", "--align", mode)
            check(r.returncode == 0, f"{name} {mode}: {r.stderr}")
            label = {"pdb": "ens", "cif": "ensc", "dcd": "ens-dcd"}[name]
            res[name, mode] = [[c for i, c in enumerate(row) if i != 1] for row in rows(os.path.join(od, f"{label}.frames.csv"))]
    for mode in ("each", "reference"):
        check(res["pdb", mode] == res["dcd", mode] == res["cif", mode] and res["pdb", mode],
              f"{mode}: the models of a PDB and of an mmCIF are the frames of the DCD")
    s = json.load(open(os.path.join(tmp, "ens-cif-each", "run.summary.json")))
    check(s["config"]["format"] == "mmcif-models" and s["frames_done"] == 5, f"mmCIF ensemble summary {s['config']}")
    # a model with an atom missing: the models before it are written, the error names the frame
    bad = os.path.join(tmp, "bad-ens.pdb")
    text = open(pdb).read().split("ENDMDL\n")
    text[3] = "\n".join(text[3].split("\n")[:-2]) + "\n"
    open(bad, "w").write("ENDMDL\n".join(text))
    od = os.path.join(tmp, "bad-ens")
    r = traj("--topology", bad, "--output-dir", od, "--resolution", "2.0")
    check(r.returncode == 1 and "frame 3" in r.stderr and "atoms, the first model" in r.stderr,
          f"a short model: {r.returncode} {r.stderr}")
    got = rows(os.path.join(od, "bad-ens.frames.csv"))
    check({r[0] for r in got} == {"0", "1", "2"}, "the models before the short one are written")
    nocoord = os.path.join(tmp, "nocoord.cif")
    open(nocoord, "w").write("data_x\nloop_\n_atom_site.id\n_atom_site.type_symbol\n1 C\n2 C\n")
    r = traj("--topology", cif, "--trajectory", nocoord, "--output-dir", os.path.join(tmp, "nc"))
    check(r.returncode == 1 and "Cartn_x" in r.stderr, f"mmCIF without coordinates: {r.stderr}")


def kill_after_checkpoint(args, od, checkpoint, delay, env=None):
    """Starts `vox trajectory ARGS --output-dir OD --jobs 2`, waits for its first checkpoint (a minute at
    most), then delay seconds, and kills it with SIGKILL if it is still running."""
    p = subprocess.Popen([*WRAPPER, VOX, "trajectory", "--quiet", *args, "--output-dir", od, "--jobs", "2"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    ck = os.path.join(od, checkpoint)
    t0 = time.time()
    while not os.path.exists(ck) and p.poll() is None and time.time() - t0 < 60:
        time.sleep(0.005)
    time.sleep(delay)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    p.wait()


def interrupted_run(args, od, before=None):
    """An output folder od that a run killed after its first checkpoint left (its checkpoint and rows file
    there); a few tries, as a fast run may end before the kill. before() runs before each start."""
    for attempt in range(6):
        shutil.rmtree(od, ignore_errors=True)
        if before:
            before()
        kill_after_checkpoint(args, od, "long.checkpoint", 0.0)
        if os.path.exists(os.path.join(od, "long.checkpoint")):
            return


def test_resume(tmp):
    """kill -9 at several points, then --resume: the files equal an uninterrupted run's."""
    top, dcd = breathing_dcd(tmp, "ktop.pdb", "long.dcd", 160)
    args = ["--topology", top, "--trajectory", dcd, "--resolution", "0.7", "--align", "reference", "--write",
            "occupancy,descriptors", "--checkpoint-every", "0"]
    full = os.path.join(tmp, "k-full")
    r = traj(*args, "--output-dir", full, "--jobs", "2")
    check(r.returncode == 0, r.stderr)
    want = outputs(full)
    check("long.descriptors.csv" in want, f"the descriptors' rows are among the files resumed: {sorted(want)}")
    rng = random.Random(7)
    resumed = 0
    for trial in range(4):
        od = os.path.join(tmp, f"k{trial}")
        kill_after_checkpoint(args, od, "long.checkpoint", rng.uniform(0.0, 0.3))
        r = traj(*args, "--output-dir", od, "--jobs", "1", "--resume")
        check(r.returncode == 0, f"resume {trial}: {r.stderr}")
        got = outputs(od)
        check(got == want, f"resume {trial}: files equal the uninterrupted run ({sorted(got)} vs {sorted(want)})")
        resumed += json.load(open(os.path.join(od, "run.summary.json")))["resumed"]
    check(resumed >= 1, f"at least one trial resumed from a checkpoint ({resumed} of 4)")
    # the same files spelled otherwise (relative, from another working directory): the checkpoint is theirs
    # (it was "from other settings", and the run started again from the first frame)
    od = os.path.join(tmp, "k-spelled")
    kill_after_checkpoint(args, od, "long.checkpoint", 0.0)
    if os.path.exists(os.path.join(od, "long.checkpoint")):
        rel = [os.path.relpath(a, tmp) if a in (top, dcd) else a for a in args]
        r = traj(*rel, "--output-dir", "k-spelled", "--jobs", "1", "--resume", cwd=tmp)
        s = json.load(open(os.path.join(od, "run.summary.json")))
        check(r.returncode == 0 and s["resumed"] and outputs(od) == want,
              f"a resume with the paths spelled otherwise resumes: {r.returncode} {s.get('resumed')} {r.stderr}")
    # a resume whose first frame, read again for the lattice, fails (a grid limit given now): nothing written,
    # the checkpoint kept (it wrote the checkpoint's frames as a finished run and removed the checkpoint)
    od = os.path.join(tmp, "k-refails")
    kill_after_checkpoint(args, od, "long.checkpoint", 0.0)
    if os.path.exists(os.path.join(od, "long.checkpoint")):
        r = traj(*args, "--output-dir", od, "--jobs", "1", "--resume", "--max-grid-voxels", "100")
        check(r.returncode == 1 and "kept for --resume" in r.stderr and os.path.exists(os.path.join(od, "long.checkpoint"))
              and not os.path.exists(os.path.join(od, "run.summary.json")),
              f"a resume whose first frame fails keeps the checkpoint: {r.returncode} {r.stderr} {sorted(os.listdir(od))}")
        r = traj(*args, "--output-dir", od, "--jobs", "1", "--resume")
        s = json.load(open(os.path.join(od, "run.summary.json")))
        check(r.returncode == 0 and s["resumed"] and outputs(od) == want, f"... and a later --resume goes on: {r.stderr}")
    # other settings: the checkpoint is not used
    od = os.path.join(tmp, "k-other")
    p = subprocess.Popen([*WRAPPER, VOX, "trajectory", "--quiet", *args, "--output-dir", od],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while not os.path.exists(os.path.join(od, "long.checkpoint")) and p.poll() is None and time.time() - t0 < 60:
        time.sleep(0.005)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    p.wait()
    rows_before = outputs(od)
    r = vox("trajectory", *args[:-2], "--stride", "2", "--output-dir", od, "--resume")
    if "no checkpoint" not in r.stderr:
        # refused, naming the setting, and nothing changed: before, the run started again at once and the
        # interrupted run's rows and checkpoint were gone on the strength of a mistyped setting
        check(r.returncode == 2 and "not resuming" in r.stderr and "other settings (stride=1" in r.stderr
              and "leave out --resume" in r.stderr and outputs(od) == rows_before,
              f"resume with other settings is refused, naming the one that differs: {r.returncode} {r.stderr}")
        r = vox("trajectory", *args[:-2], "--stride", "2", "--output-dir", od)
    check(r.returncode == 0, f"without --resume the run starts again: {r.stderr}")
    s = json.load(open(os.path.join(od, "run.summary.json")))
    check(not s["resumed"] and s["frames_done"] == 80, f"other settings: a fresh run {s['frames_done']}")
    # a checkpoint of an older vox's format is named as such, a damaged one as damaged; both refused (exit 1,
    # nothing changed), and the run starts again without --resume
    for head, said in ((b"VOXTRJ03", "format 03 of an older vox"), (b"VOXTRJ99", "format 99 of a newer vox"),
                       (b"VOXTRJ\x07\x01", "is damaged")):
        od = os.path.join(tmp, "k-old")
        shutil.rmtree(od, ignore_errors=True)
        os.makedirs(od)
        open(os.path.join(od, "long.checkpoint"), "wb").write(head + bytes(64))
        r = vox("trajectory", *args, "--output-dir", od, "--resume")
        check(r.returncode == 1 and said in r.stderr and "not resuming" in r.stderr
              and open(os.path.join(od, "long.checkpoint"), "rb").read() == head + bytes(64)
              and not os.path.exists(os.path.join(od, "run.summary.json")), f"checkpoint {head!r}: {r.stderr}")
        r = vox("trajectory", *args, "--output-dir", od)
        s = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
        check(r.returncode == 0 and not s.get("resumed") and s.get("frames_done") == 160,
              f"checkpoint {head!r}, without --resume: {r.stderr}")
    # a checkpoint that cannot be read (no permission) is an interrupted run's too: refused, not started again
    if os.geteuid() != 0:
        od = os.path.join(tmp, "k-unreadable")
        interrupted_run(args, od)
        ck = os.path.join(od, "long.checkpoint")
        if os.path.exists(ck):
            os.chmod(ck, 0)
            r = vox("trajectory", *args, "--output-dir", od, "--resume")
            os.chmod(ck, 0o644)
            check(r.returncode == 1 and "cannot read the checkpoint" in r.stderr and os.path.exists(ck),
                  f"an unreadable checkpoint: {r.returncode} {r.stderr}")
    # a checkpoint whose bytes changed (a frame count edited, a bit flipped on disk) is damaged: before, one
    # whose next frame was moved on resumed into outputs that miss those frames' rows, exit 0; and a
    # length field asked for its memory (up to 1 TiB) before the file was seen to hold it
    import struct
    import zlib
    od = os.path.join(tmp, "k-crc")
    interrupted_run(args, od)
    ck = os.path.join(od, "long.checkpoint")
    data = bytearray(open(ck, "rb").read()) if os.path.exists(ck) else bytearray()
    check(data[:8] == b"VOXTRJ04", f"a checkpoint of an interrupted run ({len(data)} bytes)")
    if data[:8] == b"VOXTRJ04":
        # grown to 20 GiB (a sparse file): refused from its header, without reading or holding it (before:
        # read whole into memory first)
        good = bytes(data)
        open(ck, "wb").write(good)
        os.truncate(ck, 20 << 30)
        t0 = time.time()
        r = vox("trajectory", *args, "--output-dir", od, "--resume", timeout=120)
        check(r.returncode == 1 and "is damaged" in r.stderr and time.time() - t0 < 60,
              f"a checkpoint grown to 20 GiB: {r.returncode} {time.time() - t0:.1f} s {r.stderr[-300:]}")
        if os.path.exists(ck):
            os.remove(ck)  # refused and kept: the user gives it up
        kill_after_checkpoint(args, od, "long.checkpoint", 0.0)
        if os.path.exists(ck):
            data = bytearray(open(ck, "rb").read())
        sl = struct.unpack_from("<Q", data, 8)[0]
        at = 16 + sl  # next_k
        struct.pack_into("<q", data, at, struct.unpack_from("<q", data, at)[0] + 5)
        open(ck, "wb").write(bytes(data))
        r = vox("trajectory", *args, "--output-dir", od, "--resume")
        check(r.returncode == 1 and "is damaged" in r.stderr and "not resuming" in r.stderr,
              f"an edited next frame: {r.returncode} {r.stderr}")
        r = vox("trajectory", *args, "--output-dir", od)
        s = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
        check(r.returncode == 0 and not s.get("resumed") and outputs(od) == want,
              f"an edited next frame, then without --resume: {r.returncode} {r.stderr}")
    # a topology read from a FIFO resumes too: the settings hold the topology's content, not its file's size
    # and time (a FIFO's change with every write: before, such a run always started again)
    import threading
    fifo = os.path.join(tmp, "ktop.fifo")
    os.mkfifo(fifo)
    text = open(top, "rb").read()

    def feed():
        with open(fifo, "wb") as f:
            f.write(text)
    fargs = [a if a != top else fifo for a in args]
    od = os.path.join(tmp, "k-fifo")
    interrupted_run(fargs, od, before=lambda: threading.Thread(target=feed, daemon=True).start())
    threading.Thread(target=feed, daemon=True).start()
    r = vox("trajectory", *fargs, "--output-dir", od, "--resume", "--jobs", "2", timeout=120)
    s = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
    check(r.returncode == 0 and s.get("resumed") and outputs(od) == want,
          f"--resume with a FIFO topology: {r.returncode} resumed {s.get('resumed')} {r.stderr[-300:]}")
    # a hard-linked copy of an interrupted run (cp -al) keeps its bytes when the original is resumed: a rows
    # file with other links is not cut or appended to, but copied first, and the run resumes
    od = os.path.join(tmp, "k-hardlinked")
    interrupted_run(args, od)
    backup = od + "-backup"
    os.makedirs(backup)
    for f in os.listdir(od):  # (not the lock: one with other links is refused, test_trajectory checks it)
        if os.path.isfile(os.path.join(od, f)) and f != ".vox.lock":
            os.link(os.path.join(od, f), os.path.join(backup, f))
    kept = outputs(backup)
    r = vox("trajectory", *args, "--output-dir", od, "--resume", timeout=120)
    s = json.load(open(os.path.join(od, "run.summary.json"))) if r.returncode == 0 else {}
    umask = os.umask(0)
    os.umask(umask)
    modes = {f: oct(os.stat(os.path.join(od, f)).st_mode & 0o777) for f in ("long.frames.csv", "long.descriptors.csv")}
    check(all(m == oct(0o666 & ~umask) for m in modes.values()), f"the copied rows files keep the files' mode: {modes}")
    check(r.returncode == 0 and s.get("resumed") and outputs(od) == want and outputs(backup) == kept,
          f"--resume beside a hard-linked copy: {r.returncode} {r.stderr[-300:]} "
          f"{[f for f in kept if outputs(backup).get(f) != kept[f]]}")
    # a checkpoint whose rows file was renamed onto frames.csv (a kill between a finished run's commit and the
    # checkpoint's removal, or a commit that failed part way and said to run again with --resume): nothing of an
    # interrupted run to keep, so the run starts again (a review: it was refused, and every retry failed)
    od = os.path.join(tmp, "k-committed")
    interrupted_run(args, od)
    saved = open(os.path.join(od, "long.checkpoint"), "rb").read() if os.path.exists(os.path.join(od, "long.checkpoint")) else b""
    if saved:
        r = vox("trajectory", *args, "--output-dir", od, "--resume", timeout=120)
        open(os.path.join(od, "long.checkpoint"), "wb").write(saved)
        r = vox("trajectory", *args, "--output-dir", od, "--resume", timeout=120)
        check(r.returncode == 0 and "starting from the first frame" in r.stderr and outputs(od) == want,
              f"a checkpoint beside a finished run's files: {r.returncode} {r.stderr[-300:]}")
    # the descriptors' rows file gone: refused naming it, and the frames' rows not cut (they were, before the
    # descriptors' file was looked at)
    od = os.path.join(tmp, "k-nodesc")
    interrupted_run(args, od)
    if os.path.exists(os.path.join(od, "long.checkpoint")):
        os.remove(os.path.join(od, "long.descriptors.csv.part"))
        before = open(os.path.join(od, "long.frames.csv.part"), "rb").read()
        r = vox("trajectory", *args, "--output-dir", od, "--resume")
        check(r.returncode == 1 and "long.descriptors.csv.part, which is not there" in r.stderr
              and open(os.path.join(od, "long.frames.csv.part"), "rb").read() == before,
              f"the descriptors' rows missing: {r.returncode} {r.stderr}")
    settings = b"x"
    head = b"VOXTRJ04" + struct.pack("<Q", len(settings)) + settings + struct.pack("<qqQQQ", 1, 1, 200, 0, 1 << 39)
    od = os.path.join(tmp, "k-huge")
    os.makedirs(od)
    open(os.path.join(od, "long.checkpoint"), "wb").write(head + struct.pack("<I", zlib.crc32(head)))
    r = vox("trajectory", *args, "--output-dir", od, "--resume")
    check(r.returncode == 1 and "is damaged" in r.stderr, f"a tracker state of 512 GiB in 70 bytes: {r.stderr}")
    # an interrupted run's descriptors rows (.part), then a run without --write descriptors (resumed
    # or not): the .part is not left behind, and no descriptors file appears
    plain = args[:args.index("--write")] + ["--checkpoint-every", "0"]
    od = os.path.join(tmp, "k-part")
    os.makedirs(od)
    open(os.path.join(od, "long.descriptors.csv.part"), "w").write("frame,track\n0,")
    r = vox("trajectory", *plain, "--output-dir", od, "--resume")
    left = sorted(f for f in os.listdir(od) if "descriptors" in f)
    check(r.returncode == 0 and not left, f"a run without descriptors leaves {left}: {r.stderr}")


def test_fuzz_models(tmp):
    """Damaged multi-model PDB and mmCIF files (cut, bytes flipped, lines dropped or doubled) end in exit 0 or
    a clear error, never a crash or a hang (seeded)."""
    lines, coords = read_atoms(os.path.join(GEN, "pocket_box.pdb"))
    frames = [breathing(coords, k) for k in range(3)]
    rng = random.Random(2024)
    bad = 0
    for kind in ("pdb", "cif"):
        good = os.path.join(tmp, f"fz-good.{kind}")
        (write_models_pdb if kind == "pdb" else write_models_cif)(good, lines, frames)
        data = open(good, "rb").read()
        for case in range(60):
            b = bytearray(data)
            op = case % 4
            if op == 0:
                b = b[: rng.randrange(len(b))]
            elif op == 1:
                for _ in range(rng.randrange(1, 30)):
                    b[rng.randrange(len(b))] = rng.choice(b"0123456789 -.\n'\";_#ATOMENDLHX\x00\xff")
            else:
                ls = bytes(b).split(b"\n")
                for _ in range(rng.randrange(1, 10)):
                    i = rng.randrange(len(ls))
                    if op == 2:
                        del ls[i]
                    else:
                        ls.insert(i, ls[rng.randrange(len(ls))])
                b = bytearray(b"\n".join(ls))
            path = os.path.join(tmp, f"fz-case.{kind}")
            open(path, "wb").write(bytes(b))
            try:
                r = traj("--topology", good, "--trajectory", path, "--output-dir", os.path.join(tmp, "fz-out"),
                         "--resolution", "3.0", "--max-grid-voxels", "2000000", "--jobs", "1", timeout=60)
            except Exception as e:
                check(False, f"{kind} fuzz case {case}: {e}")
                continue
            if not (r.returncode == 0 or (r.returncode == 1 and "vox trajectory: " in r.stderr)):
                bad += 1
                print(f"{kind} fuzz case {case}: exit {r.returncode}: {r.stderr[-300:]}")
    check(bad == 0, f"{bad} of 120 damaged ensembles crashed or failed without a message")


def test_shared(tmp):
    d = os.path.join(SHARED, "trajectories", "1aki-md")
    if not os.path.isdir(d):
        print("SKIP: ../shared/data/trajectories/1aki-md not found")
        return
    res = {}
    for name in ("ensemble20.pdb", "ensemble20.cif"):
        od = os.path.join(tmp, name)
        r = traj("--topology", os.path.join(d, name), "--output-dir", od, "--resolution", "2.0")
        check(r.returncode == 0, r.stderr)
        res[name] = rows(os.path.join(od, "ensemble20.frames.csv"))
        s = json.load(open(os.path.join(od, "run.summary.json")))
        check(s["frames_done"] == 20 and s["config"]["analysed_atoms"] == 1001, f"{name}: {s}")
    check(res["ensemble20.pdb"] == res["ensemble20.cif"], "the PDB and mmCIF ensembles give the same rows")
    outs = []
    for jobs in ("1", "2"):
        od = os.path.join(tmp, f"md-ref-{jobs}")
        r = traj("--topology", os.path.join(d, "top.pdb"), "--trajectory", os.path.join(d, "traj.dcd"),
                 "--output-dir", od, "--resolution", "2.0", "--align", "reference", "--write", "occupancy",
                 "--jobs", jobs)
        check(r.returncode == 0, r.stderr)
        outs.append(outputs(od))
    check(outs[0] == outs[1], "lysozyme, --align reference: jobs 1 and 2 give the same files")
    tracks = rows_tracks(os.path.join(tmp, "md-ref-1", "traj.tracks.csv"))
    got = rows(os.path.join(tmp, "md-ref-1", "traj.frames.csv"))
    check(sum(int(t["frames"]) for t in tracks) == len(got), "lysozyme: the tracks account for every row")
    check(max(int(t["frames"]) for t in tracks) >= 40, "lysozyme: some pocket persists over 40 frames")


def checkpoint_writes(log, name):
    """From `strace -f -r -y` of a run: each checkpoint written, as (start, seconds, bytes): the monotonic
    time its temporary file was opened, until the rename over NAME began, and the bytes written to it."""
    now, opened, pending, out = 0.0, {}, {}, []
    tmpname = f"/{name}.tmp."
    for line in open(log):
        parts = line.rstrip("\n").split(None, 2)
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        try:
            now += float(parts[1])  # -r: seconds since the previous line (CLOCK_MONOTONIC)
        except ValueError:
            continue
        pid, call = parts[0], parts[2]
        if call.startswith("<... "):  # the end of a call another thread's line interrupted
            call = pending.pop(pid, "") + call.split("resumed>", 1)[-1]
        elif call.endswith("<unfinished ...>"):
            pending[pid] = call[:-len("<unfinished ...>")]
            if not call.startswith(("openat(", "rename(")):
                continue  # (the start of an open or a rename counts, not its end)
        if call.startswith("openat(") and tmpname in call and parts[2].startswith("openat("):
            opened[call.split('"')[1]] = [now, 0]
        elif call.startswith("write(") and tmpname in call.split(",")[0]:
            path = call[call.index("<") + 1:call.index(">")]
            ret = call.rsplit("= ", 1)[-1].split()[0] if "= " in call else ""
            if path in opened and ret.isdigit():
                opened[path][1] += int(ret)
        elif call.startswith("rename(") and parts[2].startswith("rename(") and call.count('"') >= 4 \
                and call.split('"')[3].endswith("/" + name):
            start, size = opened.pop(call.split('"')[1], (None, 0))
            if start is not None:
                out.append([start, now - start, size])
    return out


def test_checkpoint_cost(tmp):
    """The checkpoint holds the tracker's whole state (15 MB for lysozyme at 0.5 A with occupancy): with
    --checkpoint-every 0 it was rewritten after every batch, 2.3 GB written for a 4 MB table over 1005 frames
    (35 s, 9.5 s now).  Now the next checkpoint waits 32 times what the last took: seen through strace, each
    checkpoint begins at least 32 times the previous one's writing time (open to rename, a part of what
    vox times) after it, whatever the machine's speed and load; and --resume after kill -9 between stretched
    checkpoints still gives the uninterrupted run's files.  (The bytes written, once compared with 12
    checkpoints, depend on how fast the machine analyses frames against how fast it writes.)"""
    d = os.path.join(SHARED, "trajectories", "1aki-md")
    if not os.path.isdir(d):
        print("SKIP: ../shared/data/trajectories/1aki-md not found")
        return
    args = ["--topology", os.path.join(d, "top.pdb"), "--trajectory", os.path.join(d, "traj.dcd"), "--align",
            "reference", "--resolution", "0.5", "--write", "occupancy", "--checkpoint-every", "0", "--jobs", "1"]
    full = os.path.join(tmp, "cost-full")
    r = traj(*args, "--output-dir", full)
    check(r.returncode == 0, r.stderr)
    want = outputs(full)
    strace = shutil.which("strace")
    if not strace or WRAPPER:
        print("SKIP the checkpoint spacing: it needs strace and a native vox")
    else:
        od = os.path.join(tmp, "cost")
        log = os.path.join(tmp, "cost.strace")
        # LeakSanitizer cannot run under ptrace: leaks are checked by this test's other runs
        env = dict(os.environ, ASAN_OPTIONS=":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"])))
        p = subprocess.run([strace, "-f", "-qq", "-r", "-y", "--seccomp-bpf", "-o", log,
                            "-e", "trace=openat,write,rename,renameat,renameat2", VOX, "trajectory", "--quiet", *args,
                            "--output-dir", od], capture_output=True, text=True, env=env, timeout=900)
        if p.returncode != 0 and "ptrace" in p.stderr:
            print(f"SKIP the checkpoint spacing: strace cannot trace here ({p.stderr.strip()[-300:]})")
        else:
            cks = checkpoint_writes(log, "traj.checkpoint")
            size = max((c[2] for c in cks), default=0)
            check(p.returncode == 0 and size > 1000000, f"a run with a large checkpoint: exit {p.returncode} "
                                                        f"{p.stderr[-300:]}, {size} bytes")
            print(f"checkpoint cost: {len(cks)} checkpoints of up to {size} bytes, written in "
                  f"{', '.join(f'{c[1]:.3f}' for c in cks)} s")
            close = [(i, round(b[0] - a[0] - a[1], 3), round(a[1], 3)) for i, (a, b) in enumerate(zip(cks, cks[1:]))
                     if b[0] - (a[0] + a[1]) < 32 * a[1]]
            check(cks and not close, f"each checkpoint 32 times the previous one's writing time after it "
                                     f"(checkpoint, gap s, writing s): {close}")
    # killed between stretched checkpoints, resumed: the same files
    od = os.path.join(tmp, "cost-kill")
    p = subprocess.Popen([*WRAPPER, VOX, "trajectory", "--quiet", *args, "--output-dir", od],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ck = os.path.join(od, "traj.checkpoint")
    t0 = time.time()
    while not os.path.exists(ck) and p.poll() is None and time.time() - t0 < 60:
        time.sleep(0.005)
    time.sleep(0.3)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    p.wait()
    r = traj(*args, "--output-dir", od, "--resume")
    check(r.returncode == 0 and outputs(od) == want, f"resumed after kill -9: {r.stderr}")


def report_assets(tmp):
    """The report's files with a stand-in for the viewer (npm's 3Dmol.js is not needed to write pages)."""
    assets = os.path.join(tmp, "assets")
    os.makedirs(assets, exist_ok=True)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "share", "report")
    for f in ("page.html", "index.html", "report.js", "report.css"):
        open(os.path.join(assets, f), "wb").write(open(os.path.join(src, f), "rb").read())
    open(os.path.join(assets, "3Dmol-min.js"), "w").write("/* stand-in for the viewer */\n")
    return dict(os.environ, VOX_REPORT_ASSETS=assets)


def test_resume_html(tmp):
    """--write html, kill -9, --resume: the page (its 3D frames: every step-th analysed frame, some analysed
    before the interruption) is the uninterrupted run's, byte for byte.  Before, a resumed run's page had only
    the frames analysed after the resume point."""
    env = report_assets(tmp)
    top, dcd = breathing_dcd(tmp, "htop.pdb", "hlong.dcd", 160)
    args = ["--topology", top, "--trajectory", dcd, "--resolution", "0.7", "--align", "reference", "--write",
            "html,occupancy", "--checkpoint-every", "0"]
    full = os.path.join(tmp, "h-full")
    r = traj(*args, "--output-dir", full, "--jobs", "2", env=env)
    check(r.returncode == 0, r.stderr)
    want = {f: open(os.path.join(full, f), "rb").read() for f in ("hlong.trajectory.html", "index.html",
                                                                   "hlong.frames.csv", "hlong.tracks.csv")}
    rng = random.Random(11)
    resumed = 0
    for trial in range(3):
        od = os.path.join(tmp, f"resumed-page-{trial}")
        kill_after_checkpoint(args, od, "hlong.checkpoint", rng.uniform(0.0, 0.2), env=env)
        r = traj(*args, "--output-dir", od, "--jobs", "1", "--resume", env=env)
        check(r.returncode == 0, f"html resume {trial}: {r.stderr}")
        for f, data in want.items():
            got = open(os.path.join(od, f), "rb").read() if os.path.exists(os.path.join(od, f)) else None
            if f == "index.html" and got:  # titled by the folder's name
                got = got.replace(os.path.basename(od).encode(), b"h-full")
            check(got == data, f"html resume {trial}: {f} equals the uninterrupted run's")
        resumed += json.load(open(os.path.join(od, "run.summary.json")))["resumed"]
    check(resumed >= 1, f"at least one trial resumed from a checkpoint ({resumed} of 3)")

def limited_file_size(limit):
    """A preexec_fn: files of the child cannot grow past limit bytes (a write past it fails with EFBIG, as on a
    full disk, SIGXFSZ being ignored)."""
    def set_limit():
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


def test_cannot_write_outputs(tmp):
    """A run that cannot write its own files (a full disk: here a file-size limit) exits 1 naming the file and
    leaves the earlier run's set as it was, every file, byte for byte: the tables, tracks, maps, page and summary
    appear together or not at all.  Its checkpoint too: a checkpoint that cannot be written stops the run with
    nothing replaced.  --resume, with room again, finishes the run as an uninterrupted one and removes what
    killed runs left (temporaries of the summary, the index and the report's folder too).  A folder whose
    index.html is a directory is refused before any frame.  Before, the rows, tracks and maps were replaced and
    the page and summary stayed the earlier run's (a summary of 24 frames beside a table of 16), and a checkpoint
    that could not be written was taken for a frame that could not be read: the frames before it replaced the
    earlier set, and the checkpoint was removed."""
    env = report_assets(tmp)
    top, dcd = breathing_dcd(tmp, "ftop.pdb", "full.dcd", 24)
    args = ["--topology", top, "--trajectory", dcd, "--resolution", "1.0", "--align", "reference", "--write",
            "html,occupancy,descriptors", "--checkpoint-every", "0"]
    od, fresh = os.path.join(tmp, "full-disk"), os.path.join(tmp, "full-fresh")
    r = traj(*args, "--output-dir", od, env=env)
    check(r.returncode == 0, r.stderr)

    def files(skip=()):
        return {f: open(os.path.join(od, f), "rb").read() for f in sorted(os.listdir(od))
                if os.path.isfile(os.path.join(od, f)) and f != ".vox.lock" and not f.endswith(skip)}
    before = files()
    r = traj(*args, "--stop", "16", "--output-dir", fresh, env=env)
    check(r.returncode == 0, r.stderr)
    sizes = {f: os.path.getsize(os.path.join(fresh, f)) for f in os.listdir(fresh) if f.startswith("full.")}
    page = sizes.pop("full.trajectory.html")
    limit = max(sizes.values()) + 1
    check(page > limit, f"the page ({page} bytes) is the largest file ({sizes})")
    # the checkpoint (the tracker's lattice and the page's frames) is over the limit too; without checkpoints
    # (one every 1000 s) the page is the first file that cannot be written
    for what, extra in (("full.checkpoint", []), ("full.trajectory.html", ["--checkpoint-every", "1000"])):
        r = traj(*args, "--stop", "16", *extra, "--output-dir", od, env=env, preexec_fn=limited_file_size(limit))
        check(r.returncode == 1 and what in r.stderr and "nothing replaced" in r.stderr,
              f"cannot write {what}: {r.returncode} {r.stderr}")
        after = files((".part", ".checkpoint"))
        check(after == before, f"{what}: the earlier run's files are as they were: " +
              ", ".join(f for f in sorted(set(after) | set(before)) if after.get(f) != before.get(f)))
        check(os.path.exists(os.path.join(od, "full.frames.csv.part")), f"{what}: the rows part file is kept")
    dead = ["run.summary.json.tmp.4000000.a1B2c3", "index.html.tmp.4000000.a1B2c3", "full.tracks.csv.tmp.4000000.q1W2e3",
            os.path.join("vox-report", "report.js.tmp.4000000.a1B2c3")]
    for name in dead:
        open(os.path.join(od, name), "w").write("left by a killed run")
    r = traj(*args, "--stop", "16", "--output-dir", od, "--resume", env=env)
    check(r.returncode == 0, f"resumed with room again: {r.stderr}")
    for f in ("full.frames.csv", "full.tracks.csv", "full.descriptors.csv", "full.occupancy.dx", "full.trajectory.html"):
        check(open(os.path.join(od, f), "rb").read() == open(os.path.join(fresh, f), "rb").read(),
              f"resumed: {f} equals the uninterrupted run's")
    check(json.load(open(os.path.join(od, "run.summary.json")))["frames_done"] == 16, "resumed: the summary's frames")
    left = [f for d in (od, os.path.join(od, "vox-report")) for f in os.listdir(d)
            if ".tmp." in f or f.endswith((".part", ".checkpoint"))]
    check(not left, f"no temporary, part or checkpoint file left: {left}")
    # a file of the run that cannot be written is found before the frames, not after them
    blocked = os.path.join(tmp, "blocked")
    os.makedirs(os.path.join(blocked, "index.html"))
    r = traj(*args, "--output-dir", blocked, env=env)
    check(r.returncode == 1 and "index.html is a directory" in r.stderr and "nothing written" in r.stderr and
          not [f for f in os.listdir(blocked) if f.startswith("full.")],
          f"index.html a directory: refused first: {r.returncode} {r.stderr} {os.listdir(blocked)}")


def test_page_without_tracks(tmp):
    """A run without tracking (--align each) into a folder where a run with tracking wrote tracks.csv: its page
    shows no tracks.  Before, the page read the earlier run's tracks.csv, removed only after the page was
    written."""
    env = report_assets(tmp)
    top, dcd = breathing_dcd(tmp, "ptop.pdb", "paged.dcd", 6)
    od = os.path.join(tmp, "paged")
    for align in ("reference", "each"):
        r = traj("--topology", top, "--trajectory", dcd, "--resolution", "1.0", "--align", align, "--write", "html",
                 "--output-dir", od, env=env)
        check(r.returncode == 0, f"{align}: {r.stderr}")
        page = open(os.path.join(od, "paged.trajectory.html")).read()
        check(('"tracks":[]' in page) == (align == "each"), f"{align}: the page's tracks are this run's")
    check(not os.path.exists(os.path.join(od, "paged.tracks.csv")), "the earlier run's tracks.csv is removed")


def test_page_time_axis(tmp):
    """The page's curves against time when the frames were saved at irregular times (frames 0, 1, 10, 20, ...
    of the shared run: 0, 0.1, 1, 2 ... 20 ps): each bin at its frames' time, ending at 20 ps (the axis was
    drawn from the first two frames' step, ending at 14 ps); time restarting (two runs joined) gives an axis
    in frames."""
    import struct
    xtc = os.path.join(SHARED, "trajectories", "1aki-md", "traj.xtc")
    if not os.path.exists(xtc):
        print("SKIP test_page_time_axis: ../shared/data not found")
        return
    b = open(xtc, "rb").read()
    frames, p = [], 0
    while p < len(b):
        nbytes = struct.unpack_from(">i", b, p + 88)[0]
        size = 92 + ((nbytes + 3) & ~3)
        frames.append(b[p:p + size])
        p += size
    top = os.path.join(SHARED, "trajectories", "1aki-md", "top.pdb")
    env = report_assets(tmp)

    def axis(name, picked):
        path = os.path.join(tmp, name + ".xtc")
        open(path, "wb").write(b"".join(picked))
        od = os.path.join(tmp, name)
        r = traj("--topology", top, "--trajectory", path, "--align", "reference", "--write", "html", "--output-dir",
                 od, env=env)
        page = open(os.path.join(od, name + ".trajectory.html")).read() if r.returncode == 0 else ""
        data = re.search(r'<script type="application/json" id="vox-data">(.*?)</script>', page, re.S)
        return r, json.loads(data.group(1))["series"] if data else {}

    r, s = axis("irregular", [frames[i] for i in [0, 1] + list(range(10, 201, 10))])
    x = s.get("x", [])
    check(r.returncode == 0 and s.get("xlabel") == "time (ps)" and x and abs(x[-1] - 20.0) < 1e-3 and
          abs(x[3] - 2.0) < 1e-3 and abs(x[4] - 3.0) < 1e-3, f"irregular times: {r.stderr} {s.get('xlabel')} {x}")
    r, s = axis("joined", frames[:20] + frames[:20])
    check(r.returncode == 0 and s.get("xlabel") == "frame" and s.get("x", [None])[-1] == 39,
          f"time restarting: an axis in frames: {r.stderr} {s.get('xlabel')} {s.get('x')}")


if __name__ == "__main__":
    sys.exit(main([test_breathing, test_rigid, test_ensembles, test_resume, test_resume_html, test_cannot_write_outputs, test_page_without_tracks, test_checkpoint_cost, test_fuzz_models, test_shared, test_page_time_axis], "vox-tracking-"))
