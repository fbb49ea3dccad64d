"""test_errors.py - every exception class raised by a real bad input, with the library's detail;
wrong types, dtypes, shapes and lengths refused in Python with a clear message, never a crash."""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

import vox
from conftest import pdb_text, ring_protein, run_vox, synthetic

ALA = ("ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N\n"
       "ATOM      2  CA  ALA A   1       1.458   0.000   0.000  1.00  0.00           C\n"
       "ATOM      3  C   ALA A   1       2.009   1.420   0.000  1.00  0.00           C\n"
       "ATOM      4  O   ALA A   1       1.251   2.390   0.000  1.00  0.00           O\n"
       "ATOM      5  CB  ALA A   1       1.988  -0.773  -1.199  1.00  0.00           C\n")

CIF_HEAD = """data_t
loop_
_atom_site.group_PDB
_atom_site.id
_atom_site.type_symbol
_atom_site.label_atom_id
_atom_site.label_comp_id
_atom_site.label_asym_id
_atom_site.label_seq_id
_atom_site.Cartn_x
_atom_site.Cartn_y
_atom_site.Cartn_z
_atom_site.pdbx_PDB_model_num
ATOM 1 N N ALA A 1 0.0 0.0 0.0 1
ATOM 2 C CA ALA A 1 1.5 0.0 0.0 1
ATOM 3 C C ALA A 1 2.0 1.4 0.0 1
ATOM 4 O O ALA A 1 3.2 1.6 0.0 1
#
loop_
_pdbx_struct_assembly_gen.assembly_id
_pdbx_struct_assembly_gen.oper_expression
_pdbx_struct_assembly_gen.asym_id_list
1 1 A
#
loop_
_pdbx_struct_oper_list.id
"""
OPER = "".join(f"_pdbx_struct_oper_list.{k}\n" for i in (1, 2, 3)
               for k in [f"matrix[{i}][{j}]" for j in (1, 2, 3)] + [f"vector[{i}]"])


def analyzer(**kw):
    kw.setdefault("threads", 1)
    return vox.Analyzer(**kw)


def raises(cls, fn, match=None):
    with pytest.raises(cls, match=match) as e:
        fn()
    err = e.value
    assert isinstance(err, vox.Error) and err.status == cls.status and str(err)
    return err


def test_file_error():
    e = raises(vox.FileError, lambda: analyzer().analyze("/nonexistent/x.pdb"))
    assert "/nonexistent/x.pdb" in str(e) and e.detail and isinstance(e, OSError)


def test_parse_error_names_file_line_and_field():
    bad = ALA.replace("   0.000   0.000  1.00  0.00           N", "   abcde   0.000  1.00  0.00           N")
    e = raises(vox.ParseError, lambda: analyzer().analyze(bad.encode(), name="bad.pdb"))
    assert "bad.pdb:1" in e.detail and "y coordinate" in e.detail and str(e) == e.detail


def test_format_error():
    raises(vox.FormatError, lambda: analyzer().analyze(bytes(range(256)) * 4, name="junk.bin"))


def test_decompress_error():
    z = gzip.compress(ALA.encode() * 50)
    raises(vox.DecompressError, lambda: analyzer().analyze(z[:len(z) // 2], name="half.pdb.gz"))


def test_no_atoms_error():
    water = "HETATM    1  O   HOH A   1       0.000   0.000   0.000  1.00  0.00           O\n"
    e = raises(vox.NoAtomsError, lambda: analyzer().analyze(water.encode(), name="w.pdb"))
    assert "cleaning" in str(e)


def test_too_few_atoms_error():
    raises(vox.TooFewAtomsError, lambda: analyzer().analyze("".join(ALA.splitlines(True)[:2]).encode(), name="two.pdb"))


def test_grid_too_large_error():
    xyz, atoms = ring_protein()
    e = raises(vox.GridTooLargeError, lambda: analyzer(max_grid_voxels=100).analyze(xyz, **atoms))
    assert "voxels" in str(e)
    # the advice names the Python argument, not the CLI option the library's text names
    assert "raise it with vox.Analyzer(max_grid_voxels=N)" in str(e) and "--max-grid-voxels" not in e.detail


def test_grid_too_large_cli_names_its_option(tmp_path):
    xyz, atoms = ring_protein()
    p = tmp_path / "ring.pdb"
    p.write_text(pdb_text(xyz, atoms))
    run = run_vox("analyze", "--max-grid-voxels", "100", "--output-dir", str(tmp_path / "out"), str(p))
    assert run.returncode != 0 and "raise it with --max-grid-voxels" in run.stderr, run.stderr


def test_empty_grid_error():
    raises(vox.EmptyGridError, lambda: analyzer(resolution=1e300).analyze(ALA.encode(), name="a.pdb"))


def test_isa_errors():
    raises(vox.ISAUnknownError, lambda: analyzer(isa="sse9"))
    missing = [i for i in ("scalar", "avx2", "avx512", "neon") if i not in vox.available_isas()]
    assert missing  # one build never has both the x86 and the ARM kernels
    raises(vox.ISAUnavailableError, lambda: analyzer(isa=missing[0]))


def test_context_errors_carry_the_library_detail():
    """Settings only the library checks, refused by vox_ctx_create before any context exists."""
    for kw, cls, words in ((dict(threads=10000), vox.InvalidArgumentError, ("thread count 10000",)),
                           (dict(bind="weird"), vox.InvalidArgumentError, ("bind policy 'weird'", "cores")),
                           (dict(isa="bogus"), vox.ISAUnknownError, ("'bogus'", "avx2"))):
        e = raises(cls, lambda: analyzer(**kw))
        assert str(e) == e.detail and all(w in e.detail for w in words), (kw, str(e))


def test_assembly_error():
    row = "1 1.0 0.0 0.0 0.0 0.0 abc 0.0 0.0 0.0 0.0 1.0 0.0\n#\n"
    e = raises(vox.AssemblyError, lambda: analyzer().analyze((CIF_HEAD + OPER + row).encode(), name="bad.cif"))
    assert "bad.cif" in str(e) and "matrix[2][2]" in str(e)
    ok = row.replace("abc", "1.0")
    assert len(analyzer().load((CIF_HEAD + OPER + ok).encode(), name="ok.cif")) == 4


def test_invalid_argument_from_the_library():
    xyz, atoms = ring_protein()
    xyz[7, 1] = np.nan
    e = raises(vox.InvalidArgumentError, lambda: analyzer().analyze(xyz, **atoms))
    assert "atom 7 (0-based)" in str(e) and "y coordinate" in str(e)
    xyz, atoms = ring_protein()
    atoms["atom_name"][3] = "TOOLONGNAME"
    e = raises(vox.InvalidArgumentError, lambda: analyzer().analyze(xyz, **atoms))
    assert "atom 3" in str(e) and "atom_name" in str(e)
    xyz, atoms = ring_protein()
    e = raises(vox.InvalidArgumentError, lambda: analyzer(resolution=-2.0).analyze(xyz, **atoms))
    assert "resolution" in str(e)


@pytest.mark.skipif("asan" in os.environ.get("LD_PRELOAD", ""), reason="AddressSanitizer reserves the address space")
def test_out_of_memory_error():
    """A grid that does not fit under an address-space limit (in a child process)."""
    code = f"""
import os, resource, vox
a = vox.Analyzer(0.05, threads=1, max_grid_voxels=1 << 40)
vm = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
resource.setrlimit(resource.RLIMIT_AS, (vm + (300 << 20), resource.getrlimit(resource.RLIMIT_AS)[1]))
try:
    a.analyze({synthetic("cavity_box.pdb")!r})
except vox.OutOfMemoryError as e:
    print("OK", isinstance(e, MemoryError), e)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK True out of memory"), run.stdout


def test_every_status_has_a_class():
    for status in range(-14, 0):
        cls = vox._errors.BY_STATUS[status]
        assert issubclass(cls, vox.Error) and cls.status == status and cls.__doc__
        assert cls.__name__ in vox.__all__


# ---- checked in Python first: no wrong buffer reaches the library --------------------------

def bad_calls():
    xyz, atoms = ring_protein()
    n = len(xyz)
    yield "int coords", (xyz.astype(np.int64),), atoms, "dtype int64"
    yield "complex coords", (xyz.astype(np.complex64),), atoms, "dtype complex64"
    yield "string coords", (xyz.astype(str),), atoms, "dtype <U"
    yield "object coords", (xyz.astype(object),), atoms, "dtype object"
    yield "flat coords", (xyz.ravel(),), atoms, r"shape \(n, 3\)"
    yield "(n, 4) coords", (np.c_[xyz, xyz[:, :1]],), atoms, r"shape \(n, 3\)"
    yield "(3, n) coords", (xyz.T.copy(),), atoms, r"shape \(n, 3\)"
    yield "ragged list", ([[1.0, 2.0, 3.0], [1.0, 2.0]],), atoms, "array of floats"
    yield "empty coords", (np.zeros((0, 3), np.float32),), atoms, "no atoms"
    yield "short element", (xyz,), dict(atoms, element=atoms["element"][:-1]), f"element has {n - 1} entries for {n}"
    yield "element string", (xyz,), dict(atoms, element="C"), "single string"
    yield "element numbers", (xyz,), dict(atoms, element=np.arange(n)), "must hold strings"
    yield "element mixed", (xyz,), dict(atoms, element=np.array(atoms["element"][:-1] + [5], dtype=object)), \
        rf"element\[{n - 1}\] is int"
    yield "non-ascii name", (xyz,), dict(atoms, atom_name=["Cα"] * n), "not ASCII"
    yield "2-D res_name", (xyz,), dict(atoms, res_name=np.array(atoms["res_name"]).reshape(-1, 5)), "1-D"
    yield "float res_id", (xyz,), dict(atoms, res_id=np.asarray(atoms["res_id"], float)), "integers"
    yield "huge res_id", (xyz,), dict(atoms, res_id=np.full(n, 1 << 40)), "32 bits"
    yield "short res_id", (xyz,), dict(atoms, res_id=atoms["res_id"][:3]), f"res_id must be {n} integers"
    yield "missing res_id", (xyz,), {k: v for k, v in atoms.items() if k != "res_id"}, "res_id"
    yield "long ins_code", (xyz,), dict(atoms, ins_code=["AB"] * n), "one character"
    yield "hetero shape", (xyz,), dict(atoms, hetero=np.zeros(n + 1, bool)), "hetero"
    yield "box shape", (xyz,), dict(atoms, box=np.eye(4)), r"box must be a \(3, 3\)"
    yield "unknown array", (xyz,), dict(atoms, bfactor=np.zeros(n)), "unknown atom arrays: bfactor"
    yield "coords without atoms", (xyz,), {}, "need the atom arrays"
    yield "a number", (3.5,), {}, "cannot analyse a float"
    yield "None", (None,), {}, "cannot analyse a NoneType"
    yield "empty bytes", (b"",), {}, "empty"


@pytest.mark.parametrize("case", list(bad_calls()), ids=lambda c: c[0])
def test_bad_arguments_refused(case):
    _, args, kw, message = case
    with pytest.raises(vox.InvalidArgumentError, match=message):
        analyzer().analyze(*args, **kw)


def test_bad_settings_refused():
    for kw, message in ((dict(threads=-1), "threads"), (dict(threads=1.5), "whole number"),
                        (dict(resolution="2"), "resolution must be a number"), (dict(isa=3), "isa must be a string"),
                        (dict(surface_connectivity="8"), "surface_connectivity"),
                        (dict(assembly_policy="first"), "assembly_policy"), (dict(max_grid_voxels=0), "max_grid"),
                        (dict(profile="a\0b"), "NUL")):
        with pytest.raises(vox.InvalidArgumentError, match=message):
            vox.Analyzer(**kw)


def test_set_coords_checks(tmp_path):
    xyz, atoms = ring_protein()
    s = analyzer().load(xyz, **atoms)
    for bad, message in ((xyz[:-1], f"hold {len(xyz) - 1} atoms, the structure has {len(xyz)}"),
                         (xyz.astype(np.int32), "dtype int32"), (xyz[:, :2], r"shape \(n, 3\)")):
        with pytest.raises(vox.InvalidArgumentError, match=message):
            s.set_coords(bad)
    moved = xyz.copy()
    moved[5] = np.inf
    with pytest.raises(vox.InvalidArgumentError, match="atom 5"):
        s.set_coords(moved)
    s.set_coords(xyz[::-1][::-1])  # a view with negative strides twice: fine


def test_pdb_roundtrip_generator_is_sound(tmp_path):
    """The generated structure written as PDB loads with every atom (the other tests rely on it)."""
    xyz, atoms = ring_protein()
    p = tmp_path / "r.pdb"
    p.write_text(pdb_text(xyz, atoms))
    assert len(analyzer().load(p)) == len(xyz)


def test_settings_that_do_not_fit_the_c_types_are_refused():
    """An int setting travels as a C int: one past its range was cut to its low bits (threads=2**32+1
    ran one thread, min_voxels=2**32+4 kept volumes of 4 voxels); a huge int resolution raised
    OverflowError, not vox's error."""
    for kw, message in ((dict(threads=2**32 + 1), "threads"), (dict(min_voxels=2**32 + 4), "min_voxels"),
                        (dict(min_voxels=-2**40), "min_voxels"), (dict(merge_mouth_gap_voxels=2**32), "merge_mouth_gap"),
                        (dict(merge_mouth_gap_voxels=np.int64(2**31)), "merge_mouth_gap"),
                        (dict(resolution=10**400), "resolution"), (dict(min_volume=10**400), "min_volume")):
        with pytest.raises(vox.InvalidArgumentError, match=message):
            vox.Analyzer(**kw)
    xyz, atoms = ring_protein()
    with pytest.raises(vox.InvalidArgumentError, match="resolution"):
        analyzer().analyze(xyz, resolution=10**400, **atoms)
    # the limits themselves are taken
    assert vox.Analyzer(min_voxels=2**31 - 1, merge_mouth_gap_voxels=-2**31, threads=1)._params.min_voxels == 2**31 - 1


def test_boxes_that_are_no_unit_cell_are_refused():
    """A box= the library cannot describe (NaN, inf, a float32 overflow, a zero-length cell vector)
    was taken as it was, and the annotated mmCIF said "_cell.length_a nan" or "angle_alpha -nan"."""
    xyz, atoms = ring_protein()
    a = analyzer()
    for box, message in ((np.full((3, 3), np.nan), "finite"), (np.diag([np.inf] * 3), "finite"),
                         (np.eye(3) * 1e300, "finite"), (np.eye(3) * 1e20, "finite"),
                         (np.zeros((3, 3)), "box=None"), (np.diag([10.0, 10.0, 0.0]), "row 2")):
        with pytest.raises(vox.InvalidArgumentError, match=message):
            a.load(xyz, box=box, **atoms)
    cif = a.analyze(xyz, box=np.diag([30.0, 40.0, 50.0]), **atoms).render("cif")
    assert "_cell.length_c      50.000" in cif and "nan" not in cif



def test_pandas_nullable_dtypes_are_taken():
    """Atom arrays from a DataFrame with pandas' nullable dtypes (convert_dtypes(), read_csv's
    Int64): NumPy sees them as objects, and res_id (Int64), hetero (boolean) and coordinates
    (Float64) were refused as "dtype object"; they are their numbers, and a missing one is refused
    naming the argument and the entry (a missing coordinate: the library names the atom)."""
    pd = pytest.importorskip("pandas")
    xyz, atoms = ring_protein()
    n = len(xyz)
    a = analyzer()
    want = a.analyze(xyz, hetero=np.zeros(n, bool), **atoms).render("df-json")
    x64 = xyz.astype(np.float64)
    df = pd.DataFrame({"x": x64[:, 0], "y": x64[:, 1], "z": x64[:, 2], "hetero": np.zeros(n, bool), **atoms})
    df = df.convert_dtypes()
    assert str(df["res_id"].dtype) == "Int64" and str(df["x"].dtype) == "Float64"
    kw = dict(element=df["element"], atom_name=df["atom_name"], res_name=df["res_name"], res_id=df["res_id"],
              chain=df["chain"], hetero=df["hetero"])
    assert a.analyze(df[["x", "y", "z"]], **kw).render("df-json") == want
    assert a.analyze(df[["x", "y", "z"]].to_numpy(dtype=np.float64), **dict(kw, res_id=df["res_id"].array)
                     ).render("df-json") == want
    for col, message in (("res_id", r"res_id\[7\] is missing"), ("hetero", r"hetero\[7\] is missing")):
        bad = df[col].copy()
        bad[7] = pd.NA
        with pytest.raises(vox.InvalidArgumentError, match=message):
            a.analyze(df[["x", "y", "z"]], **dict(kw, **{col: bad}))
    holes = df[["x", "y", "z"]].copy()
    holes.loc[7, "y"] = pd.NA
    with pytest.raises(vox.InvalidArgumentError, match=r"atom 7 \(0-based\): y coordinate"):
        a.analyze(holes, **kw)
    with pytest.raises(vox.InvalidArgumentError, match="array of floats, got dtype int64"):  # integers stay refused
        a.analyze(df[["x", "y", "z"]].round().astype("Int64"), **kw)


@pytest.mark.parametrize("missing", ["names", "resnames", "resids", "positions"])
def test_universe_without_what_vox_needs_is_a_vox_error(missing):
    """A Universe built in memory without atom names, residue names or numbers, or coordinates is
    refused with a vox error naming the attribute (MDAnalysis' own NoDataError is no vox.Error)."""
    mda = pytest.importorskip("MDAnalysis")
    u = mda.Universe.empty(3, n_residues=1, atom_resindex=[0, 0, 0], trajectory=missing != "positions")
    for attr, values in (("names", ["N", "CA", "C"]), ("resnames", ["GLY"]), ("resids", [1]),
                         ("elements", ["N", "C", "C"])):
        if attr != missing:
            u.add_TopologyAttr(attr, values)
    if missing != "positions":
        u.atoms.positions = np.array([[0, 0, 0], [1.5, 0, 0], [2.5, 1, 0]], dtype=np.float32)
    with pytest.raises(vox.InvalidArgumentError, match=missing) as e:
        vox.Analyzer().analyze(u)
    # the advice fits what is missing: coordinates are no topology attribute (add_TopologyAttr
    # ('positions') fails); they come with a trajectory
    if missing == "positions":
        assert "add_TopologyAttr" not in str(e.value) and "trajectory=True" in str(e.value)
    else:
        assert f"add_TopologyAttr('{missing}'" in str(e.value)


def test_keywords_a_path_bytes_or_atomgroup_cannot_use_are_refused(tmp_path):
    """analyze(path, resolutoin=2.0) (a typo), load(path, element=...) or analyze(universe, selct=...)
    ran with the keyword ignored: the atom-array keywords were only looked at for coordinates.  Any
    keyword beside a path, bytes, a Structure or an AtomGroup is now refused, naming it."""
    xyz, atoms = ring_protein()
    p = tmp_path / "r.pdb"
    p.write_text(pdb_text(xyz, atoms))
    a = analyzer()
    for source in (str(p), p, p.read_bytes()):
        with pytest.raises(vox.InvalidArgumentError, match="resolutoin"):
            a.analyze(source, resolutoin=2.0)
        with pytest.raises(vox.InvalidArgumentError, match="element"):
            a.load(source, element=atoms["element"])
    with pytest.raises(vox.InvalidArgumentError, match="resolutoin"):
        a.analyze(a.load(p), resolutoin=2.0)
    mda = pytest.importorskip("MDAnalysis")
    u = mda.Universe(str(p))
    with pytest.raises(vox.InvalidArgumentError, match="selct"):
        a.analyze(u, selct="name CA")
    assert a.analyze(u, resolution=2.0).resolution == 2.0  # the real keywords still work


def test_switches_take_booleans_only():
    """Analyzer(keep_non_protein="False") (a value read from a config file or the command line) kept
    the non-protein atoms, align="no" aligned: any string was true.  The on/off arguments take
    True/False (NumPy's too, and 0/1); anything else is refused, naming the argument."""
    xyz, atoms = ring_protein()
    for kw in ("align", "keep_non_protein", "md_residue_names", "enable_necked_pocket_cavity"):
        for bad in ("False", "no", 2, 0.0, [], None if kw != "md_residue_names" else "yes"):
            with pytest.raises(vox.InvalidArgumentError, match=kw):
                vox.Analyzer(threads=1, **{kw: bad})
        for good in (True, False, np.bool_(True), 0, 1):
            vox.Analyzer(threads=1, **{kw: good})
    with pytest.raises(vox.InvalidArgumentError, match="align"):
        vox.volumize_pdb(b"x", align="False")
    r = analyzer().analyze(xyz, **atoms)
    for call in (lambda: r.render("cif", include_hubs="False"), lambda: r.write("cif", "x.cif", include_hubs="no")):
        with pytest.raises(vox.InvalidArgumentError, match="include_hubs"):
            call()
    assert r.render("cif", include_hubs=np.bool_(False)) == r.render("cif")


def test_second_adversarial_inputs():
    """Inputs a stop-39 adversarial test found taken wrongly: each refused with a vox.Error that
    names the argument (or, where it was a wrong answer, answered right)."""
    import pandas as pd
    xyz, atoms = ring_protein()
    a = analyzer()
    # a NUL in a name ended it where the library reads it: 'AL\0A' was 'AL', its atom dropped unsaid
    for field, bad in (("res_name", "AL\0A"), ("atom_name", "N\0OPE"), ("element", "C\0")):
        names = list(atoms[field])
        names[7] = bad
        raises(vox.InvalidArgumentError, lambda: a.load(xyz, **{**atoms, field: names}),
               match=rf"{field}\[7\] = .* contains a NUL")
    names = list(atoms["atom_name"])
    names[123] = "Cé"
    raises(vox.InvalidArgumentError, lambda: a.load(xyz, **{**atoms, "atom_name": names}),
           match=r"atom_name\[123\] = 'Cé' is not ASCII")  # (it quoted the NUL-joined names)
    # a masked coordinate was analysed at the value under the mask
    masked = np.ma.masked_array(xyz, mask=np.zeros(xyz.shape, dtype=bool))
    assert len(a.load(masked, **atoms)) == len(xyz)  # nothing masked: taken
    masked[5, 1] = np.ma.masked
    raises(vox.InvalidArgumentError, lambda: a.load(masked, **atoms), match=r"coordinates\[5, 1\] is masked")
    # a finite float64 past float32's range was "not a finite number", with NumPy's overflow warning
    big = xyz.astype(np.float64)
    big[5, 1] = 1e300
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raises(vox.InvalidArgumentError, lambda: a.load(big, **atoms), match=r"coordinates\[5, 1\] = 1e\+300 .*float32")
    # cells with no volume: vectors in one plane (written "angle_gamma 0.000"), a vector of 1e-20 Å ("0.000")
    for box, message in (([[50, 0, 0], [100, 0, 0], [0, 0, 50]], "one plane"),
                         ([[50, 0, 0], [0, 50, 0], [0, 0, 1e-20]], "row 2 .* shorter than 0.0005")):
        raises(vox.InvalidArgumentError, lambda: a.load(xyz, box=np.array(box), **atoms), match=message)
    # name= labels arrays as it labels bytes (the label stayed 'My Protein.pdb', and render("pymol")
    # then refused a structure_file the caller never gave); beside a path it was ignored
    r = a.analyze(xyz, name="My Protein.pdb", descriptors=True, **atoms)
    assert r.structure.label == "my_protein" and r.render("pymol")
    raises(vox.InvalidArgumentError, lambda: a.analyze(synthetic("pocket_box.pdb"), name="x.pdb"), match="name=")
    # a str holding a file's text, passed as a path: said so (the detail was the first kilobyte of text)
    text = open(synthetic("pocket_box.pdb")).read()
    raises(vox.InvalidArgumentError, lambda: a.analyze(text), match="holds lines of text")
    # a Result's secondary structure read the structure's current coordinates
    r = a.analyze(xyz, **atoms)
    before = r.secondary_structure()
    r.structure.set_coords(r.structure.coords)  # (input = aligned here does not matter: any set_coords)
    raises(vox.InvalidArgumentError, r.secondary_structure, match="changed after the result")
    assert a.analyze(r.structure).secondary_structure() is not None and before is not None
    # ... but a set_coords the library refused changed nothing: the Result still reads them (it said "changed",
    # while render() of the same Result worked), and so does one through a closed Analyzer
    r = a.analyze(xyz, **atoms)
    bad = xyz.copy()
    bad[-1, 0] = np.nan
    raises(vox.InvalidArgumentError, lambda: r.structure.set_coords(bad), match="not a finite number")
    assert r.secondary_structure() == before and r.render("cif")
    closed = vox.Analyzer(2.0, threads=1)
    s = closed.load(xyz, **atoms)
    r = closed.analyze(s)
    closed.close()
    raises(vox.Error, lambda: s.set_coords(xyz), match="closed")
    assert s._generation == r._structure_generation
    # Transform.to_input takes what to_aligned takes: no points, one point
    t = r.transform
    assert t.to_input(np.zeros((0, 3))).shape == (0, 3)
    one = t.to_aligned(xyz[0])
    assert one.shape == (3,) and np.allclose(t.to_input(one), xyz[0], atol=1e-3)
    # ... and both check them alike (to_aligned broadcast (5, 1) into (5, 3) and gave NumPy's errors)
    for bad_points in (np.zeros((5, 1)), np.zeros((2, 3, 3)), np.zeros((2, 4)), np.zeros(4), "abc",
                       [[1.0, 2.0, 3.0], [1.0]]):
        for f in (t.to_aligned, t.to_input):
            raises(vox.InvalidArgumentError, lambda: f(bad_points), match="points")
    raises(vox.InvalidArgumentError, lambda: t.to_input(np.zeros(4)), match=r"got \(4,\)")
    raises(vox.InvalidArgumentError, lambda: t.to_input(np.array([[1e39, 0.0, 0.0]])), match="float32")
    assert t.to_aligned(np.array([[1, 2, 3]])).dtype == np.float64
    # pandas' nullable columns, as read_csv and convert_dtypes give them, are numbers
    pts = pd.DataFrame(xyz[:4], columns=["x", "y", "z"]).astype("Float64")
    assert np.allclose(t.to_input(pts), t.to_input(xyz[:4])) and np.allclose(t.to_aligned(pts), t.to_aligned(xyz[:4]))
    assert np.array_equal(t.to_input(np.asfortranarray(xyz[:4])), t.to_input(xyz[:4]))  # (the library reads rows)
    # an empty result's pseudo-atoms: name columns of strings (float64 before)
    empty = analyzer(min_voxels=10 ** 9).analyze(xyz, **atoms)
    pa = empty.pseudo_atoms()
    assert len(pa) == 0 and all(pa[c].dtype == object for c in ("res_name", "atom_name", "element", "chain"))
    # write_frames_csv and volumize_pdb raised TypeError, AttributeError, ValueError, UnicodeEncodeError
    table = pd.DataFrame(columns=vox.FRAME_COLUMNS)
    row = pd.DataFrame([[0, 0.0, "pocké", 0, None, 1, 1.0, 1, 1, 1, 0, 0, 0, None, None]], columns=vox.FRAME_COLUMNS)
    text_row = row.assign(type="pocket", voxels="many")
    for call, message in ((lambda: vox.write_frames_csv(table, "a\0b.csv"), "NUL"),
                          (lambda: vox.write_frames_csv(table, 3), "path must be"),
                          (lambda: vox.write_frames_csv([1, 2], "e.csv"), "DataFrame"),
                          (lambda: vox.write_frames_csv(row, "e.csv"), "type is .pocké., not one of hub"),
                          (lambda: vox.write_frames_csv(text_row, "e.csv"), "row 0"),
                          (lambda: vox.volumize_pdb(synthetic("pocket_box.pdb"), profile=["x"]), "profile must be")):
        raises(vox.InvalidArgumentError, call, match=message)
    assert not os.path.exists("e.csv")
    # a bytes path with a NUL was read up to it (profile=b"good.json\0junk" loaded good.json)
    raises(vox.InvalidArgumentError, lambda: analyzer(profile=b"p.json\0junk"), match="NUL")


def test_assembly_of_chains_the_file_does_not_have():
    """A PDB file whose REMARK 350 names chains its atoms are not in (renamed): the error says so and how to load
    it, in Python's words.  Before: "no atoms in model 1", of a model with atoms."""
    text = ("REMARK 350\nREMARK 350 BIOMOLECULE: 1\nREMARK 350 APPLY THE FOLLOWING TO CHAINS: A\n" +
            "".join(f"REMARK 350   BIOMT{r}   1  {' '.join('1.000000' if c == r else '0.000000' for c in (1, 2, 3))}"
                    "        0.00000\n" for r in (1, 2, 3)) +
            "".join(f"ATOM  {i + 1:5d}  CA  ALA B{i + 1:4d}    {3.8 * i:8.3f}   1.000   2.000  1.00 20.00           C\n"
                    for i in range(5)))
    a = vox.Analyzer(2.0, threads=1)
    with pytest.raises(vox.NoAtomsError, match=r"chain 'B'.*vox.Analyzer\(assembly_policy=\"asymmetric\"\)"):
        a.load(text.encode(), name="renamed.pdb")
    assert len(vox.Analyzer(2.0, threads=1, assembly_policy="asymmetric").load(text.encode(), name="renamed.pdb")) == 5
