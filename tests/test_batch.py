#!/usr/bin/env python3
"""test_batch.py - batch runs of `vox analyze`: directories, --jobs, --dry-run, checkpoint,
--resume after kill -9 at random moments, shards and merge-summaries, progress, failures manifest.

Usage: test_batch.py VOX GENERATED_DIR [WRAPPER]
"""
import filecmp
import gzip
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time

from voxtest import check, main, runner

VOX, GEN = os.path.abspath(sys.argv[1]), sys.argv[2]  # absolute: some tests run vox from another folder
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []
vox = runner(VOX, WRAPPER)


def make_tree(root, copies=4):
    """root/a/..., root/b/c/... with structure copies under distinct names, a .gz, and noise files."""
    boxes = ["pocket_box.pdb", "pore_box.pdb", "cavity_box.pdb", "hub_box.pdb"]
    os.makedirs(os.path.join(root, "a"), exist_ok=True)
    os.makedirs(os.path.join(root, "b", "c"), exist_ok=True)
    names = []
    for i in range(copies):
        src = os.path.join(GEN, boxes[i % 4])
        sub = "a" if i % 2 == 0 else os.path.join("b", "c")
        dst = os.path.join(root, sub, f"s{i:02d}.pdb")
        shutil.copy(src, dst)
        names.append(dst)
    with open(os.path.join(GEN, "pocket_box.pdb"), "rb") as f, gzip.open(os.path.join(root, "b", "zipped.dat"), "wb") as g:
        g.write(f.read())
    names.append(os.path.join(root, "b", "zipped.dat"))
    open(os.path.join(root, "a", "README.txt"), "w").write("notes, not a structure\n")
    return names


def summary(out):
    return json.load(open(os.path.join(out, "run.summary.json")))


def outputs(out):
    return sorted(f for f in os.listdir(out) if f.endswith((".annotation.json", ".annotated.cif")))


def same_outputs(a, b):
    fa, fb = outputs(a), outputs(b)
    if fa != fb:
        return False
    for f in fa:
        if f.endswith(".cif") and not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False):
            return False
        if f.endswith(".json"):
            ja, jb = json.load(open(os.path.join(a, f))), json.load(open(os.path.join(b, f)))
            for j in (ja, jb):
                j.pop("output_structure_cif")
            if ja != jb:
                return False
    return True


def test_directories_jobs_dry_run(tmp):
    tree = os.path.join(tmp, "tree")
    make_tree(tree, copies=6)
    one, three = os.path.join(tmp, "j1"), os.path.join(tmp, "j3")
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", one, tree)
    check(p.returncode == 0, f"directory run: {p.stderr}")
    s = summary(one)
    srcs = [r["source"] for r in s["results"]]
    check(srcs == ["s00", "s02", "s04", "s01", "s03", "s05", "zipped"], f"recursive, sorted, by content (.gz too): {srcs}")
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--jobs", "3", "--output-dir", three, tree)
    s3 = summary(three)
    check(p.returncode == 0 and [r["source"] for r in s3["results"]] == srcs and s3["config"]["jobs"] == 3,
          "--jobs 3: summary in input order")
    check(same_outputs(one, three), "--jobs 3 writes the same outputs as --jobs 1")
    dry = os.path.join(tmp, "dry")
    p = vox("analyze", "--dry-run", "--output-dir", dry, tree)
    s = summary(dry)
    check(p.returncode == 0 and s["num_planned"] == 7 and not outputs(dry), "--dry-run plans, writes no outputs")
    # the table is printed in input order even with several jobs
    p = vox("analyze", "--resolution", "2.0", "--jobs", "3", "--output-dir", os.path.join(tmp, "j3b"), tree)
    order = [l.strip() for l in p.stdout.splitlines() if l.strip() in srcs]
    check(order == srcs, f"tables printed in input order: {order}")


def test_checkpoint_resume(tmp):
    tree = os.path.join(tmp, "tree2")
    make_tree(tree, copies=4)
    out = os.path.join(tmp, "ck")
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", out, tree)
    ck = json.load(open(os.path.join(out, "run.checkpoint.json")))
    check(ck["checkpoint_format"] == 1 and len(ck["results"]) == 5 and "signature" in ck, "checkpoint written")
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--output-dir", out, tree)
    s = summary(out)
    check(p.returncode == 0 and s["num_skipped"] == 5 and s["num_processed"] == 0 and
          all(r["reason"] == "resume_existing_outputs" for r in s["skipped"]), "--resume skips valid outputs")
    # damaged outputs are redone
    open(os.path.join(out, "s00.annotation.json"), "w").write('{"source": "s00"')
    os.remove(os.path.join(out, "s01.annotated.cif"))
    with open(os.path.join(out, "s02.annotation.json"), "a") as f:  # a whole JSON, then more: not vox's file
        f.write('{"source": "s02"}\n')
    # a truncated checkpoint does not matter: it is never read back
    open(os.path.join(out, "run.checkpoint.json"), "w").write('{"checkpoint_format": 1, "resu')
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--output-dir", out, tree)
    s = summary(out)
    redone = sorted(r["source"] for r in s["results"])
    check(p.returncode == 0 and redone == ["s00", "s01", "s02"] and s["num_skipped"] == 2,
          f"invalid outputs redone: {redone}")
    check(json.load(open(os.path.join(out, "run.checkpoint.json")))["checkpoint_format"] == 1,
          "a truncated checkpoint is replaced by a valid one")
    p = vox("analyze", "--quiet", "--checkpoint", os.path.join(tmp, "elsewhere.json"), "--overwrite",
            "--output-dir", out, tree)
    check(os.path.exists(os.path.join(tmp, "elsewhere.json")), "--checkpoint PATH")
    out2 = os.path.join(tmp, "nock")
    vox("analyze", "--quiet", "--no-checkpoint", "--output-dir", out2, tree)
    check(not os.path.exists(os.path.join(out2, "run.checkpoint.json")), "--no-checkpoint")


def test_resume_extra_outputs(tmp):
    """--resume redoes a structure unless every output the run asks for (--write df-json,pdb too) exists and
    validates; outputs the run does not ask for are not required."""
    out = os.path.join(tmp, "extra")
    pore = os.path.join(GEN, "pore_box.pdb")
    w = ("--quiet", "--write", "df-json,pdb", "--output-dir", out)
    vox("analyze", *w, pore)
    files = ["pore_box.annotation.json", "pore_box.annotated.cif", "pore_box.df.json", "pore_box.annotated.pdb"]
    ref = {f: open(os.path.join(out, f), "rb").read() for f in files}
    damage = [("both extras removed", lambda: [os.remove(os.path.join(out, f)) for f in files[2:]]),
              ("df.json truncated", lambda: open(os.path.join(out, files[2]), "w").write('{"id": {"0": 0}, "ty')),
              ("pdb without its END", lambda: open(os.path.join(out, files[3]), "w").write(
                  ref[files[3]].decode()[:-4])),
              ("cif cut short", lambda: open(os.path.join(out, files[1]), "w").write(ref[files[1]].decode()[:500]))]
    for what, hurt in damage:
        hurt()
        p = vox("analyze", *w, "--resume", pore)
        s = summary(out)
        again = {f: open(os.path.join(out, f), "rb").read() for f in files if os.path.exists(os.path.join(out, f))}
        check(p.returncode == 0 and s["num_processed"] == 1 and s["num_skipped"] == 0 and again == ref,
              f"{what}: redone on --resume ({s['num_processed']} processed, {s['num_skipped']} skipped)")
    p = vox("analyze", *w, "--resume", pore)
    check(summary(out)["num_skipped"] == 1, "complete outputs are kept")
    os.remove(os.path.join(out, files[2]))
    p = vox("analyze", "--quiet", "--output-dir", out, "--resume", pore)
    check(summary(out)["num_skipped"] == 1, "an output this run does not ask for is not required")
    # a structure without volumes has an empty table ({}): complete, not redone
    empty = os.path.join(tmp, "extra_empty")
    vox("analyze", "--quiet", "--write", "df-json,pdb", "--output-dir", empty, os.path.join(GEN, "three_atoms.pdb"))
    p = vox("analyze", "--quiet", "--write", "df-json,pdb", "--resume", "--output-dir", empty,
            os.path.join(GEN, "three_atoms.pdb"))
    check(open(os.path.join(empty, "three_atoms.df.json")).read() == "{}" and summary(empty)["num_skipped"] == 1,
          f"an empty table is a complete output: {summary(empty)}")
    # a count that no integer type holds is a damaged annotation, not undefined behaviour
    j = json.loads(ref[files[0]])
    j["num_volumes"] = 1e300
    open(os.path.join(out, files[0]), "w").write(json.dumps(j))
    p = vox("analyze", "--quiet", "--output-dir", out, "--resume", pore)
    check(p.returncode == 0 and summary(out)["num_processed"] == 1, f"num_volumes 1e300 redone: {p.stderr}")


def test_resume_exports(tmp):
    """--resume and vox validate hold the descriptor exports to the same rule as the other outputs: the volumes JSON and
    scripts the run asks for must exist and be complete, and so must the Vina and DX files of every volume of the asked
    types that the annotation lists (occluded groups: the volumes JSON); the summary records the kinds and box options."""
    out = os.path.join(tmp, "rx")
    hub = os.path.join(GEN, "hub_box.pdb")
    base = ("--quiet", "--resolution", "2.0", "--include-hubs", "--output-dir", out)
    kinds = ("--write", "descriptors,vina,dx,pymol,chimerax", "--box-types", "hub,pocket,pore,cavity")
    p = vox("analyze", *base, hub)
    check(p.returncode == 0, p.stderr)
    p = vox("analyze", *base, "--resume", *kinds, hub)
    s = summary(out)
    ann = json.load(open(os.path.join(out, "hub_box.annotation.json")))
    per_volume = [f"hub_box.{v['type']}-{v['id']}.{x}" for v in ann["volumes"] for x in ("vina.txt", "dx")]
    wanted = ["hub_box.volumes.json", "hub_box.pml", "hub_box.cxc"] + per_volume
    check(p.returncode == 0 and s["num_processed"] == 1 and len(per_volume) >= 2 and
          all(os.path.exists(os.path.join(out, f)) for f in wanted),
          f"outputs asked for on --resume are written: {s['num_processed']} processed, {sorted(os.listdir(out))}")
    cfg = s["config"]
    check(cfg["write"] == ["descriptors", "vina", "pymol", "chimerax", "dx"] and cfg["box_padding"] == 4.0 and
          cfg["box_types"] == ["hub", "pore", "pocket", "cavity"],
          f"the summary records the exports and box options: {cfg['write']} {cfg.get('box_padding')} {cfg.get('box_types')}")
    p = vox("analyze", *base, "--resume", *kinds, hub)
    check(summary(out)["num_skipped"] == 1, f"complete exports are kept: {p.stderr}")
    check(vox("validate", "--output-dir", out).returncode == 0, "vox validate: complete")
    ref = {f: open(os.path.join(out, f), "rb").read() for f in wanted}
    for f in ("hub_box.volumes.json", "hub_box.pml", "hub_box.cxc", per_volume[0], per_volume[-1]):
        os.remove(os.path.join(out, f))
        p = vox("validate", "--output-dir", out)
        check(p.returncode == 5 and f in p.stdout, f"vox validate: {f} missing: {p.returncode} {p.stdout}")
        p = vox("analyze", *base, "--resume", *kinds, hub)
        again = {g: open(os.path.join(out, g), "rb").read() for g in wanted if os.path.exists(os.path.join(out, g))}
        check(p.returncode == 0 and summary(out)["num_processed"] == 1 and again == ref, f"{f} missing: redone")
    # damaged, not only missing
    for f, cut in (("hub_box.pml", 40), (per_volume[1], 60), ("hub_box.volumes.json", 100)):
        open(os.path.join(out, f), "wb").write(ref[f][:cut])
        check(vox("validate", "--output-dir", out).returncode == 5, f"vox validate: {f} cut short")
        vox("analyze", *base, "--resume", *kinds, hub)
        check(open(os.path.join(out, f), "rb").read() == ref[f], f"{f} cut short: redone")
    # a power loss can leave an unsynced file its full length with zeroed blocks inside, or a whole JSON
    # followed by zeros: a NUL anywhere is damage
    def zero_middle(b):
        return b[:len(b) // 4] + bytes(len(b) // 2 - len(b) // 4) + b[len(b) // 2:]
    for f, damage in (("hub_box.pml", zero_middle), ("hub_box.cxc", zero_middle), (per_volume[1], zero_middle),
                      ("hub_box.volumes.json", lambda b: b + bytes(4)), (per_volume[0], lambda b: b + bytes(4))):
        open(os.path.join(out, f), "wb").write(damage(ref[f]))
        check(vox("validate", "--output-dir", out).returncode == 5, f"vox validate: NUL bytes in {f}")
        vox("analyze", *base, "--resume", *kinds, hub)
        check(open(os.path.join(out, f), "rb").read() == ref[f], f"NUL bytes in {f}: redone")
    # a Vina box is read whole: a number overwritten in its middle (head and tail intact) is damage
    for bad in (b"center_y = nonsense", b"center_y = inf", b"size_y = -3.000", b"centre_y = 1.000", b"size_y = 0x10",
                b"center_y = 1.0 "):
        lines = ref[per_volume[0]].split(b"\n")
        key = bad.split(b" ")[0]
        at = 2 if key in (b"center_y", b"centre_y") else 5
        lines[at] = bad
        open(os.path.join(out, per_volume[0]), "wb").write(b"\n".join(lines))
        check(vox("validate", "--output-dir", out).returncode == 5, f"vox validate: Vina box with {bad!r}")
        vox("analyze", *base, "--resume", *kinds, hub)
        check(open(os.path.join(out, per_volume[0]), "rb").read() == ref[per_volume[0]], f"Vina box with {bad!r}: redone")
    # vox validate --write takes the export kinds (and --box-types) too
    os.remove(os.path.join(out, per_volume[0]))
    p = vox("validate", "--write", "descriptors,vina", "--box-types", "hub,pocket,pore,cavity", "--output-dir", out)
    check(p.returncode == 5 and per_volume[0] in p.stdout, f"vox validate --write vina: {p.returncode} {p.stdout} {p.stderr}")
    p = vox("validate", "--write", "descriptors,pymol", "--output-dir", out)
    check(p.returncode == 0, f"vox validate --write descriptors,pymol: {p.returncode} {p.stdout} {p.stderr}")
    # occluded groups (cavity_box.pdb at 4.0 A has one) are listed only in the volumes JSON
    occ = os.path.join(tmp, "rx_occ")
    cavity = os.path.join(GEN, "cavity_box.pdb")
    args = ("--quiet", "--resolution", "4.0", "--box-types", "occluded", "--output-dir", occ)
    vox("analyze", *args, "--write", "descriptors,vina", cavity)
    box = os.path.join(occ, "cavity_box.occluded-0.vina.txt")
    check(os.path.exists(box), "an occluded group's Vina box")
    vox("analyze", *args, "--write", "descriptors,vina", "--resume", cavity)
    check(summary(occ)["num_skipped"] == 1, "complete: kept")
    os.remove(box)
    vox("analyze", *args, "--write", "descriptors,vina", "--resume", cavity)
    check(os.path.exists(box) and summary(occ)["num_processed"] == 1, "an occluded group's Vina box missing: redone")
    # without the volumes JSON nothing says how many occluded groups there are: never trusted, always redone
    vox("analyze", *args, "--write", "vina", "--resume", cavity)
    check(summary(occ)["num_processed"] == 1, "occluded boxes without the volumes JSON: redone")
    p = vox("validate", "--output-dir", occ)
    check(p.returncode == 5 and "descriptors" in p.stdout, f"vox validate says why: {p.stdout}")


def test_kill_and_resume(tmp):
    tree = os.path.join(tmp, "tree3")
    make_tree(tree, copies=40)
    ref = os.path.join(tmp, "kill_ref")
    vox("analyze", "--quiet", "--resolution", "0.7", "--write", "df-json,pdb", "--output-dir", ref, tree)
    # Each kill lands once a random number of structures is done (and anywhere inside the next ones), not after a
    # fraction of a timed run: a timing taken on a loaded machine let every kill fall after the end (or before the
    # start), and then no kill interrupted a run. 11 structures more cannot finish between a look and the kill.
    rng = random.Random(7)
    kept = []
    for attempt in range(4):
        out = os.path.join(tmp, f"kill{attempt}")
        target = rng.randint(1, 30)
        proc = subprocess.Popen([*WRAPPER, VOX, "analyze", "--quiet", "--resolution", "0.7", "--jobs", "2",
                                 "--write", "df-json,pdb", "--output-dir", out, tree],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline and (not os.path.isdir(out) or sum(
                f.endswith(".annotation.json") for f in os.listdir(out)) < target):
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # whatever exists is complete: every annotation parses, every finished pair is whole
        ok = True
        if os.path.isdir(out):
            for f in os.listdir(out):
                if f.endswith(".annotation.json"):
                    try:
                        json.load(open(os.path.join(out, f)))
                    except ValueError:
                        ok = False
                    # the annotation is renamed last: the structure's other outputs are all there
                    stem = f[:-len(".annotation.json")]
                    ok = ok and all(os.path.exists(os.path.join(out, stem + x))
                                    for x in (".annotated.cif", ".df.json", ".annotated.pdb"))
        check(ok, f"attempt {attempt}: no partial output after kill -9")
        p = vox("analyze", "--quiet", "--resume", "--resolution", "0.7", "--jobs", "2", "--write", "df-json,pdb",
                "--output-dir", out, tree)
        s = summary(out)
        check(all(filecmp.cmp(os.path.join(ref, f), os.path.join(out, f), shallow=False)
                  for f in os.listdir(ref) if f.endswith((".df.json", ".annotated.pdb"))),
              f"attempt {attempt}: every df.json and pdb equals a clean run's")
        stray = [f for f in os.listdir(out) if ".tmp." in f]
        check(p.returncode == 0 and s["num_processed"] + s["num_skipped"] == 41 and not stray,
              f"attempt {attempt}: resume completes ({s['num_processed']} redone, {s['num_skipped']} kept), stray {stray}")
        check(same_outputs(ref, out), f"attempt {attempt}: resumed outputs equal a clean run's")
        kept.append((target, s["num_skipped"]))
    # the kills landed inside runs: the work done was kept, the rest redone
    check(all(t <= k < 41 for t, k in kept), f"kills interrupted runs part-way: (done at the kill, kept) {kept}")
    # SIGTERM (a Slurm time limit, scancel) and SIGINT (Ctrl-C): the checkpoint lists every structure finished
    # (before, the last checkpoint could be a second and several structures old), no summary, exit 128 + signal;
    # --resume goes on from there
    if WRAPPER:  # (under qemu-user the signal reaches the emulator)
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        out = os.path.join(tmp, f"term{sig}")
        proc = subprocess.Popen([VOX, "analyze", "--quiet", "--resolution", "0.7", "--jobs", "2", "--write",
                                 "df-json,pdb", "--output-dir", out, tree], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline and (not os.path.isdir(out) or sum(
                f.endswith(".annotation.json") for f in os.listdir(out)) < 5):
            time.sleep(0.005)
        proc.send_signal(sig)
        err = proc.communicate()[1]
        if proc.returncode == 0:
            continue  # the run ended first
        done = sorted(f[:-len(".annotation.json")] for f in os.listdir(out) if f.endswith(".annotation.json"))
        ck_path = os.path.join(out, "run.checkpoint.json")
        listed = sorted(r["source"] for r in json.load(open(ck_path))["results"]) if os.path.exists(ck_path) else []
        check(proc.returncode == 128 + sig and listed == done and not os.path.exists(os.path.join(out, "run.summary.json"))
              and "run again with --resume" in err,
              f"{sig.name}: the checkpoint lists the {len(done)} finished: {proc.returncode} {len(listed)} {err}")
        p = vox("analyze", "--quiet", "--resume", "--resolution", "0.7", "--jobs", "2", "--write", "df-json,pdb",
                "--output-dir", out, tree)
        s = summary(out)
        check(p.returncode == 0 and s["num_skipped"] >= len(done) and same_outputs(ref, out),
              f"{sig.name}: --resume goes on ({s['num_skipped']} kept of {len(done)})")


def test_shards_progress_failures(tmp):
    tree = os.path.join(tmp, "tree4")
    make_tree(tree, copies=8)
    open(os.path.join(tree, "a", "zz_bad.pdb"), "w").write(  # a structure file that fails to parse
        "HEADER    BROKEN\nATOM      1  CA  ALA A   1       1.000\n")
    seen = []
    sums = []
    for k in range(3):
        out = os.path.join(tmp, f"shard{k}")
        vox("analyze", "--quiet", "--num-shards", "3", "--shard-index", str(k), "--resolution", "3.0",
            "--output-dir", out, tree)
        sums.append(os.path.join(out, f"run.shard-{k}-of-3.summary.json"))
        s = json.load(open(sums[-1]))
        seen += [r["source"] for r in s["results"]] + [r["source"] for r in s["errors"]]
    full = os.path.join(tmp, "unsharded")
    vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", full, tree)
    s = summary(full)
    every = [r["source"] for r in s["results"]] + [r["source"] for r in s["errors"]]
    check(sorted(seen) == sorted(every) and len(seen) == len(set(seen)) == 10,
          f"shards partition the entries exactly once: {sorted(seen)}")
    merged = os.path.join(tmp, "merged.json")
    p = vox("merge-summaries", merged, *sums)
    m = json.load(open(merged))
    check(p.returncode == 0 and m["num_processed"] == s["num_processed"] and m["num_failed"] == 1 and
          m["config"]["num_shards"] is None, f"merge-summaries: {p.stdout}{p.stderr}")
    # shards at once into one folder (a Slurm array): each holds the folder shared and its own shard's lock, and
    # writes its own summary; an unsharded run, or a second copy of a shard, is kept out while they run
    one = os.path.join(tmp, "one_folder")
    args = ["analyze", "--quiet", "--progress-interval", "0", "--resolution", "1.0", "--output-dir", one, tree]
    procs = [subprocess.Popen([*WRAPPER, VOX, *args, "--num-shards", "2", "--shard-index", str(k)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for k in (0, 1)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not os.path.exists(os.path.join(one, ".vox.shard-1-of-2.lock")):
        time.sleep(0.02)
    # the shards held while the other two try (a shard's five structures could end before them on a loaded
    # machine, and the copy of shard 1 then ran: a test of the clock, not of the lock)
    for p in procs:
        p.send_signal(signal.SIGSTOP)
    unsharded = vox(*args)
    again = vox(*args, "--num-shards", "2", "--shard-index", "1")
    for p in procs:
        p.send_signal(signal.SIGCONT)
    errs = [p.communicate(timeout=600)[1] for p in procs]
    check(sorted(p.returncode for p in procs) == [0, 1] and not any("in use" in e for e in errs),
          f"two shards at once in one folder (zz_bad fails in one of them): {[p.returncode for p in procs]} {errs}")
    check(unsharded.returncode == 1 and "in use by another run" in unsharded.stderr and "shard" in unsharded.stderr
          and again.returncode == 1 and "in use by another run" in again.stderr,
          f"an unsharded run and a second copy of a shard are kept out: {unsharded.stderr} {again.stderr}")
    shard_sums = [os.path.join(one, f"run.shard-{k}-of-2.summary.json") for k in (0, 1)]
    p = vox("merge-summaries", os.path.join(one, "run.summary.json"), *shard_sums)
    m = summary(one)
    srcs = sorted([r["source"] for r in m["results"]] + [r["source"] for r in m["errors"]])
    check(p.returncode == 0 and srcs == sorted(every), f"the shards' summaries merged in their folder: {srcs}")
    p = vox("validate", "--output-dir", one)
    check(p.returncode == 5 and p.stdout.count("outputs complete") == 9 and "zz_bad: failed in the run" in p.stdout,
          f"vox validate of the merged folder: {p.returncode} {p.stdout}")
    # a shard summary whose config lacks the shard fields (an older or hand-made one): still null, and no leak
    # (the ASan build's LeakSanitizer fails the run if the replaced items were never owned)
    bare = json.load(open(sums[0]))
    del bare["config"]["num_shards"], bare["config"]["shard_index"]
    json.dump(bare, open(os.path.join(tmp, "bare.json"), "w"))
    p = vox("merge-summaries", merged, os.path.join(tmp, "bare.json"), *sums[1:])
    m = json.load(open(merged))
    check(p.returncode == 0 and m["config"]["num_shards"] is None and m["config"]["shard_index"] is None,
          f"merge-summaries of a config without shard fields: {p.stderr}")
    out = os.path.join(tmp, "events")
    jsonl = os.path.join(tmp, "events.jsonl")
    fm = os.path.join(tmp, "failures.json")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--progress-jsonl", jsonl, "--progress-interval", "0.000001",
            "--failures-manifest", fm, "--output-dir", out, tree)
    events = [json.loads(l) for l in open(jsonl)]
    kinds = [e["event"] for e in events]
    check(kinds[0] == "run_started" and kinds[-1] == "run_completed" and kinds.count("structure_started") == 10 and
          kinds.count("structure_succeeded") == 9 and kinds.count("structure_failed") == 1 and
          events[-1]["exit_code"] == 1 and all("ts" in e for e in events), f"progress events: {kinds}")
    check("done (" in p.stderr and "structures/s" in p.stderr, f"progress lines on stderr: {p.stderr[-300:]}")
    f = json.load(open(fm))
    check(f["manifest_format"] == 1 and [x["source"] for x in f["structures"]] == ["zz_bad"] and
          os.path.isabs(f["structures"][0]["input_path"]), "failures manifest lists the failed entry")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--progress-interval", "0", "--output-dir", out,
            "--overwrite", tree)
    check("done (" not in p.stderr, "--progress-interval 0 disables progress lines")


def test_manifest_and_replay(tmp):
    m = os.path.join(tmp, "m")
    os.makedirs(os.path.join(m, "structs"))
    dl = os.path.join(tmp, "dl")
    os.makedirs(dl)
    for i, box in enumerate(["pocket_box.pdb", "pore_box.pdb"]):
        shutil.copy(os.path.join(GEN, box), os.path.join(m, "structs", f"s{i:02d}.pdb"))
    shutil.copy(os.path.join(GEN, "cavity_box.pdb"), os.path.join(dl, "1ABC.cif"))  # format found by content
    manifest = os.path.join(m, "manifest.json")
    json.dump({"structures": [{"input_path": "structs/s00.pdb"}, {"pdb_id": "1abc"}, {"pdb_id": "2xyz"},
                              {"source": "named", "input_path": "structs/s01.pdb",
                               "cluster_member_pdb_ids": ["1AAA", "1BBB"]}, {"foo": 1}]}, open(manifest, "w"))
    out = os.path.join(tmp, "mout")
    fm = os.path.join(tmp, "failed.json")
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--manifest", manifest, "--download-dir", dl,
            "--failures-manifest", fm, "--output-dir", out)
    s = summary(out)
    ok = [r["source"] for r in s["results"]]
    bad = {r["source"]: r["error"] for r in s["errors"]}
    check(p.returncode == 1 and ok == ["s00", "1abc", "named"], f"manifest entries: {ok} {bad}")
    check("needs downloading" in bad.get("2xyz", "") and "neither input_path nor" in " ".join(bad.values()),
          f"offline PDB id and empty entry fail clearly: {bad}")
    rec = {r["source"]: r for r in s["results"]}
    check(rec["1abc"]["pdb_id"] == "1ABC" and rec["named"]["cluster_member_pdb_ids"] == ["1AAA", "1BBB"],
          "pdb_id and cluster members kept in the records")
    # the missing file arrives; the failures manifest replays directly
    shutil.copy(os.path.join(GEN, "hub_box.pdb"), os.path.join(dl, "2XYZ.cif"))
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--manifest", fm, "--download-dir", dl,
            "--output-dir", os.path.join(tmp, "replay1"))
    s2 = summary(os.path.join(tmp, "replay1"))
    check([r["source"] for r in s2["results"]] == ["2xyz"], f"failures manifest replays: {s2['results']} {s2['errors']}")
    # --from-summary: failed entries only, or every entry once
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--from-summary", os.path.join(out, "run.summary.json"),
            "--output-dir", os.path.join(tmp, "replay2"))
    s3 = summary(os.path.join(tmp, "replay2"))
    check(s3["num_processed"] + s3["num_failed"] == 2, f"--from-summary --only failed: {s3['num_processed']}+{s3['num_failed']}")
    p = vox("analyze", "--quiet", "--dry-run", "--from-summary", os.path.join(out, "run.summary.json"), "--only", "all",
            "--output-dir", os.path.join(tmp, "replay3"))
    check(summary(os.path.join(tmp, "replay3"))["num_planned"] == 5, "--only all plans every entry once")
    json.dump({"structures": []}, open(os.path.join(tmp, "empty.json"), "w"))
    p = vox("analyze", "--manifest", os.path.join(tmp, "empty.json"), "--output-dir", os.path.join(tmp, "e"))
    check(p.returncode == 1 and "non-empty" in p.stderr, "an empty manifest is refused")


def test_checkpoint_migration(tmp):
    tree = os.path.join(tmp, "tree5")
    make_tree(tree, copies=2)
    out = os.path.join(tmp, "mig")
    vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", out, tree)
    ck_path = os.path.join(out, "run.checkpoint.json")
    ck = json.load(open(ck_path))
    del ck["schema"]  # volumizer's checkpoint has no schema field
    json.dump(ck, open(ck_path, "w"), indent=2)
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--output-dir", out, tree)
    check(p.returncode == 0 and "older format, migrated" in p.stderr and "lists 3 finished" in p.stderr,
          f"older checkpoint read and migrated: {p.stderr}")
    check(json.load(open(ck_path)).get("schema") == 1, "rewritten in the current schema")
    ck["schema"] = 99
    json.dump(ck, open(ck_path, "w"))
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--output-dir", out, tree)
    check(p.returncode == 0 and "newer or unknown" in p.stderr, "a newer checkpoint is not trusted")
    p = vox("analyze", "--quiet", "--resume", "--resolution", "3.0", "--output-dir", out, tree)
    check("resolution was 2 in the checkpoint" in p.stderr, f"changed settings are pointed out: {p.stderr}")


def test_resume_notes_only_real_changes(tmp):
    """--resume points out a setting only when it really changed: a number the checkpoint holds as 2.5 or 100 is the
    2.5 or 100.0 this run has (the checkpoint writes floats as Python does, a file read back has plain numbers)."""
    pocket = os.path.join(GEN, "pocket_box.pdb")
    for name, args in (("defaults", []), ("floats", ["--resolution", "2.5", "--min-volume", "100"]),
                       ("exports", ["--write", "vina", "--box-padding", "6", "--box-types", "pocket,pore"])):
        out = os.path.join(tmp, f"notes_{name}")
        p = vox("analyze", "--quiet", *args, "--output-dir", out, pocket)
        check(p.returncode == 0, f"{name}: first run: {p.stderr}")
        p = vox("analyze", "--quiet", "--resume", *args, "--output-dir", out, pocket)
        check(p.returncode == 0 and "lists 1 finished" in p.stderr and "warning" not in p.stderr,
              f"{name}: the same settings resumed without warnings: {p.stderr}")
    out = os.path.join(tmp, "notes_floats")
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--min-volume", "100.5", "--output-dir", out, pocket)
    check("resolution was 2.5 in the checkpoint's run and is 2 now" in p.stderr and
          "min_volume was 100 in the checkpoint's run and is 100.5 now" in p.stderr and p.stderr.count("warning") == 1
          and "analysed again" in p.stderr,
          f"settings that changed are pointed out, numbers written alike: {p.stderr}")
    out = os.path.join(tmp, "notes_exports")
    p = vox("analyze", "--quiet", "--resume", "--write", "vina", "--box-padding", "4", "--output-dir", out, pocket)
    # the Vina boxes say their padding: those of the old one are analysed again (a note), not kept (a warning)
    check("box_padding was 6 " in p.stderr and "analysed again" in p.stderr and "box_types was" in p.stderr and
          p.stderr.count("warning") == 1,
          f"changed docking boxes are pointed out: {p.stderr}")


def test_progress_bar(tmp):
    """On a terminal, stderr carries a progress bar with count, rate and ETA."""
    import pty
    tree = os.path.join(tmp, "tree6")
    make_tree(tree, copies=3)
    master, slave = pty.openpty()
    p = subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--resolution", "3.0", "--output-dir",
                        os.path.join(tmp, "bar"), tree], stdout=subprocess.DEVNULL, stderr=slave, timeout=300)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    text = data.decode(errors="replace")
    check(p.returncode == 0 and "\r[" in text and "4/4 100%" in text and "/s ETA" in text, f"progress bar: {text!r}")


def special_targets(tmp):
    """(name, path, is_intact) for files that are not regular files: a FIFO, a symbolic link to /dev/null,
    and (as root) a character device made with mknod."""
    made = []
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    made.append(("FIFO", fifo, lambda: stat.S_ISFIFO(os.stat(fifo).st_mode)))
    link = os.path.join(tmp, "to-null")
    os.symlink("/dev/null", link)
    made.append(("symlink to /dev/null", link,
                 lambda: os.path.islink(link) and os.readlink(link) == "/dev/null" and
                 stat.S_ISCHR(os.stat("/dev/null").st_mode)))
    dev = os.path.join(tmp, "null")
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made.append(("device node", dev, lambda: stat.S_ISCHR(os.lstat(dev).st_mode)))
    except PermissionError:
        print("SKIP the mknod part of the device-target test: not root")
    return made


def test_device_targets(tmp):
    """--checkpoint and --failures-manifest on a device, FIFO or link to one are refused before anything runs
    and left as they are; a failed write never repeats its path."""
    base = os.path.join(tmp, "dev")
    os.makedirs(base)
    for name, path, intact in special_targets(base):
        for opt in ("--checkpoint", "--failures-manifest"):
            out = os.path.join(base, "out" + opt + name.replace(" ", "_").replace("/", "_"))
            p = vox("analyze", "--quiet", "--output-dir", out, opt, path, os.path.join(GEN, "pore_box.pdb"),
                    timeout=60)
            check(p.returncode == 2 and "not a regular file" in p.stderr and path in p.stderr,
                  f"{opt} {name} refused: {p.returncode} {p.stderr}")
            check(intact(), f"{opt} {name} left as it was")
            check(not os.path.exists(os.path.join(out, "pore_box.annotation.json")), f"{opt} {name}: nothing analysed")
    # the default checkpoint path (<out>/run.checkpoint.json) too: --resume opened the FIFO and waited for
    # ever, and without --resume the run said it could not write it and exited 0
    out = os.path.join(base, "default")
    os.makedirs(out)
    os.mkfifo(os.path.join(out, "run.checkpoint.json"))
    for extra in (["--resume"], []):
        p = vox("analyze", "--quiet", "--output-dir", out, *extra, os.path.join(GEN, "pore_box.pdb"), timeout=60)
        check(p.returncode == 2 and "run.checkpoint.json" in p.stderr and "not a regular file" in p.stderr,
              f"a FIFO at the default checkpoint path {extra}: {p.returncode} {p.stderr}")
        check(not os.path.exists(os.path.join(out, "pore_box.annotation.json")), f"{extra}: nothing analysed")
    # merge-summaries writes through the same writer
    out = os.path.join(base, "ok")
    vox("analyze", "--quiet", "--output-dir", out, os.path.join(GEN, "pore_box.pdb"))
    fifo = os.path.join(base, "fifo")
    p = vox("merge-summaries", fifo, os.path.join(out, "run.summary.json"), timeout=60)
    check(p.returncode == 1 and "FIFO" in p.stderr and stat.S_ISFIFO(os.stat(fifo).st_mode),
          f"merge-summaries onto a FIFO refused: {p.stderr}")
    check(p.stderr.count(fifo) == 1, f"the path is named once: {p.stderr}")


def test_walk_links_and_fifos(tmp):
    """A directory walk enters each directory once (symbolic-link loops end), plans each file once, never opens
    a FIFO it finds, and says what it skipped; a FIFO named as an input is read as given."""
    import threading
    root = os.path.join(tmp, "L")
    os.makedirs(os.path.join(root, "sub"))
    shutil.copy(os.path.join(GEN, "pore_box.pdb"), os.path.join(root, "sub", "a.pdb"))
    os.symlink("..", os.path.join(root, "sub", "up"))      # a loop back to L
    os.symlink("../L", os.path.join(root, "self"))          # another loop
    os.symlink("sub/a.pdb", os.path.join(root, "b.pdb"))    # the same file under a second name
    os.symlink("nowhere.pdb", os.path.join(root, "dangling.pdb"))
    os.symlink("itself.pdb", os.path.join(root, "itself.pdb"))  # a link to itself: stat says ELOOP
    os.mkfifo(os.path.join(root, "sub", "pipe.pdb"))        # opening it would block for ever
    out = os.path.join(tmp, "walk_out")
    try:
        p = vox("analyze", "--quiet", "--output-dir", out, root, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, "the walk of a tree with link loops and a FIFO finishes")
        return
    s = summary(out)
    srcs = [r["source"] for r in s["results"]] + [r["source"] for r in s["errors"]]
    check(p.returncode == 0 and srcs == ["b"], f"one file planned once (by its real path): {srcs} {p.stderr}")
    for needle in ("already searched", "FIFO", "same file", "to nothing", "leads back to itself"):
        check(needle in p.stderr, f"the skip is said ({needle}): {p.stderr}")
    # a FIFO named explicitly is read as given
    fifo = os.path.join(tmp, "named_pipe.pdb")
    os.mkfifo(fifo)
    text = open(os.path.join(GEN, "pocket_box.pdb"), "rb").read()

    def feed():
        with open(fifo, "wb") as f:
            f.write(text)
    t = threading.Thread(target=feed, daemon=True)
    t.start()
    out2 = os.path.join(tmp, "fifo_out")
    try:
        p = vox("analyze", "--quiet", "--output-dir", out2, fifo, timeout=60)
        check(p.returncode == 0 and summary(out2)["num_processed"] == 1, f"a named FIFO is read: {p.stderr}")
    except subprocess.TimeoutExpired:
        check(False, "a named FIFO is read")
    t.join(timeout=5)


def test_walk_damaged_structure_files(tmp):
    """A file a directory walk finds under a structure's name (.pdb, .cif, ...) is planned whatever it holds: an
    empty or binary one fails with the same error as when it is named as an input, and is in the summary; other
    files are planned by their content, and one that is not a structure (notes) is not a skip."""
    root = os.path.join(tmp, "D")
    os.makedirs(os.path.join(root, "sub"))
    shutil.copy(os.path.join(GEN, "pore_box.pdb"), os.path.join(root, "ok.pdb"))
    open(os.path.join(root, "empty.pdb"), "w").close()
    junk = bytes(range(256)) * 2  # binary: control bytes from the first on
    open(os.path.join(root, "junk.pdb"), "wb").write(junk)
    open(os.path.join(root, "sub", "BAD.CIF.GZ"), "wb").write(junk)
    open(os.path.join(root, "notes.txt"), "w").write("not a structure\n")
    out = os.path.join(tmp, "damaged_out")
    p = vox("analyze", "--quiet", "--output-dir", out, root)
    s = summary(out)
    errs = {e["source"]: e["error"] for e in s["errors"]}
    check(p.returncode == 1 and [r["source"] for r in s["results"]] == ["ok"] and
          sorted(errs) == ["bad_cif", "empty", "junk"] and "empty file" in errs["empty"] and
          "not a PDB or mmCIF file" in errs["junk"] and "BAD.CIF.GZ" in p.stderr and "notes" not in p.stderr,
          f"empty and binary .pdb/.cif files found in a folder fail with their errors: {p.returncode} {errs} {p.stderr}")
    for name in ("empty.pdb", "junk.pdb"):
        q = vox("analyze", "--quiet", "--output-dir", os.path.join(tmp, "damaged_named"), os.path.join(root, name))
        check(q.returncode == 1 and errs.get(name[:-4], "?") in q.stderr, f"{name}: the same error as named: {q.stderr} {errs}")
    # a folder holding only such files: each one named with its error, not "no structure files"
    only = os.path.join(tmp, "D2")
    os.makedirs(only)
    open(os.path.join(only, "a.pdb"), "wb").write(junk)
    open(os.path.join(only, "b.cif"), "w").close()
    out2 = os.path.join(tmp, "damaged_out2")
    p = vox("analyze", "--quiet", "--output-dir", out2, only)
    s = summary(out2)
    check(p.returncode == 1 and [e["source"] for e in s["errors"]] == ["a", "b"] and "a.pdb" in p.stderr and
          "b.cif" in p.stderr and "no structure files" not in p.stderr,
          f"a folder of damaged structure files: each named: {p.stderr} {s['errors']}")
    p = vox("validate", only)
    check(p.returncode == 3 and "a.pdb" in p.stdout and "b.cif" in p.stdout, f"vox validate names them too: {p.stdout}")
    # structures packed by a compressor vox does not read (x.pdb.bz2, X.CIF.xz): skipped with a note saying so;
    # before, passed over without a word (a folder of them said only "no structure files"); other such files
    # (an archive of notes) are not structures, and say nothing
    packed = os.path.join(tmp, "D3")
    os.makedirs(packed)
    shutil.copy(os.path.join(GEN, "pore_box.pdb"), os.path.join(packed, "ok.pdb"))
    magic = {"a.pdb.bz2": b"BZh91AY&SY", "B.CIF.XZ": b"\xfd7zXZ\x00\x00", "c.ent.zst": b"\x28\xb5\x2f\xfd\x00",
             "notes.zip": b"PK\x03\x04\x00"}
    for name, head in magic.items():
        open(os.path.join(packed, name), "wb").write(head + bytes(64))
    out3 = os.path.join(tmp, "packed_out")
    p = vox("analyze", "--quiet", "--output-dir", out3, packed)
    s = summary(out3)
    said = [n for n, what in (("a.pdb.bz2", "bzip2"), ("B.CIF.XZ", "xz"), ("c.ent.zst", "zstd"))
            if f"{n}: skipped: {what}-compressed; vox reads PDB and mmCIF text, plain or gzip-compressed" in p.stderr]
    check(p.returncode == 0 and [r["source"] for r in s["results"]] == ["ok"] and len(said) == 3 and
          "notes.zip" not in p.stderr, f"compressed structures vox cannot read are named as skipped: {said} {p.stderr}")


def test_one_run_per_output_dir(tmp):
    """A second run on an output directory in use fails at once naming the first (or waits with --wait-lock);
    the first is undisturbed; only temporaries of dead writers are removed."""
    tree = os.path.join(tmp, "tree_lock")
    make_tree(tree, copies=12)
    out = os.path.join(tmp, "locked")
    args = ["analyze", "--quiet", "--resolution", "0.8", "--output-dir", out, tree]
    a = subprocess.Popen([*WRAPPER, VOX, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = os.path.join(out, ".vox.lock")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (os.path.exists(lock) and f"pid {a.pid} " in open(lock).read()):
        time.sleep(0.02)
    # the first run is held still while the second tries (SIGSTOP): it runs about a second, which a second run
    # starting on a loaded machine (or under ASan) could outlast, and then found the directory free
    a.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    p = vox(*args)
    quick = time.monotonic() - started
    a.send_signal(signal.SIGCONT)
    a_err = a.communicate(timeout=600)[1]
    check(p.returncode == 1 and f"pid {a.pid}" in p.stderr and "--wait-lock" in p.stderr,
          f"the second run fails naming the first: {p.returncode} {p.stderr}")
    check(a.returncode == 0 and "Error" not in a_err and summary(out)["num_processed"] == 13,
          f"the first run is undisturbed: {a.returncode} {a_err}")
    check(quick < 120, f"the second run fails, not waits ({quick:.1f} s; a hang guard, not a speed check)")
    # --wait-lock: the second waits, then runs
    a = subprocess.Popen([*WRAPPER, VOX, *args, "--overwrite"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    while time.monotonic() < deadline + 60 and not (os.path.exists(lock) and f"pid {a.pid} " in open(lock).read()):
        time.sleep(0.02)
    a.send_signal(signal.SIGSTOP)  # held until the second says it waits (its first line), as above
    q = subprocess.Popen([*WRAPPER, VOX, *args, "--overwrite", "--wait-lock"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, errors="replace")
    first = q.stderr.readline()
    a.send_signal(signal.SIGCONT)
    out_, rest = q.communicate(timeout=600)
    p = subprocess.CompletedProcess(q.args, q.returncode, out_, first + rest)
    a_err = a.communicate(timeout=600)[1]
    check(a.returncode == 0 and p.returncode == 0 and "waiting for the other run" in p.stderr and
          summary(out)["num_processed"] == 13, f"--wait-lock waits, then runs: {a_err} {p.stderr}")
    # temporaries: a live writer's stay, a dead writer's go
    sleeper = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    live_tmp = os.path.join(out, f"s00.annotation.json.tmp.{sleeper.pid}.abcdef")
    dead_tmp = os.path.join(out, f"s00.annotation.json.tmp.{dead.pid}.abcdef")
    old_tmp = os.path.join(out, "s01.annotated.cif.tmp.qwerty")
    for f in (live_tmp, dead_tmp, old_tmp):
        open(f, "w").write("partial")
    vox(*args, "--resume")
    check(os.path.exists(live_tmp) and not os.path.exists(dead_tmp) and not os.path.exists(old_tmp),
          "only temporaries no live process owns are removed")
    sleeper.kill()
    sleeper.wait()


def test_dead_temporaries_of_every_output(tmp):
    """The temporaries a killed run leaves are removed by the next run for every kind of output it writes: the
    descriptor exports and the report's folder too; a live writer's stay, and so does a file that only looks like
    one (no temporary name)."""
    out = os.path.join(tmp, "dead_tmp")
    pocket = os.path.join(GEN, "pocket_box.pdb")
    vox("analyze", "--quiet", "--output-dir", out, pocket)
    os.makedirs(os.path.join(out, "vox-report"), exist_ok=True)
    sleeper = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    targets = ["pocket_box.volumes.json", "pocket_box.pocket-0.vina.txt", "pocket_box.pocket-0.dx", "pocket_box.pml",
               "pocket_box.cxc", "pocket_box.annotated.cif", "pocket_box.html", "index.html",
               "vox-report/3Dmol-min.js", "vox-report/report.css"]
    dead_tmps = [os.path.join(out, f"{t}.tmp.{dead.pid}.AbCdEf") for t in targets]
    live_tmps = [os.path.join(out, f"{t}.tmp.{sleeper.pid}.AbCdEf") for t in ("pocket_box.pml", "vox-report/report.js")]
    keep = [os.path.join(out, "notes.pml"), os.path.join(out, "vox-report", "mine.txt")]
    for f in dead_tmps + live_tmps + keep:
        open(f, "w").write("partial")
    p = vox("validate", "--output-dir", out)
    check(f"{len(dead_tmps + live_tmps)} temporary file(s)" in p.stdout, f"vox validate counts them all: {p.stdout}")
    p = vox("analyze", "--quiet", "--resume", "--output-dir", out, pocket)
    left = [os.path.relpath(f, out) for f in dead_tmps if os.path.exists(f)]
    check(p.returncode == 0 and not left, f"dead writers' temporaries removed: left {left}")
    check(all(os.path.exists(f) for f in live_tmps + keep), "a live writer's temporaries and other files stay")
    sleeper.kill()
    sleeper.wait()
    # A writer killed a moment ago (kill -9, a Slurm time limit, `timeout -s KILL`) stays a zombie until its parent
    # reaps it: its pid answers kill(pid, 0) although it will never write again. Its temporaries must go too (before,
    # they stayed after the --resume that follows at once, until some later run).
    zombie = subprocess.Popen(["true"])
    for _ in range(500):
        with open(f"/proc/{zombie.pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)
    ztmp = os.path.join(out, f"pocket_box.annotated.cif.tmp.{zombie.pid}.AbCdEf")
    open(ztmp, "w").write("partial")
    p = vox("analyze", "--quiet", "--resume", "--output-dir", out, pocket)
    check(p.returncode == 0 and not os.path.exists(ztmp), "a zombie writer's temporaries are removed")
    zombie.wait()


def holds_open(pid, path):
    """Whether process pid has path open (its /proc fd links)."""
    want = os.path.realpath(path)
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == want:
                return True
        except OSError:
            pass
    return False


def test_shard_keeps_other_hosts_temporaries(tmp):
    """Shards of a Slurm array run on several hosts into one shared folder, where another host's writer's pid says
    nothing here: a shard starting while other shards hold the folder leaves every temporary alone (removing one
    would fail that shard's rename); a shard that finds the folder free removes the dead ones as an unsharded run."""
    import fcntl
    out = os.path.join(tmp, "hosts")
    pocket = os.path.join(GEN, "pocket_box.pdb")
    vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, pocket)
    dead = subprocess.Popen(["true"])
    dead.wait()
    other = os.path.join(out, f"elsewhere.annotated.cif.tmp.{dead.pid}.AbCdEf")  # shard 1's, on another host
    open(other, "w").write("in flight")
    with open(os.path.join(out, ".vox.lock"), "r+") as lk:  # shard 1 runs (on that host)
        fcntl.flock(lk, fcntl.LOCK_SH)
        p = vox("analyze", "--quiet", "--resume", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, pocket)
        check(p.returncode == 0 and os.path.exists(other),
              f"a running shard's temporary is kept while it holds the folder: {p.returncode} {p.stderr}")
    p = vox("analyze", "--quiet", "--resume", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, pocket)
    check(p.returncode == 0 and not os.path.exists(other), "alone in the folder, a shard removes dead temporaries")
    p = vox("analyze", "--quiet", "--output-dir", out, "--resume", pocket)
    check(p.returncode == 0, f"an unsharded run takes the folder after them: {p.stderr}")
    # shards started at once: one holds the folder exclusive for its moment of removing, the others wait for it;
    # an unsharded run holding it still keeps a shard out
    args = ["analyze", "--quiet", "--resume", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, pocket]
    for holder, ok in (("vox analyze (shard 1 of 2)", True), ("vox analyze", False)):
        with open(os.path.join(out, ".vox.lock"), "r+") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            lk.truncate(0)
            lk.write(f"pid 4242 on host elsewhere, {holder} started now\n")
            lk.flush()
            q = subprocess.Popen([*WRAPPER, VOX, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if ok:  # held until the shard has the lock file open (it then polls while it is held), then let go
                deadline = time.monotonic() + 120
                while q.poll() is None and time.monotonic() < deadline and not holds_open(q.pid, lk.name):
                    time.sleep(0.01)
                time.sleep(0.2)
                check(q.poll() is None, f"a shard waits while '{holder}' holds the folder exclusive")
            else:  # held until the shard gives up (it polls 2 s): before, let go after 3 s of wall time, which a
                err = q.communicate(timeout=120)[1]  # shard starting slowly (a loaded machine, ASan) outlasted
        err = q.communicate(timeout=120)[1] if ok else err
        check((q.returncode == 0) == ok and (ok or "in use by another run" in err),
              f"a shard starting while '{holder}' holds the folder exclusive: {q.returncode} {err}")


def test_shards_of_two_arrays(tmp):
    """Shards share a folder with the shards of their own array only: a shard of another array (another
    --num-shards, say an array relaunched with more tasks while the first's still run) would take the same
    structures. Before, both ran side by side, writing the same outputs; now the later one is refused, naming the
    running shard, and with --wait-lock waits for it."""
    import fcntl
    out = os.path.join(tmp, "arrays")
    pocket = os.path.join(GEN, "pocket_box.pdb")
    vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, pocket)
    args = ["analyze", "--quiet", "--resume", "--output-dir", out, pocket]
    with open(os.path.join(out, ".vox.lock"), "r+") as lk, open(os.path.join(out, ".vox.shard-0-of-2.lock"), "r+") as own:
        fcntl.flock(lk, fcntl.LOCK_SH)
        fcntl.flock(own, fcntl.LOCK_EX)
        own.truncate(0)
        own.write("pid 4242 on host elsewhere, vox analyze (shard 0 of 2) started now\n")
        own.flush()
        p = vox(*args, "--num-shards", "3", "--shard-index", "0")
        check(p.returncode == 1 and "shard 0 of 2" in p.stderr and "--num-shards" in p.stderr
              and not os.path.exists(os.path.join(out, "run.shard-0-of-3.summary.json")),
              f"a shard of another array is refused while one runs: {p.returncode} {p.stderr}")
        p = vox(*args, "--num-shards", "2", "--shard-index", "1")
        check(p.returncode == 0, f"a shard of the same array runs beside it: {p.stderr}")
        q = subprocess.Popen([*WRAPPER, VOX, *args, "--num-shards", "3", "--shard-index", "0", "--wait-lock"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # held until it says it waits (before: for 1 s, which a slow start outlasted, finding the folder free)
        first = q.stderr.readline()
        check(q.poll() is None and "waiting" in first, f"--wait-lock: the other array's shard waits: {first}")
    err = first + q.communicate(timeout=120)[1]
    check(q.returncode == 0 and "waiting" in err, f"--wait-lock: then runs: {q.returncode} {err}")


def test_durable_replace(tmp):
    """README "Durability", seen through strace: each structure's CIF is fdatasync'ed before its rename and its
    annotation JSON and exports are not; when replacing, the old JSON is removed before the new CIF is renamed, and the new JSON
    is renamed last.  (Skipped without strace, or under an emulator.)"""
    strace = shutil.which("strace")
    if not strace or WRAPPER:
        print("skipped: test_durable_replace needs strace and a native vox")
        return
    tree = os.path.join(tmp, "tree_durable")
    make_tree(tree, copies=4)
    out = os.path.join(tmp, "durable")
    # with exports: they are staged without a sync of their own (the count below)
    exports = ["--write", "descriptors,vina,dx,pymol,html"]
    p = vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", out, *exports, tree)
    check(p.returncode == 0, f"first run: {p.stderr}")
    labels = sorted(f[:-len(".annotation.json")] for f in os.listdir(out) if f.endswith(".annotation.json"))
    check(any(f.endswith(".vina.txt") for f in os.listdir(out)), "the tree's structures have boxes to export")
    log = os.path.join(tmp, "durable.strace")
    q = subprocess.run([strace, "-f", "-qq", "-y", "-o", log, "-e", "trace=fdatasync,fsync,unlink,unlinkat,rename,renameat,renameat2",
                        VOX, "analyze", "--quiet", "--overwrite", "--resolution", "2.0", "--output-dir", out, *exports,
                        tree],
                       capture_output=True, text=True, timeout=600)
    if q.returncode != 0 and "ptrace" in q.stderr:
        print(f"skipped: test_durable_replace: strace cannot trace here ({q.stderr.strip()})")
        return
    check(q.returncode == 0, f"the replacing run: {q.stderr}")
    calls = [line.split(None, 1)[1] for line in open(log) if " " in line]
    synced = [c for c in calls if c.startswith("fdatasync(")]
    for label in labels:
        base = os.path.join(out, label)
        def first(pred):
            return next((i for i, c in enumerate(calls) if pred(c)), None)
        gone = first(lambda c: c.startswith("unlink") and f'"{base}.annotation.json"' in c)
        cif = first(lambda c: c.startswith("rename") and c.rstrip().endswith(f'"{base}.annotated.cif") = 0'))
        js = first(lambda c: c.startswith("rename") and c.rstrip().endswith(f'"{base}.annotation.json") = 0'))
        check(None not in (gone, cif, js) and gone < cif < js,
              f"{label}: old JSON removed ({gone}) before the CIF's rename ({cif}), the JSON renamed last ({js})")
        check(any(f"{base}.annotated.cif.tmp." in c for c in synced), f"{label}: the CIF's data synced before its rename")
    check(not any(".annotation.json.tmp." in c for c in synced), f"no annotation JSON synced: {synced}")
    records = [c for c in synced if "/run." in c or "checkpoint" in c or "failures" in c]
    check(len(synced) == len(labels) + len(records),
          f"one fdatasync per structure plus one per run record: {len(synced)} for {len(labels)} structures")
    check(sum(c.startswith("fsync(") for c in calls) == 1, "the output directory synced once")


def test_output_dir_inside_input_dir(tmp):
    """An output directory inside the input directory: its files are not inputs, so a second run (with
    --resume, or vox validate with the inputs) plans the same structures as the first. Before, the second
    run took the first's x.annotated.cif for a structure and wrote x_annotated.*."""
    src = os.path.join(tmp, "nest")
    os.makedirs(src, exist_ok=True)
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(src, "p.pdb"))
    out = os.path.join(src, "out")
    for _ in range(2):
        p = vox("analyze", "--quiet", "--resume", "--resolution", "3.0", "--write", "df-json", "--output-dir", out, src)
        check(p.returncode == 0 and sorted(f for f in os.listdir(out) if f.endswith(".annotation.json")) ==
              ["p.annotation.json"], f"run into an output folder inside the inputs: {p.stderr} {sorted(os.listdir(out))}")
    check("the output directory" in p.stderr, f"the skip is said: {p.stderr}")
    p = vox("validate", "--output-dir", out, src)
    check(p.returncode == 0 and "x_annotated" not in p.stdout and "p_annotated" not in p.stdout,
          f"vox validate plans the same: {p.returncode} {p.stdout}")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, out)
    check(p.returncode == 1 and "the output directory" in p.stderr, f"the output directory as the input: {p.stderr}")


def test_paths_as_pathlib(tmp):
    """The paths vox writes into volumizer's files are what volumizer's Path objects print (str(Path(p))):
    './x.pdb' is 'x.pdb', 'out/' is 'out', a manifest's relative entries join its folder as pathlib joins,
    a directory given as '.' lists 'name'. Before, vox wrote './x.pdb', 'out//x.annotated.cif' and
    './x.pdb' for a manifest in the current folder."""
    from pathlib import PurePosixPath as P
    work = os.path.join(tmp, "pathlib")
    os.makedirs(os.path.join(work, "sub"), exist_ok=True)
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(work, "x.pdb"))
    shutil.copy(os.path.join(GEN, "cavity_box.pdb"), os.path.join(work, "sub", "y.pdb"))
    open(os.path.join(work, "m.json"), "w").write(json.dumps({"structures": [{"input_path": "./sub//y.pdb"}]}))
    cases = [(["--output-dir", "out1/", "./x.pdb"], "out1/", "./x.pdb", "x"),
             (["--output-dir", ".//out2/.", ".//x.pdb"], ".//out2/.", ".//x.pdb", "x"),
             (["--output-dir", "out3", "--manifest", "m.json"], "out3", str(P("m.json").parent / "./sub//y.pdb"), "y")]
    for args, out, given, label in cases:
        p = vox("analyze", "--quiet", "--resolution", "3.0", *args, cwd=work)
        outdir = str(P(out))
        ann = json.load(open(os.path.join(work, outdir, f"{label}.annotation.json")))
        s = json.load(open(os.path.join(work, outdir, "run.summary.json")))
        check(p.returncode == 0 and ann["input_path"] == str(P(given)) and
              ann["output_structure_cif"] == str(P(out) / f"{label}.annotated.cif") and
              s["config"]["output_dir"] == str(P(out)) and s["config"]["download_dir"] == str(P(out) / "downloads") and
              s["results"][0]["input_path"] == str(P(given)),
              f"{args}: {p.stderr} {ann.get('input_path')} {ann.get('output_structure_cif')} {s['config']['output_dir']}")
    long = "L" * 200  # volumizer's labels have no length of their own: up to what a file name holds
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(work, long + ".pdb"))
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", "out5", long + ".pdb", cwd=work)
    check(p.returncode == 0 and os.path.isfile(os.path.join(work, "out5", long.lower() + ".annotation.json")),
          f"a 200-character label, whole: {p.stderr} {os.listdir(os.path.join(work, 'out5'))}")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", "../out4", ".", cwd=os.path.join(work, "sub"))
    ann = json.load(open(os.path.join(work, "out4", "y.annotation.json")))
    check(p.returncode == 0 and ann["input_path"] == "y.pdb" and ann["output_structure_cif"] == "../out4/y.annotated.cif",
          f"a directory given as '.': {p.stderr} {ann['input_path']}")


def test_resume_home_path(tmp):
    """--resume keeps a structure whose annotation records its CIF as ~/...: volumizer's check expands the user's
    home (Path.expanduser) before it compares the paths. Before, vox redid it."""
    home = os.path.join(tmp, "home")
    out = os.path.join(home, "out")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home)
    src = os.path.join(GEN, "pocket_box.pdb")
    vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, src, env=env)
    ann = os.path.join(out, "pocket_box.annotation.json")
    text = open(ann).read()
    open(ann, "w").write(text.replace(json.dumps(os.path.join(out, "pocket_box.annotated.cif")),
                                      json.dumps("~/out/pocket_box.annotated.cif")))
    p = vox("analyze", "--quiet", "--resume", "--resolution", "3.0", "--output-dir", out, src, env=env)
    s = json.load(open(os.path.join(out, "run.summary.json")))
    check(p.returncode == 0 and "~/out/" in open(ann).read() and s["num_skipped"] == 1,
          f"a ~/ path of the CIF is this structure's: {p.stderr} {s['num_skipped']}")


def test_run_files_folders(tmp):
    """--checkpoint, --progress-jsonl and --failures-manifest in folders that do not exist yet: made, as volumizer
    makes them (path.parent.mkdir(parents=True)); a folder that cannot be made stops the run before it analyses
    anything, naming the option. Before, vox analysed on and said it could not write them."""
    new = os.path.join(tmp, "runfiles")
    out = os.path.join(tmp, "runfiles_out")
    src = os.path.join(GEN, "pocket_box.pdb")
    ck, pj, fm = (os.path.join(new, d, f) for d, f in (("a", "ck.json"), ("b/c", "p.jsonl"), ("d", "f.json")))
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, "--checkpoint", ck, "--progress-jsonl", pj,
            "--failures-manifest", fm, src, os.path.join(tmp, "missing.pdb"))
    check(p.returncode == 1 and all(os.path.isfile(f) for f in (ck, pj, fm)) and "cannot write" not in p.stderr,
          f"the folders made: {p.stderr}")
    blocked = os.path.join(tmp, "runfiles_file")
    open(blocked, "w").write("x")
    out2 = os.path.join(tmp, "runfiles_out2")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out2, "--checkpoint",
            os.path.join(blocked, "ck.json"), src)
    check(p.returncode == 1 and "--checkpoint" in p.stderr and not os.path.exists(os.path.join(out2, "pocket_box.annotation.json")),
          f"a folder that cannot be made stops the run first: {p.returncode} {p.stderr}")


def test_run_files_apart(tmp):
    """--checkpoint, --progress-jsonl and --failures-manifest naming an input, one another, or a file the run
    writes in its output directory: refused before anything is written (exit 2). Before, the events file
    truncated the structure it named before it was read, a checkpoint replaced an input, and a failures
    manifest replaced the run summary or a structure's annotation (vox validate then failed the folder)."""
    d = os.path.join(tmp, "apart")
    os.makedirs(d)
    mine = os.path.join(d, "mine.pdb")
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), mine)
    original = open(mine, "rb").read()
    out = os.path.join(d, "o")
    for args, said in ((["--progress-jsonl", mine], "is an input of this run"),
                       (["--checkpoint", os.path.join(d, ".", "mine.pdb")], "is an input of this run"),
                       (["--failures-manifest", os.path.join(out, "run.summary.json")], "run files"),
                       (["--failures-manifest", os.path.join(out, "mine.annotation.json")], "an output of 'mine'"),
                       (["--failures-manifest", os.path.join(out, "mine.pocket-0.vina.txt")], "an output of 'mine'"),
                       (["--progress-jsonl", os.path.join(d, "x.json"), "--failures-manifest", os.path.join(d, "x.json")],
                        "name one file")):
        p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, *args, mine)
        check(p.returncode == 2 and said in p.stderr and open(mine, "rb").read() == original
              and not os.path.exists(os.path.join(out, "mine.annotation.json")), f"{args}: {p.returncode} {p.stderr}")
    # in the output folder under names of their own, a name that starts with a label but is no output, and the
    # checkpoint's default path however spelled (a review: an absolute one was refused): written
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, "--checkpoint",
            os.path.join(out, "run.checkpoint.json"), "--progress-jsonl", os.path.join(out, "mine.events.jsonl"),
            "--failures-manifest", os.path.join(out, "failed.json"), mine)
    check(p.returncode == 0 and os.path.exists(os.path.join(out, "mine.events.jsonl")), f"own names: {p.stderr}")
    p = vox("analyze", "--quiet", "--overwrite", "--resolution", "3.0", "--output-dir", os.path.relpath(out),
            "--checkpoint", os.path.abspath(os.path.join(out, ".", "run.checkpoint.json")), mine)
    check(p.returncode == 0, f"the default checkpoint spelled otherwise: {p.stderr}")


def test_umask(tmp):
    """Every file a run writes has mode 0666 less the umask, as a new file from Python's open() (volumizer's
    outputs) has: a folder shared by a group (umask 002) stays writable by it, a private one (077) private.
    Before, the outputs were 0644 whatever the umask."""
    src = os.path.join(GEN, "pocket_box.pdb")
    for mask in (0o077, 0o002, 0o022):
        out = os.path.join(tmp, f"umask_{mask:03o}")
        p = subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--resolution", "2.0", "--write",
                            "df-json,descriptors,vina,pymol,chimerax,dx,html", "--output-dir", out, src],
                           capture_output=True, text=True, preexec_fn=lambda m=mask: os.umask(m))
        files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
        modes = {os.path.relpath(f, out): stat.S_IMODE(os.stat(f).st_mode) for f in files}
        wrong = {f: f"{m:03o}" for f, m in modes.items() if m != 0o666 & ~mask}
        check(p.returncode == 0 and len(modes) > 10 and not wrong,
              f"umask {mask:03o}: every file {0o666 & ~mask:03o}: {p.stderr} {wrong}")


def peak_run(*args):
    """(returncode, stderr, peak RSS in bytes) of `vox ARGS`, from a fresh Python child."""
    code = ("import resource, subprocess, sys, json; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(json.dumps([p.returncode, p.stderr, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]))")
    q = subprocess.run([sys.executable, "-c", code, *WRAPPER, VOX, *args], capture_output=True, text=True, timeout=600)
    return json.loads(q.stdout)


def test_validate(tmp):
    """vox validate: inputs checked without analysing, an output directory checked against its plan and summary;
    each verdict has its exit code."""
    pore, pocket = os.path.join(GEN, "pore_box.pdb"), os.path.join(GEN, "pocket_box.pdb")
    bad = os.path.join(tmp, "val_bad.pdb")
    open(bad, "w").write("HEADER    BROKEN\nATOM      1  CA  ALA A   1       1.000\n")
    p = vox("validate", "--resolution", "1.0", pore, pocket)
    check(p.returncode == 0 and p.stdout.count("ok ") == 2 and "atoms read" in p.stdout and "after cleaning" in p.stdout
          and "assembly biological" in p.stdout and "voxels" in p.stdout and "predicted peak memory" in p.stdout,
          f"valid inputs: {p.returncode} {p.stdout}")
    p = vox("validate", pore, bad)
    check(p.returncode == 3 and "val_bad.pdb" in p.stdout and "ParseError" not in p.stdout and "line too short" in p.stdout,
          f"a malformed input: exit 3: {p.returncode} {p.stdout}")
    p = vox("validate", "--max-memory", "1M", pore)
    check(p.returncode == 4 and "over --max-memory" in p.stdout, f"over --max-memory: exit 4: {p.stdout}")
    p = vox("validate", "--max-grid-voxels", "1000", pore)
    check(p.returncode == 4 and "grid limit" in p.stdout, f"over --max-grid-voxels: exit 4: {p.stdout}")
    # a path that is not UTF-8 (a Latin-1 name): --json stays valid UTF-8, its byte as a surrogate escape
    latin = os.fsencode(pore)[:-4] + b"-caf\xe9.pdb"
    shutil.copy(pore, latin)
    raw = subprocess.run([*WRAPPER, VOX, "validate", "--json", "--resolution", "2.0", latin], capture_output=True).stdout
    try:
        named = json.loads(raw.decode("utf-8"))["inputs"][0]["name"]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as e:
        named = repr(e)
    check(named == os.fsdecode(latin), f"vox validate --json, a Latin-1 path: {named}")
    os.remove(latin)
    p = vox("validate", "--json", "--resolution", "2.0", pore)
    j = json.loads(p.stdout)
    rec = j["inputs"][0]
    check(p.returncode == 0 and j["exit_code"] == 0 and rec["status"] == "ok" and rec["atoms_after_cleaning"] > 1000 and
          len(rec["grid"]) == 3 and rec["voxels"] == rec["grid"][0] * rec["grid"][1] * rec["grid"][2],
          f"--json: {p.stdout[:400]}")
    # the estimate is the grid the analysis builds, and an upper estimate of its memory
    out = os.path.join(tmp, "val_out")
    rc, err, rss = peak_run("analyze", "--quiet", "--threads", "1", "--resolution", "1.0", "--stage-timings",
                            "--output-dir", os.path.join(tmp, "val_rss"), pore)
    m = re.search(r"grid=(\d+)x(\d+)x(\d+)", err)
    check(rc == 0 and m and [int(g) for g in m.groups()] == json.loads(
        vox("validate", "--json", "--resolution", "1.0", pore).stdout)["inputs"][0]["grid"], f"estimated grid: {err}")
    if "ASAN_OPTIONS" not in os.environ and not WRAPPER:  # sanitizers and qemu add their own memory
        predicted = json.loads(vox("validate", "--json", "--resolution", "1.0", pore).stdout)["inputs"][0]["predicted_bytes"]
        check(predicted >= rss, f"predicted {predicted} >= measured peak RSS {rss}")
    # an output directory
    tree = os.path.join(tmp, "val_tree")
    make_tree(tree, copies=3)
    vox("analyze", "--quiet", "--write", "df-json", "--output-dir", out, tree)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 0 and p.stdout.count("outputs complete") == 4, f"a complete directory: {p.returncode} {p.stdout}")
    p = vox("validate", "--output-dir", out, tree)
    check(p.returncode == 0, f"the inputs' plan against the directory: {p.stdout}")
    os.remove(os.path.join(out, "s01.df.json"))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "s01.df.json" in p.stdout, f"a missing df.json (the run wrote them): exit 5: {p.stdout}")
    vox("analyze", "--quiet", "--write", "df-json", "--resume", "--output-dir", out, tree)
    check(vox("validate", "--output-dir", out).returncode == 0, "--resume completed it")
    ann = os.path.join(out, "s00.annotation.json")
    good = open(ann).read()
    open(ann, "w").write(good[: len(good) // 2])
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "s00" in p.stdout and "not a JSON object" in p.stdout, f"a damaged annotation: {p.stdout}")
    open(ann, "w").write(good)
    sp = os.path.join(out, "run.summary.json")
    s = json.load(open(sp))
    s["num_processed"] += 1
    json.dump(s, open(sp, "w"))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "num_processed" in p.stdout, f"a summary whose counts disagree: {p.stdout}")
    s["num_processed"] -= 1
    s["results"][0]["num_volumes"] += 1
    json.dump(s, open(sp, "w"))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "disagrees" in p.stdout, f"a record that disagrees with its annotation: {p.stdout}")
    p = vox("validate", "--output-dir", out, pocket)
    check(p.returncode == 5 and "pocket_box" in p.stdout and "missing" in p.stdout, f"an input never analysed: {p.stdout}")
    s["results"][0]["num_volumes"] -= 1
    # the largest volume too (it was not compared: a record could say any size)
    r0 = next(r for r in s["results"] if r.get("largest_volume") is not None)
    r0["largest_volume"] += 8.0
    json.dump(s, open(sp, "w"))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "largest_volume" in p.stdout and r0["source"] in p.stdout,
          f"a record whose largest volume disagrees with its annotation: {p.stdout}")
    r0["largest_volume"] -= 8.0
    # a --dry-run into the finished folder replaces its records, not its outputs: those still validate, and
    # an entry the dry run planned that has no outputs is missing
    json.dump(s, open(sp, "w"))
    vox("analyze", "--quiet", "--dry-run", "--write", "df-json", "--output-dir", out, tree, pocket)
    check(json.load(open(sp))["num_planned"] == 5, "the dry run's summary plans five")
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and p.stdout.count("an earlier run") == 4 and "pocket_box" in p.stdout
          and "never analysed" in p.stdout, f"after a --dry-run: four complete, one never analysed: {p.stdout}")
    vox("analyze", "--quiet", "--write", "df-json", "--resume", "--output-dir", out, tree, pocket)
    check(vox("validate", "--output-dir", out).returncode == 0, "--resume after the dry run completed it")
    s = json.load(open(sp))
    os.remove(sp)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "did not finish" in p.stdout, f"no summary: {p.stdout}")
    # a run in progress holds the lock: nothing is judged
    import fcntl
    with open(os.path.join(out, ".vox.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        lk.write("pid 4242 on host test, vox analyze started now\n")
        lk.flush()
        p = vox("validate", "--output-dir", out)
    check(p.returncode == 6 and "pid 4242" in p.stdout, f"a directory in use: exit 6: {p.stdout}")
    p = vox("validate")
    check(p.returncode == 2, "nothing to check: usage error")


def shard_folder(tmp, name, bad_at=(2,)):
    """Six inputs (bad ones at the positions bad_at) analysed by 3 shards into one folder, one after the other as a
    Slurm array's tasks may run; returns (folder, inputs, {label: shard})."""
    src = os.path.join(tmp, name + "_in")
    os.makedirs(src, exist_ok=True)
    boxes = ["pocket_box.pdb", "pore_box.pdb", "cavity_box.pdb", "hub_box.pdb"]
    inputs = []
    for i in range(6):
        path = os.path.join(src, f"e{i}.pdb")
        if i in bad_at:
            open(path, "w").write("HEADER    BROKEN\nATOM      1  CA  ALA A   1       1.000\n")
        else:
            shutil.copy(os.path.join(GEN, boxes[i % 4]), path)
        inputs.append(path)
    out = os.path.join(tmp, name)
    for k in range(3):
        vox("analyze", "--quiet", "--resolution", "3.0", "--num-shards", "3", "--shard-index", str(k), "--output-dir",
            out, *inputs)
    return out, inputs, {f"e{i}": i % 3 for i in range(6)}


def test_validate_trajectory_folder(tmp):
    """vox validate on the folder of a vox trajectory run (or one where vox trajectory followed vox analyze, as the
    README's report example does): its run.summary.json is vox's own trajectory summary, not a damaged file."""
    pocket = os.path.join(GEN, "pocket_box.pdb")
    out = os.path.join(tmp, "val_traj")
    check(vox("trajectory", "--quiet", "--topology", pocket, "--output-dir", out).returncode == 0, "vox trajectory ran")
    p = vox("validate", "--output-dir", out)
    # not incomplete or inconsistent (exit 5): a folder vox validate does not check (exit 2)
    check(p.returncode == 2 and "damaged" not in p.stdout and "vox trajectory --resume" in p.stdout
          and "vox analyze" in p.stdout, f"a trajectory's summary named as such: {p.returncode} {p.stdout}")


def test_validate_shards(tmp):
    """vox validate --output-dir on a folder a Slurm array shared: every shard's records are read, the newest naming a
    label deciding (an older run's run.summary.json does not outweigh newer shards), a killed shard's checkpoint
    entries are checked, a shard with no record is named, and each problem says which record it comes from."""
    # a folder holding only the records of a shard that had no entries (5 shards of 3 inputs): the shards that
    # own the entries are named (it passed, exit 0, printing nothing); every shard run: complete
    src = [os.path.join(GEN, f) for f in ("pocket_box.pdb", "cavity_box.pdb", "pore_box.pdb")]
    empty = os.path.join(tmp, "vshards-empty")
    vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", empty, "--num-shards", "5", "--shard-index", "4", *src)
    p = vox("validate", "--output-dir", empty)
    check(p.returncode == 5 and all(f"shard {k} of 5" in p.stdout for k in range(3)),
          f"only an empty shard's records: {p.returncode} {p.stdout}")
    for k in range(4):
        vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", empty, "--num-shards", "5", "--shard-index", str(k), *src)
    p = vox("validate", "--output-dir", empty)
    check(p.returncode == 0, f"every shard, two of them empty: {p.returncode} {p.stdout}")
    out, inputs, shard = shard_folder(tmp, "vshards")
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and p.stdout.count("outputs complete") == 5 and "run.summary.json" not in p.stdout
          and re.search(r"failed +e2: failed in the run \(from run\.shard-2-of-3\.summary\.json\): ParseError", p.stdout),
          f"a folder of shards, no run.summary.json: every shard's entries, e2 failed in shard 2: {p.returncode} {p.stdout}")
    # an older run's summary beside newer shards: it said e2 was done, the shards since say it failed
    old = {"schema": 1, "config": {}, "num_processed": 1, "num_failed": 0, "num_skipped": 0, "num_planned": 0,
           "results": [{"source": "e2", "input_path": inputs[2], "num_volumes": 1, "largest_type": "pocket",
                        "largest_volume": 1.0}], "errors": [], "skipped": [], "planned": []}
    json.dump(old, open(os.path.join(out, "run.summary.json"), "w"))
    past = time.time() - 3600
    os.utime(os.path.join(out, "run.summary.json"), (past, past))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and p.stdout.count("outputs complete") == 5 and "from run.shard-2-of-3.summary.json" in p.stdout
          and "from run.summary.json" not in p.stdout, f"the newest record naming e2 decides: {p.stdout}")
    os.remove(os.path.join(out, "run.summary.json"))
    # shard 1 killed (kill -9) after its checkpoint listed e1 but before e4 and its summary
    ck = os.path.join(out, "run.shard-1-of-3.checkpoint.json")
    c = json.load(open(ck))
    c["results"] = [r for r in c["results"] if r["source"] == "e1"]
    json.dump(c, open(ck, "w"))
    os.remove(os.path.join(out, "run.shard-1-of-3.summary.json"))
    os.remove(os.path.join(out, "e4.annotation.json"))
    e1 = os.path.join(out, "e1.annotation.json")
    text = open(e1).read()
    open(e1, "w").write(text[: len(text) // 2])
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and re.search(r"incomplete .*run\.shard-1-of-3\.checkpoint\.json: no summary run\.shard-1-"
                                          r"of-3\.summary\.json beside it: the run did not finish.*--resume", p.stdout)
          and re.search(r"invalid +e1: .*e1\.annotation\.json.*\(from run\.shard-1-of-3\.checkpoint\.json\)", p.stdout)
          and "e4" not in p.stdout, f"a killed shard: its checkpoint's entries checked, the file named: {p.stdout}")
    j = json.loads(vox("validate", "--json", "--output-dir", out).stdout)
    e1 = [r for r in j["outputs"] if r["name"] == "e1"]
    check(len(e1) == 1 and e1[0]["record"] == "run.shard-1-of-3.checkpoint.json", f"--json names the record: {e1}")
    p = vox("validate", "--output-dir", out, *inputs)
    check(p.returncode == 3 and re.search(r"invalid +e4: .*missing", p.stdout),
          f"with the inputs, the killed shard's unreached entry is missing: {p.stdout}")
    # a shard that left no record at all (killed before its first checkpoint, or never started)
    for f in ("run.shard-1-of-3.checkpoint.json",):
        os.remove(os.path.join(out, f))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "shard 1 of 3 (--shard-index 1) has no run.shard-1-of-3.summary.json" in p.stdout,
          f"a shard with no record is named: {p.stdout}")
    # a finished shard's summary is its newest record (the checkpoint is written before it), so it decides
    for k in range(3):
        s, c = (os.path.join(out, f"run.shard-{k}-of-3.{w}.json") for w in ("summary", "checkpoint"))
        if os.path.exists(s) and os.path.exists(c):
            check(os.stat(s).st_mtime_ns >= os.stat(c).st_mtime_ns, f"shard {k}: the summary written after the checkpoint")


def test_merge_shards(tmp):
    """vox merge-summaries of a Slurm array's summaries: a shard with no summary (killed by kill -9 or a time limit:
    the glob run.shard-*-of-N.summary.json misses it) or a shard given twice is refused, naming the shard and its
    checkpoint, and nothing is written; its checkpoint merges the entries it finished."""
    out, inputs, shard = shard_folder(tmp, "mshards")
    merged = os.path.join(out, "run.summary.json")
    os.remove(os.path.join(out, "run.shard-1-of-3.summary.json"))  # shard 1 killed after its last checkpoint
    sums = sorted(os.path.join(out, f) for f in os.listdir(out) if re.fullmatch(r"run\.shard-\d+-of-3\.summary\.json", f))
    p = vox("merge-summaries", merged, *sums)
    check(p.returncode == 1 and not os.path.exists(merged) and "shard 1 of 3 (--shard-index 1) is missing" in p.stderr
          and "run.shard-1-of-3.checkpoint.json exists" in p.stderr and "--resume" in p.stderr,
          f"a missing shard is refused and named: {p.returncode} {p.stderr}")
    ck = os.path.join(out, "run.shard-1-of-3.checkpoint.json")
    p = vox("merge-summaries", merged, *sums, ck)
    m = json.load(open(merged)) if os.path.exists(merged) else {}
    srcs = sorted(r["source"] for k in ("results", "errors") for r in m.get(k, []))
    check(p.returncode == 0 and srcs == [f"e{i}" for i in range(6)] and m["num_processed"] == 5 and m["num_failed"] == 1
          and "is a checkpoint" in p.stderr, f"its checkpoint merges what it finished: {p.stderr} {srcs}")
    p = vox("validate", "--output-dir", out)
    check("a merged summary listing" not in p.stdout, f"a checkpoint that lists all of its shard's entries: {p.stdout}")
    # a checkpoint written before its shard reached e4: the merged summary lists 5 of the plan's 6 entries, and
    # vox validate says so (it passed, exit 0, once the merge had hidden the checkpoint behind a newer summary)
    os.remove(merged)
    c = json.load(open(ck))
    saved_ck = open(ck).read()
    c["results"] = [r for r in c["results"] if r["source"] != "e4"]
    json.dump(c, open(ck, "w"))
    p = vox("merge-summaries", merged, *sums, ck)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "a merged summary listing 5 of the 6 entries" in p.stdout,
          f"a merge of a checkpoint that had not reached every entry: {p.returncode} {p.stdout}")
    open(ck, "w").write(saved_ck)
    os.remove(merged)
    p = vox("merge-summaries", merged, *sums, ck, sums[0])
    check(p.returncode == 1 and not os.path.exists(merged) and "shard 0 of 3 is given twice" in p.stderr,
          f"a shard given twice is refused: {p.stderr}")
    # misuse: an option, or OUT forgotten (the first shard's summary would be the output): usage errors that say so
    before = open(sums[0], "rb").read()
    p = vox("merge-summaries", *sums, "--output", merged)
    check(p.returncode == 2 and "unknown option --output" in p.stderr and not os.path.exists(merged),
          f"an option is refused: {p.returncode} {p.stderr}")
    p = vox("merge-summaries", *sums, ck)
    check(p.returncode == 2 and "is a shard's run record, not the merged file to write" in p.stderr and
          open(sums[0], "rb").read() == before, f"a forgotten OUT is named: {p.returncode} {p.stderr}")
    # summaries of runs with other settings are not shards of one run: refused, naming the setting
    other = os.path.join(tmp, "mshards_other")
    vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", other, inputs[0])
    p = vox("merge-summaries", merged, os.path.join(other, "run.summary.json"), *sums, ck)
    check(p.returncode == 1 and not os.path.exists(merged) and "not shards of one run" in p.stderr and
          "resolution differs" in p.stderr, f"another run's summary is refused: {p.returncode} {p.stderr}")
    # one run's summary given twice, or with a copy of it: its entries would count twice (they did: 2x the structures)
    single = os.path.join(other, "run.summary.json")
    copy = os.path.join(tmp, "copy.summary.json")
    shutil.copyfile(single, copy)
    for twice in ((single, single), (single, copy)):
        p = vox("merge-summaries", merged, *twice)
        check(p.returncode == 1 and not os.path.exists(merged) and "would be counted twice" in p.stderr,
              f"{twice[1]} after {twice[0]}: refused: {p.returncode} {p.stderr}")
    # a name that is no file: said so (it said "is not a vox/volumizer run summary")
    p = vox("merge-summaries", merged, *sums, os.path.join(out, "run.shard-1-of-3.summry.json"))
    check(p.returncode == 1 and "No such file or directory" in p.stderr and not os.path.exists(merged),
          f"a missing input is named as missing: {p.stderr}")
    # a summary that names no shard can stand for one missing shard (with a note), not for two
    bare = json.load(open(sums[0]))
    del bare["config"]["num_shards"], bare["config"]["shard_index"]
    bare_path = os.path.join(tmp, "bare0.json")
    json.dump(bare, open(bare_path, "w"))
    p = vox("merge-summaries", merged, bare_path, sums[1], ck)
    check(p.returncode == 0 and "taken for it" in p.stderr, f"one unnamed summary for one missing shard: {p.stderr}")
    os.remove(merged)
    p = vox("merge-summaries", merged, bare_path, ck)
    check(p.returncode == 1 and "shard 2 of 3 (--shard-index 2) is missing" in p.stderr and not os.path.exists(merged),
          f"one unnamed summary cannot stand for two missing shards (it hid them): {p.stderr}")
    # a forged shard count: a few lines, not one per missing shard
    forged = json.load(open(sums[0]))
    forged["config"]["num_shards"] = 1000000
    forged_path = os.path.join(tmp, "run.shard-0-of-1000000.summary.json")
    json.dump(forged, open(forged_path, "w"))
    p = vox("merge-summaries", merged, forged_path)
    check(p.returncode == 1 and len(p.stderr.splitlines()) < 20 and "more shards of 1000000 are missing" in p.stderr,
          f"a forged num_shards: {len(p.stderr.splitlines())} lines")


def test_merge_refuses_mixed_runs(tmp):
    """Shards that differ in a setting the outputs depend on are no one run: --no-align, --frame-signs and
    --output-frame (the summary did not record them, and a merge of an aligned and an unaligned shard passed, with
    vox validate calling the mix ok), --write and the boxes' settings.  One structure analysed by two runs that
    spelled its path differently (in/x.pdb, /abs/in/x.pdb) is counted once, not twice: refused.  --num-shards is
    at most 1,000,000 (a shard of 2^63 - 1 made merge-summaries look for every missing shard: a hang)."""
    pocket = os.path.join(GEN, "pocket_box.pdb")
    pore = os.path.join(GEN, "pore_box.pdb")
    out = os.path.join(tmp, "mixed")
    common = ("analyze", "--quiet", "--resolution", "3.0", "--num-shards", "2", "--output-dir", out)
    vox(*common, "--shard-index", "0", pocket, pore)
    first = os.path.join(out, "run.shard-0-of-2.summary.json")
    second = os.path.join(out, "run.shard-1-of-2.summary.json")
    merged = os.path.join(tmp, "mixed.json")
    cfg = json.load(open(first))["config"]
    check(cfg.get("align") is True and cfg.get("frame_signs") == "volumizer" and cfg.get("output_frame") == "aligned",
          f"the summary records the frame settings: {cfg.get('align')} {cfg.get('frame_signs')} {cfg.get('output_frame')}")
    for option, key in ((("--no-align",), "align"), (("--frame-signs", "canonical"), "frame_signs"),
                        (("--output-frame", "input"), "output_frame"), (("--write", "vina"), "write"),
                        (("--write", "vina", "--box-padding", "6"), "box_padding")):
        if os.path.exists(second):
            os.remove(second)
        first_opts = ("--write", "vina") if key == "box_padding" else ()
        if first_opts:
            vox(*common, "--overwrite", "--shard-index", "0", *first_opts, pocket, pore)
        vox(*common, "--shard-index", "1", *option, pocket, pore)
        p = vox("merge-summaries", merged, first, second)
        check(p.returncode == 1 and not os.path.exists(merged) and f"their {key} differs" in p.stderr,
              f"shards with other {key} are refused: {p.returncode} {p.stderr}")
        if first_opts:
            vox(*common, "--overwrite", "--shard-index", "0", pocket, pore)
    # the same settings merge
    os.remove(second)
    vox(*common, "--shard-index", "1", pocket, pore)
    p = vox("merge-summaries", merged, first, second)
    check(p.returncode == 0, f"shards of one run merge: {p.stderr}")
    os.remove(merged)
    # one structure, two spellings of its path, two runs into one folder
    src = os.path.join(tmp, "spelled")
    os.makedirs(src, exist_ok=True)
    shutil.copy(pocket, os.path.join(src, "x.pdb"))
    shutil.copy(pore, os.path.join(src, "y.pdb"))
    a, b = os.path.join(tmp, "spelled_a"), os.path.join(tmp, "spelled_b")
    vox("analyze", "--quiet", "--output-dir", a, "spelled/x.pdb", "spelled/y.pdb", cwd=tmp)
    vox("analyze", "--quiet", "--output-dir", b, os.path.join(src, "x.pdb"))
    p = vox("merge-summaries", merged, os.path.join(a, "run.summary.json"), os.path.join(b, "run.summary.json"))
    check(p.returncode == 1 and not os.path.exists(merged) and "x was analysed in both" in p.stderr and
          "spelled/x.pdb" in p.stderr, f"one label analysed by two runs is refused: {p.returncode} {p.stderr}")
    # the shard count's limit, and a forged file name beyond it taken as naming no shard (no hang)
    for n, k in (("9223372036854775807", "0"), ("1000001", "0"), ("1000000", "1000000")):
        p = vox("analyze", "--quiet", "--num-shards", n, "--shard-index", k, "--output-dir", out, pocket)
        check(p.returncode == 2 and "from" in p.stderr and "1000000" in p.stderr.replace(",", ""),
              f"--num-shards {n} --shard-index {k}: a usage error: {p.returncode} {p.stderr}")
    forged = os.path.join(tmp, "run.shard-0-of-9223372036854775807.summary.json")
    doc = json.load(open(first))
    del doc["config"]["num_shards"], doc["config"]["shard_index"]
    json.dump(doc, open(forged, "w"))
    try:
        p = vox("merge-summaries", merged, forged, timeout=60)
        check(p.returncode == 0, f"a file name beyond the limit names no shard: {p.returncode} {p.stderr}")
    except subprocess.TimeoutExpired:
        check(False, "merge-summaries of a forged shard count hangs")
    # damaged summaries: where the JSON breaks, or what it lacks (each was "not a vox/volumizer run summary")
    cut, junk, empty = (os.path.join(tmp, n) for n in ("cut.json", "junk.json", "empty.json"))
    open(cut, "w").write(open(first).read()[:200])
    open(junk, "w").write(open(first).read() + " x")
    open(empty, "w").write("{}\n")
    deep = os.path.join(tmp, "deep.json")
    open(deep, "w").write('{"results": ' + "[" * 1100 + "]" * 1100 + "}")
    for path, want in ((cut, "cut short"), (junk, "'x' was not expected there"), (empty, 'no "results" list'),
                       (deep, "nested over 1000 levels")):
        out_json = os.path.join(tmp, "damaged-merge.json")
        p = vox("merge-summaries", out_json, path)
        check(p.returncode == 1 and want in p.stderr and not os.path.exists(out_json), f"{path}: {p.stderr}")
    # vox validate's count of the shards with no record
    big = os.path.join(tmp, "bigshards")
    vox("analyze", "--quiet", "--num-shards", "1000000", "--shard-index", "0", "--output-dir", big, pocket)
    p = vox("validate", "--output-dir", big)
    check("and 999989 more shards of 1000000" in p.stdout + p.stderr,
          f"validate counts the missing shards: {(p.stdout + p.stderr)[-300:]}")


def test_replay_shard_failures(tmp):
    """A Slurm array replaying each task's failures, --from-summary OUT/run.shard-K-of-N.summary.json --only failed
    --num-shards N --shard-index K: that summary's entries are the shard's already and are all replayed (taking every
    N-th of them again skipped the others); then the folder validates whole."""
    out, inputs, shard = shard_folder(tmp, "rshards", bad_at=(2, 5))
    mine = os.path.join(out, "run.shard-2-of-3.summary.json")
    check(sorted(r["source"] for r in json.load(open(mine))["errors"]) == ["e2", "e5"], "shard 2 failed e2 and e5")
    for i in (2, 5):
        shutil.copy(os.path.join(GEN, "pocket_box.pdb"), inputs[i])
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--num-shards", "3", "--shard-index", "2", "--output-dir", out,
            "--from-summary", mine, "--only", "failed")
    s = json.load(open(mine))
    check(p.returncode == 0 and sorted(r["source"] for r in s["results"]) == ["e2", "e5"],
          f"both of shard 2's failures replayed: {p.stderr} {[r['source'] for r in s['results']]}")
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 0 and p.stdout.count("outputs complete") == 6, f"the folder validates whole: {p.stdout}")
    # another shard's summary is sharded as before (a new array over its entries)
    p = vox("analyze", "--quiet", "--dry-run", "--num-shards", "2", "--shard-index", "1", "--output-dir",
            os.path.join(tmp, "rshards_again"), "--from-summary", mine, "--only", "all")
    s = json.load(open(os.path.join(tmp, "rshards_again", "run.shard-1-of-2.summary.json")))
    check(p.returncode == 0 and len(s["planned"]) == 1, f"a new array over a summary takes its share: {s['planned']}")

    # and the array's summaries, the replayed one included, merge as one run's
    p = vox("merge-summaries", os.path.join(out, "run.summary.json"),
            *[os.path.join(out, f"run.shard-{k}-of-3.summary.json") for k in range(3)])
    check(p.returncode == 0, f"a shard's replayed summary merges with the others: {p.stderr}")


def test_shards_over_changed_inputs(tmp):
    """The tasks of a Slurm array start at different times; a folder that gains a structure between two tasks' starts
    gives them different lists, so the positions p mod N no longer split one list: an entry can fall to a shard that
    already ran (never analysed) or to two shards. Before, merge-summaries merged such shards silently (here e4, added
    after shard 0 ran, belongs to shard 0 and is in no summary, exit 0); now it refuses, naming both lists' sizes."""
    src = os.path.join(tmp, "grow_in")
    os.makedirs(src)
    for i in range(4):
        shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(src, f"e{i}.pdb"))
    out = os.path.join(tmp, "grow")
    vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, src)
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(src, "e4.pdb"))
    vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", "1", "--output-dir", out, src)
    merged = os.path.join(out, "run.summary.json")
    p = vox("merge-summaries", merged, *[os.path.join(out, f"run.shard-{k}-of-2.summary.json") for k in range(2)])
    check(p.returncode == 1 and not os.path.exists(merged) and "4 inputs" in p.stderr and "5 inputs" in p.stderr,
          f"shards over different lists of inputs are refused: {p.returncode} {p.stderr}")
    # the same array over one list merges (the paths may be spelt differently on each task)
    vox("analyze", "--quiet", "--resume", "--num-shards", "2", "--shard-index", "0", "--output-dir", out, src)
    p = vox("merge-summaries", merged, *[os.path.join(out, f"run.shard-{k}-of-2.summary.json") for k in range(2)])
    s = json.load(open(merged)) if os.path.exists(merged) else {"results": [], "skipped": []}
    check(p.returncode == 0 and sorted(r["source"] for r in s["results"] + s["skipped"]) == [f"e{i}" for i in range(5)],
          f"re-run over one list, the shards merge whole: {p.stderr}")


def test_shared_label_across_shards(tmp):
    """Two inputs with one label (x.pdb in two folders) at positions 0 and 1 of a 2-shard array: as in an
    unsharded run, the later input fails with the label error, whichever shard runs it and in which order
    the shards run; the earlier one is analysed."""
    root = os.path.join(tmp, "twins")
    for sub in ("p", "q"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(root, sub, "x.pdb"))
    inputs = [os.path.join(root, "p", "x.pdb"), os.path.join(root, "q", "x.pdb")]
    out = os.path.join(tmp, "twins_out")
    for k in (1, 0):  # the later input's shard first: before, it saw no earlier input and took the label
        vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", str(k), "--resolution", "3.0",
            "--output-dir", out, *inputs)
    s1 = json.load(open(os.path.join(out, "run.shard-1-of-2.summary.json")))
    s0 = json.load(open(os.path.join(out, "run.shard-0-of-2.summary.json")))
    check(not s1["results"] and len(s1["errors"]) == 1 and "used by an earlier input" in s1["errors"][0]["error"],
          f"shard 1: the later input fails on its label: {s1['results']} {s1['errors']}")
    check(len(s0["results"]) == 1 and not s0["errors"] and s0["results"][0]["input_path"] == inputs[0],
          f"shard 0: the earlier input is analysed: {s0['results']} {s0['errors']}")
    # the shards merge into what one run writes: one label in results and errors is two entries, not a summary
    # given twice (merge-summaries refused every such array)
    merged = os.path.join(out, "run.summary.json")
    r = vox("merge-summaries", merged, os.path.join(out, "run.shard-0-of-2.summary.json"),
            os.path.join(out, "run.shard-1-of-2.summary.json"))
    m = json.load(open(merged)) if r.returncode == 0 else {}
    check(r.returncode == 0 and len(m["results"]) == 1 and len(m["errors"]) == 1, f"merged: {r.stderr} {m}")
    # the same shard given twice is still refused
    r = vox("merge-summaries", os.path.join(tmp, "twice.json"), os.path.join(out, "run.shard-0-of-2.summary.json"),
            os.path.join(out, "run.shard-0-of-2.summary.json"))
    check(r.returncode != 0, f"a shard given twice is refused: {r.returncode}")


def test_resume_other_settings(tmp):
    """--resume with another --resolution (with or without a checkpoint) or, with descriptors, another --box-padding
    redoes the structures made with the old one: the annotation records the resolution and the volumes JSON the
    padding.  Before, the old outputs were kept silently (no checkpoint) or with a warning, and the summary recorded
    the new setting beside them; vox validate passed the mix, and now takes the settings from the run's record."""
    inputs = [os.path.join(GEN, "pocket_box.pdb"), os.path.join(GEN, "pore_box.pdb")]
    out = os.path.join(tmp, "other_settings")
    vox("analyze", "--quiet", "--no-checkpoint", "--output-dir", out, *inputs)
    r = vox("analyze", "--quiet", "--no-checkpoint", "--resume", "--resolution", "2.0", "--output-dir", out, *inputs)
    res = [json.load(open(os.path.join(out, f"{n}.annotation.json")))["resolution"] for n in ("pocket_box", "pore_box")]
    check(r.returncode == 0 and res == [2.0, 2.0] and summary(out)["num_processed"] == 2,
          f"redone at the new resolution: {res} {r.stderr[-300:]}")
    check(vox("validate", "--output-dir", out).returncode == 0, "vox validate takes the record's resolution")
    # an annotation of another resolution than the record's is found
    ann = os.path.join(out, "pore_box.annotation.json")
    doc = json.load(open(ann))
    doc["resolution"] = 3.0
    json.dump(doc, open(ann, "w"))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "another resolution" in p.stdout, f"vox validate: {p.returncode} {p.stdout[-300:]}")
    # the box padding, with the volumes JSON
    out2 = os.path.join(tmp, "other_padding")
    base = ("--quiet", "--resolution", "2.0", "--write", "descriptors,vina", "--output-dir", out2, inputs[0])
    vox("analyze", *base)
    r = vox("analyze", *base, "--resume", "--box-padding", "6")
    vina = open(os.path.join(out2, "pocket_box.pocket-0.vina.txt")).readline()
    check(r.returncode == 0 and "+ 6 A" in vina and "analysed again" in r.stderr and "old setting" not in r.stderr,
          f"redone with the new padding: {vina} {r.stderr[-300:]}")
    check(vox("validate", "--output-dir", out2).returncode == 0, "vox validate: the record's padding")
    # Vina boxes alone say their padding in their comment: another one is redone too, without a checkpoint
    out3 = os.path.join(tmp, "other_padding_vina")
    base = ("--quiet", "--resolution", "2.0", "--write", "vina", "--output-dir", out3, inputs[0])
    vox("analyze", *base, "--no-checkpoint")
    r = vox("analyze", *base, "--no-checkpoint", "--resume", "--box-padding", "12")
    vina = open(os.path.join(out3, "pocket_box.pocket-0.vina.txt")).readline()
    check(r.returncode == 0 and "+ 12 A" in vina and summary(out3)["num_processed"] == 1,
          f"Vina boxes redone with the new padding: {vina} {r.stderr[-300:]}")
    check(vox("validate", "--output-dir", out3).returncode == 0, "vox validate: the Vina boxes' padding")
    # shards of one folder at two resolutions (merge-summaries refuses them): each entry is held to its own
    # record's resolution, and a message gives the file's
    out4 = os.path.join(tmp, "shards_two_res")
    for k, res in ((0, "2.0"), (1, "3.0")):
        vox("analyze", "--quiet", "--num-shards", "2", "--shard-index", str(k), "--resolution", res,
            "--output-dir", out4, *inputs)
    p = vox("validate", "--output-dir", out4)
    check(p.returncode == 0, f"each shard's entries against its record: {p.returncode} {p.stdout[-400:]}")
    p = vox("validate", "--output-dir", out4, "--resolution", "2.5")
    check(p.returncode == 5 and "made at 2 A" in p.stdout and "the 2.5 A" in p.stdout,
          f"--resolution given: the file's own resolution said: {p.stdout[-400:]}")


def test_deep_input_tree(tmp):
    """A tree 300 levels deep is searched to 256 levels below the input, with a note for the rest; one of 2,000
    levels (as deep as PATH_MAX allows) overran the stack (SIGSEGV) in vox analyze and vox validate."""
    root = os.path.join(tmp, "deep")
    d = root
    for level in range(2000):
        d = os.path.join(d, "d")
        if level == 9:
            shallow = d
        if len(d) > 3900:  # about 1,900 levels: a file's path below stays within PATH_MAX
            break
    subprocess.run(["mkdir", "-p", d], check=True)  # os.makedirs recurses once per level too
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(shallow, "near.pdb"))
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(d, "far.pdb"))
    out = os.path.join(tmp, "deep_out")
    r = vox("analyze", "--quiet", "--resolution", "3.0", "--output-dir", out, root)
    check(r.returncode == 0 and os.path.exists(os.path.join(out, "near.annotation.json")),
          f"vox analyze searched the tree: {r.returncode} {r.stderr[-300:]}")
    check("more than 256 levels" in r.stderr and not os.path.exists(os.path.join(out, "far.annotation.json")),
          f"the part deeper than 256 levels is skipped with a note: {r.stderr[-300:]}")
    r = vox("validate", root)
    check(r.returncode in (0, 1), f"vox validate of the tree ends: {r.returncode} {r.stdout[-200:]}")
    subprocess.run(["rm", "-rf", root], check=True)  # shutil.rmtree recurses once per level


def test_progress_reader_gone(tmp):
    """--progress-jsonl to a FIFO whose reader exits after one line: the run goes on without events (one warning)
    and writes its summary; before, SIGPIPE killed it (exit 141, no summary).  A FIFO that no process reads is not
    waited for (the run blocked in open() holding the folder's lock).  vox analyze | head: the run finishes too."""
    fifo = os.path.join(tmp, "gone_events_fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(f"head -n 1 < '{fifo}' > /dev/null", shell=True)
    time.sleep(0.2)
    out = os.path.join(tmp, "gone_out")
    inputs = [os.path.join(GEN, n) for n in ("pocket_box.pdb", "pore_box.pdb", "cavity_box.pdb", "hub_box.pdb")]
    r = vox("analyze", "--quiet", "--progress-jsonl", fifo, "--output-dir", out, *inputs, timeout=120)
    reader.wait(timeout=30)
    s = summary(out) if os.path.exists(os.path.join(out, "run.summary.json")) else {}
    check(r.returncode == 0 and s.get("num_processed") == 4, f"the run finished: {r.returncode} {r.stderr[-300:]}")
    check("no more are written" in r.stderr, f"one warning: {r.stderr[-300:]}")
    out2 = os.path.join(tmp, "noreader_out")
    r = vox("analyze", "--quiet", "--progress-jsonl", fifo, "--output-dir", out2, inputs[0], timeout=60)
    check(r.returncode == 0 and "no process reads" in r.stderr, f"a FIFO without a reader: {r.returncode} "
          f"{r.stderr[-300:]}")
    out3 = os.path.join(tmp, "head_out")
    p = subprocess.run(f"'{VOX}' analyze --output-dir '{out3}' {' '.join(inputs)} | head -n 1", shell=True,
                       capture_output=True, text=True, timeout=120) if not WRAPPER else None
    if p is not None:
        check(os.path.exists(os.path.join(out3, "run.summary.json")) and summary(out3)["num_processed"] == 4,
              f"vox analyze | head -n 1 finished the run: {p.stderr[-300:]}")
        # the reason is this failure's, or none (it was another call's errno: "No such file or directory")
        check("cannot write to standard output" in p.stderr and "No such file" not in p.stderr,
              f"standard output's failure said: {p.stderr[-300:]}")
    # a closed standard output: the tables went into the folder's lock file, which took its number
    out4 = os.path.join(tmp, "closed_out")
    p = subprocess.run([VOX, "analyze", "--output-dir", out4, inputs[0]], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=120, close_fds=True,
                       preexec_fn=lambda: os.close(1)) if not WRAPPER else None
    if p is not None:
        lock = open(os.path.join(out4, ".vox.lock")).read()
        check(p.returncode == 0 and lock.startswith("pid "), f"closed stdout: lock file {lock[:60]!r} {p.stderr}")


def test_summary_volumes_as_annotations(tmp):
    """At 0.8 A (0.8^3 is not exact in binary) the summary records each largest volume as the annotation JSON holds
    it: vox validate called a clean run invalid, and a resumed run's summary differed from an uninterrupted one's."""
    out = os.path.join(tmp, "res08")
    r = vox("analyze", "--quiet", "--resolution", "0.8", "--output-dir", out, os.path.join(GEN, "pocket_box.pdb"),
            os.path.join(GEN, "hub_box.pdb"))
    check(r.returncode == 0, f"analysed: {r.stderr[-300:]}")
    for e in summary(out)["results"]:
        ann = json.load(open(os.path.join(out, e["source"] + ".annotation.json")))
        check(e["largest_volume"] == ann["largest_volume"], f"{e['source']}: {e['largest_volume']} vs "
              f"{ann['largest_volume']}")
    r = vox("validate", "--output-dir", out)
    check(r.returncode == 0, f"vox validate: {r.returncode} {r.stdout[-300:]}")


def test_non_utf8_file_names(tmp):
    """A file name that is not UTF-8 (Latin-1 caf\xe9.pdb): the run's files write its bytes as \udce9, as
    volumizer's Python json does; --resume and vox validate read them back as the file's own bytes.  Before,
    cJSON refused the lone surrogate: the checkpoint was 'unreadable', the structure redone, and vox validate
    called the summary and the annotation damaged."""
    src = os.path.join(os.fsencode(tmp), b"in8")
    os.mkdir(src)
    with open(os.path.join(GEN, "pocket_box.pdb"), "rb") as f:
        open(os.path.join(src, b"caf\xe9.pdb"), "wb").write(f.read())
    out = os.path.join(tmp, "o8")
    r = vox("analyze", "--quiet", "--output-dir", out, os.fsdecode(src))
    check(r.returncode == 0 and summary(out)["num_processed"] == 1, f"first run: {r.returncode} {r.stderr}")
    check(b"\\udce9" in open(os.path.join(out, "run.summary.json"), "rb").read(), "the name written as \\udce9")
    r = vox("analyze", "--quiet", "--resume", "--output-dir", out, os.fsdecode(src))
    s = summary(out)
    check(r.returncode == 0 and s["num_skipped"] == 1 and s["num_processed"] == 0 and "unreadable" not in r.stderr,
          f"--resume keeps it: {r.returncode} {s['num_processed']} {s['num_skipped']} {r.stderr}")
    r = vox("validate", "--output-dir", out, os.fsdecode(src))
    check(r.returncode == 0, f"vox validate: {r.returncode} {r.stdout} {r.stderr}")
    # a failing file whose name holds a newline or a terminal's escape sequence: one message line each, the
    # control characters written '?' (the newline split the message in two, and the escape reached the terminal);
    # the records keep the names exactly
    bad = os.path.join(tmp, "in8bad")
    os.mkdir(bad)
    for name in ("two\nlines.pdb", "esc\x1b[2Jclear.pdb"):
        open(os.path.join(bad, name), "w").write("ATOM      1  CA  ALA A   1       1.000   2.000   3.000  1.00  0.00           C\n")
    r = vox("analyze", "--quiet", "--output-dir", os.path.join(tmp, "o8bad"), bad)
    lines = r.stderr.splitlines()
    check(r.returncode == 1 and len(lines) == 2 and "two?lines.pdb: " in r.stderr and "esc?[2Jclear.pdb: " in r.stderr
          and "\x1b" not in r.stderr, f"one line a failure, control characters as '?': {lines}")
    check(any(e["input_path"].endswith("two\nlines.pdb") for e in summary(os.path.join(tmp, "o8bad"))["errors"]),
          "the summary keeps the name")


def test_max_memory(tmp):
    """--max-memory skips, with the reason in the summary, what would not fit; a replay with more memory does them."""
    tree = os.path.join(tmp, "mem_tree")
    make_tree(tree, copies=2)
    small = os.path.join(tree, "a", "tiny.pdb")
    shutil.copy(os.path.join(GEN, "three_atoms.pdb"), small)
    out = os.path.join(tmp, "mem_out")
    p = vox("analyze", "--quiet", "--resolution", "1.0", "--max-memory", "18M", "--output-dir", out, tree)
    s = summary(out)
    skipped = {r["source"]: r for r in s["skipped"]}
    check(p.returncode == 0 and [r["source"] for r in s["results"]] == ["tiny"] and len(skipped) == 3 and
          all(r["reason"] == "over_max_memory" and "over --max-memory 18.0 MiB" in r["detail"] and
              r["predicted_bytes"] > 18 << 20 for r in skipped.values()) and "skipped: predicted peak memory" in p.stderr,
          f"skipped with the reason: {p.returncode} {s['results']} {s['skipped']} {p.stderr}")
    check(not os.path.exists(os.path.join(out, "s00.annotation.json")), "nothing written for a skipped structure")
    p = vox("analyze", "--quiet", "--resolution", "1.0", "--max-memory", "2G", "--from-summary",
            os.path.join(out, "run.summary.json"), "--only", "skipped", "--output-dir", os.path.join(tmp, "mem_replay"))
    check(p.returncode == 0 and summary(os.path.join(tmp, "mem_replay"))["num_processed"] == 3,
          f"replayed with more memory: {p.stderr}")
    p = vox("analyze", "--max-memory", "lots", "--output-dir", out, tree)
    check(p.returncode == 2 and "--max-memory" in p.stderr, "--max-memory needs a size")


def test_binary_run_files(tmp):
    """A manifest or a summary that is not text (a binary file, /dev/zero): refused at the first NUL byte, saying
    so. Before, /dev/zero was read up to the 1 GiB cap (a second and a gigabyte of memory) before 'not a run
    summary', and a manifest with a NUL was taken as far as the NUL."""
    binary = os.path.join(tmp, "binary.txt")
    with open(binary, "wb") as f:
        f.write(os.path.join(GEN, "pocket_box.pdb").encode() + b"\n\0" + b"x" * 100000)
    out = os.path.join(tmp, "binary_out")
    for how in ("analyze", "validate"):
        for opt, path in (("--from-summary", "/dev/zero"), ("--manifest", binary), ("--manifest", "/dev/zero")):
            p = vox(how, *(("--quiet",) if how == "analyze" else ()), opt, path, "--output-dir", out)
            check(p.returncode != 0 and f"{path}: holds a NUL byte: not a text file" in p.stderr + p.stdout,
                  f"vox {how} {opt} {path}: refused, saying why: {p.returncode} {p.stderr} {p.stdout}")


def test_usage():
    for args, needle in [(["--jobs", "0"], "--jobs"), (["--shard-index", "1"], "--num-shards"),
                         (["--num-shards", "3", "--shard-index", "3"], "--num-shards"),
                         (["--resume", "--overwrite"], "mutually exclusive"),
                         (["--progress-interval", "-1"], "--progress-interval"),
                         # options that did nothing, or a limit the message did not name (an adversarial pass)
                         (["--jobs", "5000"], "from 1 to 4096"),
                         (["--no-checkpoint", "--checkpoint", "/tmp/never.json"], "give one of them"),
                         (["--only", "failed"], "--from-summary"),
                         (["--write", "vina", "--box-padding", " 4"], "--box-padding"),
                         (["--checkpoint", "/tmp/" + "c" * 245 + ".json"], "at most 236 bytes"),
                         (["--failures-manifest", "/tmp/" + "f" * 245 + ".json"], "at most 236 bytes"),
                         # an adversarial pass of the options: one way to read numbers (0x400 was 1024 A^3 for
                         # --min-volume, " 3" a resolution, while --box-padding refused both), sizes that the
                         # records hold (2^64 - 1 was recorded as -1), the whole connectivity value (a copy cut
                         # at 15 bytes passed "custom18       garbage"), and no empty paths (--checkpoint ""
                         # turned the checkpoint off while the summary said it was on)
                         (["--min-volume", "0x400"], "--min-volume"), (["--resolution", " 3"], "--resolution"),
                         (["--resolution", "0x1.8p1"], "--resolution"), (["--progress-interval", "0x10"], "--progress-interval"),
                         (["--threads", " 2"], "--threads"), (["--max-grid-voxels", "0x10"], "--max-grid-voxels"),
                         (["--max-memory", "18446744073709551615"], "at most 2^63 - 1"),
                         (["--max-input-bytes", "8388608T"], "at most 2^63 - 1"),
                         (["--surface-connectivity", "custom18       garbage"], "--surface-connectivity"),
                         (["--checkpoint", ""], "--checkpoint: an empty path"),
                         (["--failures-manifest", ""], "--failures-manifest: an empty path"),
                         (["--progress-jsonl", ""], "--progress-jsonl: an empty path"),
                         (["--input", ""], "an empty input path")]:
        p = vox("analyze", "--output-dir", "/tmp/never", *args, GEN)
        check(p.returncode == 2 and needle in p.stderr, f"usage {args}: {p.returncode} {p.stderr}")
    p = vox("merge-summaries", "/tmp/x.json")
    check(p.returncode == 2, "merge-summaries needs inputs")
    p = vox("analyze", "--output-dir", "/tmp/never", "--dry-run", "--surface-connectivity", " CUSTOM18 ", GEN)
    check(p.returncode == 0, f"a connectivity trimmed and lower-cased, as volumizer reads it: {p.stderr}")
    for args, needle in [(["--resolution", " 3"], "--resolution"), (["--resolution", "0x3"], "--resolution"),
                         (["--checkpoint-every", "0x1"], "--checkpoint-every"), (["--stride", " 2"], "--stride")]:
        p = vox("trajectory", "--topology", os.path.join(GEN, "pocket_box.pdb"), "--output-dir", "/tmp/never", *args)
        check(p.returncode == 2 and needle in p.stderr, f"trajectory usage {args}: {p.returncode} {p.stderr}")
    # options vox validate would pass over: said, as vox analyze says them
    for args, said in ((["--only", "failed"], "--only chooses"), (["--box-types", "pore"], "--box-types says"),
                       (["--write", "pdb"], "--write says")):
        p = vox("validate", *args, os.path.join(GEN, "pocket_box.pdb"))
        check(p.returncode == 2 and said in p.stderr, f"validate {args}: {p.returncode} {p.stderr}")
    for args, said in ((["trajectory", "--topology", "", "--output-dir", "/tmp/never"], "--topology: an empty path"),
                       (["trajectory", "--topology", GEN, "--output-dir", ""], "--output-dir: an empty path"),
                       (["validate", "--output-dir", ""], "--output-dir: an empty path"),
                       (["validate", ""], "an empty input path")):
        p = vox(*args)
        check(p.returncode == 2 and said in p.stderr, f"{args}: {p.returncode} {p.stderr}")
    p = vox("validate", "--resolution", "0x3", os.path.join(GEN, "pocket_box.pdb"))
    check(p.returncode == 2 and "--resolution" in p.stderr, f"validate --resolution 0x3: {p.returncode} {p.stderr}")


def test_messages_of_odd_plans(tmp):
    """An input folder that is the output folder, and manifest entries without a path or a valid id after the
    first, say what they are: before, the folder had "no structure files" (it holds some) and every bad entry after
    the first was a label clash with the manifest's own name."""
    d = os.path.join(tmp, "self_out")
    os.makedirs(d)
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), d)
    p = vox("analyze", "--quiet", "--output-dir", d, d)
    check(p.returncode == 1 and "the output directory" in p.stderr and "no structure files" not in p.stderr,
          f"the output directory as input: {p.stderr[-300:]}")
    m = os.path.join(tmp, "m9.json")
    json.dump({"structures": [{"pdb_id": "bad;1"}, {"pdb_id": "bad;2"}, {"pdb_id": "x y"}]}, open(m, "w"))
    p = vox("analyze", "--quiet", "--manifest", m, "--output-dir", os.path.join(tmp, "m9_out"))
    check(p.returncode == 1 and p.stderr.count("has neither input_path nor a valid pdb_id") == 3 and
          "used by an earlier input" not in p.stderr, f"each bad entry says so: {p.stderr[-500:]}")
    # --from-summary: entries without an input path are named (they were dropped without a word), a \u0000 in a
    # string is refused (the path was cut at it, and another file analysed), broken JSON says where
    pocket = os.path.join(GEN, "pocket_box.pdb")
    for name, text, rc, needle in (
            ("nopath", '{"results":[],"errors":[{"source":"a","input_path":null},{"source":"b"}]}', 0,
             "errors[1] (b) has no input path"),
            ("nul", '{"results":[],"errors":[{"source":"c","input_path":' + json.dumps(pocket + "\u0000x") + '}]}', 1,
             "(a NUL)"),
            ("cut", '{"results":[', 1, "ends early"), ("bad", '{"results":[}', 1, "byte offset")):
        sp = os.path.join(tmp, f"s9_{name}.json")
        open(sp, "w").write(text)
        p = vox("analyze", "--quiet", "--from-summary", sp, "--output-dir", os.path.join(tmp, "s9_out"))
        check(p.returncode == rc and needle in p.stderr, f"--from-summary {name}: {p.returncode} {p.stderr[-300:]}")


def test_plan_entries_said_right(tmp):
    """Manifest and summary entries that named the wrong thing or lost their reason: a path over PATH_MAX was cut
    short and another file (or ".") analysed; the failures manifest wrote a missing file's path relative to where
    the run started (its replay looked beside the manifest) and a PDB id as a path; a plan listing one file twice
    could not be merged once sharded; two JSON documents run together were read as the first alone; a manifest
    entry naming a folder had "no structure files"; a message with a long path lost its reason."""
    d = os.path.join(tmp, "plans")
    os.makedirs(d)
    pocket, pore = os.path.join(d, "pocket.pdb"), os.path.join(d, "pore.pdb")
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), pocket)
    shutil.copy(os.path.join(GEN, "pore_box.pdb"), pore)
    # paths over PATH_MAX: normalised first (as pathlib), refused when still too long, never cut
    m = os.path.join(d, "long.json")
    json.dump({"structures": [{"input_path": "./" * 2100 + "pore.pdb"},
                              {"input_path": pocket + "/" * 4100 + "junk.pdb"},
                              {"input_path": "a/" * 2100 + "pocket.pdb"}]}, open(m, "w"))
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", m, "--output-dir", os.path.join(d, "o1"))
    s1 = summary(os.path.join(d, "o1"))
    ok = [r["input_path"] for r in s1["results"]]
    bad = [r["error"] for r in s1["errors"]]
    check(p.returncode == 1 and ok == [pore] and len(bad) == 2 and "Not a directory" in bad[0] and
          "longer than a path may be" in bad[1], f"long manifest paths: {ok} {bad}")
    # the failures manifest replays from anywhere, a PDB id as an id
    dl = os.path.join(d, "dl")
    os.makedirs(dl)
    m = os.path.join(d, "fail.json")
    json.dump({"structures": [{"input_path": "missing.pdb"}, {"pdb_id": "5i55"}]}, open(m, "w"))
    fm = os.path.join(d, "failed.json")
    vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", "fail.json", "--download-dir", "dl",
        "--failures-manifest", fm, "--output-dir", "o2", cwd=d)
    entries = json.load(open(fm))["structures"]
    check(entries == [{"source": "missing", "input_path": os.path.join(d, "missing.pdb")},
                      {"source": "5i55", "pdb_id": "5I55"}], f"the failures manifest: {entries}")
    shutil.copy(pocket, os.path.join(d, "missing.pdb"))
    with open(pore, "rb") as f, gzip.open(os.path.join(dl, "5I55.cif.gz"), "wb") as g:  # format found by content
        g.write(f.read())
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", fm, "--download-dir", dl, "--output-dir",
            os.path.join(d, "o3"), cwd=tmp)
    check(p.returncode == 0 and summary(os.path.join(d, "o3"))["num_processed"] == 2, f"its replay: {p.stderr[-300:]}")
    # one file listed twice, the plan in three shards: merged as one run gives it
    m = os.path.join(d, "twice.json")
    json.dump({"structures": [{"input_path": "pocket.pdb"}, {"input_path": "pore.pdb"}, {"input_path": "pocket.pdb"}]},
              open(m, "w"))
    o4 = os.path.join(d, "o4")
    for k in range(3):
        vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", m, "--num-shards", "3", "--shard-index", str(k),
            "--output-dir", o4)
    p = vox("merge-summaries", os.path.join(o4, "run.summary.json"),
            *[os.path.join(o4, f"run.shard-{k}-of-3.summary.json") for k in range(3)])
    merged = summary(o4) if p.returncode == 0 else {}
    check(p.returncode == 0 and merged.get("num_processed") == 2 and merged.get("num_failed") == 1,
          f"a file listed twice, merged: {p.stderr[-300:]}")
    # two documents run together
    one = json.dumps({"structures": [{"input_path": pocket}]})
    open(os.path.join(d, "two.json"), "w").write(one + "\n" + json.dumps({"structures": [{"input_path": pore}]}))
    p = vox("analyze", "--quiet", "--manifest", os.path.join(d, "two.json"), "--output-dir", os.path.join(d, "o5"))
    check(p.returncode == 1 and "line 2" in p.stderr and not os.path.exists(os.path.join(d, "o5", "run.summary.json")),
          f"a manifest of two documents: {p.stderr[-300:]}")
    both = os.path.join(d, "both.json")
    text = open(os.path.join(d, "o1", "run.summary.json")).read()
    open(both, "w").write(text + text)
    p = vox("analyze", "--quiet", "--from-summary", both, "--output-dir", os.path.join(d, "o6"))
    check(p.returncode == 1 and "not valid JSON" in p.stderr, f"two summaries run together: {p.stderr[-300:]}")
    # a manifest entry naming a folder
    json.dump({"structures": [{"input_path": "dl"}]}, open(os.path.join(d, "dir.json"), "w"))
    p = vox("analyze", "--quiet", "--manifest", os.path.join(d, "dir.json"), "--output-dir", os.path.join(d, "o7"))
    check(p.returncode == 1 and "a directory, not a structure file" in p.stderr and "no structure files" not in p.stderr,
          f"a folder in a manifest: {p.stderr[-300:]}")
    # an entry too long, or without a path or id, takes no label: the manifest's own name ("m") is no label of it
    # that fails the real m.pdb
    shutil.copy(pocket, os.path.join(d, "m.pdb"))
    json.dump({"structures": [{"input_path": "a/" * 2100 + "p.pdb"}, {"foo": 1}, {"input_path": "m.pdb"}]},
              open(os.path.join(d, "m.json"), "w"))
    f9 = os.path.join(d, "f9.json")
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", os.path.join(d, "m.json"), "--output-dir",
            os.path.join(d, "o9"), "--failures-manifest", f9)
    s9 = summary(os.path.join(d, "o9"))
    check([r["source"] for r in s9["results"]] == ["m"] and len(s9["errors"]) == 2 and
          "used by an earlier input" not in p.stderr, f"bad entries take no label: {p.stderr[-400:]}")
    # and the failures manifest gives them their reason, not a made-up path "m.json#0" (its replay said only
    # "No such file")
    listed = json.load(open(f9))["structures"]
    check(len(listed) == 2 and all("input_path" not in e and "error" in e for e in listed) and
          "longer than a path may be" in listed[0]["error"], f"unnamed entries in the failures manifest: {listed}")
    # --download-dir "": the current folder (Path("") / name), not the root
    shutil.copy(pore, os.path.join(d, "7ABC.cif"))
    json.dump({"structures": [{"pdb_id": "7abc"}]}, open(os.path.join(d, "id.json"), "w"))
    p = vox("analyze", "--quiet", "--resolution", "3.0", "--manifest", "id.json", "--download-dir", "",
            "--output-dir", "o10", cwd=d)
    check(p.returncode == 0, f"--download-dir '': {p.stderr[-300:]}")
    # a summary that lists one file twice (the later failed for its label), given twice: still refused
    gone = os.path.join(d, "gone.json")
    json.dump({"structures": [{"input_path": "gone.pdb"}, {"input_path": "gone.pdb"}]}, open(gone, "w"))
    vox("analyze", "--quiet", "--manifest", gone, "--output-dir", os.path.join(d, "o11"))
    first = os.path.join(d, "o11", "run.summary.json")
    shutil.copy(first, os.path.join(d, "copy.json"))
    p = vox("merge-summaries", os.path.join(d, "merged11.json"), first, os.path.join(d, "copy.json"))
    check(p.returncode == 1 and "in both" in p.stderr, f"a summary given twice: {p.returncode} {p.stderr[-300:]}")
    # vox validate asks for what vox analyze --write descriptors asks: an axis over 32,766 voxels is too large
    far = os.path.join(d, "far.pdb")
    atom = "ATOM  %5d  CA  ALA A%4d    %8.2f%8.2f%8.2f  1.00  0.00           C\n"
    open(far, "w").write("".join(atom % (i + 1, i + 1, *xyz) for i, xyz in
                                 enumerate([(0, 0, 0), (98300, 0, 0), (0, 3, 0), (0, 0, 3)])) + "END\n")
    p = vox("validate", "--no-align", "--write", "descriptors", far)
    check(p.returncode != 0 and "too-large" in p.stdout + p.stderr and "32766" in p.stdout + p.stderr,
          f"validate with descriptors: {p.returncode} {(p.stdout + p.stderr)[-300:]}")
    # a volumes JSON of other types than the annotation's (its pocket called a cavity) is not this run's: vox validate
    # says so and --resume redoes it (only the count of volumes was compared)
    o12 = os.path.join(d, "o12")
    vox("analyze", "--quiet", "--resolution", "2.0", "--write", "descriptors", "--output-dir", o12, pocket)
    vj = os.path.join(o12, "pocket.volumes.json")
    doc = json.load(open(vj))
    for v in doc["volumes"]:
        if v["type"] == "pocket":
            v["type"] = "cavity"
    json.dump(doc, open(vj, "w"))
    p = vox("validate", "--output-dir", o12)
    check(p.returncode != 0, f"validate a volumes JSON of other types: {p.returncode} {p.stdout[-300:]}")
    p = vox("analyze", "--quiet", "--resume", "--resolution", "2.0", "--write", "descriptors", "--output-dir", o12, pocket)
    check(summary(o12)["num_processed"] == 1 and json.load(open(vj))["volumes"][0]["type"] == "pocket",
          f"--resume redoes it: {summary(o12)['num_processed']} {p.stderr[-200:]}")
    # a long path's message keeps its reason
    deep = os.path.join(d, *["d" * 200] * 6)
    os.makedirs(deep)
    lines = open(pocket).read().splitlines(True)
    k = next(i for i, l in enumerate(lines) if l.startswith("ATOM"))
    lines[k] = lines[k][:38] + "abcde   " + lines[k][46:]
    open(os.path.join(deep, "bad.pdb"), "w").writelines(lines)
    p = vox("analyze", "--quiet", "--output-dir", os.path.join(d, "o8"), os.path.join(deep, "bad.pdb"))
    err = summary(os.path.join(d, "o8"))["errors"][0]["error"]
    check(p.returncode == 1 and err.endswith("is not a number") and " ... " in err and
          p.stderr.rstrip().endswith("is not a number"), f"the reason after a long path: {err[-200:]!r}")


def test_validate_holds_records(tmp):
    """What --resume and vox validate took for this run's outputs though they were not: an annotation whose volumes
    are not typed (no Vina or DX file was then needed), a Vina box of a padding %g wrote as another's (123.4567 and
    123.457), a record whose largest_volume is null; --include-hubs changed since the checkpoint, unsaid; and
    messages that said the reverse of the facts or showed two values alike."""
    d = os.path.join(tmp, "records")
    os.makedirs(d)
    pocket = os.path.join(d, "pocket.pdb")
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), pocket)
    out = os.path.join(d, "out")

    def run(*extra):
        return vox("analyze", "--quiet", "--resolution", "2.0", *extra, "--output-dir", out, pocket)

    def edit(path, change):
        doc = json.load(open(path))
        change(doc)
        json.dump(doc, open(path, "w"), indent=2)

    ann = os.path.join(out, "pocket.annotation.json")
    run("--write", "vina")
    edit(ann, lambda a: a.update(volumes=list(range(len(a["volumes"])))))
    for f in os.listdir(out):
        if f.endswith(".vina.txt"):
            os.unlink(os.path.join(out, f))
    p = vox("validate", "--output-dir", out, "--write", "vina")
    check(p.returncode == 5 and "typed volumes" in p.stdout, f"untyped annotation volumes: {p.returncode} {p.stdout[-300:]}")
    run("--resume", "--write", "vina")
    check(summary(out)["num_processed"] == 1, "--resume redoes it")
    shutil.rmtree(out)
    run("--write", "vina", "--box-padding", "123.4567")
    p = run("--resume", "--write", "vina", "--box-padding", "123.457")
    box = open(os.path.join(out, "pocket.pocket-0.vina.txt")).read()
    check(summary(out)["num_processed"] == 1 and "+ 123.457 A" in box, f"a box of another padding is redone: {box[:120]}")
    shutil.rmtree(out)
    run("--include-hubs")
    p = run("--resume")
    check("include_hubs" in p.stderr, f"--include-hubs dropped on --resume is said: {p.stderr[-300:]}")
    shutil.rmtree(out)
    run()
    edit(os.path.join(out, "run.summary.json"), lambda s: s["results"][0].update(largest_volume=None))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "disagrees" in p.stdout, f"a record's null largest_volume: {p.stdout[-300:]}")
    shutil.rmtree(out)
    run()
    edit(ann, lambda a: a.update(resolution=2.0000001))
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "made at 2.0000001 A" in p.stdout, f"the resolutions told apart: {p.stdout[-300:]}")
    shutil.rmtree(out)
    run()
    later = time.time() + 3600
    os.utime(os.path.join(out, "run.checkpoint.json"), (later, later))
    p = vox("validate", "--output-dir", out)
    check("newer than its summary" in p.stdout, f"a checkpoint newer than its summary: {p.stdout[-300:]}")
    shutil.rmtree(out)
    run()
    vox("analyze", "--quiet", "--dry-run", "--resolution", "3.0", "--output-dir", out, pocket)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "are not its" in p.stdout and "made at 2" in p.stdout,
          f"a --dry-run over another run's outputs: {p.stdout[-300:]}")


if __name__ == "__main__":
    sys.exit(main([test_directories_jobs_dry_run, test_checkpoint_resume, test_resume_extra_outputs,
                   test_resume_exports, test_kill_and_resume, test_shards_progress_failures,
                   test_manifest_and_replay, test_checkpoint_migration, test_resume_notes_only_real_changes,
                   test_progress_bar, test_device_targets, test_walk_links_and_fifos,
                   test_walk_damaged_structure_files, test_one_run_per_output_dir,
                   test_dead_temporaries_of_every_output, test_shard_keeps_other_hosts_temporaries, test_shards_of_two_arrays, test_durable_replace, test_resume_home_path, test_run_files_folders, test_run_files_apart, test_umask, test_paths_as_pathlib, test_output_dir_inside_input_dir, test_validate, test_validate_trajectory_folder, test_validate_shards, test_merge_shards, test_merge_refuses_mixed_runs, test_replay_shard_failures, test_shards_over_changed_inputs, test_shared_label_across_shards,
                   test_deep_input_tree, test_progress_reader_gone, test_resume_other_settings, test_summary_volumes_as_annotations,
                   test_non_utf8_file_names, test_max_memory, test_binary_run_files,
                   test_messages_of_odd_plans, test_plan_entries_said_right, test_validate_holds_records, lambda tmp: test_usage()], "vox-batch-"))
