#!/usr/bin/env python3
"""test_abi.py - the library's ABI against the recorded one (tests/abi/lp64.txt): the layout of every
public struct and enum (printed by abi_layout, generated from the header) and the symbols libvox.so
exports.

Incompatible changes (a symbol gone, a field moved or resized, a struct shrunk or grown when callers
do not pass its size, an enumerator renumbered) fail as ABI BREAK.  Compatible ones (a new symbol, a
new enumerator, a field appended to a struct that carries a caller-set `size`) fail too, as "ABI
CHANGED", so the record always describes the library; after an intended change refresh it with

    python3 tests/test_abi.py build/tests/abi_layout tests/abi/lp64.txt build/libvox.so --update

and bump the soname (meson.build) for a break.

Usage: test_abi.py ABI_LAYOUT BASELINE [LIBVOX_SO] [--update]
"""
import os
import re
import subprocess
import sys

args = [a for a in sys.argv[1:] if a != "--update"]
UPDATE = "--update" in sys.argv
LAYOUT, BASELINE = args[0], args[1]
SO = args[2] if len(args) > 2 and args[2] else None


def current():
    lines = subprocess.run([LAYOUT], capture_output=True, text=True, check=True).stdout.splitlines()
    if SO:
        out = subprocess.run(["nm", "-D", "--defined-only", SO], capture_output=True, text=True, check=True).stdout
        syms = sorted({ln.split()[-1] for ln in out.splitlines() if len(ln.split()) >= 3 and ln.split()[1] in "TDBR"})
        lines += [f"symbol {s}" for s in syms]
    return lines


def parse(lines):
    d = {"struct": {}, "field": {}, "enum": {}, "value": {}, "symbol": set()}
    order = {}
    for ln in lines:
        w = ln.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "struct":
            d["struct"][w[1]] = (int(w[3]), int(w[5]))
        elif w[0] == "field":
            d["field"][w[1]] = (int(w[3]), int(w[5]))
            s = w[1].split(".")[0]
            order.setdefault(s, []).append(w[1])
        elif w[0] == "enum":
            d["enum"][w[1]] = int(w[3])
        elif w[0] == "value":
            d["value"][w[1]] = int(w[2])
        elif w[0] == "symbol":
            d["symbol"].add(w[1])
    d["order"] = order
    return d


def compare(old, new):
    breaks, changes = [], []
    for s in sorted(old["symbol"] - new["symbol"]):
        breaks.append(f"symbol {s} is no longer exported")
    for s in sorted(new["symbol"] - old["symbol"]):
        changes.append(f"new symbol {s}")
    for st, (size, align) in old["struct"].items():
        if st not in new["struct"]:
            breaks.append(f"struct {st} is gone")
            continue
        nsize, nalign = new["struct"][st]
        sized = f"{st}.size" in new["field"] and new["field"][f"{st}.size"][0] == 0
        for f in old["order"].get(st, []):
            if f not in new["field"]:
                breaks.append(f"field {f} is gone")
            elif new["field"][f] != old["field"][f]:
                breaks.append(f"field {f} moved or resized: offset/size {old['field'][f]} -> {new['field'][f]}")
        added = [f for f in new["order"].get(st, []) if f not in old["field"]]
        appended = all(new["field"][f][0] >= size for f in added)
        if nalign != align:
            breaks.append(f"struct {st} alignment {align} -> {nalign}")
        if nsize < size:
            breaks.append(f"struct {st} shrank: {size} -> {nsize} bytes")
        elif nsize > size or added:
            what = f"struct {st}: {size} -> {nsize} bytes, new fields {', '.join(added) or '(padding)'}"
            if sized and appended:
                changes.append(what + " (appended; callers pass the size)")
            else:
                breaks.append(what + (" (not at the end)" if not appended else " (no caller-set size field)"))
    for st in sorted(set(new["struct"]) - set(old["struct"])):
        changes.append(f"new struct {st}")
    for e, size in old["enum"].items():
        if e in new["enum"] and new["enum"][e] != size:
            breaks.append(f"enum {e} size {size} -> {new['enum'][e]}")
    for v, val in old["value"].items():
        if v not in new["value"]:
            breaks.append(f"enumerator {v} is gone")
        elif new["value"][v] != val:
            breaks.append(f"enumerator {v}: {val} -> {new['value'][v]}")
    for v in sorted(set(new["value"]) - set(old["value"])):
        changes.append(f"new enumerator {v} = {new['value'][v]}")
    return breaks, changes


def main():
    import struct as _s
    if _s.calcsize("P") != 8:
        print("SKIP: the recorded ABI is for LP64 (x86-64, aarch64)")
        return 77
    lines = current()
    if UPDATE:
        with open(BASELINE, "w") as f:
            f.write("# vox ABI (LP64): written by tests/test_abi.py --update; see its docstring\n")
            f.write("\n".join(lines) + "\n")
        print(f"recorded {len(lines)} lines in {BASELINE}")
        return 0
    base = parse(open(BASELINE).read().splitlines())
    now = parse(lines)
    if not SO:
        base["symbol"] = set()
        print("note: no shared library in this build: symbols not checked")
    breaks, changes = compare(base, now)
    breaks += [f"symbol {s} is exported: the library exports vox_ symbols only" for s in sorted(now["symbol"])
               if not s.startswith("vox_")]
    for b in breaks:
        print(f"ABI BREAK: {b}")
    for c in changes:
        print(f"ABI CHANGED (compatible): {c}")
    if breaks or changes:
        print(f"{len(breaks)} incompatible, {len(changes)} compatible changes against {BASELINE}: "
              "if intended, refresh it (see tests/test_abi.py) and, for a break, bump the soname")
        return 1
    print(f"ABI as recorded: {len(now['struct'])} structs, {len(now['field'])} fields, "
          f"{len(now['value'])} enumerators, {len(now['symbol'])} symbols")
    return 0


if __name__ == "__main__":
    sys.exit(main())
