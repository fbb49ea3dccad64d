"""test_analyzer.py - the Pythonic API: every kind of source gives the same result as the file,
every document equals what `vox analyze` writes, and the arrays of a Result agree with its volumes."""
import gzip
import json
import os
import subprocess

import numpy as np
import pytest

import vox
from conftest import VOX, data, pdb_text, ring_protein, run_vox, synthetic

DOCS = ("df-json", "annotation", "pdb", "cif")


def rounded_ring():
    """A generated structure whose coordinates survive PDB text exactly (3 decimals)."""
    xyz, atoms = ring_protein()
    return np.round(xyz.astype(np.float64), 3).astype(np.float32), atoms


def documents(r, **kw):
    return {k: r.render(k, **kw) for k in DOCS}


def test_path_bytes_gzip_pathlike(tmp_path):
    p = synthetic("pocket_box.pdb")
    a = vox.Analyzer(threads=1)
    ref = a.analyze(p)
    raw = open(p, "rb").read()
    gz = tmp_path / "pocket_box.pdb.gz"
    gz.write_bytes(gzip.compress(raw))
    same = dict(input_path="x", source="pocket_box", output_structure_cif="y")
    want = documents(ref, **same)
    for src, kw in ((raw, {"name": "pocket_box.pdb"}), (bytearray(raw), {}), (memoryview(raw), {}),
                    (gz, {}), (str(gz), {}), (gzip.compress(raw), {})):
        assert documents(a.analyze(src, **kw), **same) == want
    assert ref.structure.label == "pocket_box" and ref.structure.input_path == p


def test_arrays_equal_file(tmp_path):
    """Coordinates + atom arrays give what the same atoms written as a PDB file give."""
    xyz, atoms = rounded_ring()
    path = tmp_path / "ring.pdb"
    path.write_text(pdb_text(xyz, atoms))
    for res in (3.0, 2.0):
        a = vox.Analyzer(res, threads=1)
        from_file = a.analyze(path)
        from_arrays = a.analyze(xyz, **atoms)
        assert len(from_file.volumes) > 0
        same = dict(input_path="p", source="s")
        assert documents(from_arrays, **same) == documents(from_file, **same)
        # float64, Fortran order, a strided view, lists and NumPy string arrays are converted
        variants = [xyz.astype(np.float64), np.asfortranarray(xyz), np.repeat(xyz, 2, axis=0)[::2]]
        for v in variants:
            assert a.analyze(v, **atoms).render("df-json") == from_file.render("df-json")
        atoms2 = dict(atoms, element=np.array(atoms["element"]), atom_name=np.array(atoms["atom_name"], dtype="S"),
                      res_name=tuple(atoms["res_name"]), res_id=np.asarray(atoms["res_id"], dtype=np.int16),
                      chain=np.array(atoms["chain"], dtype=object))
        assert a.analyze(xyz.tolist(), **atoms2).render("cif") == from_file.render("cif")


@pytest.mark.parametrize("name", ["1aki.pdb", "4jpn.pdb", "1o1z.cif"])
def test_arrays_equal_file_shared(name):
    """The atoms vox loaded from a real entry (cleaned, not aligned), given back as arrays, give the
    same outputs as the file itself (aligned both times)."""
    p = data("structures", name)
    raw = vox.Analyzer(threads=1, align=False).load(p)
    at = raw.atoms()
    arrays = {k: at[k] for k in ("element", "atom_name", "res_name", "res_id", "chain", "ins_code", "hetero")}
    arrays["box"] = raw.box  # the unit cell goes into the annotated CIF
    a = vox.Analyzer(2.0, threads=1)
    same = dict(input_path="p", source="s")
    assert documents(a.analyze(raw.coords, **arrays), **same) == documents(a.analyze(p), **same)


def test_label_of_any_script(tmp_path):
    """make_label is volumizer's rule for names in any script, and `vox analyze` names its outputs so."""
    assert vox.make_label("/d/Protéine Kinase_A.pdb") == "protéine_kinase_a"
    assert vox.make_label("蛋白质.cif") == "蛋白质"
    assert vox.make_label(b"ab\xe9cd.pdb") == "ab_cd"  # a byte that is not UTF-8: never kept
    assert vox.make_label("İx.pdb") == "i\u0307x"
    src = tmp_path / "Белок Ä-1.pdb"
    src.write_bytes(open(synthetic("cavity_box.pdb"), "rb").read())
    out = tmp_path / "out"
    run = run_vox("analyze", "--quiet", "--no-checkpoint", "--resolution", "3.0", "--output-dir", str(out), str(src))
    assert run.returncode == 0, run.stderr
    assert (out / f"{vox.make_label(src)}.annotation.json").exists(), sorted(os.listdir(out))
    assert vox.make_label(src) == "белок_ä-1"


@pytest.mark.parametrize("name", ["cavity_box.pdb", "pore_box.pdb", "hub_box.pdb"])
def test_documents_equal_cli(tmp_path, name):
    """Result.write/render give the bytes `vox analyze` writes for the same input."""
    p = synthetic(name)
    out = tmp_path / "cli"
    run = run_vox("analyze", "--quiet", "--no-checkpoint", "--include-hubs", "--write", "df-json,pdb",
                  "--resolution", "2.0", "--output-dir", str(out), p)
    assert run.returncode == 0, run.stderr
    label = vox.make_label(p)
    r = vox.Analyzer(2.0, threads=1).analyze(p)
    files = {"df-json": f"{label}.df.json", "annotation": f"{label}.annotation.json",
             "pdb": f"{label}.annotated.pdb", "cif": f"{label}.annotated.cif"}
    mine = tmp_path / "py"
    mine.mkdir()
    for kind, fname in files.items():
        kw = dict(include_hubs=True)
        if kind == "annotation":
            kw["output_structure_cif"] = f"{out}/{label}.annotated.cif"
        r.write(kind, mine / fname, **kw)
        want = (out / fname).read_bytes()
        assert (mine / fname).read_bytes() == want, kind
        assert r.render(kind, **kw).encode() == want, kind
    # without include_hubs: the CLI's default (no HUB rows in the payload, no HUB atoms in the CIF)
    run = run_vox("analyze", "--quiet", "--no-checkpoint", "--overwrite", "--resolution", "2.0", "--output-dir",
                  str(out), p)
    assert run.returncode == 0, run.stderr
    assert r.render("cif").encode() == (out / files["cif"]).read_bytes()
    assert r.render("annotation", output_structure_cif=f"{out}/{label}.annotated.cif").encode() == \
        (out / files["annotation"]).read_bytes()


def test_result_arrays_and_volumes():
    a = vox.Analyzer(2.0, threads=1)
    r = a.analyze(synthetic("pore_box.pdb"))
    assert len(r) == len(r.volumes) > 0
    types = [v.type for v in r.volumes]
    assert "pore" in types
    table = r.table
    assert list(table.columns) == ["id", "type", "volume", "x", "y", "z", "cross_section_circularity",
                                   "cross_section_uniformity"]
    rows = [v for v in r.volumes if v.type != "occluded"]
    assert len(table) == len(rows)
    assert table["volume"].tolist() == [v.volume for v in rows]
    assert types[len(rows):] == ["occluded"] * (len(types) - len(rows))  # occluded groups come last
    for v in r.volumes:
        xyz, surf = r.voxels(v.index), r.surface(v.index)
        assert xyz.shape == (v.num_voxels, 3) and xyz.dtype == np.float32
        assert surf.shape == (v.num_voxels,) and surf.dtype == bool
        assert int(surf.sum()) == v.num_surface_voxels
        assert v.volume == pytest.approx(v.num_voxels * 8.0)
        assert np.allclose(xyz.mean(axis=0), v.centre, atol=1e-3)
        assert v.x >= v.y >= v.z
    assert np.array_equal(r.voxels(-1), r.voxels(len(r) - 1))
    for bad in (len(r), -len(r) - 1, 1.0, "0", True):
        with pytest.raises(vox.InvalidArgumentError):
            r.voxels(bad)
    assert r.grid_dims == r.stats["dims"] and r.resolution == 2.0
    assert r.stats["atoms"] == len(r.structure)


def test_transform_maps_input_to_aligned():
    xyz, atoms = rounded_ring()
    rng = np.random.default_rng(7)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    moved = (xyz.astype(np.float64) @ q.T + [30.0, -12.0, 5.0]).astype(np.float32)
    a = vox.Analyzer(3.0, threads=1)
    r = a.analyze(moved, **atoms)
    s = r.structure
    t = r.transform
    assert np.allclose(t.rotation @ t.rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(t.rotation) == pytest.approx(1.0)
    kept = s.kept_atoms
    assert np.allclose(t.to_aligned(moved[kept]), s.coords, atol=1e-4)
    assert np.allclose(t.to_input(s.coords), moved[kept], atol=1e-4)
    m = t.matrix
    assert np.allclose((m @ np.c_[moved[kept], np.ones(len(kept))].T).T[:, :3], s.coords, atol=1e-4)
    v = r.volumes[0]
    assert np.allclose(r.voxels(0, frame="input"), t.to_input(r.voxels(0)), atol=0)
    with pytest.raises(vox.InvalidArgumentError):
        r.voxels(0, frame="world")
    assert v.num_voxels > 0
    none = vox.Analyzer(3.0, threads=1, align=False).analyze(moved, **atoms)
    assert np.array_equal(none.transform.rotation, np.eye(3)) and not none.transform.centroid.any()


def test_result_keeps_its_transform_after_set_coords():
    """A result maps its voxels onto the input frame with the transform of the structure it was
    computed from: the structure moving on to another frame (set_coords) does not move them."""
    xyz, atoms = ring_protein()
    a = vox.Analyzer(2.0, threads=1)
    s = a.load(xyz, **atoms)
    r = a.analyze(s)
    assert len(r)
    before = r.transform
    voxels = [r.voxels(v.index, frame="input") for v in r.volumes]
    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))
    s.set_coords((xyz.astype(np.float64) @ q.T + [30.0, -12.0, 5.0]).astype(np.float32))
    assert not np.allclose(s.transform.centroid, before.centroid)
    after = r.transform
    assert np.array_equal(after.rotation, before.rotation) and np.array_equal(after.centroid, before.centroid)
    for v, ref in zip(r.volumes, voxels):
        assert np.array_equal(r.voxels(v.index, frame="input"), ref)
    moved = a.analyze(s)  # a result of the new frame has the new frame's transform
    assert np.array_equal(moved.transform.centroid, s.transform.centroid)


def test_structure_atoms_and_kept():
    p = synthetic("cavity_box.pdb")
    s = vox.Analyzer(threads=1).load(p)
    at = s.atoms()
    n = len(s)
    assert all(len(v) == n for v in at.values())
    assert set(at["res_name"].tolist()) <= {"ALA", "GLY"} or len(set(at["res_name"].tolist())) > 0
    assert np.array_equal(at["input_index"], s.kept_atoms)
    assert np.array_equal(np.c_[at["x"], at["y"], at["z"]], s.coords)
    assert s.input_atom_count >= n
    r = vox.Analyzer(threads=1).analyze(s)  # a Structure goes to analyze() as is
    assert r.structure is s


def test_pseudo_atoms_are_the_pdb_volumes():
    r = vox.Analyzer(2.0, threads=1).analyze(synthetic("hub_box.pdb"))
    pa = r.pseudo_atoms()
    lines = r.render("pdb").split("\n")
    end = lines.index("END")
    vol = [ln for ln in lines[end + 1:] if ln.startswith("ATOM")]
    assert len(vol) == len(pa) == sum(v.num_voxels for v in r.volumes)
    for ln, row in zip(vol, pa.itertuples()):
        assert ln[17:20] == row.res_name and int(ln[22:26]) == row.res_id and ln[21] == row.chain
        assert ln[30:54] == "%8.3f%8.3f%8.3f" % (row.x, row.y, row.z)
        assert float(ln[60:66]) == row.b_factor and ln.split()[-1] == row.element


def test_mdanalysis_atomgroup_equals_file():
    mda = pytest.importorskip("MDAnalysis")
    top = data("trajectories", "1aki-md", "top.pdb")
    u = mda.Universe(top)
    a = vox.Analyzer(2.0, threads=1, md_residue_names=True)
    from_file = a.analyze(top)
    from_mda = a.analyze(u.atoms)
    assert from_mda.render("df-json") == from_file.render("df-json")
    assert from_mda.render("pdb") == from_file.render("pdb")
    assert len(from_mda.structure) == len(from_file.structure) == 1001  # hydrogens removed
    assert a.analyze(u).render("df-json") == from_file.render("df-json")  # a Universe too
    sub = a.analyze(u.select_atoms("resid 1-60"))
    assert len(sub.structure) < 1001


def test_render_kinds_and_payload_defaults():
    r = vox.Analyzer(threads=1).analyze(synthetic("pocket_box.pdb"))
    js = r.render("annotation")
    assert '"source": "pocket_box"' in js and '"output_structure_cif": "pocket_box.annotated.cif"' in js
    assert r.render("payload") == js and r.render("json") == r.render("df-json")
    with pytest.raises(vox.InvalidArgumentError, match="unknown document kind"):
        r.render("xml")
    alpha, beta, coil = r.secondary_structure()
    assert all(isinstance(x, float) for x in (alpha, beta, coil))


def test_write_is_atomic(tmp_path):
    r = vox.Analyzer(threads=1).analyze(synthetic("pocket_box.pdb"))
    with pytest.raises(vox.FileError):
        r.write("cif", tmp_path / "no" / "such" / "dir" / "x.cif")
    assert os.listdir(tmp_path) == []


def test_context_settings_and_close():
    a = vox.Analyzer(threads=1, isa="scalar", profile="")
    assert a.isa == "scalar" and a.threads == 1 and "scalar" in a.describe()
    r = a.analyze(synthetic("pocket_box.pdb"))
    b = vox.Analyzer(threads=1)
    assert b.analyze(synthetic("pocket_box.pdb")).render("cif") == r.render("cif")
    table = r.render("df-json")
    a.close()
    assert "closed" in repr(a)
    with pytest.raises(vox.Error, match="closed"):
        a.analyze(synthetic("pocket_box.pdb"))
    with pytest.raises(vox.Error, match="closed"):
        r.render("df-json")
    assert r.voxels(0).shape[1] == 3  # results stay readable
    with vox.Analyzer(threads=1) as c:
        assert c.analyze(synthetic("pocket_box.pdb")).render("df-json") == table


def test_help_is_useful():
    doc = vox.__doc__
    for word in ("volumize_pdb", "Analyzer", "analyze_trajectory", "Error"):
        assert word in doc
    for obj in (vox.Analyzer, vox.Result, vox.Structure, vox.volumize_pdb, vox.analyze_trajectory,
                vox.Analyzer.analyze, vox.Result.render, vox.Result.voxels, vox.ParseError):
        assert obj.__doc__ and len(obj.__doc__) > 40


def test_batch_split(tmp_path):
    """Analyzer.batch_split: one job of every thread without a measured split, a profile's split
    (as voxtune writes it for this machine) when there is one."""
    a = vox.Analyzer(threads=2, profile="")
    assert a.batch_split == {"jobs": 1, "threads_per_job": 2, "measured": False}
    import json
    r = run_vox("info", "--fingerprint")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"format": "vox-profile", "schema": 2, "machines": [
        {"fingerprint": json.loads(text), "rigor": "quick", "settings": {},
         "batch": {"jobs": 2, "threads_per_job": 1}}]}))
    b = vox.Analyzer(threads=2, profile=str(path))
    assert b.batch_split == {"jobs": 2, "threads_per_job": 1, "measured": True}


def test_a_named_profile_not_used_warns(tmp_path, monkeypatch):
    """A profile named (profile=PATH, else $VOX_PROFILE) that the library cannot use gives a
    RuntimeWarning naming the file, the status and the reason, as `vox analyze` warns; the analysis
    runs with the defaults. No profile asked for, or none named, says nothing."""
    import warnings
    monkeypatch.delenv("VOX_PROFILE", raising=False)
    bad = tmp_path / "profile.json"
    bad.write_text('{"format": "vox-profile", "schema": 2, "machines": [')
    with pytest.warns(RuntimeWarning, match=r"profile .*profile\.json: defaults \(corrupt\): not valid JSON"):
        a = vox.Analyzer(threads=1, profile=str(bad))
    assert "defaults (corrupt)" in a.describe()
    monkeypatch.setenv("VOX_PROFILE", str(bad))
    with pytest.warns(RuntimeWarning, match="VOX_PROFILE"):
        vox.Analyzer(threads=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vox.Analyzer(threads=1, profile="")
        monkeypatch.delenv("VOX_PROFILE")
        monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        vox.Analyzer(threads=1)


def test_handles_are_not_pickled_and_say_so():
    """Analyzer, Structure and Result hold C handles: pickling or deep-copying one (a process pool
    returning a Result) is refused with a TypeError that names the class and what to send instead,
    not "cannot pickle '_thread.lock' object"; what they give (tables, volumes, transforms) pickles."""
    import copy
    import pickle
    xyz, atoms = ring_protein()
    a = vox.Analyzer(threads=1)
    r = a.analyze(xyz, **atoms)
    for obj, name in ((a, "Analyzer"), (r.structure, "Structure"), (r, "Result")):
        for fn in (pickle.dumps, copy.deepcopy):
            with pytest.raises(TypeError, match=f"vox.{name} holds a libvox handle") as e:
                fn(obj)
            assert "_thread.lock" not in str(e.value)
        assert copy.copy(obj)._h is obj._h  # a shallow copy shares the handle, as before
    # a copy keeps the handle alive: its original going first freed it under the copy (a Structure
    # of 0 atoms, a Result whose voxels() failed, an Analyzer "closed")
    import gc
    a2 = vox.Analyzer(threads=1)
    r2 = a2.analyze(xyz, **atoms)
    ca, cs, cr = copy.copy(a2), copy.copy(r2.structure), copy.copy(r2)
    want_voxels, want_atoms = r2.voxels(0), len(r2.structure)
    del a2, r2
    gc.collect()
    assert len(cs) == want_atoms and cs.coords.shape == (want_atoms, 3)
    assert (cr.voxels(0) == want_voxels).all() and cr.render("df-json")
    assert ca.analyze(cs).render("df-json") == cr.render("df-json")
    # new coordinates through a copy are the original's too: its results know they are gone (the
    # change count was copied, and secondary_structure() gave the new frame's answer)
    r3 = vox.Analyzer(threads=1).analyze(xyz, **atoms)
    copy.copy(r3.structure).set_coords(xyz * 1.01)
    with pytest.raises(vox.InvalidArgumentError, match="structure changed"):
        r3.secondary_structure()
    assert pickle.loads(pickle.dumps(r.volumes)) == r.volumes
    assert pickle.loads(pickle.dumps(r.table)).equals(r.table)
    assert (pickle.loads(pickle.dumps(r.transform)).rotation == r.transform.rotation).all()


def altloc_pdb(tmp_path):
    """A generated structure whose residues 5 and 9 have two locations (B listed first in 9: the
    first letter seen is kept), and residue 13 a numeric altloc (dropped by the file loaders)."""
    xyz, atoms = ring_protein()
    lines = pdb_text(xyz, atoms).splitlines()
    out = []
    for ln in lines:
        res = int(ln[22:26]) if ln.startswith("ATOM") else 0
        if res in (5, 9):
            first, second = ("A", "B") if res == 5 else ("B", "A")
            out.append(ln[:16] + first + ln[17:])
            moved = "%8.3f" % (float(ln[30:38]) + 1.7)
            out.append(ln[:16] + second + ln[17:30] + moved + ln[38:])
        elif res == 13 and ln[12:16].strip() == "CB":
            out.append(ln[:16] + "1" + ln[17:])
        else:
            out.append(ln)
    p = tmp_path / "alt.pdb"
    p.write_text("\n".join(out) + "\n")
    return p, len(xyz)


def test_mdanalysis_altlocs_dropped_as_the_file_loaders_drop_them(tmp_path):
    """MDAnalysis keeps every alternate location; vox's loaders keep, per residue, the atoms
    without one and those of the first letter (numeric ones go): an AtomGroup of such a file
    analysed both copies of a disordered residue, and its results differed from the file's."""
    mda = pytest.importorskip("MDAnalysis")
    p, n = altloc_pdb(tmp_path)
    a = vox.Analyzer(threads=1, md_residue_names=False)
    from_file = a.analyze(p)
    u = mda.Universe(str(p))
    assert len(u.atoms) == n + 10
    from_mda = a.analyze(u.atoms)
    assert len(from_mda.structure) == len(from_file.structure) == n - 1
    for kind in ("df-json", "pdb", "cif"):
        assert from_mda.render(kind) == from_file.render(kind), kind
    # the trajectory of the same file: MDAnalysis' frames and vox's reader agree
    frames = vox.analyze_trajectory(u, select=None, threads=1)
    assert frames.equals(vox.analyze_trajectory(p, trajectory=p, threads=1))
    # input_index names the caller's atom: its position in the AtomGroup given, dropped locations
    # counted (it was the position among the atoms kept: another atom after the first drop)
    r = vox.Analyzer(threads=1, md_residue_names=False, descriptors=True).analyze(u.atoms)
    la = r.lining_atoms()
    picked = u.atoms[la.input_index.to_numpy().astype(int)]
    assert len(la) and picked.names.tolist() == la.atom_name.tolist()
    assert picked.resids.tolist() == la.res_id.tolist()
    # the kept locations: A in residue 5, B (listed first) in residue 9
    assert set(picked.altLocs[picked.resids == 5]) <= {"A"} and set(picked.altLocs[picked.resids == 9]) <= {"B"}
    info = r.structure.atoms()
    assert (info["input_index"] == r.structure.kept_atoms).all()
    kept = u.atoms[r.structure.kept_atoms.astype(int)]
    assert kept.names.tolist() == info["atom_name"].tolist() and kept.resids.tolist() == info["res_id"].tolist()
    # the library's documents say the same (the volumes JSON gave the position among the kept atoms)
    rows = {row[0]: row[1] for row in json.loads(r.render("volumes-json", include_hubs=True))["atoms"]}
    assert len(rows) and all(rows[int(i)] == int(j) for i, j in zip(la.atom, la.input_index))


def test_non_utf8_file_name_equals_cli(tmp_path):
    """A file whose name is not UTF-8 (Python holds its bytes as lone surrogates): the annotation
    payload names it as `vox analyze` does (the byte as \\udcXX, json.dumps' spelling) and every
    document equals the CLI's; before, render("annotation") and write("annotation") raised
    UnicodeEncodeError."""
    folder = os.fsencode(tmp_path)
    raw = os.path.join(folder, b"caf\xe9 d\xfcn.pdb")
    with open(raw, "wb") as f:
        f.write(open(synthetic("cavity_box.pdb"), "rb").read())
    out = os.path.join(folder, b"out\xff")
    run = subprocess.run([VOX, "analyze", "--quiet", "--no-checkpoint", "--write", "df-json,pdb", "--output-dir", out,
                          raw], capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr
    path = os.fsdecode(raw)
    label = vox.make_label(path)
    assert label == "caf__d_n"
    r = vox.Analyzer(threads=1).analyze(path)
    cif = os.fsdecode(os.path.join(out, label.encode() + b".annotated.cif"))
    files = {"df-json": "df.json", "annotation": "annotation.json", "pdb": "annotated.pdb", "cif": "annotated.cif"}
    for kind, suffix in files.items():
        want = open(os.path.join(out, f"{label}.{suffix}".encode()), "rb").read()
        kw = dict(output_structure_cif=cif) if kind == "annotation" else {}
        assert r.render(kind, **kw).encode() == want, kind
        mine = tmp_path / f"py.{suffix}"
        r.write(kind, mine, **kw)
        assert mine.read_bytes() == want, kind
    assert b"/caf\\udce9 d\\udcfcn.pdb" in open(os.path.join(out, label.encode() + b".annotation.json"), "rb").read()
    # a text no byte string can carry is refused as vox's error
    with pytest.raises(vox.InvalidArgumentError, match="input_path"):
        r.render("annotation", input_path="a\ud800b")


def test_bytes_paths(tmp_path):
    """os.fsencode()d paths (bytes, as os.listdir(bytes) gives) where vox takes a path: write()
    of the annotation raised TypeError (str and bytes mixed); bytes given to analyze() are a
    file's content, and the bytes of a path are told so, not "<bytes>: not a PDB or mmCIF file"."""
    r = vox.Analyzer(threads=1).analyze(synthetic("cavity_box.pdb"))
    folder = os.fsencode(tmp_path)
    for kind in DOCS:
        p = os.path.join(folder, b"\xff" + kind.encode())
        r.write(kind, p)
        # (the payload's default CIF is beside the file written)
        kw = dict(output_structure_cif=os.fsdecode(folder) + "/cavity_box.annotated.cif") if kind == "annotation" else {}
        assert open(p, "rb").read() == r.render(kind, **kw).encode(), kind
    with pytest.raises(vox.InvalidArgumentError, match="name a file"):
        vox.Analyzer(threads=1).analyze(os.fsencode(synthetic("cavity_box.pdb")))


def test_help_names_the_units():
    """help() named Å for lengths in places but no unit for volumes anywhere (volume, min_volume, the
    tracks' volume_mean ...): Å^3 or voxels?  Every public function or class that takes or gives a
    volume says Å^3, and the lengths and coordinates it gives say Å."""
    import pydoc
    for obj in (vox.Analyzer, vox.Volume, vox.Result, vox.volumize_pdb, vox.analyze_trajectory):
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        assert "Å^3" in text, obj.__name__
        assert "Å" in text.replace("Å^3", ""), obj.__name__
    for obj in (vox.Result.table, vox.Result.voxels, vox.Structure.coords):
        assert "Å" in obj.__doc__, obj


def test_structure_fields_that_are_not_utf8(tmp_path):
    """A structure file with a byte that is not UTF-8 in an atom's fields (a Latin-1 insertion code or
    chain, written by old software) loads and `vox analyze` writes its documents; in Python,
    Structure.atoms(), Result.pseudo_atoms() and render("cif") raised UnicodeDecodeError.  Those
    bytes now come as lone surrogates (os.fsdecode's convention), and the annotated mmCIF and PDB,
    text files that PyMOL and ChimeraX decode as UTF-8, hold '?' in their place (with a warning), as
    the volumes JSON holds U+FFFD: render(kind) is the CLI's file byte for byte."""
    lines = open(synthetic("cavity_box.pdb"), "rb").read().split(b"\n")
    first = next(i for i, l in enumerate(lines) if l.startswith(b"ATOM"))
    lines[first] = lines[first][:26] + b"\xe9" + lines[first][27:]  # the first atom's insertion code
    src = tmp_path / "latin1.pdb"
    src.write_bytes(b"\n".join(lines))
    out = tmp_path / "out"
    run = run_vox("analyze", "--quiet", "--no-checkpoint", "--write", "pdb", "--output-dir", str(out), str(src))
    assert run.returncode == 0, run.stderr
    r = vox.Analyzer(threads=1).analyze(src)
    assert r.structure.atoms()["ins_code"][0] == "\udce9"
    assert len(r.pseudo_atoms()) == sum(v.num_voxels for v in r.volumes)
    for kind, suffix in (("cif", "annotated.cif"), ("pdb", "annotated.pdb")):
        want = (out / f"latin1.{suffix}").read_bytes()
        assert r.render(kind).encode("utf-8", "surrogateescape") == want, kind
    cif = (out / "latin1.annotated.cif").read_bytes()
    assert b"\xe9" not in cif and cif.decode("utf-8") and "not UTF-8" in run.stderr


def test_numpy_string_lists():
    """Lists of NumPy strings (list(np.array([...])): np.str_, np.bytes_) are strings: they raised a bare
    StopIteration from the argument check."""
    xyz = np.array([[0, 0, 0], [1.5, 0, 0], [2.0, 1.4, 0], [3.2, 1.6, 0]], dtype=np.float32)
    a = vox.Analyzer(resolution=2.0, threads=1)
    plain = dict(element=["N", "C", "C", "O"], atom_name=["N", "CA", "C", "O"], res_name=["GLY"] * 4, res_id=[1] * 4)
    def names(s):
        return {k: v.tolist() for k, v in s.atoms().items()}

    want = names(a.load(xyz, **plain))
    for kw in ("element", "atom_name", "res_name"):
        args = dict(plain)
        args[kw] = list(np.array(plain[kw]))
        assert names(a.load(xyz, **args)) == want, kw
        args[kw] = list(np.array([v.encode() for v in plain[kw]]))
        assert names(a.load(xyz, **args)) == want, kw
    import enum

    class Residue(str, enum.Enum):
        GLY = "GLY"

    assert names(a.load(xyz, **dict(plain, res_name=[Residue.GLY] * 4))) == want, "a str Enum is its value"
    with pytest.raises(vox.InvalidArgumentError, match=r"atom_name\[2\] is int"):
        a.load(xyz, **dict(plain, atom_name=[np.str_("N"), "CA", 3, "O"]))
