#!/usr/bin/env python3
"""fuzz_inputs.py - damaged structure files must end in a clear error or a result, never a crash or hang.

Mutates real PDB/mmCIF files (../shared/data when present, else the generated
structures): truncation, flipped bytes, shuffled, duplicated, cut or dropped
lines, CIF syntax characters inserted, corrupted gzip.  Each case must exit 0
or 1 within a time limit, without a sanitizer report (run it on the ASan
build to catch memory errors).  Deterministic for a given --seed.

Usage: fuzz_inputs.py VOX GENERATED_DIR DATA_DIR [--cases N] [--seed S] [--wrapper CMD]
"""
import argparse
import glob
import gzip
import os
import random
import shutil
import subprocess
import sys
import tempfile

SYNTAX = [b"'", b'"', b";", b"loop_", b"_atom_site.Cartn_x", b"#", b"data_y", b" ", b"\t", b"\x0b", b"\x0c",
          b"(", b")", b"-", b"1-", b",", b"\x00", b"MODEL", b"REMARK 350"]


def mutate(rng, data):
    lines = data.split(b"\n")
    op = rng.randrange(8)
    if op == 0:
        return data[: rng.randrange(len(data))]
    if op == 1:
        b = bytearray(data)
        for _ in range(rng.randrange(1, 50)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op == 2:
        rng.shuffle(lines)
    elif op == 3:
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[rng.randrange(len(lines))]] * rng.randrange(1, 20)
    elif op == 4:
        for _ in range(rng.randrange(1, 30)):
            i = rng.randrange(len(lines))
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    elif op == 5:
        g = bytearray(gzip.compress(data))
        for _ in range(rng.randrange(1, 5)):
            g[rng.randrange(10, len(g))] ^= 0xFF
        return bytes(g)
    elif op == 6:
        for _ in range(rng.randrange(1, 30)):
            i = rng.randrange(len(lines))
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + rng.choice(SYNTAX) + lines[i][j:]
    else:
        lines = [l for l in lines if rng.random() > 0.3] or [b""]
    return b"\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vox")
    ap.add_argument("generated")
    ap.add_argument("data")
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--wrapper", default="")
    args = ap.parse_args()
    wrapper = args.wrapper.split()
    seeds = sorted(f for f in glob.glob(os.path.join(args.data, "structures", "*"))
                   if f.endswith((".pdb", ".cif")) and os.path.getsize(f) < 400_000)
    seeds = seeds or sorted(glob.glob(os.path.join(args.generated, "*_box.pdb")))
    rng = random.Random(args.seed)
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="vox-fuzz-")
    try:
        for i in range(args.cases):
            src = rng.choice(seeds)
            data = mutate(rng, open(src, "rb").read())
            path = os.path.join(tmp, "case" + os.path.splitext(src)[1])
            open(path, "wb").write(data)
            cmd = [*wrapper, args.vox, "analyze", "--quiet", "--overwrite", "--output-dir", os.path.join(tmp, "out"),
                   "--resolution", rng.choice(["3.0", "2.0", "4.5"]),
                   "--assembly-policy", rng.choice(["biological", "asymmetric", "auto"]), path]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=120)
            except subprocess.TimeoutExpired:
                failed += 1
                keep = os.path.join(tempfile.gettempdir(), f"vox-fuzz-hang-{args.seed}-{i}{os.path.splitext(src)[1]}")
                shutil.copy(path, keep)
                print(f"FAIL case {i} (from {os.path.basename(src)}): no answer within 120 s; kept as {keep}")
                continue
            if p.returncode not in (0, 1) or "Sanitizer" in p.stderr or "runtime error" in p.stderr:
                failed += 1
                keep = os.path.join(tempfile.gettempdir(), f"vox-fuzz-crash-{args.seed}-{i}{os.path.splitext(src)[1]}")
                shutil.copy(path, keep)
                print(f"FAIL case {i} (from {os.path.basename(src)}): exit {p.returncode}; kept as {keep}\n{p.stderr[-800:]}")
            else:
                passed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
