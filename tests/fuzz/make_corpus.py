#!/usr/bin/env python3
"""make_corpus.py - the seed corpora of the fuzz targets, made by the project itself.

Usage: make_corpus.py VOX GENERATED_DIR OUT_DIR [SHARED_DATA]
  VOX            a normal build's `vox` (it writes the summaries, checkpoints and annotations seeded here)
  GENERATED_DIR  what tests/gen_structures wrote (build/tests)
  OUT_DIR        gets one folder of seeds per target (build-fuzz/corpus/<target>)
  SHARED_DATA    ../shared/data, used when present: its smaller structure files join the loader seeds

Seeds are small on purpose (libFuzzer mutates inputs up to the largest seed's size): structure
snippets that reach every record type and assembly path, small hollow shapes that give cavities,
pockets and pores at coarse resolutions, gzip variants, profiles built from this machine's
fingerprint, DCDs in every layout the reader knows, small XTC and PDB/mmCIF model files (and two
frames of the GROMACS lysozyme XTC when SHARED_DATA has it), and the command's JSON files as vox
writes them.
"""
import gzip
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

VOX, GEN, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
DATA = sys.argv[4] if len(sys.argv) > 4 else ""
ANNOTATION_CIF = "/tmp/vox-fuzz-annotation.annotated.cif"  # fuzz_cli.c makes this file: seeds name it


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def atom(serial, name, res, chain, resi, x, y, z, el, het=False, alt=" "):
    rec = "HETATM" if het else "ATOM  "
    return (f"{rec}{serial:5d} {name:<4s}{alt}{res:>3s} {chain}{resi:4d}    {x:8.3f}{y:8.3f}{z:8.3f}"
            f"  1.00  0.00          {el:>2s}\n")


def shape(kind, spacing=1.9):
    """Atoms (x, y, z) of a hollow shape: a closed shell (cavity), a cup (pocket) or an open tube (pore)."""
    pts = []
    if kind == "tube":
        for k in range(12):
            z = -11 + 2 * k
            for j in range(20):
                t = 2 * math.pi * j / 20
                pts.append((7 * math.cos(t), 7 * math.sin(t), z))
        return pts
    r = 9.0
    n = int(4 * math.pi * r * r / (spacing * spacing))
    for i in range(n):  # a Fibonacci sphere
        z = 1 - 2 * (i + 0.5) / n
        t = math.pi * (1 + 5 ** 0.5) * i
        p = (r * math.sqrt(1 - z * z) * math.cos(t), r * math.sqrt(1 - z * z) * math.sin(t), r * z)
        if kind == "cup" and p[2] > 6.0:
            continue
        pts.append(p)
    return pts


def pdb_of(pts, res="ALA"):
    lines = [atom(i + 1, "CA", res, "A", i // 4 + 1, *p, "C") for i, p in enumerate(pts)]
    return "HEADER    FUZZ SEED\n" + "".join(lines) + "END\n"


def cif_of(pts):
    head = ("data_fuzz\n#\nloop_\n_atom_site.group_PDB\n_atom_site.id\n_atom_site.type_symbol\n"
            "_atom_site.label_atom_id\n_atom_site.label_alt_id\n_atom_site.label_comp_id\n_atom_site.label_asym_id\n"
            "_atom_site.label_seq_id\n_atom_site.auth_seq_id\n_atom_site.auth_asym_id\n_atom_site.Cartn_x\n"
            "_atom_site.Cartn_y\n_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n")
    rows = "".join(f"ATOM {i + 1} C CA . ALA A {i // 4 + 1} {i // 4 + 1} A {x:.3f} {y:.3f} {z:.3f} 1\n"
                   for i, (x, y, z) in enumerate(pts))
    return head + rows + "#\n"


def structure_seeds():
    small = {}
    for kind in ("shell", "cup", "tube"):
        small[kind] = shape(kind)
    pdb = {k: pdb_of(v) for k, v in small.items()}
    cif = {k: cif_of(v) for k, v in small.items()}
    two = [atom(1, "N", "GLY", "A", 1, 0, 0, 0, "N"), atom(2, "CA", "GLY", "A", 1, 1.4, 0, 0, "C"),
           atom(3, "C", "GLY", "A", 1, 2.0, 1.3, 0, "C"), atom(4, "O", "HOH", "W", 9, 5, 5, 5, "O", het=True)]
    # records every part of the PDB reader handles: models, altlocs, hybrid-36, BIOMT, CRYST1, insertion codes
    pdb["records"] = ("HEADER    RECORDS\nCRYST1   50.000   60.000   70.000  90.00  90.00  90.00 P 1           1\n"
                      "REMARK 350 BIOMOLECULE: 1\nREMARK 350 APPLY THE FOLLOWING TO CHAINS: A\n"
                      "REMARK 350   BIOMT1   1  1.000000  0.000000  0.000000        0.00000\n"
                      "REMARK 350   BIOMT2   1  0.000000  1.000000  0.000000        0.00000\n"
                      "REMARK 350   BIOMT3   1  0.000000  0.000000  1.000000        0.00000\n"
                      "REMARK 350   BIOMT1   2 -1.000000  0.000000  0.000000       20.00000\n"
                      "REMARK 350   BIOMT2   2  0.000000 -1.000000  0.000000        0.00000\n"
                      "REMARK 350   BIOMT3   2  0.000000  0.000000  1.000000        0.00000\n"
                      "MODEL        1\n" + "".join(two) +
                      atom(5, "CB", "ALA", "A", 2, 3, 3, 3, "C", alt="A") + atom(6, "CB", "ALA", "A", 2, 3.1, 3, 3, "C", alt="B") +
                      "ATOM  A0000  CA  HIE B2000      1.000   2.000   3.000  1.00  0.00           C\n"
                      "ATOM      8  CA  ALA A   3A     4.000   2.000   3.000  1.00  0.00\n"
                      "ENDMDL\nMODEL        2\n" + "".join(two) + "ENDMDL\nEND\n")
    # mmCIF: quotes, text fields, assemblies, several models
    cif["assembly"] = ("data_asm\n_cell.length_a 50\n_cell.length_b 60\n_cell.length_c 70\n_cell.angle_alpha 90\n"
                       "_cell.angle_beta 90\n_cell.angle_gamma 90\n_struct.title\n;a text field\nover two lines\n;\n"
                       "loop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
                       "_pdbx_struct_assembly_gen.asym_id_list\n1 '(1,2)' A\n"
                       "loop_\n_pdbx_struct_oper_list.id\n_pdbx_struct_oper_list.type\n"
                       "_pdbx_struct_oper_list.matrix[1][1]\n_pdbx_struct_oper_list.matrix[1][2]\n"
                       "_pdbx_struct_oper_list.matrix[1][3]\n_pdbx_struct_oper_list.vector[1]\n"
                       "_pdbx_struct_oper_list.matrix[2][1]\n_pdbx_struct_oper_list.matrix[2][2]\n"
                       "_pdbx_struct_oper_list.matrix[2][3]\n_pdbx_struct_oper_list.vector[2]\n"
                       "_pdbx_struct_oper_list.matrix[3][1]\n_pdbx_struct_oper_list.matrix[3][2]\n"
                       "_pdbx_struct_oper_list.matrix[3][3]\n_pdbx_struct_oper_list.vector[3]\n"
                       "1 'identity operation' 1 0 0 0 0 1 0 0 0 0 1 0\n2 'point symmetry operation' -1 0 0 20 0 -1 0 0 0 0 1 0\n"
                       + cif["cup"].split("\n", 1)[1])
    return pdb, cif


def dcd(frames, natom, cell=False, big=False, wide=False, cosines=False):
    e = ">" if big else "<"
    mk = "q" if wide else "i"

    def rec(b):
        return struct.pack(e + mk, len(b)) + b + struct.pack(e + mk, len(b))
    icntrl = [len(frames), 10, 5, 0, 0, 0, 0, 0, 0, 0, 1 if cell else 0, 0, 0, 0, 0, 0, 0, 0, 0, 24]
    hdr = (b"CORD" + struct.pack(e + "9i", *icntrl[:9]) + struct.pack(e + "f", 0.0409) +
           struct.pack(e + "10i", *icntrl[10:]))
    data = rec(hdr) + rec(struct.pack(e + "i", 1) + b"fuzz seed".ljust(80)) + rec(struct.pack(e + "i", natom))
    for k, fr in enumerate(frames):
        if cell:
            ang = (0.0, 0.0, 0.0) if cosines else (90.0, 90.0, 90.0)
            data += rec(struct.pack(e + "6d", 30.0 + k, ang[2], 31.0, ang[1], ang[0], 32.0))
        for c in range(3):
            data += rec(struct.pack(e + f"{natom}f", *[p[c] for p in fr]))
    return data


def xtc_small(frames):
    """An XTC of frames of at most 9 atoms: XDR (big-endian), such frames store plain floats (nm)."""
    out = b""
    for k, fr in enumerate(frames):
        n = len(fr)
        out += struct.pack(">iiif", 1995, n, 10 * k, 0.5 * k) + struct.pack(">9f", 3, 0, 0, 0, 3, 0, 0, 0, 3)
        out += struct.pack(">i", n) + struct.pack(f">{3 * n}f", *[c / 10 for p in fr for c in p])
    return out


def xtc_head(path, nframes):
    """The first nframes frames of an XTC file (compressed coordinates: their byte count gives the size)."""
    data = open(path, "rb").read()
    at = 0
    for _ in range(nframes):
        if at + 92 > len(data):
            break
        natoms = struct.unpack_from(">i", data, at + 4)[0]
        if natoms <= 9:
            at += 56 + 12 * natoms
            continue
        nbytes = struct.unpack_from(">i", data, at + 88)[0]
        at += 92 + (nbytes + 3) // 4 * 4
    return data[:at]


def models(frames, cif=False):
    """Frames as a multi-model PDB (MODEL/ENDMDL) or an mmCIF atom_site loop with model numbers."""
    if cif:
        text = ("data_models\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n_atom_site.label_alt_id\n"
                "_atom_site.auth_comp_id\n_atom_site.auth_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n"
                "_atom_site.Cartn_y\n_atom_site.Cartn_z\n_atom_site.type_symbol\n_atom_site.pdbx_PDB_model_num\n")
        for m, fr in enumerate(frames):
            for i, (x, y, z) in enumerate(fr):
                text += f"ATOM CA . ALA A {i + 1} {x:.3f} {y:.3f} {z:.3f} C {m + 1}\n"
        return text
    text = ""
    for m, fr in enumerate(frames):
        text += f"MODEL     {m + 1:4d}\n"
        text += "".join(atom(i + 1, "CA", "ALA", "A", i + 1, x, y, z, "C") for i, (x, y, z) in enumerate(fr))
        text += "ENDMDL\n"
    return text + "END\n"


def run_vox(*args):
    return subprocess.run([VOX, *args], capture_output=True, text=True, timeout=600)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    pdb, cif = structure_seeds()
    for k, text in pdb.items():
        put("load_pdb", f"{k}.pdb", text)
        put("pipeline", f"{k}_res2.pdb", text.encode() + bytes([0x08]))   # knobs: align, resolution 2.0
        put("pipeline", f"{k}_res3_keep.pdb", text.encode() + bytes([0x12]))
        put("load_gzip", f"{k}.pdb.gz", gzip.compress(text.encode()))
    for k, text in cif.items():
        put("load_cif", f"{k}.cif", text)
        put("pipeline", f"{k}_res15.cif", text.encode() + bytes([0x00]))
        put("load_gzip", f"{k}.cif.gz", gzip.compress(text.encode()))
    put("load_gzip", "two_members.gz", gzip.compress(pdb["shell"][:3000].encode()) + gzip.compress(pdb["cup"].encode()))
    for name in ("three_atoms.pdb", "edge_atoms.pdb", "flat_sheet.pdb", "two_atoms.pdb"):
        text = open(os.path.join(GEN, name), "rb").read()
        put("load_pdb", name, text)
        put("pipeline", name, text + bytes([0x19]))  # no-align, resolution 3.0
    if DATA and os.path.isdir(os.path.join(DATA, "structures")):
        d = os.path.join(DATA, "structures")
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.getsize(p) <= 96 << 10:
                text = open(p, "rb").read()
                put("load_cif" if name.endswith(".cif") else "load_pdb", name, text)
                put("load_gzip", name + ".gz", gzip.compress(text))

    # trajectories
    pts = shape("tube")[:40]
    frames = [[(x + 0.1 * k, y, z) for x, y, z in pts] for k in range(3)]
    put("dcd", "plain.dcd", dcd(frames, len(pts)))
    put("dcd", "cell.dcd", dcd(frames, len(pts), cell=True))
    put("dcd", "cell_cosines.dcd", dcd(frames, len(pts), cell=True, cosines=True))
    put("dcd", "big_endian.dcd", dcd(frames, len(pts), big=True))
    put("dcd", "wide_markers.dcd", dcd(frames, len(pts), wide=True))
    put("dcd", "truncated.dcd", dcd(frames, len(pts))[:-50])
    # the target opens any file as vox_frames_open does: XTC and PDB/mmCIF models too
    put("dcd", "seven_atoms.xtc", xtc_small([fr[:7] for fr in frames]))
    put("dcd", "models.pdb", models([fr[:8] for fr in frames]))
    put("dcd", "models.cif", models([fr[:8] for fr in frames], cif=True))
    xtc = os.path.join(DATA, "trajectories", "1aki-md", "traj.xtc") if DATA else ""
    if xtc and os.path.isfile(xtc):
        put("dcd", "1aki_two_frames.xtc", xtc_head(xtc, 2))

    # the command's JSON files, as vox writes them
    tmp = tempfile.mkdtemp(prefix="vox-corpus-")
    try:
        ins = os.path.join(tmp, "in")
        os.makedirs(ins)
        for k in ("shell", "cup", "tube"):
            open(os.path.join(ins, f"{k}.pdb"), "w").write(pdb[k])
        open(os.path.join(ins, "bad.pdb"), "w").write("HEADER    BROKEN\nATOM      1  CA  ALA A   1       1.000\n")
        out = os.path.join(tmp, "out")
        run_vox("analyze", "--quiet", "--resolution", "3.0", "--write", "df-json", "--output-dir", out,
                "--failures-manifest", os.path.join(tmp, "failures.json"), ins)
        summary = open(os.path.join(out, "run.summary.json")).read()
        put("summary", "summary.json", summary)
        put("merge", "summary.json", summary)
        s = json.loads(summary)
        del s["config"]["num_shards"]
        put("merge", "config_without_shards.json", json.dumps(s))
        put("checkpoint", "checkpoint.json", open(os.path.join(out, "run.checkpoint.json")).read())
        ck = json.loads(open(os.path.join(out, "run.checkpoint.json")).read())
        del ck["schema"]
        put("checkpoint", "volumizer_checkpoint.json", json.dumps(ck))
        ck["signature"]["resolution"] = 2.0
        put("checkpoint", "changed_settings.json", json.dumps(ck))
        put("manifest", "failures.json", open(os.path.join(tmp, "failures.json")).read())
        put("manifest", "manifest.json", json.dumps({"structures": [
            {"input_path": "structs/a.pdb"}, {"pdb_id": "1abc"}, {"pdb_id": " 2xyz "},
            {"source": "named", "input_path": "/abs/b.cif", "cluster_member_pdb_ids": ["1AAA", "1BBB"]}, {"foo": 1}]}))
        for k in ("shell", "cup"):
            a = json.loads(open(os.path.join(out, f"{k}.annotation.json")).read())
            a["source"] = "fuzz"
            a["output_structure_cif"] = ANNOTATION_CIF
            put("annotation", f"{k}.annotation.json", json.dumps(a, indent=2))
            put("annotation", f"{k}.df.json", open(os.path.join(out, f"{k}.df.json")).read())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # profiles from this machine's fingerprint and settings (exact or partial for this build)
    fp = json.loads(run_vox("info", "--fingerprint").stdout)
    settings = json.loads(run_vox("info", "--settings").stdout)["kernels"]
    machine = {"fingerprint": fp, "rigor": "quick", "created": "2024-01-01T00:00:00Z", "tool": "voxtune 0.1.0",
               "settings": settings, "measurements": [{"kernel": "occlusion", "class": "small", "seconds": 0.001}]}
    put("profile", "schema2.json", json.dumps({"format": "vox-profile", "schema": 2, "machines": [machine]}, indent=1))
    foreign = json.loads(json.dumps(machine))
    foreign["fingerprint"]["cpu"]["vendor"] = "Other"
    put("profile", "two_machines.json", json.dumps({"format": "vox-profile", "schema": 2, "machines": [foreign, machine]}))
    one = {k: v["small"] for k, v in settings.items()}
    put("profile", "schema1.json", json.dumps({"format": "vox-profile", "schema": 1, "fingerprint": fp, "rigor": "quick",
                                               "settings": one}))


if __name__ == "__main__":
    main()
