#!/usr/bin/env python3
"""test_exports.py - `vox analyze --write descriptors,vina,pymol,chimerax,dx`: the volumes JSON,
Vina boxes, DX maps and viewer scripts of the synthetic structures, turned so that the input frame
differs from the aligned one.  Input-frame outputs sit on the input file's atoms; the DX maps read
back onto the volumes' voxels; the .cxc and .pml follow their grammar (a parser of the commands vox
writes) and pick exactly the volumes' pseudo-atoms and lining residues; PyMOL (when installed) runs
each .pml headless; hostile chain, residue and atom names never reach a script; every ISA and
thread count writes the same bytes; volumizer's outputs are the same with the exports on or off.

Usage: test_exports.py VOX GENERATED_DIR [WRAPPER]
"""
import glob
import json
import math
import os
import re
import shutil
import stat
import subprocess
import sys

from voxtest import check, main, runner

VOX, GEN = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []
vox = runner(VOX, WRAPPER)
KINDS = "descriptors,vina,pymol,chimerax,dx"
TYPE_RES = {"hub": "HUB", "pore": "POR", "pocket": "POK", "cavity": "CAV", "occluded": "OCC"}


def turned(path, out):
    """The structure turned by 40 degrees about z and moved, so the aligned frame differs from the input."""
    c, s = math.cos(0.7), math.sin(0.7)
    with open(path) as f, open(out, "w") as o:
        for line in f:
            if line.startswith(("ATOM", "HETATM")):
                x, y, z = float(line[30:38]), float(line[38:46]), float(line[46:54])
                x, y = c * x - s * y + 10.0, s * x + c * y - 4.0
                line = f"{line[:30]}{x:8.3f}{y:8.3f}{z + 2.5:8.3f}{line[54:]}"
            o.write(line)


def pdb_coords(path):
    return [(float(l[30:38]), float(l[38:46]), float(l[46:54])) for l in open(path) if l.startswith(("ATOM", "HETATM"))]


def cif_rows(path):
    """_atom_site rows of an annotated mmCIF as dicts (the writer's quoting: '...' or "...")."""
    cols, rows, in_loop = [], [], False
    token = re.compile(r"'[^']*'(?=\s|$)|\"[^\"]*\"(?=\s|$)|\S+")
    for line in open(path):
        if line.startswith("_atom_site."):
            cols.append(line.split(".", 1)[1].strip())
            in_loop = True
        elif in_loop and line.startswith("#"):
            break
        elif in_loop and cols:
            vals = [t[1:-1] if t[0] in "'\"" else t for t in token.findall(line)]
            rows.append(dict(zip(cols, vals)))
    return rows


def read_dx(path):
    text = open(path).read()
    counts = [int(v) for v in re.search(r"gridpositions counts (\d+) (\d+) (\d+)", text).groups()]
    origin = [float(v) for v in re.search(r"\norigin (\S+) (\S+) (\S+)", text).groups()]
    deltas = [[float(v) for v in m] for m in re.findall(r"\ndelta (\S+) (\S+) (\S+)", text)]
    data = text.split("data follows\n", 1)[1].split("attribute", 1)[0].split()
    return counts, origin, deltas, [float(v) for v in data]


# ---- the command grammars of the scripts vox writes ---------------------------

NUM = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
NAME = r"vox_(?:hub|pore|pocket|cavity|occluded)_\d+(?:_lining)?"
CXC_RANGE = r"\(#1@@serial_number>=(\d+) & #1@@serial_number<=(\d+)\)"


def parse_cxc(text, structure_file):
    """Every line of a .cxc as (command, args); a line vox does not write fails the check."""
    out = []
    grammar = [
        ("open", rf"open {re.escape(structure_file)}"),
        ("matrix", rf"view matrix models #1(?:,{NUM}){{12}}"),
        ("hide", r"hide #1 atoms"), ("cartoon", r"cartoon #1"), ("view", r"view #1"),
        ("name", rf"name frozen ({NAME}) ({CXC_RANGE}(?: \| {CXC_RANGE})*)"),
        ("show", rf"show ({NAME}) atoms"), ("style", rf"style ({NAME}) (sphere|stick)"),
        ("size", rf"size ({NAME}) atomRadius {NUM}"),
        ("color", rf"color ({NAME}) (magenta|orange|cyan|red|gray)"),
    ]
    for line in text.splitlines():
        if line.startswith("#") and ";" not in line:
            continue
        for kind, rx in grammar:
            m = re.fullmatch(rx, line)
            if m:
                if kind == "name":
                    ranges = [(int(a), int(b)) for a, b in re.findall(r">=(\d+) & #1@@serial_number<=(\d+)", line)]
                    out.append(("name", m.group(1), ranges))
                else:
                    out.append((kind, m.groups()))
                break
        else:
            out.append(("UNKNOWN", line))
    return out


def parse_pml(text, structure_file):
    out = []
    grammar = [
        ("delete", r"delete vox_\*"), ("load", rf"load {re.escape(structure_file)}, vox_structure"),
        ("transform", rf"/cmd\.transform_object\(\"vox_structure\", \[(?:{NUM}, ){{15}}{NUM}\], homogenous=1\)"),
        ("hide", r"hide everything, vox_structure"), ("cartoon", r"show cartoon, vox_structure and id 1-\d+"),
        ("create", rf"create ({NAME}), vox_structure and id (\d+)-(\d+)"), ("alter", rf"alter ({NAME}), vdw={NUM}"),
        ("spheres", rf"show spheres, ({NAME})"), ("color", rf"color (magenta|orange|cyan|red|gray), ({NAME})"),
        ("select0", rf"select ({NAME}), none"),
        ("select", rf"select ({NAME}), ({NAME}) or \(vox_structure and id (\d+-\d+(?:\+\d+-\d+)*)\)"),
        ("sticks", rf"show sticks, ({NAME})"), ("end", r"rebuild|deselect|zoom vox_structure"),
    ]
    for line in text.splitlines():
        if line.startswith("#") and ";" not in line:
            continue
        for kind, rx in grammar:
            m = re.fullmatch(rx, line)
            if m:
                out.append((kind, m.groups()))
                break
        else:
            out.append(("UNKNOWN", line))
    return out


def check_scripts(od, label, doc, rows):
    """The .cxc and .pml of one structure: grammar, and the serials they pick."""
    cif = f"{'./' if label.startswith('-') else ''}{label}.annotated.cif"  # not read as an option
    by_serial = {int(r["id"]): r for r in rows}
    vols = {f"vox_{v['type']}_{v['id']}": v for v in doc["volumes"]}
    cxc = parse_cxc(open(os.path.join(od, f"{label}.cxc")).read(), cif)
    unknown = [c for c in cxc if c[0] == "UNKNOWN"]
    check(not unknown, f"{label}.cxc: lines outside the grammar: {unknown[:3]}")
    named = {c[1]: c[2] for c in cxc if c[0] == "name"}
    pml = parse_pml(open(os.path.join(od, f"{label}.pml")).read(), cif)
    unknown = [c for c in pml if c[0] == "UNKNOWN"]
    check(not unknown, f"{label}.pml: lines outside the grammar: {unknown[:3]}")
    created = {c[1][0]: [(int(c[1][1]), int(c[1][2]))] for c in pml if c[0] == "create"}
    lining_pml = {}
    for c in pml:
        if c[0] == "select":
            lining_pml.setdefault(c[1][0], []).extend(tuple(map(int, r.split("-"))) for r in c[1][2].split("+"))
    for name, v in vols.items():
        for script, picked in (("cxc", named.get(name)), ("pml", created.get(name))):
            serials = [s for a, b in picked or [] for s in range(a, b + 1)]
            ok = len(serials) == v["num_voxels"] and all(
                by_serial[s]["label_comp_id"] == TYPE_RES[v["type"]] and int(by_serial[s]["label_seq_id"]) == v["id"]
                for s in serials)
            check(ok, f"{label}.{script}: {name} picks exactly its {v['num_voxels']} pseudo-atoms")
        # lining: whole residues, exactly those of the JSON
        want = {r[4] for r in v["lining_residues"]}  # first atoms (0-based)
        for script, picked in (("cxc", named.get(name + "_lining")), ("pml", lining_pml.get(name + "_lining"))):
            serials = {s for a, b in picked or [] for s in range(a, b + 1)}
            starts = set()
            for s in sorted(serials):  # a residue starts where the previous serial is another residue
                prev = by_serial.get(s - 1)
                row = by_serial[s]
                key = (row["auth_asym_id"], row["auth_seq_id"], row["pdbx_PDB_ins_code"], row["auth_comp_id"])
                if s - 1 not in serials or prev is None or key != (prev["auth_asym_id"], prev["auth_seq_id"],
                                                                   prev["pdbx_PDB_ins_code"], prev["auth_comp_id"]):
                    starts.add(s - 1)
            check(starts == want,
                  f"{label}.{script}: {name}'s lining residues are the JSON's ({len(starts)} vs {len(want)})")
    return cxc, pml


def pymol_env():
    """Debian's pymol wrapper runs `python3 -m pymol`: put the system Python first."""
    return dict(os.environ, PATH="/usr/bin:/bin:" + os.environ.get("PATH", ""))


def pymol_available():
    env = pymol_env()
    if not shutil.which("pymol", path=env["PATH"]) or not shutil.which("python3", path=env["PATH"]):
        return False
    return subprocess.run(["python3", "-c", "import pymol"], env=env, capture_output=True).returncode == 0


PYMOL_CHECK = """
from pymol import cmd
import json
out = {o: cmd.count_atoms(o) for o in cmd.get_names('all')}
out['_first'] = cmd.get_coords('vox_structure and id 1').tolist()[0]
for o in cmd.get_names('objects'):
    if o != 'vox_structure':
        out['_resn_' + o] = sorted({a.resn for a in cmd.get_model(o).atom})
print('VOXCHECK' + json.dumps(out))
"""


def run_pymol(od, label):
    """Runs <label>.pml headless from its folder; the objects and atom counts, or None."""
    check_py = os.path.join(od, "check_pymol.py")
    open(check_py, "w").write(PYMOL_CHECK)
    env = pymol_env()
    r = subprocess.run(["pymol", "-cq", f"./{label}.pml", "check_pymol.py"], cwd=od, env=env, capture_output=True,
                       text=True, timeout=600)
    m = re.search(r"VOXCHECK(\{.*\})", r.stdout)
    check(r.returncode == 0 and m, f"pymol {label}.pml: rc {r.returncode} {r.stderr[-500:]}")
    return json.loads(m.group(1)) if m else None


def check_structure(tmp, src, label, extra=(), hostile=False):
    od = os.path.join(tmp, label)
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", KINDS, "--output-dir", od, *extra, src)
    check(r.returncode == 0, f"{label}: {r.stderr}")
    doc = json.load(open(os.path.join(od, f"{label}.volumes.json")))
    check(doc["format"] == "vox-volumes" and doc["source"] == label and doc["box_padding"] == 4.0, f"{label}: header")
    inp = pdb_coords(src) if src.endswith(".pdb") else None
    atoms = {a[0]: a for a in doc["atoms"]}
    types = ("pocket", "cavity", "pore")
    for v in doc["volumes"]:
        tag = f"{label} {v['type']} {v['id']}"
        check(all(i in atoms for i in v["lining_atoms"]), f"{tag}: lining atoms in the table")
        box = v["docking_box"]["input"]
        lo = [c - s / 2 - 2.0 for c, s in zip(box["center"], box["size"])]
        hi = [c + s / 2 + 2.0 for c, s in zip(box["center"], box["size"])]
        if inp:
            out = [i for i in v["lining_atoms"] if not all(lo[k] <= inp[atoms[i][1]][k] <= hi[k] for k in range(3))]
            check(not out, f"{tag}: lining atoms (input coordinates) inside the docking box + a voxel ({len(out)} not)")
        bb = v["bounding_box"]["input"]
        check(all(abs(s - (b - a + 8.0)) < 2e-3 for s, a, b in zip(box["size"], bb["min"], bb["max"])),
              f"{tag}: docking box = bounding box + 4 A per side")
        vina = os.path.join(od, f"{label}.{v['type']}-{v['id']}.vina.txt")
        dxp = os.path.join(od, f"{label}.{v['type']}-{v['id']}.dx")
        check(os.path.exists(vina) == (v["type"] in types) == os.path.exists(dxp), f"{tag}: files of the box types")
        if os.path.exists(vina):
            kv = dict(l.split(" = ") for l in open(vina).read().splitlines() if not l.startswith("#"))
            check(sorted(kv) == sorted(f"{k}_{a}" for k in ("center", "size") for a in "xyz"), f"{tag}: Vina keys")
            check(all(abs(float(kv[f"center_{a}"]) - box["center"][k]) < 6e-4 and
                      abs(float(kv[f"size_{a}"]) - box["size"][k]) < 6e-4 for k, a in enumerate("xyz")),
                  f"{tag}: Vina box = the JSON's input-frame docking box")
        if os.path.exists(dxp):
            counts, origin, deltas, data = read_dx(dxp)
            check(len(data) == counts[0] * counts[1] * counts[2] and set(data) <= {0.0, 1.0} and
                  sum(data) == v["num_voxels"], f"{tag}: DX holds the volume's voxels")
    rows = cif_rows(os.path.join(od, f"{label}.annotated.cif"))
    cxc, pml = check_scripts(od, label, doc, rows)
    if PYMOL:
        got = run_pymol(od, label)
        if got:
            check(got.get("vox_structure") == len(rows), f"{label}: PyMOL loads {got.get('vox_structure')} of "
                                                         f"{len(rows)} atoms")
            for v in doc["volumes"]:
                name = f"vox_{v['type']}_{v['id']}"
                check(got.get(name) == v["num_voxels"] and got.get("_resn_" + name) == [TYPE_RES[v["type"]]],
                      f"{label}: PyMOL object {name}: {got.get(name)} atoms")
                if v["lining_residues"]:
                    check(got.get(name + "_lining", 0) >= len(v["lining_atoms"]),
                          f"{label}: PyMOL {name}_lining holds the lining residues")
            if inp:
                check(max(abs(a - b) for a, b in zip(got["_first"], inp[0])) < 2e-3,
                      f"{label}: PyMOL shows the input frame ({got['_first']} vs {inp[0]})")
    return od, doc


PYMOL = False


def test_synthetic(tmp):
    global PYMOL
    PYMOL = pymol_available()
    if not PYMOL:
        print("SKIP the PyMOL runs: pymol is not installed (Debian package pymol)")
    for box in ("pocket", "pore", "cavity", "hub"):
        src = os.path.join(tmp, f"t_{box}.pdb")
        turned(os.path.join(GEN, f"{box}_box.pdb"), src)
        od, doc = check_structure(tmp, src, f"t_{box}", ["--include-hubs"] if box == "hub" else [])
        want = {"pocket": "pocket", "pore": "pore", "cavity": "cavity", "hub": "hub"}[box]
        check(any(v["type"] == want for v in doc["volumes"]), f"{box}: a {want} in the JSON")
    # the DX maps sit on the volumes' voxel centres in the input frame
    src = os.path.join(tmp, "t_pocket.pdb")
    od = os.path.join(tmp, "inframe")
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "dx,descriptors,pymol", "--output-frame", "input",
            "--output-dir", od, src)
    check(r.returncode == 0, r.stderr)
    rows = cif_rows(os.path.join(od, "t_pocket.annotated.cif"))
    pseudo = [(float(x["Cartn_x"]), float(x["Cartn_y"]), float(x["Cartn_z"])) for x in rows if x["label_comp_id"] == "POK"]
    counts, origin, deltas, data = read_dx(os.path.join(od, "t_pocket.pocket-0.dx"))
    cells, n = [], 0
    for a in range(counts[0]):
        for b in range(counts[1]):
            for c in range(counts[2]):
                if data[n]:
                    cells.append([origin[k] + a * deltas[0][k] + b * deltas[1][k] + c * deltas[2][k] for k in range(3)])
                n += 1
    matched = sum(any(max(abs(p[k] - q[k]) for k in range(3)) < 2e-3 for q in pseudo) for p in cells)
    check(len(cells) == len(pseudo) == matched, f"DX cells on the pseudo-atoms: {matched} of {len(cells)}/{len(pseudo)}")
    check("transform_object" not in open(os.path.join(od, "t_pocket.pml")).read(),
          "an input-frame CIF needs no transform in the script")


def test_options(tmp):
    src = os.path.join(tmp, "o_pocket.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    for args, what in ((["--write", "descriptors,bogus"], "--write"), (["--box-padding", "-1"], "--box-padding"),
                       (["--box-padding", "nan"], "--box-padding"), (["--box-padding", "0x10"], "--box-padding"),
                       (["--box-types", "pocket,lake"], "--box-types"),
                       (["--box-types", ""], "--box-types"), (["--write", ""], "--write: an empty item"),
                       (["--write", "vina,,dx"], "--write: an empty item"), (["--write", "vina,"], "an empty item"),
                       (["--write", "vina", "--box-types", "pocket,,pore"], "--box-types: an empty item"),
                       (["--box-types", "pocket"], "add vina and/or dx"),
                       (["--write", "dx", "--box-padding", "2"], "--box-padding sizes the docking boxes"),
                       (["--write", "vina", "--box-types", "hub,pocket"], "--include-hubs"),
                       # given twice the lists join (an adversarial pass: the last list alone was kept, so the
                       # hub check saw only it and a hub given first passed)
                       (["--write", "vina", "--box-types", "hub", "--box-types", "pocket"], "--include-hubs")):
        r = vox("analyze", "--quiet", "--output-dir", os.path.join(tmp, "bad"), *args, src)
        check(r.returncode == 2 and what in r.stderr, f"{args}: exit {r.returncode} {r.stderr}")
    od = os.path.join(tmp, "twice")
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina", "--box-types", "pore", "--box-types",
            "pocket", "--output-dir", od, src)
    conf = json.load(open(os.path.join(od, "run.summary.json")))["config"]
    check(r.returncode == 0 and os.path.exists(os.path.join(od, "o_pocket.pocket-0.vina.txt"))
          and sorted(conf["box_types"]) == ["pocket", "pore"], f"--box-types twice: {r.stderr} {conf.get('box_types')}")
    od = os.path.join(tmp, "pad0")
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina,descriptors", "--box-padding", "0",
            "--output-dir", od, src)
    check(r.returncode == 0, r.stderr)
    doc = json.load(open(os.path.join(od, "o_pocket.volumes.json")))
    v = doc["volumes"][0]
    kv = dict(l.split(" = ") for l in open(os.path.join(od, "o_pocket.pocket-0.vina.txt")) if " = " in l)
    bb = v["bounding_box"]["input"]
    check(all(abs(float(kv[f"size_{a}"]) - (bb["max"][k] - bb["min"][k])) < 2e-3 for k, a in enumerate("xyz")),
          "--box-padding 0: the box is the bounding box")
    # -0 is 0 (no "-0" in the files); an underflowing 1e-320 is a padding, not an error
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina", "--box-padding", "1e-320", "--output-dir",
            os.path.join(tmp, "pad-tiny"), src)
    check(r.returncode == 0, f"--box-padding 1e-320: {r.returncode} {r.stderr}")
    for pad in ("-0",):
        odz = os.path.join(tmp, "pad" + pad)
        r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina,descriptors", "--box-padding", pad,
                "--output-dir", odz, src)
        same = r.returncode == 0 and all(
            open(os.path.join(odz, f), "rb").read() == open(os.path.join(od, f), "rb").read()
            for f in ("o_pocket.pocket-0.vina.txt", "o_pocket.volumes.json"))
        check(same, f"--box-padding {pad}: the files of --box-padding 0 ({r.returncode} {r.stderr})")
    # hubs: only with --include-hubs, and only among the box types asked for
    hub = os.path.join(tmp, "o_hub.pdb")
    turned(os.path.join(GEN, "hub_box.pdb"), hub)
    for extra, want in (([], False), (["--include-hubs"], False), (["--include-hubs", "--box-types", "all"], True)):
        od = os.path.join(tmp, "hub" + "".join(extra))
        vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina", "--output-dir", od, *extra, hub)
        check(bool(glob.glob(os.path.join(od, "*.hub-0.vina.txt"))) == want, f"hub box with {extra}")


def test_overwrite_leaves_no_stale_boxes(tmp):
    """--overwrite (and --resume redoing a structure) leaves no Vina box or DX map of that structure that the new run
    did not write: boxes of volumes that no longer exist would be docked into.  Only the exact names
    <label>.<type>-<digits>.vina.txt|.dx of the rewritten label go; another structure's files, and names that only
    look alike, stay."""
    od = os.path.join(tmp, "stale")
    hub = os.path.join(tmp, "s_hub.pdb")
    turned(os.path.join(GEN, "hub_box.pdb"), hub)
    def per_volume():
        return sorted(f for f in os.listdir(od) if re.fullmatch(r"s_hub\.(hub|pore|pocket|cavity|occluded)-\d+\.(vina\.txt|dx)", f))
    def listed(types):
        doc = json.load(open(os.path.join(od, "s_hub.volumes.json")))
        return sorted(f"s_hub.{v['type']}-{v['id']}.{x}" for v in doc["volumes"] if v["type"] in types
                      for x in ("vina.txt", "dx"))
    base = ("--quiet", "--include-hubs", "--write", "descriptors,vina,dx", "--output-dir", od)
    r = vox("analyze", *base, "--resolution", "2.0", "--box-types", "all", hub)
    check(r.returncode == 0 and per_volume() == listed(TYPE_RES), f"first run: {r.stderr} {per_volume()}")
    others = ["other.hub-0.vina.txt", "s_hub_2.hub-0.dx", "s_hub.lake-0.vina.txt", "s_hub.hub-0.vina.txt.bak",
              "s_hub.hub-x.dx", "s_hub.hub-0.dx.txt", "notes.txt"]
    stale = ["s_hub.pocket-17.vina.txt", "s_hub.occluded-3.dx", "s_hub.hub-9.dx"]
    for f in others + stale:
        open(os.path.join(od, f), "w").write("not this run's\n")
    # the hub is now a pocket at 3.0 A, and only pockets get files
    r = vox("analyze", *base, "--overwrite", "--resolution", "3.0", "--box-types", "pocket", hub)
    check(r.returncode == 0 and per_volume() == listed({"pocket"}) and per_volume(),
          f"--overwrite: only the new run's boxes and maps: {r.stderr} {per_volume()} vs {listed({'pocket'})}")
    check(all(os.path.exists(os.path.join(od, f)) for f in others), "other labels' and look-alike files stay")
    # without vina or dx asked, a rewritten structure keeps none of them
    r = vox("analyze", "--quiet", "--overwrite", "--output-dir", od, hub)
    check(r.returncode == 0 and per_volume() == [], f"--overwrite without vina/dx: {per_volume()}")
    # --resume redoing the structure: the same rule
    vox("analyze", *base, "--overwrite", "--resolution", "2.0", "--box-types", "all", hub)
    os.remove(os.path.join(od, "s_hub.annotation.json"))
    r = vox("analyze", *base, "--resume", "--resolution", "3.0", "--box-types", "pocket", hub)
    check(r.returncode == 0 and per_volume() == listed({"pocket"}), f"--resume redoing: {per_volume()}")


def test_hostile(tmp):
    """Chains, residues and atoms named to break scripts, JSON and mmCIF."""
    lines = [l for l in open(os.path.join(GEN, "pocket_box.pdb")) if l.startswith("ATOM")]
    chains = ["A;B", "a'b", 'c"d', "e\\f", "/py", "python", "#x", "_y", "$z", "n\nl", "q' \"", "loop_", ".", "?"]
    names = ["CA", "C;A", "C'", 'C"1', "C\\", "/C", "C#", "N\nX", "O' x"]
    resn = ["ALA", "A;L", "py'", "/RS"]

    def q(v):
        if "\n" in v or ("'" in v and '"' in v):
            return "\n;" + v + "\n;\n"
        if v in (".", "?") or v.startswith(("_", "#", "$", "'", '"', ";")) or " " in v or "'" in v or '"' in v or \
                v.lower().startswith(("loop_", "data_")):
            return "'" + v + "'" if "'" not in v else '"' + v + '"'
        return v
    cols = ["group_PDB", "type_symbol", "label_atom_id", "label_comp_id", "label_asym_id", "label_seq_id",
            "auth_seq_id", "auth_asym_id", "auth_atom_id", "auth_comp_id", "pdbx_PDB_ins_code", "Cartn_x", "Cartn_y",
            "Cartn_z", "pdbx_PDB_model_num", "id"]
    out = ["data_hostile", "loop_"] + ["_atom_site." + c for c in cols]
    for i, l in enumerate(lines):
        ch, nm, rn = chains[(i // 400) % len(chains)], names[i % len(names)], resn[(i // 50) % len(resn)]
        rid = l[22:26].strip()
        vals = ["ATOM", "C", nm, rn, ch, rid, rid, ch, nm, rn, "?", l[30:38].strip(), l[38:46].strip(),
                l[46:54].strip(), "1", str(i + 1)]
        out.append(" ".join(v if k in (10,) else q(v) for k, v in enumerate(vals)))
    src = os.path.join(tmp, "hostile.cif")
    open(src, "w").write("\n".join(out) + "\n")
    od, doc = check_structure(tmp, src, "hostile", ["--keep-non-protein"], hostile=True)
    # every name in the JSON is one of the file's (as read: 4-character chains, newlines of text fields joined)
    readable = {c.replace("\n", "")[:4] for c in chains}
    got = {a[2] for a in doc["atoms"]}
    check(got and got <= readable, f"hostile chain names round-trip: {sorted(got - readable)}")
    got = {a[6] for a in doc["atoms"]}
    check(got and got <= {n.replace("\n", "") for n in names}, f"hostile atom names round-trip: {got}")
    for ext in ("pml", "cxc"):
        text = open(os.path.join(od, f"hostile.{ext}")).read()
        body = "\n".join(l for l in text.splitlines() if not l.startswith(("#", "/cmd.transform_object")))
        check(not any(c in body for c in ";'\"\\$") and "python" not in text, f"hostile.{ext} holds no name")


def test_identity(tmp):
    src = os.path.join(tmp, "i_hub.pdb")
    turned(os.path.join(GEN, "hub_box.pdb"), src)
    runs = []
    for env, threads in (({"VOX_ISA": "scalar"}, "1"), ({}, "2"), ({}, "1")):
        od = os.path.join(tmp, f"id-{len(runs)}")
        r = subprocess.run([*WRAPPER, VOX, "analyze", "--quiet", "--include-hubs", "--box-types", "all",
                            "--resolution", "1.5", "--write", KINDS, "--threads", threads, "--output-dir", od, src],
                           capture_output=True, text=True, env=dict(os.environ, **env))
        check(r.returncode == 0, r.stderr)
        runs.append({os.path.basename(p): open(p, "rb").read() for p in glob.glob(os.path.join(od, "i_hub.*"))
                     if not p.endswith("annotation.json")})
    check(len(runs[0]) > 5 and all(r == runs[0] for r in runs[1:]),
          f"every ISA and thread count writes the same exports ({len(runs[0])} files)")
    # volumizer's outputs: the same bytes with the exports on or off (same folder name)
    od = os.path.join(tmp, "onoff")
    outs = []
    for extra in ((), ("--write", KINDS)):
        shutil.rmtree(od, ignore_errors=True)
        r = vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", od, *extra, src)
        check(r.returncode == 0, r.stderr)
        outs.append([open(os.path.join(od, f"i_hub.{s}"), "rb").read() for s in ("annotated.cif", "annotation.json")])
    check(outs[0] == outs[1], "volumizer's outputs do not change with the exports")


def test_labels_of_any_file_name(tmp):
    """A file's label keeps what volumizer keeps (letters and digits of any script, '-', '_'): "protéine.pdb" is
    "protéine", "-neg.pdb" is "-neg".  The scripts open <label>.annotated.cif by that name, so the structure's
    exports are written (the run does not fail the structure) and PyMOL opens the file."""
    global PYMOL
    PYMOL = PYMOL or pymol_available()
    d = os.path.join(tmp, "names")
    os.makedirs(d, exist_ok=True)
    for name in ("prot\u00e9ine.pdb", "-neg.pdb", "\u86cb\u767d.pdb"):
        turned(os.path.join(GEN, "pocket_box.pdb"), os.path.join(d, name))
    od = os.path.join(tmp, "names-out")
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", KINDS, "--output-dir", od, d)
    check(r.returncode == 0, f"file names: exit {r.returncode} {r.stderr[-400:]}")
    for label in ("prot\u00e9ine", "-neg", "\u86cb\u767d"):
        ok = all(os.path.exists(os.path.join(od, f"{label}.{x}")) for x in ("pml", "cxc", "volumes.json", "pocket-0.dx"))
        check(ok, f"{label}: the exports are written")
        if not ok:
            continue
        doc = json.load(open(os.path.join(od, f"{label}.volumes.json")))
        check_scripts(od, label, doc, cif_rows(os.path.join(od, f"{label}.annotated.cif")))
        if PYMOL:
            got = run_pymol(od, label)
            check(got and got.get("vox_pocket_0") == doc["volumes"][0]["num_voxels"], f"PyMOL opens {label}'s file")


def test_refused_path_is_left_alone(tmp):
    """An export path vox will not replace (a FIFO, a directory) fails the structure with a message saying so; the
    exports it wrote before are removed (all or none), but the path it refused is the user's and stays."""
    src = os.path.join(tmp, "f_pocket.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    for name in ("f_pocket.pml", "f_pocket.pocket-0.dx"):
        od = os.path.join(tmp, "refused-" + name)
        os.makedirs(od)
        os.mkfifo(os.path.join(od, name))
        r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", KINDS, "--output-dir", od, src)
        check(r.returncode != 0 and "FIFO" in r.stderr, f"{name}: a FIFO refused: {r.returncode} {r.stderr[-300:]}")
        check(stat.S_ISFIFO(os.lstat(os.path.join(od, name)).st_mode) if os.path.lexists(os.path.join(od, name))
              else False, f"{name}: the FIFO vox refused to replace is still there")
        left = [f for f in os.listdir(od) if f.startswith("f_pocket.") and f != name]
        check(not left, f"{name}: no export of the failed structure is left: {left}")


def test_refused_overwrite_keeps_the_earlier_set(tmp):
    """A rewrite that cannot write one of a structure's files (a FIFO put at its .cxc) fails before anything of the
    earlier run is replaced: every earlier file stays byte for byte.  Before, the exports written ahead of the refused
    one replaced the earlier ones and were then removed, leaving the earlier annotation, boxes and maps beside no
    volumes JSON or .pml."""
    src = os.path.join(tmp, "k_pocket.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    od = os.path.join(tmp, "keep")
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", KINDS, "--output-dir", od, src)
    check(r.returncode == 0, f"first run: {r.stderr}")
    def files():
        return {f: open(os.path.join(od, f), "rb").read() for f in os.listdir(od)
                if f.startswith("k_pocket.") and stat.S_ISREG(os.lstat(os.path.join(od, f)).st_mode)}
    before = files()
    os.remove(os.path.join(od, "k_pocket.cxc"))
    os.mkfifo(os.path.join(od, "k_pocket.cxc"))
    del before["k_pocket.cxc"]
    r = vox("analyze", "--quiet", "--overwrite", "--resolution", "3.0", "--write", KINDS, "--output-dir", od, src)
    check(r.returncode != 0 and "FIFO" in r.stderr, f"the FIFO refused: {r.returncode} {r.stderr[-300:]}")
    after = files()
    check(after == before, f"the earlier set is intact: changed {sorted(k for k in before if after.get(k) != before[k])}"
                           f", new {sorted(set(after) - set(before))}")
    check(stat.S_ISFIFO(os.lstat(os.path.join(od, "k_pocket.cxc")).st_mode), "the FIFO stays")
    check(not [f for f in os.listdir(od) if ".tmp." in f], "no temporary left")


def test_special_files_are_never_removed(tmp):
    """A device node, FIFO or symbolic link that is named like an output stays: as the name of an earlier box or map
    (which a rewrite otherwise removes), and as the name of one of volumizer's two files when the other is absent
    (a half-finished earlier run, whose regular file is removed).  Both were unlinked before."""
    src = os.path.join(tmp, "n_pocket.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    od = os.path.join(tmp, "special")
    os.makedirs(od)
    fifo, link = os.path.join(od, "n_pocket.pore-3.vina.txt"), os.path.join(od, "n_pocket.hub-1.dx")
    os.mkfifo(fifo)
    os.symlink("/dev/null", link)
    r = vox("analyze", "--quiet", "--resolution", "2.0", "--write", "vina,dx", "--output-dir", od, src)
    check(r.returncode == 0, f"analysed: {r.stderr}")
    check(os.path.lexists(fifo) and stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO named like an old box stays")
    check(os.path.islink(link) and os.readlink(link) == "/dev/null", "the link named like an old map stays")
    for name in ("n_pocket.annotation.json", "n_pocket.annotated.cif"):
        od2 = os.path.join(tmp, "half-" + name)
        os.makedirs(od2)
        os.mkfifo(os.path.join(od2, name))
        r = vox("analyze", "--quiet", "--resolution", "2.0", "--output-dir", od2, src)
        check(r.returncode != 0 and "FIFO" in r.stderr, f"{name}: refused, not replaced: {r.returncode} {r.stderr}")
        check(stat.S_ISFIFO(os.lstat(os.path.join(od2, name)).st_mode), f"{name}: the FIFO stays")


if __name__ == "__main__":
    sys.exit(main([test_synthetic, test_options, test_overwrite_leaves_no_stale_boxes, test_hostile, test_identity,
                  test_labels_of_any_file_name, test_refused_path_is_left_alone,
                  test_refused_overwrite_keeps_the_earlier_set, test_special_files_are_never_removed], "vox-exports-"))
