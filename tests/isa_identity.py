#!/usr/bin/env python3
"""isa_identity.py - every kernel variant this machine runs gives byte-identical outputs.

Runs `vox analyze` with VOX_ISA set to each available ISA on the generated
structures at 2.0 and 1.0 A and, when ../shared/data exists, on every real
structure at 3.0 and 2.0 A, and compares every output file byte for byte.

Usage: isa_identity.py VOX GENERATED_DIR DATA_DIR [WRAPPER]
"""
import filecmp
import glob
import os
import subprocess
import sys
import tempfile

VOX, GEN, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
WRAPPER = sys.argv[4].split() if len(sys.argv) > 4 else []


def main():
    info = subprocess.run([*WRAPPER, VOX, "info"], capture_output=True, text=True).stdout
    line = next(l for l in info.splitlines() if l.startswith("kernel variants available here:"))
    isas = [i.strip() for i in line.split(":", 1)[1].split(",")]
    generated = sorted(glob.glob(os.path.join(GEN, "*_box.pdb")))
    real = sorted(i for i in glob.glob(os.path.join(DATA, "structures", "*")) if not i.endswith(".md"))
    runs = [("1.0", generated), ("2.0", generated + real), ("3.0", real)]
    if len(isas) < 2:
        print(f"SKIP: only {isas} available here")
        return 77
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for res, inputs in runs:
            if not inputs:
                continue
            outs = {}
            for isa in isas:
                out = os.path.join(tmp, f"{isa}-{res}")
                env = dict(os.environ, VOX_ISA=isa)
                subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--include-hubs", "--write", "df-json,pdb",
                                "--resolution", res, "--output-dir", out, *inputs], env=env, capture_output=True)
                outs[isa] = out
            ref = outs[isas[0]]
            files = sorted(f for f in os.listdir(ref) if f.endswith((".cif", ".pdb", ".df.json")))
            for isa in isas[1:]:
                differ = [f for f in files if not filecmp.cmp(os.path.join(ref, f), os.path.join(outs[isa], f), shallow=False)]
                if differ:
                    failed += 1
                    print(f"FAIL {isa} vs {isas[0]} at {res} A: {len(differ)} of {len(files)} files differ: {differ[:5]}")
                else:
                    passed += 1
                    print(f"ok   {isa} vs {isas[0]} at {res} A: {len(files)} files identical")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
