#!/usr/bin/env python3
"""identity.py - one answer: every kernel variant, thread count and profile gives the same bytes.

Runs `vox analyze` in several configurations - VOX_ISA set to each available
ISA; 1, 2, 3 and 8 threads; two tuning profiles that pick other variants
per kernel and the smallest tiles (one x-plane per slab: the most slab joins)
- on the generated structures at 2.0 and 1.0 A and, when ../shared/data
exists, on every real structure at 3.0 and 2.0 A, and compares every output
file with the first configuration's, byte for byte.

Usage: identity.py VOX GENERATED_DIR DATA_DIR [WRAPPER]
"""
import filecmp
import glob
import json
import os
import subprocess
import sys
import tempfile

VOX, GEN, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
WRAPPER = sys.argv[4].split() if len(sys.argv) > 4 else []


KERNELS = ["bin_points", "occlusion", "first_shell", "label_components", "moments"]


def profile(path, isas, tile_kib, rotate):
    """A profile for this machine (its own fingerprint) with the given tiles and per-kernel variants."""
    fp = json.loads(subprocess.run([*WRAPPER, VOX, "info", "--fingerprint"], capture_output=True, text=True,
                                   check=True).stdout)
    settings = {}
    for n, k in enumerate(KERNELS):
        isa = isas[(n + rotate) % len(isas)]
        settings[k] = {c: {"variant": isa, "tile_kib": 0 if k == "moments" else tile_kib, "threads": 0}
                       for c in ("small", "medium", "large")}
    doc = {"format": "vox-profile", "schema": 2,
           "machines": [{"fingerprint": fp, "rigor": "test", "settings": settings, "measurements": []}]}
    with open(path, "w") as f:
        json.dump(doc, f)


def main():
    info = subprocess.run([*WRAPPER, VOX, "info"], capture_output=True, text=True).stdout
    line = next(l for l in info.splitlines() if l.startswith("kernel variants available here:"))
    isas = [i.strip() for i in line.split(":", 1)[1].split(",")]
    tmp_profiles = tempfile.TemporaryDirectory()
    configs = [(f"isa-{isa}", {"VOX_ISA": isa, "VOX_PROFILE": ""}) for isa in isas]
    configs += [(f"threads-{t}", {"VOX_THREADS": str(t), "VOX_PROFILE": ""}) for t in (1, 2, 3, 8)]
    for name, tile, rotate in (("profile-small-tiles", 4, 1), ("profile-large-tiles", 65536, 2)):
        path = os.path.join(tmp_profiles.name, name + ".json")
        profile(path, isas, tile, rotate)
        env = dict(os.environ, VOX_PROFILE=path)
        status = subprocess.run([*WRAPPER, VOX, "info"], capture_output=True, text=True, env=env).stdout
        if "profile status: exact" not in status:
            print(f"FAIL {name}: the test profile was not applied:\n{status}")
            return 1
        configs.append((name, {"VOX_THREADS": "3", "VOX_PROFILE": path}))
    generated = sorted(glob.glob(os.path.join(GEN, "*_box.pdb")))
    real = sorted(i for i in glob.glob(os.path.join(DATA, "structures", "*")) if not i.endswith(".md"))
    runs = [("1.0", generated), ("2.0", generated + real), ("3.0", real)]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for res, inputs in runs:
            if not inputs:
                continue
            outs = {}
            for name, extra in configs:
                out = os.path.join(tmp, f"{name}-{res}")
                env = {k: v for k, v in os.environ.items() if k not in ("VOX_ISA", "VOX_THREADS", "VOX_PROFILE")}
                env.update(extra)
                subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--include-hubs", "--write", "df-json,pdb",
                                "--resolution", res, "--output-dir", out, *inputs], env=env, capture_output=True)
                outs[name] = out
            first = configs[0][0]
            ref = outs[first]
            files = sorted(f for f in os.listdir(ref) if f.endswith((".cif", ".pdb", ".df.json")))
            for name, _ in configs[1:]:
                differ = [f for f in files
                          if not os.path.exists(os.path.join(outs[name], f))
                          or not filecmp.cmp(os.path.join(ref, f), os.path.join(outs[name], f), shallow=False)]
                if differ or not files:
                    failed += 1
                    print(f"FAIL {name} vs {first} at {res} A: {len(differ)} of {len(files)} files differ: {differ[:5]}")
                else:
                    passed += 1
                    print(f"ok   {name} vs {first} at {res} A: {len(files)} files identical")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
