#!/usr/bin/env python3
"""trajectory_throughput.py - frames per CPU-second of `vox trajectory`, against `vox analyze` of one frame as a file.

    python3 bench/trajectory_throughput.py [--vox build/vox] [--data ../shared/data] [--resolution 2.0] [--repeat 3]

On the shared lysozyme run (1aki-md: 1,960 atoms, 201 frames, DCD) it runs `vox trajectory --align each` and
`--align none` with one thread and with two, best of --repeat, and reports frames per CPU-second (the children's
user + system time, steadier on a shared machine than wall time) and frames per wall-second.  For comparison it
times `vox analyze` of the topology file as a whole process: the difference per frame is what parsing, start-up
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
    a = ap.parse_args()
    d = os.path.join(a.data, "trajectories", "1aki-md")
    top, traj = os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd")
    frames = 201
    out = tempfile.mkdtemp(prefix="vox-traj-bench-")
    print(f"vox trajectory, 1aki-md ({frames} frames, 1,960 atoms), {a.resolution} A, best of {a.repeat}")
    base = None
    for align in ("each", "none"):
        for threads in ("1", "2"):
            env = dict(os.environ, VOX_THREADS=threads)
            runs = [timed([a.vox, "trajectory", "--quiet", "--topology", top, "--trajectory", traj, "--output-dir", out,
                           "--resolution", a.resolution, "--align", align], env) for _ in range(a.repeat)]
            c = min(r[0] for r in runs)
            w = min(r[1] for r in runs)
            line = f"  --align {align:4s} threads {threads}: {frames / c:8.1f} frames/CPU-s  {frames / w:8.1f} frames/s wall"
            if align == "each" and threads == "1":
                base = w
            elif base:
                line += f"  (wall {base / w:.2f}x of --align each, 1 thread)"
            print(line)
    env = dict(os.environ, VOX_THREADS="1")
    runs = [timed([a.vox, "analyze", "--quiet", "--no-checkpoint", "--overwrite", "--assembly-policy", "asymmetric",
                   "--resolution", a.resolution, "--output-dir", out, top], env) for _ in range(a.repeat)]
    c = min(r[0] for r in runs)
    print(f"  vox analyze of one frame as a file (whole process): {c * 1000:.1f} ms CPU"
          f" = {c * frames:.2f} CPU-s for {frames} frames")


if __name__ == "__main__":
    main()
