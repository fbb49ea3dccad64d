#!/usr/bin/env python3
"""test_bench_compare.py - the benchmark gate: `vox-bench compare` verdicts and exit codes on constructed
result files, and `vox-bench run` choosing its cases (a list file, a folder, the built-in set).

Usage: test_bench_compare.py VOX_BENCH [WRAPPER] [SYNTHETIC_DIR] [B_SANITIZE]
"""
import copy
import json
import os
import shutil
import subprocess
import sys

BENCH = sys.argv[1]
WRAPPER = sys.argv[2].split() if len(sys.argv) > 2 else []
SYNTHETIC = sys.argv[3] if len(sys.argv) > 3 else None
SANITIZE = sys.argv[4] if len(sys.argv) > 4 else "none"
from voxtest import check, main as run_tests


def case(name, ms, ir, checksum="00ff", isa="avx2"):
    return {"name": name, "kind": "kernel", "isa": isa, "reps": 3, "checksum": checksum,
            "total": {"min": ms / 1e3, "median": ms / 1e3, "p90": ms / 1e3}, "ref_ratio": ms / 10.0,
            "instructions": ir}


BUILD = {"version": "0.1.0", "compiler": "gcc 12.2.0", "build_type": "debugoptimized", "optimization": "2",
         "sanitize": "none", "flags": "-ffp-contract=off"}
BASE = {"schema": 1, "tool": "vox-bench", "machine": {"key": "aaaa", "cpu_model": "A"}, "build": BUILD,
        "cases": [case("kernel:x", 10.0, 1000000), case("kernel:y", 5.0, 500000)]}


def compare(tmp, base, new, *args):
    bp, np_ = os.path.join(tmp, "base.json"), os.path.join(tmp, "new.json")
    json.dump(base, open(bp, "w"))
    json.dump(new, open(np_, "w"))
    return subprocess.run([*WRAPPER, BENCH, "compare", bp, np_, *args], capture_output=True, text=True)


def test_compare(tmp):
    if True:
        p = compare(tmp, BASE, BASE, "--gate")
        check(p.returncode == 0 and "0 regressions" in p.stdout, f"identical files pass: {p.stdout}")
        # damaged or hand-merged result files are refused, not read in part: a case named twice (which one?), a
        # schema this vox-bench does not know (1.5 was read as 1), bytes after the document (two concatenated)
        twice = copy.deepcopy(BASE)
        twice["cases"].append(case("kernel:x", 20.0, 2000000))
        p = compare(tmp, BASE, twice, "--gate")
        check(p.returncode == 2 and "holds the case 'kernel:x' twice" in p.stderr, f"a case named twice: {p.stderr}")
        odd = copy.deepcopy(BASE)
        odd["schema"] = 1.5
        p = compare(tmp, BASE, odd, "--gate")
        check(p.returncode == 2 and "unknown schema" in p.stderr, f"schema 1.5: {p.returncode} {p.stderr}")
        bp, np_ = os.path.join(tmp, "base.json"), os.path.join(tmp, "joined.json")
        json.dump(BASE, open(bp, "w"))
        open(np_, "w").write(json.dumps(BASE) + "\n" + json.dumps(BASE))
        p = subprocess.run([*WRAPPER, BENCH, "compare", bp, np_, "--gate"], capture_output=True, text=True)
        check(p.returncode == 2 and "not valid JSON: at line 2, column 1" in p.stderr, f"two results joined: {p.stderr}")
        # a cut file says so (it was "not a result file (or more follows the result)")
        open(np_, "w").write(json.dumps(BASE)[:100])
        p = subprocess.run([*WRAPPER, BENCH, "compare", bp, np_, "--gate"], capture_output=True, text=True)
        check(p.returncode == 2 and "cut short" in p.stderr, f"a cut result file: {p.stderr}")
        # a NUL byte ends the text for a JSON parser: what follows it (another result, junk) was not read at all
        open(np_, "wb").write(json.dumps(BASE).encode() + b"\0" + b'{"cases": [junk')
        p = subprocess.run([*WRAPPER, BENCH, "compare", bp, np_, "--gate"], capture_output=True, text=True)
        check(p.returncode == 2 and "NUL" in p.stderr, f"a NUL byte, junk after it: {p.returncode} {p.stderr}")
        # a structure case whose output checksum is missing from either file cannot show that its output is the
        # same: it fails (kernel cases have none)
        struct_base = copy.deepcopy(BASE)
        struct_base["cases"].append(dict(case("pocket_box.pdb@2.0", 3.0, 300000, checksum="22794eabef8dbc54"),
                                         kind="structure"))
        for missing in ("new", "base"):
            other = copy.deepcopy(struct_base)
            del other["cases"][2]["checksum"]
            p = compare(tmp, *((struct_base, other) if missing == "new" else (other, struct_base)), "--gate")
            check(p.returncode == 1 and "NO CHECKSUM" in p.stdout and ("NEW" if missing == "new" else "BASE") in
                  p.stdout, f"a structure case without its checksum in {missing}: {p.returncode} {p.stdout}")
        p = compare(tmp, struct_base, struct_base, "--gate")
        check(p.returncode == 0, f"... and with both, it passes: {p.stdout}")
        # the log of a CI says what was compared: both files, their revisions, machines, thread counts and
        # modes, and the rule of the verdict
        rev_b, rev_n = copy.deepcopy(BASE), copy.deepcopy(BASE)
        rev_b["build"]["git_revision"], rev_n["build"]["git_revision"] = "1111111", "2222222"
        rev_b["mode"] = rev_n["mode"] = "callgrind"
        p = compare(tmp, rev_b, rev_n, "--gate")
        head = p.stdout.split("\ncase ")[0]
        check(p.returncode == 0 and "base.json" in head and "new.json" in head and "1111111" in head and
              "2222222" in head and "callgrind" in head and "A (aaaa)" in head and "2 %" in head,
              f"compare names what it compares before the table: {p.stdout}")
        p = compare(tmp, rev_b, rev_n)
        head = p.stdout.split("\ncase ")[0]
        check("5 %" in head and "re-run" in head, f"... and the rule without --gate: {p.stdout}")
        slow = copy.deepcopy(BASE)
        slow["cases"][0]["instructions"] = 1100000
        p = compare(tmp, BASE, slow, "--gate")
        check(p.returncode == 1 and "REGRESSION (instructions, over the 2 % threshold)" in p.stdout and
              "what to do" in p.stdout, f"+10% instructions fails the gate: {p.stdout}")
        p = compare(tmp, BASE, slow, "--gate", "--threshold", "15")
        check(p.returncode == 0, "within a 15% threshold")
        noisy = copy.deepcopy(BASE)
        noisy["cases"][0]["total"]["median"] *= 1.8
        noisy["cases"][0]["ref_ratio"] *= 1.8
        p = compare(tmp, BASE, noisy, "--gate")
        check(p.returncode == 0 and "not confirmed" in p.stdout, f"wall time alone never fails the gate: {p.stdout}")
        changed = copy.deepcopy(BASE)
        changed["cases"][1]["checksum"] = "1234"
        p = compare(tmp, BASE, changed, "--gate")
        check(p.returncode == 1 and "OUTPUT CHANGED" in p.stdout, "a changed output fails")
        other = copy.deepcopy(BASE)
        other["machine"]["key"] = "bbbb"
        p = compare(tmp, BASE, other)
        check(p.returncode == 2 and "different machines" in p.stderr, "different machines refused without --force")
        p = compare(tmp, BASE, other, "--force")
        check(p.returncode == 0, "--force compares anyway")
        p = compare(tmp, BASE, other, "--gate")
        check(p.returncode == 0 and "do not depend on the machine" in p.stdout, "the gate compares across machines")
        timing = copy.deepcopy(BASE)
        for c in timing["cases"]:
            del c["instructions"]
        p = compare(tmp, timing, timing, "--gate")
        check(p.returncode == 1 and "NO INSTRUCTION COUNT" in p.stdout and "nan" not in p.stdout,
              f"the gate needs instruction counts (none shown as '-'): {p.stdout}")
        # a count of zero or below is no measurement (callgrind matched none of vox's objects, a damaged
        # file): the gate fails on it as on a missing count, never calls it "faster" or "ok"
        for where, value in (("new", 0), ("new", -5), ("both", 0), ("base", 0)):
            b, n = copy.deepcopy(BASE), copy.deepcopy(BASE)
            for f in ((b, n) if where == "both" else (b,) if where == "base" else (n,)):
                f["cases"][0]["instructions"] = value
            p = compare(tmp, b, n, "--gate")
            line = next((ln for ln in p.stdout.splitlines() if ln.startswith("kernel:x")), "")
            check(p.returncode == 1 and "NO INSTRUCTION COUNT" in line and "REGRESSION" not in line,
                  f"instructions {value} in {where}: not a count, the gate fails: {p.stdout}")
        # without --gate a wall-time regression is re-run before it counts, kernel cases too (they were
        # "confirmed" without a run), in reference-normalised time
        quick = copy.deepcopy(BASE)
        quick["cases"] = [case("kernel:occlusion@64^3", 1e-6, 100)]
        slow = copy.deepcopy(quick)
        slow["cases"][0]["total"]["median"] = 10.0
        slow["cases"][0]["ref_ratio"] = 1.0
        p = compare(tmp, quick, slow, "--confirm", "1")
        check("re-run 1:" in p.stdout and "reference-normalised" in p.stdout and "(wall time, confirmed)" in p.stdout,
              f"a kernel case's slowdown is re-run before it is confirmed: {p.stdout}")
        # without --gate the verdict rests on the medians: a case with none (no "total", 0, negative) is no
        # measurement and fails, never "ok"; with --gate wall times do not count
        for where, change in (("new", lambda c: c.pop("total")), ("new", lambda c: c["total"].update(median=0)),
                              ("new", lambda c: c["total"].update(median=-1)),
                              ("base", lambda c: c["total"].update(median=0))):
            b, n = copy.deepcopy(BASE), copy.deepcopy(BASE)
            change((b if where == "base" else n)["cases"][0])
            p = compare(tmp, b, n, "--confirm", "1")
            line = next((ln for ln in p.stdout.splitlines() if ln.startswith("kernel:x")), "")
            check(p.returncode == 1 and "NO TIME" in line and ("NEW" if where == "new" else "BASE") in line,
                  f"a case without a valid median in {where} fails: {p.stdout}")
            p = compare(tmp, b, n, "--gate")
            check(p.returncode == 0, f"the gate does not rest on times: {p.stdout}")
        # a re-run that cannot run (the structure moved, an unknown kernel) neither confirms nor refutes the
        # slowdown: it is said, with the reason, and fails; it is never taken for noise
        gone = copy.deepcopy(quick)
        gone["cases"] = [dict(case("moved.pdb@3.0", 10.0, 100), kind="structure", file=os.path.join(tmp, "moved.pdb"),
                              resolution=3.0)]
        slow = copy.deepcopy(gone)
        slow["cases"][0]["total"]["median"] *= 2
        slow["cases"][0]["ref_ratio"] *= 2
        for b, n, what in ((gone, slow, "a structure no longer there"),
                           (BASE, {**BASE, "cases": [case("kernel:x", 30.0, 1000000), BASE["cases"][1]]},
                            "an unknown kernel")):
            p = compare(tmp, b, n, "--confirm", "2")
            check(p.returncode == 1 and "could not re-run" in p.stdout and "noise" not in p.stdout and "nan" not in p.stdout,
                  f"{what}: the re-run's failure is said and fails: {p.stdout}")
        missing = copy.deepcopy(BASE)
        missing["cases"] = missing["cases"][:1]
        p = compare(tmp, BASE, missing, "--gate")
        check(p.returncode == 1 and "kernel:y" in p.stdout and "MISSING" in p.stdout,
              f"a case missing from the new run fails the gate: {p.stdout}")
        p = compare(tmp, BASE, missing, "--gate", "--allow-missing")
        check(p.returncode == 0 and "MISSING" in p.stdout and "1 missing" in p.stdout,
              f"--allow-missing reports it without failing: {p.stdout}")
        added = copy.deepcopy(BASE)
        added["cases"].append(case("kernel:z", 1.0, 100))
        p = compare(tmp, BASE, added, "--gate")
        check(p.returncode == 0 and "new case" in p.stdout, f"a case only in the new run is reported, not gated: {p.stdout}")
        isa = copy.deepcopy(BASE)
        isa["cases"][0]["isa"] = "scalar"
        isa["cases"][0]["instructions"] = 9e9
        p = compare(tmp, BASE, isa, "--gate")
        check(p.returncode == 1 and "NOT COMPARABLE" in p.stdout, "a case measured with other kernels fails the gate")
        p = compare(tmp, BASE, isa, "--gate", "--allow-missing")
        check(p.returncode == 0 and "NOT COMPARABLE" in p.stdout, "... unless --allow-missing")
        failing_cases(tmp)
        builds(tmp)
        functions(tmp)
        options(tmp)
        # a result from a pipe (compare base.json <(jq ... new.json), /dev/stdin) is read like a file; a
        # directory is named as one, not as "not a result file"
        bp = os.path.join(tmp, "piped-base.json")
        json.dump(BASE, open(bp, "w"))
        p = subprocess.run([*WRAPPER, BENCH, "compare", bp, "/dev/stdin", "--gate"], input=json.dumps(BASE),
                           capture_output=True, text=True)
        check(p.returncode == 0 and "0 regressions" in p.stdout, f"NEW read from a pipe: {p.stdout} {p.stderr}")
        p = subprocess.run([*WRAPPER, BENCH, "compare", bp, tmp, "--gate"], capture_output=True, text=True)
        check(p.returncode == 2 and "directory" in p.stderr, f"a directory is said to be one: {p.stderr}")
        bad = os.path.join(tmp, "bad.json")
        open(bad, "w").write("{}")
        p = subprocess.run([*WRAPPER, BENCH, "compare", bad, bad], capture_output=True, text=True)
        check(p.returncode == 2 and "not a vox-bench result" in p.stderr, "garbage refused")


def failing_cases(tmp):
    """A case failing the same way in both runs is not a change; starting, stopping or changing failure is."""
    fail = copy.deepcopy(BASE)
    fail["cases"][1] = {"name": "kernel:y", "kind": "structure", "error": "no protein atoms left after cleaning"}
    p = compare(tmp, fail, fail, "--gate")
    check(p.returncode == 0 and "fails in both" in p.stdout and "1 failing in both" in p.stdout,
          f"a run compared with itself passes, failing cases included: {p.stdout}")
    p = compare(tmp, BASE, fail, "--gate")
    check(p.returncode == 1 and "STARTED FAILING" in p.stdout and "no protein atoms" in p.stdout,
          f"a case that starts failing is a change and says so: {p.stdout}")
    p = compare(tmp, fail, BASE, "--gate")
    check(p.returncode == 1 and "STOPPED FAILING" in p.stdout, f"a case that stops failing is a change: {p.stdout}")
    other = copy.deepcopy(fail)
    other["cases"][1]["error"] = "grid too large"
    p = compare(tmp, fail, other, "--gate")
    check(p.returncode == 1 and "FAILS DIFFERENTLY" in p.stdout and "grid too large" in p.stdout,
          f"a case that fails differently is a change: {p.stdout}")
    p = compare(tmp, fail, fail)
    check(p.returncode == 0 and "fails in both" in p.stdout, "the same without --gate")


def builds(tmp):
    """Files from different builds are refused, naming both; never a false regression."""
    for field, value in (("build_type", "release"), ("compiler", "clang 14.0.6"), ("optimization", "3"),
                         ("sanitize", "address,undefined"), ("flags", "-O3 -ffp-contract=off")):
        other = copy.deepcopy(BASE)
        other["build"][field] = value
        for c in other["cases"]:
            c["instructions"] *= 0.97  # what a release build does to the counts
        p = compare(tmp, BASE, other, "--gate")
        check(p.returncode == 2 and value in p.stderr and BASE["build"][field] in p.stderr
              and "REGRESSION" not in p.stdout, f"{field} {value} refused, both named: {p.stderr}")
    # another thread count: each extra slab adds its edges (a run at --threads 2 executes 1-9 % more
    # instructions than at 1, measured): not a regression, refused like another build
    one = copy.deepcopy(BASE)
    one["threads"] = {"count": 1, "binding": "not pinned: one thread"}
    two = copy.deepcopy(one)
    two["threads"]["count"] = 2
    for c in two["cases"]:
        c["instructions"] *= 1.05
    p = compare(tmp, one, two, "--gate")
    check(p.returncode == 2 and "thread counts" in p.stderr and "REGRESSION" not in p.stdout,
          f"the gate refuses files run with other thread counts: {p.stdout} {p.stderr}")
    p = compare(tmp, one, two, "--gate", "--force")
    check(p.returncode == 2, "the gate never compares other thread counts")
    p = compare(tmp, one, two)
    check(p.returncode == 2 and "thread counts" in p.stderr and "--force" in p.stderr, f"refused without --gate: {p.stderr}")
    p = compare(tmp, one, two, "--force", "--confirm", "0")
    check("thread counts" in p.stdout, f"--force compares wall times anyway, with a note: {p.stdout}")
    p = compare(tmp, BASE, two, "--gate")
    check(p.returncode == 1 and "REGRESSION" in p.stdout, "a file without a thread count is compared as before")
    other = copy.deepcopy(BASE)
    other["build"]["build_type"] = "release"
    p = compare(tmp, BASE, other)
    check(p.returncode == 2 and "different builds" in p.stderr, "refused without --gate too")
    p = compare(tmp, BASE, other, "--force")
    check(p.returncode == 0 and "different builds" in p.stdout, f"--force compares wall times anyway, with a note: {p.stdout}")
    p = compare(tmp, BASE, other, "--gate", "--force")
    check(p.returncode == 2, "the gate never compares different builds")
    old = copy.deepcopy(BASE)
    for k in ("optimization", "sanitize"):
        del old["build"][k]
    p = compare(tmp, old, BASE, "--gate")
    check(p.returncode == 0, f"fields an older file lacks are not compared: {p.stdout} {p.stderr}")
    nobuild = copy.deepcopy(BASE)
    del nobuild["build"]
    p = compare(tmp, nobuild, BASE, "--gate")
    check(p.returncode == 2 and "no build record" in p.stderr, "a file without a build record is refused")


def functions(tmp):
    """A regression names the functions that grew most and points at the kept callgrind output."""
    base = copy.deepcopy(BASE)
    base["cases"][0]["functions"] = {"vox_k_occlusion": 600000, "vox_parse_pdb": 300000, "memcpy_wrapper": 100000}
    new = copy.deepcopy(base)
    c = new["cases"][0]
    c["functions"] = {"vox_k_occlusion": 900000, "vox_parse_pdb": 290000, "memcpy_wrapper": 100000,
                      "vox_new_helper": 20000}
    c["instructions"] = sum(c["functions"].values())
    os.makedirs(os.path.join(tmp, "new.callgrind"), exist_ok=True)
    with open(os.path.join(tmp, "new.callgrind", "kernel_x.callgrind"), "w") as f:
        f.write("events: Ir\n")
    c["callgrind_out"] = "new.callgrind/kernel_x.callgrind"
    keep = os.path.join(tmp, "kept")
    p = compare(tmp, base, new, "--gate", "--keep-callgrind", keep)
    out = p.stdout
    check(p.returncode == 1 and "REGRESSION" in out, "the regression fails")
    lines = [ln for ln in out.splitlines() if ln.strip().startswith(("+", "-"))]
    check(len(lines) >= 2 and "vox_k_occlusion" in lines[0] and "+300000" in lines[0]
          and "vox_new_helper" in lines[1], f"functions by instruction difference, largest increase first: {out}")
    check(any("vox_parse_pdb" in ln and "-10000" in ln for ln in lines), "the largest decrease is shown too")
    check(not any("memcpy_wrapper" in ln for ln in lines), "unchanged functions are not listed")
    check(os.path.exists(os.path.join(keep, "kernel_x.callgrind")) and "callgrind_annotate" in out,
          f"the regressed case's callgrind output is pointed at and kept: {out}")
    p = compare(tmp, base, new, "--gate", "--top", "1")
    lines = [ln for ln in p.stdout.splitlines() if ln.strip().startswith("+")]
    check(len(lines) == 1, "--top limits the list")
    plain = copy.deepcopy(new)
    del plain["cases"][0]["functions"]
    p = compare(tmp, base, plain, "--gate")
    check(p.returncode == 1 and "no per-function counts" in p.stdout, "files without per-function counts say so")


def options(tmp):
    """getopt_long: options anywhere, numbers checked, unknown options refused."""
    bp = os.path.join(tmp, "o.json")
    json.dump(BASE, open(bp, "w"))
    p = subprocess.run([*WRAPPER, BENCH, "compare", "--gate", bp, "--threshold=5", bp], capture_output=True, text=True)
    check(p.returncode == 0, f"options before, between and after the files, --opt=value: {p.stderr}")
    p = subprocess.run([*WRAPPER, BENCH, "compare", bp, bp, "--threshold", "2x"], capture_output=True, text=True)
    check(p.returncode == 2 and "--threshold" in p.stderr and "2x" in p.stderr, f"a bad number is named: {p.stderr}")
    p = subprocess.run([*WRAPPER, BENCH, "compare", bp, bp, "--gaet"], capture_output=True, text=True)
    check(p.returncode == 2 and "--gaet" in p.stderr and "usage" in p.stderr, f"unknown option: {p.stderr}")
    p = subprocess.run([*WRAPPER, BENCH, "compare", bp], capture_output=True, text=True)
    check(p.returncode == 2 and "two result files" in p.stderr, "one file is a usage error")
    p = subprocess.run([*WRAPPER, BENCH, "run", "--budget"], capture_output=True, text=True)
    check(p.returncode == 2 and "needs a value" in p.stderr, f"a missing value: {p.stderr}")
    for sub in ("run", "compare", "kernels", "threads"):
        p = subprocess.run([*WRAPPER, BENCH, sub, "--help"], capture_output=True, text=True)
        check(p.returncode == 0 and "usage: vox-bench " + sub in p.stdout, f"{sub} --help")


def bench_run(*args, **kw):
    return subprocess.run([*WRAPPER, BENCH, "run", *args], capture_output=True, text=True, timeout=600, **kw)


def test_run(tmp):
    """`run` takes its cases from a list or a folder, refuses missing ones, and the built-in set says what it is."""
    if not SYNTHETIC:
        print("SKIP run cases: no synthetic folder given")
        return
    nodata = os.path.join(tmp, "no-data")
    p = bench_run("--gate-set", "--data", nodata, "--synthetic", SYNTHETIC, "-o", os.path.join(tmp, "g.json"))
    check(p.returncode == 2 and "1aki.pdb not found" in p.stderr and "--cases" in p.stderr
          and not os.path.exists(os.path.join(tmp, "g.json")),
          f"--gate-set with other data: refused, pointing at --cases, nothing written: {p.stderr}")
    mine = os.path.join(tmp, "mine")
    os.makedirs(mine)
    shutil.copy(os.path.join(SYNTHETIC, "pore_box.pdb"), os.path.join(mine, "my_pore.pdb"))
    lst = os.path.join(mine, "gate.txt")
    with open(lst, "w") as f:
        f.write("# the cases this project gates\nmy_pore.pdb@3.0   # relative to this file\n"
                "pocket_box.pdb@3.0,2.0,3.04,3.14159\nkernel:moments@1e5\n")
    out = os.path.join(tmp, "list.json")
    p = bench_run("--cases", lst, "--synthetic", SYNTHETIC, "--data", nodata, "--budget", "0", "-o", out)
    check(p.returncode == 0, f"a list of cases runs: {p.stdout} {p.stderr}")
    d = json.load(open(out)) if os.path.exists(out) else {"cases": []}
    names = [c["name"] for c in d["cases"]]
    # a resolution one decimal does not hold is named with its digits (3.04 was a second "@3.0": dropped)
    check(names == ["my_pore.pdb@3.0", "pocket_box.pdb@3.0", "pocket_box.pdb@2.0", "pocket_box.pdb@3.04",
                    "pocket_box.pdb@3.14159", "kernel:moments@1e5"], f"exactly the listed cases, in order: {names}")
    check(d.get("cases_from", "").startswith("list:") and d.get("build", {}).get("build_type"),
          "the file records where its cases came from and the build")
    p = subprocess.run([*WRAPPER, BENCH, "compare", out, out], capture_output=True, text=True)
    check(p.returncode == 0, f"a run compared with itself passes: {p.stdout}")
    # a profile asked for that vox cannot use: said so (the cases ran with the defaults, unsaid)
    bad = os.path.join(tmp, "no-such-profile.json")
    p = bench_run("--cases", mine, "--budget", "0", "--profile", bad, "-o", os.path.join(tmp, "p.json"))
    d = json.load(open(os.path.join(tmp, "p.json"))) if p.returncode == 0 else {}
    check(p.returncode == 0 and f"--profile {bad}" in p.stderr and "run with the defaults" in p.stderr
          and d.get("profile", {}).get("status", "").startswith("defaults"),
          f"an unusable --profile is named on stderr and in the file: {p.stderr[-300:]}")
    with open(lst, "a") as f:
        f.write("lost.pdb@2.0\nkernel:nonsense\nmy_pore.pdb@fast\n")
    p = bench_run("--cases", lst, "--synthetic", SYNTHETIC, "--data", nodata, "--budget", "0",
                  "-o", os.path.join(tmp, "refused.json"))
    check(p.returncode == 2 and "gate.txt:5" in p.stderr and "lost.pdb" in p.stderr and "nonsense" in p.stderr
          and "gate.txt:7" in p.stderr and not os.path.exists(os.path.join(tmp, "refused.json")),
          f"missing structures and bad lines are named by line, nothing runs: {p.stderr}")
    out = os.path.join(tmp, "dir.json")
    p = bench_run("--cases", mine, "--resolutions", "3.0", "--no-kernels", "--budget", "0", "--data", nodata, "-o", out)
    names = [c["name"] for c in json.load(open(out))["cases"]] if os.path.exists(out) else []
    check(p.returncode == 0 and names == ["my_pore.pdb@3.0"], f"a folder of structures: {names} {p.stderr}")
    if not shutil.which("valgrind") or WRAPPER or SANITIZE not in ("", "none"):
        print("SKIP run --callgrind: valgrind not found, a wrapper in use, or a sanitizer build (valgrind cannot run it)")
        return
    with open(lst, "w") as f:
        f.write("kernel:moments@1e5\n")
    out = os.path.join(tmp, "cg.json")
    p = bench_run("--cases", lst, "--callgrind", "-o", out)
    d = json.load(open(out)) if os.path.exists(out) else {"cases": []}
    c = d["cases"][0] if d["cases"] else {}
    kept = os.path.join(tmp, c.get("callgrind_out", "?"))
    check(p.returncode == 0 and c.get("instructions", 0) > 0 and len(c.get("functions", {})) > 0
          and abs(sum(c["functions"].values()) - c["instructions"]) < 1 and os.path.exists(kept),
          f"under callgrind: instructions, their split per function, the output kept: {p.stderr} {c.keys()}")
    p = subprocess.run([*WRAPPER, BENCH, "compare", out, out, "--gate"], capture_output=True, text=True)
    check(p.returncode == 0 and "0 regressions" in p.stdout, f"the gate passes on a run compared with itself: {p.stdout}")


if __name__ == "__main__":
    sys.exit(run_tests([test_compare, test_run], "vox-bench-compare-"))
