#!/usr/bin/env python3
"""test_voxtune.py - the autotuner's command line and its profile files, end to end.

A quick tune of one kernel writes a profile that `vox info` then uses
(exact match), --check and --show read it (and report what vox makes of it:
an exact entry with a value vox refuses fails --check), two tuners writing the same file
at once leave it valid with every machine's entry, a newer-schema file is
never overwritten, an unreadable one is replaced, and the default location
follows $VOX_PROFILE / $XDG_CONFIG_HOME; `--system` writes the system-wide
profile ($XDG_CONFIG_DIRS, else /etc/vox), which contexts read when the
user's has nothing for this machine; a profile that cannot be written is
refused before anything is measured; the fingerprint is the machine's, not
the launcher's CPU mask (taskset).

Usage: test_voxtune.py VOXTUNE VOX [WRAPPER]
"""
import json
import os
import stat
import subprocess
import sys

from voxtest import check, main, runner

VOXTUNE, VOX = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 and sys.argv[3] else []
tune = runner(VOXTUNE, WRAPPER)
vox = runner(VOX, WRAPPER)
QUICK = ["--quick", "--only", "occlusion,first_shell", "--classes", "small"]


def env_with(**kw):
    e = {k: v for k, v in os.environ.items()
         if k not in ("VOX_PROFILE", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "VOX_THREADS")}
    e.update(kw)
    return e


def load(path):
    with open(path) as f:
        return json.load(f)


def test_options(tmp):
    r = tune("--help")
    check(r.returncode == 0 and "--time-limit" in r.stdout, "voxtune --help")
    r = tune("--bogus")
    check(r.returncode == 2, f"unknown option: exit 2, got {r.returncode}")
    r = tune("--only", "occlusion,nonsense", "--output", os.path.join(tmp, "x.json"))
    check(r.returncode == 2 and "nonsense" in r.stderr, f"--only names the bad kernel: {r.stderr}")
    r = tune("--time-limit", "-3")
    check(r.returncode == 2 and "--time-limit" in r.stderr, f"--time-limit checked: {r.stderr}")
    r = tune("--print-fingerprint")
    fp = json.loads(r.stdout) if r.returncode == 0 else {}
    check(set(fp) >= {"cpu", "isa", "topology", "compiler", "library", "kernel_set"}, f"fingerprint fields: {sorted(fp)}")
    check({"l1d_kib", "l2_kib", "l3_kib", "cores", "pus"} <= set(fp.get("topology", {})), "topology summary with caches")
    r2 = vox("info", "--fingerprint")
    check(r2.returncode == 0 and json.loads(r2.stdout) == fp, "vox info --fingerprint is voxtune's")


def test_round_trip(tmp):
    path = os.path.join(tmp, "profile.json")
    r = tune(*QUICK, "--output", path)
    check(r.returncode == 0 and os.path.exists(path), f"quick tune writes the profile: {r.stderr[-400:]}")
    doc = load(path)
    check(doc["format"] == "vox-profile" and doc["schema"] == 2 and len(doc["machines"]) == 1, "profile shape")
    m = doc["machines"][0]
    check(m["rigor"] == "quick" and m["complete"] is False, "rigor, and a partial tune is marked incomplete")
    kinds = {(x["kernel"], x["size_class"]) for x in m["measurements"]}
    check(kinds == {("occlusion", "small"), ("first_shell", "small")}, f"raw measurements of what was tuned: {kinds}")
    check(all(x["seconds"] > 0 and x["threads"] >= 1 for x in m["measurements"]), "measurements have times")
    check(set(m["settings"]) == {"bin_points", "occlusion", "first_shell", "label_components", "moments"},
          "settings for every kernel")
    # the end-to-end verdict: whole analyses with the defaults and with the choices, printed honestly
    e2e = m.get("end_to_end", [])
    check(len(e2e) == 1 and e2e[0]["size_class"] == "small" and e2e[0]["verdict"] in ("kept", "defaults", "within-noise"),
          f"one end-to-end verdict for the class tuned: {e2e}")
    verdict = e2e[0]["verdict"] if e2e else ""
    check(("no gain to show" in r.stdout) == (verdict == "defaults"), f"'no gain to show' exactly when nothing differs: {r.stdout}")
    if verdict in ("kept", "within-noise"):
        check(e2e[0]["default_seconds"] > 0 and e2e[0]["tuned_seconds"] > 0 and "whole vox_analyze" in r.stdout,
              f"both end-to-end times measured and printed: {e2e}")
    check(tune("--check", "--output", path).returncode == 0, "--check: exact match")
    r = tune("--show", "--output", path)
    check(r.returncode == 0 and "exact for this machine" in r.stdout, f"--show: {r.stdout}")
    r = vox("info", env=env_with(VOX_PROFILE=path))
    check(f"profile: {path}" in r.stdout and "profile status: exact" in r.stdout, f"vox info shows the profile: {r.stdout}")
    chosen = m["settings"]["occlusion"]["small"]
    line = next((l for l in r.stdout.splitlines() if l.strip().startswith("occlusion")), "")
    check(f"{chosen['variant']} {chosen['tile_kib']}" in line, f"vox info shows the tuned setting {chosen}: {line}")
    # another machine's fingerprint: foreign, and --check fails
    doc["machines"][0]["fingerprint"]["cpu"]["model"] = "Other CPU"
    other = os.path.join(tmp, "other.json")
    with open(other, "w") as f:
        json.dump(doc, f)
    check(tune("--check", "--output", other).returncode == 1, "--check: foreign machine exits 1")
    r = vox("info", env=env_with(VOX_PROFILE=other))
    check("defaults (foreign machine)" in r.stdout, "vox info: foreign")
    gen = os.path.join(os.path.dirname(os.path.abspath(VOX)), "tests", "cavity_box.pdb")
    if os.path.exists(gen):
        r = vox("analyze", "--profile", other, "--output-dir", os.path.join(tmp, "out"), gen)
        check(r.returncode == 0 and "warning: --profile" in r.stderr and "foreign" in r.stderr,
              f"vox analyze --profile with a foreign profile: a warning, not an error: {r.stderr}")
        r = vox("analyze", "--profile", path, "--output-dir", os.path.join(tmp, "out2"), gen)
        check(r.returncode == 0 and "warning" not in r.stderr, f"vox analyze --profile with this machine's: {r.stderr}")
    # this machine's entry with a value vox refuses: --check fails with the library's reason, --show agrees
    def occlusion_small(m, v):
        m["settings"]["occlusion"]["small"].update(v)

    def batch(m, v):
        m["batch"] = v
    for name, change in (("tile_kib 1e300", lambda m: occlusion_small(m, {"tile_kib": 1e300})),
                         ("negative threads", lambda m: occlusion_small(m, {"threads": -3})),
                         ("tile_kib a string", lambda m: occlusion_small(m, {"tile_kib": "big"})),
                         ("batch of 0 jobs", lambda m: batch(m, {"jobs": 0, "threads_per_job": 1}))):
        doc = load(path)
        change(doc["machines"][0])
        bad = os.path.join(tmp, "refused.json")
        with open(bad, "w") as f:
            json.dump(doc, f)
        info = vox("info", env=env_with(VOX_PROFILE=bad)).stdout
        status = next((l[len("profile status: "):] for l in info.splitlines() if l.startswith("profile status: ")), "")
        check(status.startswith("defaults ("), f"{name}: vox refuses it: {status}")
        r = tune("--check", "--output", bad)
        check(r.returncode == 1 and status in r.stdout and "exact" not in r.stdout,
              f"{name}: --check fails with vox's reason '{status}': {r.returncode} {r.stdout}")
        r = tune("--show", "--output", bad)
        check(r.returncode == 0 and "exact for this machine" not in r.stdout and status.split(":")[0] in r.stdout,
              f"{name}: --show's summary agrees with vox: {r.stdout}")


def test_concurrent_writers(tmp):
    path = os.path.join(tmp, "shared.json")
    # a cluster's file: another node type is already there
    fp = json.loads(tune("--print-fingerprint").stdout)
    fp["cpu"]["model"] = "Node type B"
    seed = {"format": "vox-profile", "schema": 2,
            "machines": [{"fingerprint": fp, "rigor": "normal", "settings": {}, "measurements": []}]}
    with open(path, "w") as f:
        json.dump(seed, f)
    procs = [subprocess.Popen([*WRAPPER, VOXTUNE, *QUICK, "--output", path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    codes = [p.wait(timeout=300) for p in procs]
    check(codes == [0, 0], f"two concurrent tuners succeed: {codes}")
    doc = load(path)
    models = sorted(m["fingerprint"]["cpu"]["model"] for m in doc["machines"])
    check(len(doc["machines"]) == 2 and "Node type B" in models, f"the file keeps both machines, once each: {models}")
    leftovers = [f for f in os.listdir(tmp) if ".tmp." in f]
    check(not leftovers, f"no temporary files left: {leftovers}")


def test_refusals(tmp):
    path = os.path.join(tmp, "newer.json")
    newer = '{"format": "vox-profile", "schema": 99, "machines": []}\n'
    with open(path, "w") as f:
        f.write(newer)
    r = tune(*QUICK, "--output", path)
    with open(path) as f:
        check(r.returncode == 1 and f.read() == newer and "newer" in r.stderr,
              f"a newer-schema profile is not overwritten: {r.returncode} {r.stderr}")
    check("nothing measured" in r.stderr and "measurements" not in r.stdout,
          f"a newer-schema profile is refused before measuring: {r.stdout} {r.stderr}")
    r = vox("info", env=env_with(VOX_PROFILE=path))
    check("defaults (newer schema)" in r.stdout, "vox info: newer schema")
    path = os.path.join(tmp, "broken.json")
    with open(path, "w") as f:
        f.write('{"format": "vox-profile", "sch')
    r = vox("info", env=env_with(VOX_PROFILE=path))
    check(r.returncode == 0 and "defaults (corrupt)" in r.stdout, "vox info: corrupt profile is not an error")
    r = tune(*QUICK, "--output", path)
    check(r.returncode == 0 and "replacing" in r.stderr and load(path)["schema"] == 2,
          f"an unreadable profile is replaced, with a warning: {r.stderr[-300:]}")


def test_default_location(tmp):
    xdg = os.path.join(tmp, "xdg")
    r = tune(*QUICK, env=env_with(XDG_CONFIG_HOME=xdg))
    where = os.path.join(xdg, "vox", "profile.json")
    check(r.returncode == 0 and os.path.exists(where), f"default: $XDG_CONFIG_HOME/vox/profile.json: {r.stdout}")
    r = vox("info", env=env_with(XDG_CONFIG_HOME=xdg))
    check(f"profile: {where}" in r.stdout and "exact" in r.stdout, "the library finds it there")
    env_path = os.path.join(tmp, "env.json")
    r = tune(*QUICK, env=env_with(XDG_CONFIG_HOME=xdg, VOX_PROFILE=env_path))
    check(r.returncode == 0 and os.path.exists(env_path), "$VOX_PROFILE wins over XDG")
    r = vox("info", env=env_with(XDG_CONFIG_HOME=xdg, VOX_PROFILE=""))
    check("profile: (none)" in r.stdout, "VOX_PROFILE='' means no profile")


def test_profile_through_a_symbolic_link(tmp):
    """A profile kept elsewhere (a dotfiles repository) and linked into ~/.config is written through the link:
    the link stays, its target gets the new entry; a dangling link's target is created."""
    dot = os.path.join(tmp, "dotfiles")
    os.makedirs(dot, exist_ok=True)
    target = os.path.join(dot, "profile.json")
    with open(target, "w") as f:
        json.dump({"format": "vox-profile", "schema": 2, "machines": []}, f)
    cfg = os.path.join(tmp, "linked", "vox")
    os.makedirs(cfg, exist_ok=True)
    link = os.path.join(cfg, "profile.json")
    os.symlink(os.path.relpath(target, cfg), link)
    r = tune(*QUICK, env=env_with(VOX_PROFILE=link))
    check(r.returncode == 0 and os.path.islink(link), f"the link is kept: {r.stderr[-300:]}")
    check(len(load(target)["machines"]) == 1, "the link's target holds the new entry")
    check(not [n for n in os.listdir(cfg) if ".tmp." in n], "no temporary left beside the link")
    gone = os.path.join(dot, "later", "profile.json")
    link2 = os.path.join(cfg, "dangling.json")
    os.symlink(gone, link2)
    r = tune(*QUICK, env=env_with(VOX_PROFILE=link2))
    check(r.returncode == 0 and os.path.islink(link2) and os.path.exists(gone),
          f"a dangling link's target is created: {r.stderr[-300:]}")
    r = vox("info", env=env_with(VOX_PROFILE=link))
    check("profile status: exact" in r.stdout, f"vox reads it through the link: {r.stdout}")


def test_system_profile(tmp):
    home, first, second = (os.path.join(tmp, d) for d in ("home", "sys1", "sys2"))
    os.makedirs(home)
    dirs = f"relative/ignored:{first}:{second}"
    r = tune(*QUICK, "--system", "--output", os.path.join(tmp, "x.json"))
    check(r.returncode == 2 and "give one" in r.stderr, f"--system with --output: refused: {r.stderr}")
    r = tune(*QUICK, "--system", env=env_with(HOME=home, XDG_CONFIG_DIRS=dirs))
    where = os.path.join(first, "vox", "profile.json")
    check(r.returncode == 0 and os.path.exists(where), f"--system: the first absolute $XDG_CONFIG_DIRS entry: {r.stdout}")
    check(not os.path.exists(os.path.join(home, ".config")), "--system leaves the user's profile alone")
    # the user's profile is absent: the system's is read
    r = vox("info", env=env_with(HOME=home, XDG_CONFIG_DIRS=dirs))
    status = next((l for l in r.stdout.splitlines() if l.startswith("profile status:")), "")
    check(f"profile: {where}" in r.stdout and "exact" in r.stdout, f"a context reads the system profile: {r.stdout}")
    check("system-wide profile" in status and "no such file" in status,
          f"the status says why the system's is used (it read 'exact: no such file'): {status}")
    # the user's own profile wins when it has this machine
    r = tune(*QUICK, env=env_with(HOME=home))
    mine = os.path.join(home, ".config", "vox", "profile.json")
    r = vox("info", env=env_with(HOME=home, XDG_CONFIG_DIRS=dirs))
    check(r.returncode == 0 and f"profile: {mine}" in r.stdout, f"the user's profile first: {r.stdout}")
    # ... and when it holds only other machines, the system's is used
    doc = load(mine)
    for m in doc["machines"]:
        m["fingerprint"]["cpu"]["model"] = "another CPU"
    with open(mine, "w") as f:
        json.dump(doc, f)
    r = vox("info", env=env_with(HOME=home, XDG_CONFIG_DIRS=dirs))
    check(f"profile: {where}" in r.stdout and "exact" in r.stdout, f"no entry here: the system's: {r.stdout}")
    # a profile named by $VOX_PROFILE is the only one read
    r = vox("info", env=env_with(HOME=home, XDG_CONFIG_DIRS=dirs, VOX_PROFILE=os.path.join(tmp, "none.json")))
    check("absent" in r.stdout and where not in r.stdout, f"VOX_PROFILE: no fallback: {r.stdout}")


def test_unwritable_output_refused_first(tmp):
    blocker = os.path.join(tmp, "a-file")
    with open(blocker, "w") as f:
        f.write("x")
    r = tune("--quick", "--output", os.path.join(blocker, "sub", "profile.json"))
    check(r.returncode == 1 and "nothing measured" in r.stderr and "measured" not in r.stdout,
          f"an unwritable profile is refused before measuring: {r.returncode} {r.stderr}")
    loop_a, loop_b = os.path.join(tmp, "loop-a.json"), os.path.join(tmp, "loop-b.json")
    os.symlink(loop_b, loop_a)
    os.symlink(loop_a, loop_b)
    r = tune("--quick", "--output", loop_a)
    check(r.returncode == 1 and "nothing measured" in r.stderr and "symbolic links" in r.stderr,
          f"a loop of links as the profile: refused before measuring (it measured, then failed): {r.stderr}")
    fifo = os.path.join(tmp, "a-fifo.json")
    os.mkfifo(fifo)
    r = tune("--quick", "--output", fifo, timeout=60)
    check(r.returncode == 1 and "not a regular file" in r.stderr and "nothing measured" in r.stderr
          and stat.S_ISFIFO(os.stat(fifo).st_mode), f"a FIFO as the profile: refused before measuring, left as it is: {r.stderr}")


def test_partial_retune_keeps_the_rest(tmp):
    """A run of some kernels keeps what an earlier run tuned for the others on this machine (it reset them to the
    defaults), with their measurements and the batch split; a run that measures nothing leaves the profile alone
    (it wrote the defaults over it, exit 0)."""
    path = os.path.join(tmp, "partial.json")
    r = tune("--quick", "--only", "occlusion,batch", "--classes", "small", "--output", path)
    check(r.returncode == 0, f"a first tune: {r.stderr[-300:]}")
    doc = load(path)
    entry = doc["machines"][0]
    # a setting no run would choose by itself, as an earlier tune's choice for occlusion
    entry["settings"]["occlusion"]["small"]["tile_kib"] = 384
    entry["settings"]["occlusion"]["small"]["threads"] = 1
    entry["batch"] = {"jobs": 2, "threads_per_job": 1}
    with open(path, "w") as f:
        json.dump(doc, f)
    r = tune("--check", "--output", path)
    check(r.returncode == 0, f"the edited profile is one vox uses: {r.stdout[-300:]} {r.stderr[-300:]}")
    r = tune("--quick", "--only", "moments", "--classes", "small", "--output", path)
    after = load(path)["machines"]
    check(r.returncode == 0 and len(after) == 1, f"a second tune of another kernel: {r.returncode} {r.stderr[-300:]}")
    e = after[0] if after else {}
    occ = e.get("settings", {}).get("occlusion", {}).get("small", {})
    check(occ.get("tile_kib") == 384 and occ.get("threads") == 1,
          f"occlusion keeps the earlier run's setting: {occ}")
    check(e.get("batch") == {"jobs": 2, "threads_per_job": 1}, f"the batch split is kept: {e.get('batch')}")
    kernels = {m.get("kernel") for m in e.get("measurements", [])}
    check({"occlusion", "moments"} <= kernels, f"both runs' measurements are there: {sorted(k for k in kernels if k)}")
    before = open(path).read()
    r = tune("--quick", "--only", "moments", "--classes", "small", "--time-limit", "0.000001", "--output", path)
    check(r.returncode == 1 and "nothing was measured" in r.stderr and open(path).read() == before,
          f"a run that measures nothing leaves the profile as it was: {r.returncode} {r.stderr[-300:]}")


def test_partial_retunes_at_once(tmp):
    """Two partial runs on one profile at once: what the other wrote while this one measured is kept.  The run read
    the earlier entry at its start and wrote that stale copy back under the lock, undoing the other run's tuning."""
    import fcntl
    path = os.path.join(tmp, "together.json")
    r = tune("--quick", "--only", "occlusion", "--classes", "small", "--output", path)
    check(r.returncode == 0, f"a first tune: {r.stderr[-300:]}")
    p = subprocess.Popen([*WRAPPER, VOXTUNE, "--quick", "--only", "occlusion", "--classes", "small,medium", "--output",
                          path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = ""
    while "tuning," not in started:  # printed after the run read the earlier entry
        line = p.stderr.readline()
        if not line:
            break
        started += line
    # meanwhile another run writes its choice for moments (as voxtune does: under the lock)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        doc = load(path)
        doc["machines"][0]["settings"]["moments"]["small"]["tile_kib"] = 384
        doc["machines"][0]["settings"]["moments"]["small"]["threads"] = 1
        doc["machines"][0]["measurements"].append({"kernel": "moments", "size_class": "small", "isa": "scalar",
                                                   "tile_kib": 384, "threads": 1, "seconds": 0.001})
        with open(path + ".new", "w") as f:
            json.dump(doc, f)
        os.rename(path + ".new", path)
        fcntl.flock(lock, fcntl.LOCK_UN)
    out, err = p.communicate(timeout=600)
    check(p.returncode == 0, f"the longer run ends: {p.returncode} {err[-300:]}")
    e = load(path)["machines"][0]
    mom = e["settings"]["moments"]["small"]
    check(mom.get("tile_kib") == 384 and mom.get("threads") == 1,
          f"the other run's moments setting is kept: {mom}")
    check(any(m.get("kernel") == "moments" for m in e.get("measurements", [])),
          "the other run's measurements are kept")
    r = tune("--quick", "--only", "moments", "--output", "")
    check(r.returncode == 2 and "empty path" in r.stderr and "measurements" not in r.stdout,
          f"--output '' is refused before measuring: {r.returncode} {r.stderr[-200:]}")


def test_long_paths(tmp):
    """A profile path over 1 KiB (nested folders, each name under NAME_MAX) is written and read where it is: it was
    cut at 1,023 bytes, so the profile, and its lock, went to a truncated path. One over 4 KiB is refused up front."""
    deep = os.path.join(tmp, *(["d" * 200] * 6))
    os.makedirs(deep)
    path = os.path.join(deep, "profile.json")
    check(len(path) > 1100, f"the path is long: {len(path)} bytes")
    r = tune("--quick", "--only", "moments", "--classes", "small", "--time-limit", "5", "--output", path)
    check(r.returncode == 0 and os.path.isfile(path) and "machines" in load(path),
          f"a profile at a {len(path)}-byte path is written there: {r.returncode} {r.stderr[-300:]}")
    check(sorted(os.listdir(deep)) in (["profile.json"], ["profile.json", "profile.json.lock"]),
          f"nothing else is made beside it: {sorted(os.listdir(deep))}")
    r = tune("--check", "--output", path)
    check(r.returncode == 0, f"--check reads it at that path: {r.returncode} {r.stdout[-300:]} {r.stderr[-300:]}")
    r = vox("info", env=env_with(VOX_PROFILE=path))
    check(r.returncode == 0 and "using defaults" not in r.stderr, f"a context reads it: {r.stderr[-300:]}")
    r = tune("--quick", "--output", "/tmp/" + "x/" * 2100 + "p.json")
    check(r.returncode == 2 and "bytes long" in r.stderr, f"a path over 4 KiB: a usage error that says why: {r.stderr}")
    r = vox("info", env=env_with(VOX_PROFILE="/tmp/" + "x/" * 2100 + "p.json"))
    check("bytes long" in r.stdout, f"a context says the profile path is too long: {r.stdout[-300:]}")


def test_batch_split(tmp):
    """The batch step times every jobs x threads-per-job split of the tuning
    threads, stores the fastest only when it beats one job of every thread by
    3 %, and vox analyze of several structures runs that split unless --jobs
    (or a single structure) says otherwise; vox info shows it."""
    path = os.path.join(tmp, "batch.json")
    r = tune("--quick", "--only", "batch", "--output", path, env=env_with(VOX_THREADS="2"))
    check(r.returncode == 0, f"voxtune --only batch: {r.stderr[-400:]}")
    m = load(path)["machines"][0] if r.returncode == 0 else {}
    report = m.get("batch_end_to_end", {})
    splits = report.get("splits", [])
    threads = m.get("threads", 0)
    check(splits and splits[0]["jobs"] == 1 and splits[0]["threads_per_job"] == threads and
          all(s["jobs"] * s["threads_per_job"] <= threads and s["structures_per_second"] > 0 for s in splits),
          f"every split measured, the default first: {splits}")
    check({x["kernel"] for x in m.get("measurements", [])} == {"batch"}, "only the batch step was measured")
    verdict = report.get("verdict")
    check(verdict in ("kept", "defaults", "within-noise") and ("batch" in m) == (verdict == "kept"),
          f"the split is stored exactly when kept: {verdict}, {m.get('batch')}")
    check("batch of small structures" in r.stdout, f"the figures are printed: {r.stdout}")
    # a profile with a split of two jobs, as voxtune writes it on a machine where it pays
    fp = json.loads(tune("--print-fingerprint").stdout)
    split = os.path.join(tmp, "split.json")
    with open(split, "w") as f:
        json.dump({"format": "vox-profile", "schema": 2, "machines": [
            {"fingerprint": fp, "rigor": "quick", "created": "2026-12-02T00:00:00Z", "settings": {},
             "batch": {"jobs": 2, "threads_per_job": 1}}]}, f)
    r = vox("info", env=env_with(VOX_PROFILE=split))
    check("batches of several structures: 2 jobs x 1 thread (measured by voxtune" in r.stdout, f"vox info: {r.stdout}")
    gen = os.path.join(os.path.dirname(os.path.abspath(VOX)), "tests")
    inputs = [os.path.join(gen, n) for n in ("cavity_box.pdb", "pocket_box.pdb", "pore_box.pdb")]
    if not all(os.path.exists(p) for p in inputs):
        print("SKIP: the generated structures are missing")
        return
    def jobs_of(out, *args, files=inputs):
        r = vox("analyze", "--output-dir", out, "--quiet", *args, *files, env=env_with(VOX_PROFILE=split))
        check(r.returncode == 0, f"analyze {args}: {r.stderr}")
        return load(os.path.join(out, "run.summary.json"))["config"]["jobs"]
    check(jobs_of(os.path.join(tmp, "a")) == 2, "several structures: the profile's two jobs")
    check(jobs_of(os.path.join(tmp, "b"), "--jobs", "1") == 1, "--jobs overrides the profile")
    check(jobs_of(os.path.join(tmp, "c"), files=inputs[:1]) == 1, "one structure: one job of every thread")
    for n in ("cavity_box", "pocket_box", "pore_box"):
        with open(os.path.join(tmp, "a", n + ".annotated.cif"), "rb") as x, \
                open(os.path.join(tmp, "b", n + ".annotated.cif"), "rb") as y:
            check(x.read() == y.read(), f"{n}: the same CIF with two jobs as with one")
    # a damaged split: the profile is refused as a whole, with the reason
    for bad, why in (({"jobs": 0, "threads_per_job": 1}, "batch.jobs"), ({"jobs": 2}, "threads_per_job"),
                     ("2x1", "batch: expected an object")):
        with open(split, "w") as f:
            json.dump({"format": "vox-profile", "schema": 2, "machines": [
                {"fingerprint": fp, "rigor": "quick", "settings": {}, "batch": bad}]}, f)
        r = vox("info", env=env_with(VOX_PROFILE=split))
        check("profile status: defaults" in r.stdout and why in r.stdout and "1 job x" in r.stdout,
              f"bad batch {bad!r} refused: {r.stdout}")


def test_fingerprint_ignores_the_launchers_mask(tmp):
    import shutil
    if not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        print("SKIP: taskset or a second CPU missing")
        return
    whole = tune("--print-fingerprint")
    pinned = subprocess.run(["taskset", "-c", "0", *WRAPPER, VOXTUNE, "--print-fingerprint"], capture_output=True, text=True)
    check(whole.returncode == 0 and pinned.returncode == 0 and json.loads(whole.stdout) == json.loads(pinned.stdout),
          f"taskset -c 0 changes the fingerprint:\n{whole.stdout}\n{pinned.stdout}")


def test_killed_writer_leftovers(tmp):
    """A voxtune killed between writing its new profile and renaming it leaves PROFILE.tmp.PID.XXXXXX (or, from
    an older vox, PROFILE.tmp.XXXXXX); the next voxtune that writes the profile removes them (it holds the
    profile's lock, so no other writer is in the middle of one), and no other file.  Before, they stayed."""
    d = os.path.join(tmp, "leftovers")
    os.makedirs(d)
    path = os.path.join(d, "profile.json")
    left = ["profile.json.tmp.4000000.a1B2c3", "profile.json.tmp.Zx9Yw8", f"profile.json.tmp.{os.getpid()}.q1W2e3"]
    kept = ["other.json.tmp.4000000.a1B2c3", "profile.json.lock.keep", "profile.jsonx.tmp.4000000.a1B2c3"]
    for name in left + kept:
        open(os.path.join(d, name), "w").write("{")
    r = tune("--quick", "--only", "moments", "--classes", "small", "--output", path)
    check(r.returncode == 0, f"tuned: {r.stderr[-300:]}")
    names = set(os.listdir(d))
    check(not names & set(left), f"the profile's temporaries are removed: {sorted(names & set(left))}")
    check(set(kept) <= names, f"other files stay: {sorted(set(kept) - names)}")


if __name__ == "__main__":
    sys.exit(main([test_options, test_round_trip, test_concurrent_writers, test_refusals, test_default_location,
                   test_system_profile, test_unwritable_output_refused_first, test_profile_through_a_symbolic_link,
                   test_long_paths, test_partial_retune_keeps_the_rest, test_partial_retunes_at_once, test_batch_split, test_fingerprint_ignores_the_launchers_mask, test_killed_writer_leftovers], "vox-tune-"))
