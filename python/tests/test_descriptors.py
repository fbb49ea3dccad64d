"""test_descriptors.py - the per-volume descriptors, lining tables, boxes and the export documents
from Python: the same bytes as `vox analyze --write`, the same numbers as its volumes JSON, lining
atoms inside their docking boxes, and arguments checked."""
import json
import os

import numpy as np
import pandas as pd
import pytest

import vox
from conftest import data, run_vox, synthetic

EXPORTS = "descriptors,vina,pymol,chimerax,dx"


def cli_exports(tmp_path, path, resolution=2.0):
    out = tmp_path / "cli"
    run = run_vox("analyze", "--quiet", "--no-checkpoint", "--include-hubs", "--write", EXPORTS, "--box-types", "all",
                  "--resolution", str(resolution), "--output-dir", str(out), path)
    assert run.returncode == 0, run.stderr
    return out


@pytest.mark.parametrize("name", ["pocket_box.pdb", "pore_box.pdb", "hub_box.pdb", "cavity_box.pdb"])
def test_exports_equal_cli(tmp_path, name):
    """write() and render() of every export give the bytes `vox analyze --write` writes."""
    p = synthetic(name)
    out = cli_exports(tmp_path, p)
    label = vox.make_label(p)
    r = vox.Analyzer(2.0, threads=1, descriptors=True).analyze(p)
    mine = tmp_path / "py"
    mine.mkdir()
    files = {f"{label}.volumes.json": ("volumes-json", {}), f"{label}.pml": ("pymol", {}),
             f"{label}.cxc": ("chimerax", {})}
    for v in r.volumes:
        for kind, suffix in (("vina", ".vina.txt"), ("dx", ".dx")):
            files[f"{label}.{v.type}-{v.id}{suffix}"] = (kind, {"volume": v.index})
    expected = {f for f in os.listdir(out)
                if not f.startswith(".") and not f.endswith((".annotated.cif", ".annotation.json", ".summary.json"))}
    assert expected == set(files), sorted(expected ^ set(files))
    for fname, (kind, kw) in files.items():
        r.write(kind, mine / fname, include_hubs=True, **kw)
        want = (out / fname).read_bytes()
        assert (mine / fname).read_bytes() == want, fname
        assert r.render(kind, include_hubs=True, **kw).encode() == want, fname


@pytest.mark.parametrize("name", ["1A8O.pdb", "5i55.cif"])
def test_openings_largest_first(name):
    """openings() lists the areas largest first, as documented: the mouths come from
    classification by voxel count, and in these structures a mouth of fewer voxels has more
    open faces (1a8o's pocket 0 at 2.0 Å gave [96, 100], 5i55's hub 0 [416, 92, 108])."""
    r = vox.Analyzer(2.0, threads=1, descriptors=True).analyze(data("structures", name))
    doc = json.loads(r.render("volumes-json", include_hubs=True))
    checked = 0
    for v in r.volumes:
        areas = r.openings(v.index)
        if areas is None:
            continue
        assert areas.tolist() == sorted(areas.tolist(), reverse=True), (v.type, v.id, areas.tolist())
        assert doc["volumes"][v.index]["openings"]["areas"] == areas.tolist()
        checked += len(areas) > 1
    assert checked > 0


def test_tables_equal_volumes_json(tmp_path):
    """descriptors(), lining_atoms(), lining_residues(), openings() and box() hold what the
    volumes JSON of the same analysis holds."""
    p = data("structures", "4jpn.pdb")
    r = vox.Analyzer(2.0, threads=1, descriptors=True).analyze(p)
    doc = json.loads(r.render("volumes-json", include_hubs=True))
    d = r.descriptors()
    atoms, residues = r.lining_atoms(), r.lining_residues()
    assert len(doc["volumes"]) == len(d) == len(r.volumes) == 52
    fields = doc["atom_fields"]
    by_index = {row[0]: dict(zip(fields, row)) for row in doc["atoms"]}
    for row, v in zip(d.itertuples(), doc["volumes"]):
        assert (row.type, row.id, row.volume) == (v["type"], v["id"], v["volume"])
        assert row.depth_max == pytest.approx(v["depth"]["max"], abs=6e-4)
        assert row.depth_mean == pytest.approx(v["depth"]["mean"], abs=6e-4)
        assert row.hydropathy == pytest.approx(v["hydropathy"], abs=6e-4)
        for k in ("apolar", "polar", "charged"):
            assert getattr(row, f"{k}_fraction") == pytest.approx(v["lining_atom_fractions"][k], abs=6e-5)
        if v["openings"] is None:  # an occluded group: never classified
            assert row.type == "occluded" and row.num_openings is pd.NA and np.isnan(row.opening_area)
            assert r.openings(row.index) is None
        else:
            assert row.num_openings == v["openings"]["count"]
            assert row.opening_area == v["openings"]["area"]
            assert r.openings(row.index).tolist() == v["openings"]["areas"]
        mine = atoms[atoms.volume == row.index]
        assert mine.atom.tolist() == v["lining_atoms"] and row.num_lining_atoms == len(mine)
        for a in mine.head(20).itertuples():
            want = by_index[a.atom]
            assert (a.input_index, a.chain, a.res_id, a.ins_code, a.res_name, a.atom_name, a.element) == tuple(
                want[k] for k in fields[1:])
        res = residues[residues.volume == row.index]
        assert [[x.chain, x.res_id, x.ins_code, x.res_name, x.atom] for x in res.itertuples()] == v["lining_residues"]
        assert row.num_lining_residues == len(res)
        for frame in ("input", "aligned"):
            b = r.box(row.index, frame)
            assert b.centre == pytest.approx(v["docking_box"][frame]["center"], abs=6e-4)
            assert b.size == pytest.approx(v["docking_box"][frame]["size"], abs=6e-4)
            tight = r.box(row.index, frame, padding=0)
            assert tight.lo == pytest.approx(v["bounding_box"][frame]["min"], abs=6e-4)
            assert tight.hi == pytest.approx(v["bounding_box"][frame]["max"], abs=6e-4)
    # the example of the README
    pore = d.iloc[0]
    assert (pore.type, pore.num_lining_atoms, pore.num_lining_residues, pore.num_openings) == ("pore", 2767, 482, 2)


@pytest.mark.parametrize("name", ["pocket_box.pdb", "pore_box.pdb", "hub_box.pdb"])
def test_lining_atoms_lie_in_their_boxes(name):
    """A lining atom is within its radius + one voxel of the volume, so inside the docking box
    (4 Å of padding) grown by a voxel, in the input frame (the file's coordinates) as in the
    aligned one; the pocket boxes are all alanine: hydropathy 1.8, apolar and polar only."""
    p = synthetic(name)
    r = vox.Analyzer(2.0, threads=1, descriptors=True).analyze(p)
    s = r.structure
    aligned = s.coords
    with open(p) as f:
        records = [ln for ln in f if ln.startswith(("ATOM", "HETATM"))]
    file_xyz = np.array([[float(ln[30:38]), float(ln[38:46]), float(ln[46:54])] for ln in records])
    d = r.descriptors()
    assert len(d) and (d.num_lining_atoms > 0).all()
    for v in r.volumes:
        atoms = r.lining_atoms(v.index)
        assert len(atoms) == d.num_lining_atoms[v.index] and (atoms.volume == v.index).all()
        for frame, xyz in (("aligned", aligned[atoms.atom.to_numpy()]),
                           ("input", file_xyz[atoms.input_index.to_numpy()])):
            b = r.box(v.index, frame)
            grow = r.resolution + 1e-3
            assert (xyz >= b.lo - grow).all() and (xyz <= b.hi + grow).all(), (frame, v)
        assert (atoms.res_name == "ALA").all()
        assert d.hydropathy[v.index] == pytest.approx(1.8)
        assert d.apolar_fraction[v.index] + d.polar_fraction[v.index] == pytest.approx(1.0)
    opening_counts = {"pocket": 1, "pore": 2}
    for row in d.itertuples():
        if row.type in opening_counts:
            assert row.num_openings == opening_counts[row.type]


def test_same_for_every_thread_count_and_isa():
    p = synthetic("pore_box.pdb")
    want = None
    for isa in ("scalar", None):
        for threads in (1, 2, 3):
            r = vox.Analyzer(2.0, threads=threads, isa=isa, descriptors=True).analyze(p)
            got = (r.descriptors().to_json(), r.lining_atoms().to_json(), r.render("volumes-json"))
            assert want is None or got == want, (isa, threads)
            want = got


def test_mdanalysis_input_index_is_the_atomgroup_position():
    mda = pytest.importorskip("MDAnalysis")
    u = mda.Universe(data("trajectories", "1aki-md", "top.pdb"))
    ag = u.select_atoms("protein")
    r = vox.Analyzer(2.0, threads=1, md_residue_names=True, descriptors=True).analyze(ag)
    atoms = r.lining_atoms()
    assert len(atoms)
    picked = ag[atoms.input_index.to_numpy()]
    assert picked.names.tolist() == atoms.atom_name.tolist()
    assert picked.resids.tolist() == atoms.res_id.tolist()
    # the input-frame box holds the AtomGroup's own coordinates of its lining atoms
    for v in r.volumes[:5]:
        sel = atoms[atoms.volume == v.index]
        b = r.box(v.index, "input")
        xyz = ag[sel.input_index.to_numpy()].positions
        assert (xyz >= b.lo - r.resolution - 1e-3).all() and (xyz <= b.hi + r.resolution + 1e-3).all()


def test_descriptors_off_by_default_and_arguments_checked():
    a = vox.Analyzer(2.0, threads=1)
    r = a.analyze(synthetic("pocket_box.pdb"))
    for call in (r.descriptors, r.lining_atoms, r.lining_residues, lambda: r.openings(0)):
        with pytest.raises(vox.Error, match="without descriptors"):
            call()
    for kind in ("volumes-json", "pymol", "chimerax"):
        with pytest.raises(vox.InvalidArgumentError, match=f"^{kind} needs descriptors: .*descriptors=True"):
            r.render(kind)
        with pytest.raises(vox.InvalidArgumentError, match="needs descriptors"):
            r.write(kind, "never-written")
    # the boxes, Vina configurations and maps need no descriptors
    assert r.render("vina", volume=0).startswith("# vox")
    assert r.box(0).size.shape == (3,)
    # asked for in one call
    assert len(a.analyze(synthetic("pocket_box.pdb"), descriptors=True).descriptors()) == len(r)
    with pytest.raises(vox.InvalidArgumentError, match="volume="):
        r.render("vina")
    with pytest.raises(vox.InvalidArgumentError, match="volume="):
        r.render("df-json", volume=0)
    with pytest.raises(vox.InvalidArgumentError, match="out of range"):
        r.render("dx", volume=len(r))
    for bad in (-1, float("nan"), float("inf"), 2e6):
        with pytest.raises(vox.InvalidArgumentError, match="padding"):
            r.box(0, padding=bad)
        with pytest.raises(vox.InvalidArgumentError, match="box_padding"):
            r.render("vina", volume=0, box_padding=bad)
    with pytest.raises(vox.InvalidArgumentError, match="frame"):
        r.box(0, frame="file")
    with pytest.raises(vox.InvalidArgumentError, match="descriptors"):
        vox.Analyzer(2.0, descriptors="yes")
    # a structure file that a script would run as commands is refused by the library
    rd = a.analyze(synthetic("pocket_box.pdb"), descriptors=True)
    for hostile in ("x.cif; python import os", "-x.cif", "a b.cif"):
        with pytest.raises(vox.InvalidArgumentError):
            rd.render("pymol", structure_file=hostile)
    # the frame of the Vina box: input by default, as `vox analyze` writes it
    assert rd.render("vina", volume=0) == rd.render("vina", volume=0, frame="input")
    assert "aligned frame" in rd.render("vina", volume=0, frame="aligned")


def test_trajectory_descriptors_equal_each_frame_analysed_alone():
    """analyze_trajectory(descriptors=True): the frames.csv columns unchanged, and per row the
    descriptors of that frame analysed on its own (Analyzer.analyze of the AtomGroup there)."""
    mda = pytest.importorskip("MDAnalysis")
    top, dcd = data("trajectories", "1aki-md", "top.pdb"), data("trajectories", "1aki-md", "traj.dcd")
    u = mda.Universe(top, dcd)
    frames = vox.analyze_trajectory(u, resolution=2.0, step=20, descriptors=True, threads=1)
    assert frames.columns.tolist() == vox.FRAME_COLUMNS + vox.FRAME_DESCRIPTOR_COLUMNS
    plain = vox.analyze_trajectory(u, resolution=2.0, step=20, threads=1)
    assert frames[vox.FRAME_COLUMNS].equals(plain)
    # vox's own DCD reader gives the same table
    same = vox.analyze_trajectory(top, trajectory=dcd, resolution=2.0, step=20, descriptors=True, threads=1)
    assert same.equals(frames)
    a = vox.Analyzer(2.0, threads=1, md_residue_names=True, descriptors=True)
    for k in sorted(set(frames.frame))[:3]:
        u.trajectory[k]
        r = a.analyze(u.select_atoms("protein"))
        d = r.descriptors()
        d = d[d.type != "occluded"].reset_index(drop=True)
        rows = frames[frames.frame == k].reset_index(drop=True)
        assert len(rows) == len(d) > 0
        for name in ("depth_max", "depth_mean", "hydropathy", "apolar_fraction", "polar_fraction",
                     "charged_fraction", "num_lining_atoms", "num_lining_residues", "opening_area"):
            assert np.array_equal(rows[name].to_numpy(), d[name].to_numpy(dtype=rows[name].dtype), equal_nan=True), name
        assert rows.num_openings.tolist() == d.num_openings.astype(int).tolist()
        for row, i in zip(rows.itertuples(), d["index"]):
            res = r.lining_residues(i)
            want = " ".join(f"{x.res_name}{x.res_id}{x.ins_code}" for x in res.itertuples())  # no chains in top.pdb
            assert row.lining_residues == want
    # a tracked pocket's lining residues over time: one per row after split/explode
    tracked = vox.analyze_trajectory(u, resolution=2.0, step=20, descriptors=True, align="reference", threads=1)
    per = tracked.assign(residue=tracked.lining_residues.str.split()).explode("residue")
    assert per.groupby(["track", "residue"]).size().max() >= 2
    with pytest.raises(vox.InvalidArgumentError, match="descriptors"):
        vox.analyze_trajectory(u, descriptors="yes")


def test_trajectory_descriptors_equal_cli(tmp_path):
    """vox trajectory --write descriptors writes, row for row, what analyze_trajectory(descriptors=True)
    gives (numbers printed %.10g, hydropathy empty where NaN, the residues in one quoted field)."""
    top, dcd = data("trajectories", "1aki-md", "top.pdb"), data("trajectories", "1aki-md", "traj.dcd")
    out = tmp_path / "cli"
    run = run_vox("trajectory", "--quiet", "--topology", top, "--trajectory", dcd, "--resolution", "2.0",
                  "--stride", "5", "--align", "reference", "--write", "descriptors", "--output-dir", str(out))
    assert run.returncode == 0, run.stderr
    frames = vox.analyze_trajectory(top, trajectory=dcd, resolution=2.0, step=5, align="reference",
                                    descriptors=True, threads=1)
    g = "%.10g"
    lines = ["frame,type,id,track,depth_max,depth_mean,hydropathy,apolar_fraction,polar_fraction,charged_fraction,"
             "num_lining_atoms,num_lining_residues,num_openings,opening_area,lining_residues"]
    for t in frames.itertuples():
        hyd = "" if np.isnan(t.hydropathy) else g % t.hydropathy
        lines.append(f"{t.frame},{t.type},{t.id},{t.track},{g % t.depth_max},{g % t.depth_mean},{hyd},"
                     f"{g % t.apolar_fraction},{g % t.polar_fraction},{g % t.charged_fraction},{t.num_lining_atoms},"
                     f"{t.num_lining_residues},{t.num_openings},{g % t.opening_area},\"{t.lining_residues}\"")
    assert (out / "traj.descriptors.csv").read_text() == "\n".join(lines) + "\n"
    assert len(lines) > 100


def test_trajectory_descriptors_labels_not_utf8(tmp_path):
    """A name byte that is not UTF-8 (here a Latin-1 chain) is U+FFFD in the lining residue labels, as in the
    volumes JSON and `vox trajectory --write descriptors`, never a lone surrogate (which no UTF-8 file holds)."""
    top, dcd = data("trajectories", "1aki-md", "top.pdb"), data("trajectories", "1aki-md", "traj.dcd")
    lines = open(top, "rb").read().splitlines(True)
    l1 = tmp_path / "l1.pdb"
    l1.write_bytes(b"".join(l[:21] + b"\xe9" + l[22:] if l.startswith((b"ATOM", b"HETATM")) else l for l in lines))
    out = tmp_path / "cli"
    run = run_vox("trajectory", "--quiet", "--topology", str(l1), "--trajectory", dcd, "--resolution", "2.0",
                  "--stride", "50", "--write", "descriptors", "--output-dir", str(out))
    assert run.returncode == 0, run.stderr
    cli = pd.read_csv(out / "traj.descriptors.csv", keep_default_na=False)
    frames = vox.analyze_trajectory(str(l1), trajectory=dcd, resolution=2.0, step=50, descriptors=True, threads=1)
    assert len(cli) == len(frames) > 0
    assert cli.lining_residues.tolist() == frames.lining_residues.tolist()
    labels = " ".join(frames.lining_residues).split()
    assert labels and all(lab.startswith("\ufffd:") for lab in labels)
