#!/usr/bin/env python3
"""trajectory_throughput.py - frames per CPU-second of `vox trajectory` on DCD and XTC, against `vox analyze` of one frame as a file.

    python3 bench/trajectory_throughput.py [--vox build/vox] [--data ../shared/data] [--resolution 2.0] [--repeat 3]
                                           [--formats dcd,xtc] [--decoder build/bench/vox-frames-decode]

On the shared lysozyme run (1aki-md: 1,960 atoms, 201 frames; traj.dcd holds exactly the coordinates of
traj.xtc) it runs `vox trajectory --align each`, `reference` (with tracking) and `none` with one job and with
two (`--jobs`, one thread each), once per format, best of --repeat, and reports frames per CPU-second (the
children's user + system time, steadier on a shared machine than wall time), frames per wall-second, the
wall-time gain of two jobs, `reference`'s CPU per frame against `each`'s, and XTC's CPU cost as a ratio to
DCD's.  Then the
readers alone (vox-frames-decode: every frame read, then skipped, best of 20 passes) and, for comparison,
`vox analyze` of the topology file as a whole process: the difference per frame is what parsing, start-up
and writing the annotated files cost.  Figures are printed, never asserted.
"""
import argparse
import os
import resource
import subprocess
import tempfile
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, env):
    c0, w0 = cpu(), time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cpu() - c0, time.perf_counter() - w0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vox", default="build/vox")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--resolution", default="2.0")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="dcd,xtc")
    ap.add_argument("--copies", type=int, default=10,
                    help="XTC frames are independent records: the XTC run uses this many copies of traj.xtc one after "
                         "the other, so start-up is spread over more frames (default 10: 2,010 frames)")
    ap.add_argument("--decoder", default=None, help="vox-frames-decode (default: next to --vox, in bench/)")
    a = ap.parse_args()
    d = os.path.join(a.data, "trajectories", "1aki-md")
    top = os.path.join(d, "top.pdb")
    formats = a.formats.split(",")
    frames = 201
    out = tempfile.mkdtemp(prefix="vox-traj-bench-")
    print(f"vox trajectory, 1aki-md ({frames} frames, 1,960 atoms), {a.resolution} A, best of {a.repeat}")
    cpu_of = {}
    for fmt in formats:
        traj = os.path.join(d, "traj." + fmt)
        frames = 201
        if fmt == "xtc" and a.copies > 1:
            data = open(traj, "rb").read()
            traj = os.path.join(out, "copies.xtc")
            with open(traj, "wb") as f:
                for _ in range(a.copies):
                    f.write(data)
            frames = 201 * a.copies
            print(f"  (xtc: {a.copies} copies of traj.xtc, {frames} frames)")
        for align in ("each", "reference", "none"):
            for jobs in ("1", "2"):
                env = dict(os.environ)
                runs = [timed([a.vox, "trajectory", "--quiet", "--topology", top, "--trajectory", traj, "--output-dir",
                               out, "--resolution", a.resolution, "--align", align, "--jobs", jobs, "--threads", "1"],
                              env) for _ in range(a.repeat)]
                c = min(r[0] for r in runs)
                w = min(r[1] for r in runs)
                cpu_of[fmt, align, jobs] = c
                wall_of = cpu_of.setdefault("wall", {})
                wall_of[fmt, align, jobs] = w
                line = (f"  {fmt} --align {align:9s} jobs {jobs}: {frames / c:8.1f} frames/CPU-s"
                        f"  {frames / w:8.1f} frames/s wall")
                if jobs == "2":
                    line += f"  (2 jobs: {wall_of[fmt, align, '1'] / w:.2f}x the wall speed of 1)"
                if align != "each":
                    line += f"  (CPU per frame {c / cpu_of[fmt, 'each', jobs]:.2f}x --align each)"
                print(line)
    if "dcd" in formats and "xtc" in formats and a.copies == 1:
        print("  XTC vs DCD, CPU per frame: " + ", ".join(
            f"--align {al} jobs {j} {cpu_of['xtc', al, j] / cpu_of['dcd', al, j]:.3f}x"
            for al in ("each", "reference", "none") for j in ("1", "2")))
    decoder = a.decoder or os.path.join(os.path.dirname(a.vox) or ".", "bench", "vox-frames-decode")
    if os.access(decoder, os.X_OK):
        print("  the readers alone (vox-frames-decode, best of 20 passes):")
        for fmt in formats:
            r = subprocess.run([decoder, os.path.join(d, "traj." + fmt)], capture_output=True, text=True, check=True)
            for line in r.stdout.splitlines()[1:]:
                print(f"    {fmt} {line.strip()}")
    else:
        print(f"  (no {decoder}: the readers alone not measured)")
    env = dict(os.environ, VOX_THREADS="1")
    runs = [timed([a.vox, "analyze", "--quiet", "--no-checkpoint", "--overwrite", "--assembly-policy", "asymmetric",
                   "--resolution", a.resolution, "--output-dir", out, top], env) for _ in range(a.repeat)]
    c = min(r[0] for r in runs)
    print(f"  vox analyze of one frame as a file (whole process): {c * 1000:.1f} ms CPU"
          f" = {c * 201:.2f} CPU-s for 201 frames")


if __name__ == "__main__":
    main()
