#!/usr/bin/env python3
"""report_cost.py - what the HTML report costs: the time `--write html` adds to `vox analyze`, the size of
a page, and how long a page takes to open to a drawn frame in headless Chromium.

    /usr/bin/python3 bench/report_cost.py [--vox build/vox] [--data ../shared/data] [--repeat 7] [--opens 5]

1. `vox analyze --resolution 2.0` of 4jpn, and of every structure of DATA/structures at 3.0 A in one batch,
   without and with `--write html`, alternating run by run; best of --repeat, wall clock and CPU time
   (user + system of the vox process; on a shared machine the CPU time is the steadier figure).
2. The 4jpn page's size (its data; the viewer is one shared copy in vox-report/).
3. The 4jpn page opened --opens times from file:// in headless Chromium (a fresh tab each time, the
   browser already running): milliseconds from navigation start to the first drawn frame (the page's
   performance mark "vox-drawn", set two animation frames after the first render), and the CPU time
   Chromium's processes spent meanwhile.  Software WebGL (SwiftShader): no GPU is used.
4. With valgrind installed, the same two runs of 4jpn once each under callgrind: instructions executed by
   the whole vox process, which do not depend on the machine's load (the wall and CPU times above move
   by +-10 % between runs on a shared machine, more than the page costs).
Nothing is asserted: the figures are printed (and written as JSON with -o).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))


def run_vox(vox, args):
    """(wall seconds, CPU seconds) of one vox run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run([vox, *args], capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        raise SystemExit(f"vox failed: {r.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def overhead(vox, inputs, res, repeat):
    """Runs without and with --write html, alternating, each in a fresh output folder: best and median."""
    runs = {False: [], True: []}
    for _ in range(repeat):
        for html in (False, True):
            out = tempfile.mkdtemp(prefix="vox-rc-")
            args = ["analyze", "--quiet", "--progress-interval", "0", "--resolution", res, "--output-dir", out,
                    *(["--write", "html"] if html else []), *inputs]
            runs[html].append(run_vox(vox, args))
            shutil.rmtree(out, ignore_errors=True)
    def med(v):
        v = sorted(v)
        return v[len(v) // 2]
    r = {}
    for key, k in (("wall", 0), ("cpu", 1)):
        base, html = [x[k] for x in runs[False]], [x[k] for x in runs[True]]
        r[key + "_s"], r[key + "_html_s"] = min(base), min(html)
        r[key + "_median_s"], r[key + "_html_median_s"] = med(base), med(html)
        r[key + "_overhead"] = min(html) / min(base) - 1
        r[key + "_median_overhead"] = med(html) / med(base) - 1
    return r


def show(what, r):
    print(f"{what}: analyze {r['wall_s']:.3f} s wall / {r['cpu_s']:.3f} s CPU (median {r['wall_median_s']:.3f} / "
          f"{r['cpu_median_s']:.3f}); with --write html {r['wall_html_s']:.3f} / {r['cpu_html_s']:.3f} (median "
          f"{r['wall_html_median_s']:.3f} / {r['cpu_html_median_s']:.3f}): best {100 * r['wall_overhead']:+.1f} % wall, "
          f"{100 * r['cpu_overhead']:+.1f} % CPU; median {100 * r['wall_median_overhead']:+.1f} % wall, "
          f"{100 * r['cpu_median_overhead']:+.1f} % CPU")


def instructions(vox, args):
    """Instructions executed by one vox run under callgrind, or None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    d = tempfile.mkdtemp(prefix="vox-rc-cg-")
    out = os.path.join(d, "cg.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", vox, *args], capture_output=True)
    total = None
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
    shutil.rmtree(d, ignore_errors=True)
    return total


def chromium_cpu(root_pid):
    """CPU seconds of a process and all its descendants (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(p)] = int(fields[1])
        cpu[int(p)] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, c in cpu.items():
        q = pid
        while q and q != root_pid:
            q = parent.get(q, 0)
        if q == root_pid:
            total += c
    return total


def open_times(page, opens):
    import browser
    with browser.Browser(width=1400, height=1000) as b:
        res = []
        for _ in range(opens + 1):  # the first opening warms the browser's caches; not counted
            b.open("about:blank")
            b.pump(0.2)
            c0 = chromium_cpu(b.proc.pid)
            b.open("file://" + os.path.abspath(page))
            b.wait_for("document.body && document.body.dataset.voxState === 'drawn'", timeout=300)
            ms = b.eval("performance.getEntriesByName('vox-drawn')[0].startTime")
            res.append((ms, chromium_cpu(b.proc.pid) - c0))
            if b.console_errors:
                raise SystemExit(f"the page logged errors: {b.console_errors}")
        return res[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vox", default="build/vox")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--opens", type=int, default=5)
    ap.add_argument("--callgrind-folder", action="store_true",
                    help="also count the instructions of the folder batch at 3.0 A (minutes under valgrind)")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    src = os.path.join(a.data, "structures", "4jpn.pdb")
    if not os.path.exists(src):
        raise SystemExit(f"{src} not found")
    folder = os.path.join(a.data, "structures")
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    result = {"load_average_at_start": float(load)}
    print(f"load average at start: {load} ({os.cpu_count()} CPUs)")
    result["4jpn_2.0"] = r = overhead(a.vox, [src], "2.0", a.repeat)
    show("4jpn at 2.0 A", r)
    ins = {}
    for html in (False, True):
        out = tempfile.mkdtemp(prefix="vox-rc-")
        ins[html] = instructions(a.vox, ["analyze", "--quiet", "--threads", "1", "--resolution", "2.0", "--output-dir", out,
                                         *(["--write", "html"] if html else []), src])
        shutil.rmtree(out, ignore_errors=True)
    if ins[False]:
        result["4jpn_2.0"]["instructions"] = ins[False]
        result["4jpn_2.0"]["instructions_html"] = ins[True]
        print(f"4jpn at 2.0 A under callgrind (one thread): {ins[False] / 1e6:.1f} M instructions, {ins[True] / 1e6:.1f} M "
              f"with --write html: +{100 * (ins[True] / ins[False] - 1):.1f} %")
    if a.callgrind_folder:
        ins = {}
        for html in (False, True):
            out = tempfile.mkdtemp(prefix="vox-rc-")
            ins[html] = instructions(a.vox, ["analyze", "--quiet", "--threads", "1", "--resolution", "3.0", "--output-dir",
                                             out, *(["--write", "html"] if html else []), folder])
            shutil.rmtree(out, ignore_errors=True)
        if ins[False]:
            result["folder_3.0_instructions"] = [ins[False], ins[True]]
            print(f"{folder} at 3.0 A (one batch) under callgrind: {ins[False] / 1e6:.0f} M instructions, "
                  f"{ins[True] / 1e6:.0f} M with --write html: +{100 * (ins[True] / ins[False] - 1):.1f} %")
    result["folder_3.0"] = r = overhead(a.vox, [folder], "3.0", max(3, a.repeat // 2))
    show(f"{folder} at 3.0 A (one batch)", r)
    out = tempfile.mkdtemp(prefix="vox-rc-page-")
    subprocess.run([a.vox, "analyze", "--quiet", "--resolution", "2.0", "--write", "html", "--output-dir", out, src],
                   check=True, capture_output=True)
    page = os.path.join(out, "4jpn.html")
    result["4jpn_page_bytes"] = os.path.getsize(page)
    print(f"4jpn at 2.0 A: page {os.path.getsize(page)} bytes; viewer "
          f"{os.path.getsize(os.path.join(out, 'vox-report', '3Dmol-min.js'))} bytes (one shared copy)")
    try:
        times = open_times(page, a.opens)
    except Exception as e:  # no chromium: the other figures stand
        print(f"opening in Chromium: not measured ({e})")
        times = []
    if times:
        ms = sorted(t[0] for t in times)
        cpu = sorted(t[1] for t in times)
        result["open_ms"] = ms
        result["open_chromium_cpu_s"] = cpu
        print(f"4jpn page, navigation start to drawn frame: min {ms[0]:.0f} ms, median {ms[len(ms) // 2]:.0f} ms; "
              f"Chromium CPU meanwhile: min {cpu[0]:.2f} s, median {cpu[len(cpu) // 2]:.2f} s ({len(ms)} openings)")
    shutil.rmtree(out, ignore_errors=True)
    if a.output:
        with open(a.output, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
