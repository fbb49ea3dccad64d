#!/usr/bin/env python3
"""batch_throughput.py - structures per second of `vox analyze` over a folder, parsing and writing included.

    python3 bench/batch_throughput.py [--vox build/vox] [--data ../shared/data] [--resolution 3.0] [--repeat 3]

Runs the whole folder with --jobs 1, --jobs 2 and (when vox has MPI) mpirun -np 2, best of
--repeat, and prints structures/s and per core used, from the run's own start and end events
(--progress-jsonl) and, for comparison, from the whole process (mpirun adds its start-up and,
when a structure failed and the exit code is 1, a teardown delay of its own).
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vox", default="build/vox")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--resolution", default="3.0")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    folder = os.path.join(a.data, "structures")
    n = len([f for f in os.listdir(folder) if f.endswith((".pdb", ".cif"))])
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader",
               OMPI_MCA_btl_vader_single_copy_mechanism="none")
    runs = [("--jobs 1", [], ["--jobs", "1"], 1), ("--jobs 2", [], ["--jobs", "2"], 2)]
    if "mpi: yes" in subprocess.run([a.vox, "info"], capture_output=True, text=True).stdout and shutil.which("mpirun"):
        runs.append(("mpirun -np 2", ["mpirun", "--oversubscribe", "-np", "2"], [], 2))
    print(f"{n} structures from {folder} at {a.resolution} A (best of {a.repeat}, wall clock, outputs written)")
    for name, pre, extra, cores in runs:
        best = best_run = 1e9
        for _ in range(a.repeat):
            out = tempfile.mkdtemp(prefix="vox-tp-")
            events = os.path.join(out, "events.jsonl")
            t0 = time.monotonic()
            subprocess.run([*pre, a.vox, "analyze", "--quiet", "--progress-interval", "0", "--resolution", a.resolution,
                            "--progress-jsonl", events, *extra, "--output-dir", out, folder], env=env,
                           capture_output=True, stdin=subprocess.DEVNULL)
            best = min(best, time.monotonic() - t0)
            ev = [json.loads(l) for l in open(events)]
            span = (datetime.datetime.fromisoformat(ev[-1]["ts"]) - datetime.datetime.fromisoformat(ev[0]["ts"]))
            best_run = min(best_run, span.total_seconds())
            shutil.rmtree(out, ignore_errors=True)
        print(f"{name:14s} run {best_run:6.3f} s  {n / best_run:6.1f} structures/s  {n / best_run / cores:6.1f} per core"
              f"   | process {best:6.3f} s")


if __name__ == "__main__":
    main()
