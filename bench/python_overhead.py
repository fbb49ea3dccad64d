#!/usr/bin/env python3
"""python_overhead.py - what the Python package costs on top of the C API, measured in the same run.

    meson devenv -C build /usr/bin/python3 ../bench/python_overhead.py [--data DIR] [--reps 60]
        [--frame-reps 12] [--structure 4jpn.pdb] [--resolution 2.0] [--frames-resolution 2.0]

1. One structure (default 4jpn.pdb at 2.0 A).  C: build/bench/vox-bench-capi (vox_load_file,
   vox_prepare, vox_analyze, read every volume).  Python: vox.Analyzer.analyze(path); the same with
   the pandas table; vox.volumize_pdb(path); and, for reference, the C calls made through ctypes
   directly in this process (what a wrapper cannot go below).
2. The lysozyme trajectory (1aki-md, 201 frames, DCD), per frame.  C: `vox trajectory` (its
   run.summary.json seconds: topology, every frame, the CSV; start-up excluded; wall time only) and the
   C API loop of vox-bench-capi.  Python: vox.analyze_trajectory() on an MDAnalysis Universe, reading
   the DCD or the frames pre-loaded into MDAnalysis's MemoryReader, with MDAnalysis's own reading
   excluded (the best time of a bare pass over the same frames subtracted); and on the files (vox's own
   DCD reader, nothing to exclude).

The C side is one long-lived process that runs one repetition per request, so C and Python alternate
repetition by repetition and a busy machine slows both alike.  Everything runs on one thread
(VOX_THREADS=1, threads=1).  Figures: minimum and median of wall and process-CPU time; in brackets the
overhead Python / C - 1 (min / median).  On a shared machine CPU time is the steadier measure.
Printed, never asserted (targets: 5 % for the structure, 10 % per frame).

--instructions counts instead the instructions each repetition executes, under valgrind's callgrind
(the count of a run with 3 repetitions minus that of a run with 1, halved; start-up and warm-up cancel
out), and how many of them run inside the library's calls: the rest is the Python side's overhead,
measured within one process, whatever the machine's load (but blind to cache and memory effects).
Slow (each Python run starts an interpreter under valgrind: several minutes in all).
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def timed(fn, out):
    """Runs fn, appends (wall, process CPU) seconds to out, returns fn's value."""
    t0, c0 = time.perf_counter(), time.process_time()
    v = fn()
    out.append((time.perf_counter() - t0, time.process_time() - c0))
    return v


def line(name, py, c=None, scale=1.0):
    def fig(v, k):
        xs = [x[k] * scale for x in v if x[k] is not None]
        return (min(xs), statistics.median(xs)) if xs else (None, None)
    out = f"  {name:46s}"
    for k, what in ((0, "wall"), (1, "cpu")):
        pmin, pmed = fig(py, k)
        if pmin is None:
            continue
        out += f"  {what} min {pmin * 1e3:7.3f} median {pmed * 1e3:7.3f} ms"
        cmin, cmed = fig(c, k) if c else (None, None)
        if cmin:
            out += f" ({100 * (pmin / cmin - 1):+5.1f} % / {100 * (pmed / cmed - 1):+5.1f} %)"
    return out


class CSide:
    """vox-bench-capi, one repetition per request."""

    def __init__(self, exe, env):
        self.p = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)

    def run(self, *words):
        self.p.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.p.stdin.flush()
        got = json.loads(self.p.stdout.readline())
        return got, (got["seconds"], got["cpu"])

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def raw_ctypes(analyzer, path):
    """The C calls of one repetition, made through ctypes with no wrapper around them."""
    from vox import _lib
    lib, by = _lib.lib, ctypes.byref
    ctx, params, pb = analyzer._h.value, analyzer._params, os.fsencode(path)

    def run():
        s, r, v = ctypes.c_void_p(), ctypes.c_void_p(), _lib.Volume()
        lib.vox_load_file(ctx, pb, None, by(s))
        lib.vox_prepare(ctx, s, None)
        lib.vox_analyze(ctx, s, by(params), by(r))
        for i in range(lib.vox_result_count(r)):
            lib.vox_result_volume(r, i, by(v))
        lib.vox_result_free(by(r))
        lib.vox_structure_free(by(s))
    return run


def child(case, n, path, res, top, dcd):
    """One Python case, run once to warm up and then n times (under callgrind)."""
    import vox
    a = vox.Analyzer(res, threads=1)
    if case == "analyze":
        def fn(): a.analyze(path)
    elif case == "table":
        def fn(): a.analyze(path).table
    elif case == "volumize":
        def fn(): vox.volumize_pdb(path, resolution=res, threads=1)
    elif case == "files":
        def fn(): vox.analyze_trajectory(top, trajectory=dcd, analyzer=a)
    elif case == "files-reference":  # one lattice, superposition and tracking, vox's reader: nothing to exclude
        def fn(): vox.analyze_trajectory(top, trajectory=dcd, align="reference", tracks=True, analyzer=a)
    else:  # "memory", "reference"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import MDAnalysis as mda
            u = mda.Universe(top, dcd)
            u.transfer_to_memory()
        if case == "reference":  # one lattice, superposition and tracking (all inside the library)
            def fn(): vox.analyze_trajectory(u, align="reference", tracks=True, analyzer=a)
        else:
            def fn(): vox.analyze_trajectory(u, analyzer=a)
    import gc
    gc.freeze()  # the interpreter's own heap (NumPy, pandas) out of the collector's way: vox's cost only
    for _ in range(n + 1):
        fn()


def callgrind(cmd, env, stdin=None):
    """Runs cmd under callgrind; returns (all instructions, instructions inside the calls into libvox:
    the inclusive cost of every call from the program - libffi for ctypes, vox-bench-capi for C - into
    libvox; calls back into libvox from inside it, through qsort or OpenMP, are already in there)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--compress-strings=no", f"--callgrind-out-file={out}",
                        *cmd], env=env, input=stdin, capture_output=True, text=True, check=True)
        total, inside, ob, cob, call = 0, 0, "", None, False
        with open(out) as f:
            for ln in f:
                if call:  # the line after calls=: position and inclusive cost of that call
                    call = False
                    if "libvox.so" in (cob or ob) and ("libffi" in ob or ob.endswith("vox-bench-capi")):
                        inside += int(ln.split()[1])
                    cob = None
                elif ln.startswith("ob="):
                    ob, cob = ln[3:].strip(), None
                elif ln.startswith("cob="):
                    cob = ln[4:].strip()
                elif ln.startswith("calls="):
                    call = True
                elif ln.startswith("summary:"):
                    total = int(ln.split()[1])
    return total, inside


def instructions(a, env, capi_exe, path, top, dcd):
    # a fixed mmap threshold: glibc's adaptive one makes calloc clear memory or not depending on history
    # and one string hash seed: dict and set layouts (hence instruction counts) the same in every run
    env = dict(env, GLIBC_TUNABLES="glibc.malloc.mmap_threshold=131072", PYTHONHASHSEED="0")

    def per_rep(cmd_for):  # (run with 3 repetitions - run with 1) / 2: start-up and warm-up cancel out
        (t1, i1), (t3, i3) = [callgrind(cmd, env, stdin) for cmd, stdin in map(cmd_for, (1, 3))]
        return (t3 - t1) / 2, (i3 - i1) / 2

    def c_cmd(line):
        return lambda n: ([capi_exe], "\n".join([line] * (n + 1)) + "\n")

    def py_cmd(case, res):
        return lambda n: ([sys.executable, os.path.abspath(__file__), "--child", case, str(n), path, str(res), top,
                           dcd], None)

    def show(what, counts, scale=1.0):
        total, inside = counts
        print(f"  {what:46s} {total * scale / 1e6:9.3f} M, in libvox {inside * scale / 1e6:9.3f} M: "
              f"outside {100 * (total - inside) / inside:+6.2f} %")
    print("\ninstructions per repetition (callgrind), and the share executed outside the library's calls "
          "(the wrapper, ctypes, the interpreter; for C the benchmark's own loop)")
    show(f"C API: {a.structure} at {a.resolution} A", per_rep(c_cmd(f"structure {path} {a.resolution}")))
    for case, what in (("analyze", "Analyzer.analyze(path)"), ("table", "Analyzer.analyze(path).table"),
                       ("volumize", "volumize_pdb(path)")):
        show(what, per_rep(py_cmd(case, a.resolution)))
    if a.skip_frames:
        return
    show(f"C API loop: 1aki-md at {a.frames_resolution} A, per frame",
         per_rep(c_cmd(f"frames {top} {dcd} {a.frames_resolution}")), 1 / 201)
    for case, what in (("files", "analyze_trajectory(top, trajectory=dcd)"),
                       ("memory", "analyze_trajectory(MemoryReader)")):
        show(what + ", per frame", per_rep(py_cmd(case, a.frames_resolution)), 1 / 201)
    # align="reference" with tracks: the whole work against the C API loop doing the same calls (the
    # split by call sites undercounts the library here: callgrind books part of the superposition's
    # code, reached by a jump, outside the call that runs it)
    c_ref = per_rep(c_cmd(f"reference {top} {dcd} {a.frames_resolution}"))
    show(f"C API loop, align reference + tracks, per frame", c_ref, 1 / 201)
    for case, what in (("files-reference", "files, align='reference', tracks=True"),
                       ("reference", "MemoryReader, align='reference', tracks=True")):
        total, _ = per_rep(py_cmd(case, a.frames_resolution))
        print(f"  {what + ', per frame':46s} {total / 201 / 1e6:9.3f} M: {100 * (total / c_ref[0] - 1):+6.2f} % over "
              "the C loop" + (" (MDAnalysis's reading included)" if case == "reference" else ""))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        case, n, path, res, top, dcd = sys.argv[2:8]
        return child(case, int(n), path, float(res), top, dcd)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--structure", default="4jpn.pdb")
    ap.add_argument("--resolution", type=float, default=2.0)
    ap.add_argument("--frames-resolution", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--frame-reps", type=int, default=12)
    ap.add_argument("--skip-frames", action="store_true")
    ap.add_argument("--instructions", action="store_true", help="count instructions under callgrind instead")
    a = ap.parse_args()
    os.environ["VOX_THREADS"] = "1"
    import vox
    env = dict(os.environ, VOX_THREADS="1")
    capi_exe = os.path.join(a.build, "bench", "vox-bench-capi")
    vox_exe = os.path.join(a.build, "vox")
    path = os.path.join(a.data, "structures", a.structure)
    d = os.path.join(a.data, "trajectories", "1aki-md")
    top, dcd = os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd")
    if a.instructions:
        return instructions(a, env, capi_exe, path, top, dcd)
    c = CSide(capi_exe, env)
    print(f"vox {vox.__version__} ({vox.library_path}), Python {sys.version.split()[0]}, one thread; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    # ---- 1. one structure -------------------------------------------------------------
    analyzer = vox.Analyzer(a.resolution, threads=1)
    raw = raw_ctypes(analyzer, path)
    kw = dict(resolution=a.resolution, threads=1)
    t_c, t_raw, t_py, t_table, t_vol = [], [], [], [], []
    for k in range(a.reps + 2):
        got, t = c.run("structure", path, a.resolution)
        t_c.append(t)
        timed(raw, t_raw)
        r = timed(lambda: analyzer.analyze(path), t_py)
        timed(lambda: analyzer.analyze(path).table, t_table)
        timed(lambda: vox.volumize_pdb(path, **kw), t_vol)
        if k < 2:  # warm-up repetitions
            for lst in (t_c, t_raw, t_py, t_table, t_vol):
                lst.clear()
    assert len(r.volumes) == got["volumes"], "the C and Python sides found different volumes"
    print(f"\n{a.structure} at {a.resolution} A ({len(r.volumes)} volumes), {a.reps} repetitions each; "
          "in brackets: overhead over the C API (min / median)")
    print(line("C API (vox-bench-capi)", t_c))
    print(line("the same C calls through ctypes, no wrapper", t_raw, t_c))
    print(line("Analyzer.analyze(path)", t_py, t_c))
    print(line("Analyzer.analyze(path).table (pandas)", t_table, t_c))
    print(line("volumize_pdb(path): table, Structure, Result", t_vol, t_c))
    if a.skip_frames:
        c.close()
        return

    # ---- 2. the trajectory ------------------------------------------------------------
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import MDAnalysis as mda
        u_file = mda.Universe(top, dcd)
        u_mem = mda.Universe(top, dcd)
        u_mem.transfer_to_memory()
    frames = len(u_file.trajectory)
    res = a.frames_resolution
    out = tempfile.mkdtemp(prefix="vox-pybench-")
    fa = vox.Analyzer(res, threads=1)
    t_cli, t_capi, t_mem, t_dcd, t_read, t_files, t_mread = [], [], [], [], [], [], []
    for k in range(a.frame_reps + 1):
        subprocess.run([vox_exe, "trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--output-dir",
                        out, "--resolution", str(res)], env=env, check=True)
        with open(os.path.join(out, "run.summary.json")) as f:
            t_cli.append((json.load(f)["seconds"], None))
        t_capi.append(c.run("frames", top, dcd, res)[1])
        df = timed(lambda: vox.analyze_trajectory(u_mem, analyzer=fa), t_mem)
        timed(lambda: [ts.positions for ts in u_mem.trajectory], t_mread)
        timed(lambda: [ts.positions for ts in u_file.trajectory], t_read)
        timed(lambda: vox.analyze_trajectory(u_file, analyzer=fa), t_dcd)
        timed(lambda: vox.analyze_trajectory(top, trajectory=dcd, analyzer=fa), t_files)
        if k == 0:
            mine = os.path.join(out, "py.frames.csv")
            vox.write_frames_csv(df, mine)
            with open(mine, "rb") as f1, open(os.path.join(out, "traj.frames.csv"), "rb") as f2:
                assert f1.read() == f2.read(), "analyze_trajectory differs from vox trajectory"
            for lst in (t_cli, t_capi, t_mem, t_dcd, t_read, t_files, t_mread):
                lst.clear()
    c.close()
    def less(total, reading):  # MDAnalysis's own reading taken out: its best time
        rw, rc = min(x[0] for x in reading), min(x[1] for x in reading)
        return [(w - rw, cpu - rc) for w, cpu in total]
    print(f"\n1aki-md, {frames} frames at {res} A, per frame, {a.frame_reps} repetitions each; in brackets: "
          "overhead over `vox trajectory` (wall) and the C API loop (cpu)")
    cli_and_capi = [(w, cpu) for (w, _), (_, cpu) in zip(t_cli, t_capi)]
    print(line("vox trajectory (run.summary.json seconds)", t_cli, None, 1 / frames))
    print(line("C API loop (vox-bench-capi frames)", t_capi, t_cli, 1 / frames))
    print(line("MDAnalysis reading alone: DCD", t_read, None, 1 / frames))
    print(line("MDAnalysis reading alone: MemoryReader", t_mread, None, 1 / frames))
    print(line("analyze_trajectory(MemoryReader)", t_mem, cli_and_capi, 1 / frames))
    print(line("analyze_trajectory(MemoryReader) - reading", less(t_mem, t_mread), cli_and_capi, 1 / frames))
    print(line("analyze_trajectory(DCD) - reading", less(t_dcd, t_read), cli_and_capi, 1 / frames))
    print(line("analyze_trajectory(top, trajectory=dcd)", t_files, cli_and_capi, 1 / frames))

if __name__ == "__main__":
    main()
