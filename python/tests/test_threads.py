"""test_threads.py - two threads with two Analyzers give what serial runs give; the library runs
without the GIL (a thread blocked inside the library does not stop the interpreter); one
Analyzer shared by threads serialises its calls."""
import os
import subprocess
import sys
import threading

import pytest

import vox
from conftest import ring_protein, synthetic

DOCS = ("df-json", "annotation", "pdb", "cif")


def workload():
    xyz, atoms = ring_protein(48, seed=3)
    jobs = [(synthetic(n), res) for n in ("cavity_box.pdb", "pocket_box.pdb", "pore_box.pdb", "hub_box.pdb")
            for res in (3.0, 2.0)]
    return jobs + [((xyz, atoms), res) for res in (3.0, 2.5, 2.0, 1.5)]


def run_jobs(analyzer, jobs):
    out = []
    for src, res in jobs:
        if isinstance(src, tuple):
            r = analyzer.analyze(src[0], resolution=res, **src[1])
        else:
            r = analyzer.analyze(src, resolution=res)
        out.append(tuple(r.render(k) for k in DOCS) + (r.voxels(0).tobytes() if len(r) else b"",))
    return out


def test_two_threads_two_analyzers_equal_serial():
    jobs = workload()
    serial = run_jobs(vox.Analyzer(threads=1), jobs)
    assert len({s[0] for s in serial}) > 4  # the jobs differ
    results, errors = [None, None], []

    def work(k):
        try:
            a = vox.Analyzer(threads=1)
            # each thread runs every job, in its own order, several times
            order = jobs if k == 0 else jobs[::-1]
            for _ in range(3):
                got = run_jobs(a, order)
            results[k] = got if k == 0 else got[::-1]
        except Exception as e:  # reported below, never swallowed
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results[0] == serial and results[1] == serial


def test_two_threads_trajectories_equal_serial():
    mda = pytest.importorskip("MDAnalysis")
    from conftest import data
    d = data("trajectories", "1aki-md")
    serial = vox.analyze_trajectory(mda.Universe(os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd")),
                                    stop=40, resolution=2.0, threads=1)
    out, errors = [None, None], []

    def work(k):
        try:  # one Universe per thread: MDAnalysis readers are not shared between threads
            u = mda.Universe(os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd"))
            out[k] = vox.analyze_trajectory(u, stop=40, resolution=2.0, analyzer=vox.Analyzer(2.0, threads=1))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for df in out:
        assert df.equals(serial)


def test_one_analyzer_shared_by_threads():
    jobs = workload()[:4]
    a = vox.Analyzer(threads=1)
    serial = run_jobs(a, jobs)
    results, errors = [], []

    def work():
        try:
            results.append(run_jobs(a, jobs))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [serial] * 3


def test_set_coords_while_another_analyzer_analyses():
    """One Structure given new coordinates in one thread and analysed through another Analyzer in
    another: each analysis sees one whole set of coordinates (the Structure's own lock), never a
    mixture of the two (each Analyzer's lock covers only its own calls)."""
    xyz, atoms = ring_protein(48, seed=3)
    loader, reader = vox.Analyzer(2.0, threads=1), vox.Analyzer(2.0, threads=1)
    s = loader.load(xyz, **atoms)
    frames = [xyz, xyz * 1.15]
    want = []
    for f in frames:
        s.set_coords(f)
        want.append(reader.analyze(s).render("df-json"))
    assert want[0] != want[1]
    stop, errors, seen = threading.Event(), [], []

    def writer():
        try:
            i = 0
            while not stop.is_set():
                s.set_coords(frames[i % 2])
                i += 1
        except Exception as e:
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(60):
            seen.append(reader.analyze(s).render("df-json"))
    finally:
        stop.set()
        t.join()
    assert not errors and all(d in want for d in seen)


GIL_PROBE = r"""
import os, sys, tempfile, threading, vox
fifo = os.path.join(tempfile.mkdtemp(), "in.pdb")
os.mkfifo(fifo)
out = {}
def worker():
    out["r"] = vox.Analyzer(threads=1).analyze(fifo)   # blocks inside the library until data comes
t = threading.Thread(target=worker)
t.start()
# This line runs only if the worker released the GIL while blocked in vox_load_file.
with open(fifo, "wb") as f:
    f.write(open(sys.argv[1], "rb").read())
t.join()
print(out["r"].render("df-json") == vox.Analyzer(threads=1).analyze(sys.argv[1]).render("df-json"))
"""


def test_library_calls_release_the_gil():
    """A thread blocked inside vox_load_file (reading a FIFO) lets the main thread write that FIFO:
    with the GIL held this would deadlock (the child process is killed after 120 s)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    run = subprocess.run([sys.executable, "-c", GIL_PROBE, synthetic("pocket_box.pdb")], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"
    assert type(vox._lib.lib).__name__ == "CDLL"  # ctypes.CDLL (not PyDLL) drops the GIL around every call


FORK_SCRIPT = r"""
import multiprocessing as mp, os, sys
import vox
path = sys.argv[1]
shared = vox.Analyzer(threads=2)           # a module-level Analyzer, used before the pool forks
before = shared.analyze(path).render("df-json")
default = vox.volumize_pdb(path)[0].to_json()  # volumize_pdb's cached context (default threads)

def with_shared(_):
    r = shared.analyze(path)
    return r.render("df-json"), r.render("pdb") != ""

def with_volumize(_):
    return vox.volumize_pdb(path)[0].to_json()

def fresh(_):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        a = vox.Analyzer(threads=2)
    return a.analyze(path).render("df-json"), a.threads, any("forked" in str(x.message) for x in w)

if __name__ == "__main__":
    with mp.get_context("fork").Pool(2) as pool:
        a = pool.map_async(with_shared, range(2)).get(timeout=60)
        b = pool.map_async(with_volumize, range(2)).get(timeout=60)
    assert all(x == (before, True) for x in a), a
    assert all(x == default for x in b), b
    assert shared.analyze(path).render("df-json") == before  # the parent's context still works
    with mp.get_context("fork").Pool(1) as pool:  # a new Analyzer asking for threads in a forked worker
        c = pool.map_async(fresh, range(1)).get(timeout=60)
    assert c == [(before, 1, True)], c
    pid = os.fork()
    if pid == 0:  # a child that only exits (atexit finalizers) must not touch the parent's context
        sys.exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    print("forked ok")
"""


def test_analyzers_made_before_a_fork_work_in_the_children(tmp_path):
    """An Analyzer made (and used) before multiprocessing forked its workers - a module-level one, or
    volumize_pdb()'s cached context - hung the children: the context's worker threads are not in a
    forked process, and GCC's OpenMP cannot start threads there (a new Analyzer(threads=2) in the
    child hung too).  A child now makes its own context with the same settings on first use, with
    one thread (a warning when threads > 1 were asked for there); the parent's is never used nor
    destroyed there."""
    script = tmp_path / "fork_pool.py"
    script.write_text(FORK_SCRIPT)
    try:
        p = subprocess.run([sys.executable, str(script), synthetic("cavity_box.pdb")], capture_output=True,
                           text=True, timeout=240)
    except subprocess.TimeoutExpired:
        pytest.fail("a forked worker hung on an Analyzer made before the fork")
    assert p.returncode == 0 and "forked ok" in p.stdout, p.stdout + p.stderr


FORK_WHILE_BUSY = r"""
import os, sys, threading, time
sys.path.insert(0, sys.argv[2])
from conftest import ring_protein
import vox
xyz, atoms = ring_protein(residues=200)
a = vox.Analyzer(resolution=0.5, threads=1)
s = a.load(xyz, **atoms)
def work():
    while True:
        a.analyze(s)
        s.set_coords(xyz)
threading.Thread(target=work, daemon=True).start()
for _ in range(3):
    while not (a._lock.locked() or s._use.locked()):
        time.sleep(0)
    pid = os.fork()
    if pid == 0:  # the locks the busy thread held are not held here: the child's own calls go through
        r = vox.Analyzer(resolution=2.0, threads=1)
        s.set_coords(xyz)
        n = len(a.analyze(sys.argv[1]).table)
        os._exit(0 if n >= 0 else 1)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert status == 0, status
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            print("child hung", flush=True)
            os._exit(1)
        time.sleep(0.05)
print("forked ok", flush=True)
"""


@pytest.mark.skipif("asan" in os.environ.get("LD_PRELOAD", ""),
                    reason="AddressSanitizer's allocator (GCC 12) is not fork-safe: a child forked while another thread "
                           "holds its lock waits forever in malloc, whatever vox does")
def test_fork_while_another_thread_analyses(tmp_path):
    """A process forked while another thread is inside a vox call (a server forking its workers, a "fork"
    pool started during an analysis): the child's calls on the same Analyzer and Structure go through.  Before,
    the child inherited their locks held by a thread it does not have, and its first call waited forever."""
    script = tmp_path / "fork_busy.py"
    script.write_text(FORK_WHILE_BUSY)
    try:
        p = subprocess.run([sys.executable, str(script), synthetic("pocket_box.pdb"),
                            os.path.dirname(os.path.abspath(__file__))], capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        pytest.fail("the forked child hung")
    assert p.returncode == 0 and "forked ok" in p.stdout, p.stdout + p.stderr


def test_exit_while_a_daemon_thread_analyses(tmp_path):
    """The interpreter exits while a daemon thread is inside an analysis: the finalizers that free
    the context and structure ran at exit, under the running call (SIGSEGV or abort, most runs)."""
    script = tmp_path / "daemon.py"
    script.write_text(
        "import sys, threading, time\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "from conftest import ring_protein\n"
        "import vox\n"
        "xyz, atoms = ring_protein(residues=200)\n"
        "a = vox.Analyzer(resolution=0.5, threads=1)\n"
        "s = a.load(xyz, **atoms)\n"
        "def work():\n"
        "    while True:\n"
        "        a.analyze(s)\n"
        "threading.Thread(target=work, daemon=True).start()\n"
        "time.sleep(0.3)\n"
        "print('exit', flush=True)\n")
    for _ in range(3):
        r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout == "exit\n", (r.returncode, r.stderr[-2000:])
