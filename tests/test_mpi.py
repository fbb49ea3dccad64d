#!/usr/bin/env python3
"""test_mpi.py - `mpirun -np P vox analyze`: the same outputs as a serial run, and resume after a killed job;
vox does not link MPI (its module is loaded only under a launcher), and says so when the module is missing.

SKIP (77) when vox was built without MPI or mpirun is missing.  Runs on
loopback only (shared-memory transport).  Usage: test_mpi.py VOX GENERATED_DIR
"""
import filecmp
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

VOX, GEN = sys.argv[1], sys.argv[2]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
           OMPI_MCA_rmaps_base_oversubscribe="1")
from voxtest import check, main as run_tests


def run(*args, np=None):
    cmd = ["mpirun", "--oversubscribe", "-np", str(np)] if np else []
    return subprocess.run([*cmd, VOX, "analyze", "--quiet", *args], capture_output=True, text=True, errors="replace",
                          env=ENV, timeout=600)


def comparable(out):
    s = json.load(open(os.path.join(out, "run.summary.json")))
    recs = []
    for r in s["results"] + s["errors"] + s["skipped"]:
        r = {k: v for k, v in r.items() if k not in ("structure_output", "annotation_output")}
        recs.append(r)
    return recs


def same_files(a, b):
    names = sorted(f for f in os.listdir(a) if f.endswith(".annotated.cif"))
    if names != sorted(f for f in os.listdir(b) if f.endswith(".annotated.cif")):
        return False
    return all(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False) for f in names)


def children(pid):
    """The processes whose parent is pid (mpirun's ranks)."""
    out = []
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return out


def dead(pid, limit):
    """Waits (limit seconds at most) until pid is gone or a zombie; whether it is."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] in "ZXx":
                return True
        except OSError:
            return True
        time.sleep(0.005)
    return False


def test_mpi(tmp):
    if True:
        tree = os.path.join(tmp, "tree")
        os.makedirs(tree)
        boxes = ["pocket_box.pdb", "pore_box.pdb", "cavity_box.pdb", "hub_box.pdb"]
        for i in range(16):
            shutil.copy(os.path.join(GEN, boxes[i % 4]), os.path.join(tree, f"s{i:02d}.pdb"))
        open(os.path.join(tree, "zz_bad.pdb"), "w").write("HEADER    BROKEN\nATOM      1  CA  ALA A   1       1.000\n")
        serial = os.path.join(tmp, "serial")
        run("--resolution", "1.0", "--output-dir", serial, tree)
        for np in (2, 3):
            out = os.path.join(tmp, f"np{np}")
            p = run("--resolution", "1.0", "--output-dir", out, tree, np=np)
            check(p.returncode == 1, f"-np {np}: a failed entry gives exit code 1 ({p.returncode})")
            check(comparable(out) == comparable(serial), f"-np {np}: the summary equals the serial run's")
            check(same_files(serial, out), f"-np {np}: outputs byte-identical to the serial run's")
            stray = [f for f in os.listdir(out) if f.startswith("run.") and f.endswith(".json")]
            check(sorted(stray) == ["run.checkpoint.json", "run.summary.json"], f"-np {np}: rank 0 wrote summary and checkpoint")
        # kill a running MPI job, then resume it under MPI.  The kill lands once a number of structures are done
        # (a fraction of a separately timed run could fall after the end), and it kills every rank: each rank is
        # in its own process group (Open MPI's launcher), so killpg of mpirun's reached mpirun alone, and the
        # ranks lived on for a second or two until they noticed (exit 195), beside the resuming run.
        out = os.path.join(tmp, "killed")
        target = random.Random(3).randint(1, 6)
        proc = subprocess.Popen(["mpirun", "--oversubscribe", "-np", "2", VOX, "analyze", "--quiet", "--resolution",
                                 "0.7", "--output-dir", out, tree], env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline and (not os.path.isdir(out) or sum(
                f.endswith(".annotation.json") for f in os.listdir(out)) < target):
            time.sleep(0.005)
        ranks = children(proc.pid)
        for pid in ranks:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        left = [pid for pid in ranks if not dead(pid, 120)]
        check(ranks and not left, f"every rank of the killed job is dead before the resume: {ranks}, alive {left}")
        done = sum(f.endswith(".annotation.json") for f in os.listdir(out))
        p = run("--resume", "--resolution", "0.7", "--output-dir", out, tree, np=2)
        ref = os.path.join(tmp, "ref07")
        run("--resolution", "0.7", "--output-dir", ref, tree)
        s = json.load(open(os.path.join(out, "run.summary.json")))
        stray = [f for f in os.listdir(out) if ".tmp." in f]
        check(s["num_processed"] + s["num_skipped"] + s["num_failed"] == 17 and not stray,
              f"resume after a killed MPI job completes (kept {s['num_skipped']}), stray {stray}")
        check(target <= done <= s["num_skipped"] < 16,
              f"the kill interrupted the job part-way and its work was kept: {target} done at the look, {done} at "
              f"the kill, {s['num_skipped']} kept of 16")
        check(same_files(ref, out), "resumed MPI outputs equal a serial run's")


def test_ranks_planned_other_inputs(tmp):
    """Ranks that list different inputs (a folder that changed between their listings, a shared file system
    showing it late) must not analyse by index into a plan that is not rank 0's: before, rank 1 analysed
    entries past the end of its own list (errors "path is NULL", or another file's outputs under rank 0's
    label). Now rank 0 notices the other plan on the first request, names the rank, and gives it no entries."""
    tree = os.path.join(tmp, "tree2")
    os.makedirs(tree)
    boxes = ["pocket_box.pdb", "pore_box.pdb", "cavity_box.pdb", "hub_box.pdb"]
    for i in range(8):
        shutil.copy(os.path.join(GEN, boxes[i % 4]), os.path.join(tree, f"s{i:02d}.pdb"))
    serial = os.path.join(tmp, "serial2")
    run("--output-dir", serial, tree)
    out = os.path.join(tmp, "skew")
    args = ["analyze", "--quiet", "--output-dir", out]
    # rank 1 sees only the first file (simulated with its own arguments), rank 0 the whole folder
    script = ('if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec "$0" "$@" "$V1"; else exec "$0" "$@" "$V0"; fi')
    env = dict(ENV, V0=tree, V1=os.path.join(tree, "s07.pdb"))
    p = subprocess.run(["mpirun", "--oversubscribe", "-np", "2", "sh", "-c", script, VOX, *args],
                       capture_output=True, text=True, errors="replace", env=env, timeout=600)
    check(p.returncode == 0, f"other plan on rank 1: the run still succeeds ({p.returncode}) {p.stderr[-2000:]}")
    check("rank 1" in p.stderr and "other inputs" in p.stderr and "NULL" not in p.stderr,
          f"other plan on rank 1: named, no bogus errors: {p.stderr[-2000:]}")
    check(os.path.exists(os.path.join(out, "run.summary.json")) and comparable(out) == comparable(serial)
          and same_files(serial, out), "other plan on rank 1: rank 0's plan done whole, as a serial run")


def test_module_on_demand(tmp):
    ldd = subprocess.run(["ldd", VOX], capture_output=True, text=True).stdout
    check("libmpi" not in ldd, f"vox itself does not link the MPI library:\n{ldd}")
    alone = os.path.join(tmp, "alone")
    os.makedirs(alone)
    exe = shutil.copy(VOX, os.path.join(alone, "vox"))  # no vox-mpi.so beside it
    env = dict(ENV, OMPI_COMM_WORLD_SIZE="2", VOX_MPI_MODULE=os.path.join(tmp, "missing", "vox-mpi.so"))
    env.pop("LD_LIBRARY_PATH", None)
    p = subprocess.run([exe, "analyze", "--output-dir", os.path.join(tmp, "o"), os.path.join(GEN, "pocket_box.pdb")],
                       capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 1 and "MPI module cannot be loaded" in p.stderr and "missing" in p.stderr,
          f"under a launcher without the module: a clear error, exit 1: {p.returncode} {p.stderr}")
    check(not os.path.exists(os.path.join(tmp, "o")), "nothing written")
    # a VOX_MPI_MODULE that cannot be loaded is said, not passed over for the module beside vox (it was, silently)
    env = dict(ENV, OMPI_COMM_WORLD_SIZE="1", VOX_MPI_MODULE=os.path.join(tmp, "missing", "vox-mpi.so"))
    p = subprocess.run([VOX, "analyze", "--output-dir", os.path.join(tmp, "o2"), os.path.join(GEN, "pocket_box.pdb")],
                       capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 1 and "VOX_MPI_MODULE=" in p.stderr and not os.path.exists(os.path.join(tmp, "o2")),
          f"a VOX_MPI_MODULE that cannot be loaded: {p.returncode} {p.stderr}")


if __name__ == "__main__":
    info = subprocess.run([VOX, "info"], capture_output=True, text=True).stdout
    if "mpi: yes" not in info or not shutil.which("mpirun"):
        print("SKIP: vox built without MPI, or no mpirun")
        sys.exit(77)
    sys.exit(run_tests([test_mpi, test_ranks_planned_other_inputs, test_module_on_demand], "vox-mpi-"))
