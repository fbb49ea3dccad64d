"""test_trajectory.py - analyze_trajectory on the shared lysozyme run (1aki-md): through MDAnalysis
and through vox's own DCD reader it equals `vox trajectory`'s frames.csv (the DataFrame, and the
bytes write_frames_csv writes), for every alignment mode and frame selection, and with one lattice
(align reference|none) its tracks equal tracks.csv; frame k equals analysing frame k alone; bad
inputs (a truncated frame, an ensemble model listing other atoms than the first) raise with the frames
before them."""
import os
import stat

import numpy as np
import pytest

import vox
from conftest import data, pdb_text, ring_protein, run_vox

pd = pytest.importorskip("pandas")


def files():
    d = data("trajectories", "1aki-md")
    return os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd")


def universe():
    mda = pytest.importorskip("MDAnalysis")
    return mda.Universe(*files())


def cli(tmp_path, *args, traj=None):
    top, dcd = files()
    out = tmp_path / "cli"
    run = run_vox("trajectory", "--quiet", "--topology", top, "--trajectory", traj or dcd, "--output-dir", str(out),
                  *args)
    label = vox.make_label(traj or dcd)
    return run, out / f"{label}.frames.csv"


def read_frames_csv(path):
    dtypes = {"frame": np.int64, "time": np.float64, "type": object, "id": np.int64, "track": "Int64",
              "voxels": np.int64, **{c: np.float64 for c in vox.FRAME_COLUMNS[6:]}}
    return pd.read_csv(path, dtype=dtypes, float_precision="round_trip", keep_default_na=False,
                       na_values={"time": [""], "track": [""], "circularity": [""], "uniformity": [""]})


def read_tracks_csv(path):
    dtypes = {"track": np.int64, "types": object, "frames": np.int64, "first_frame": np.int64, "last_frame": np.int64,
              **{c: np.float64 for c in ("fraction", "volume_mean", "volume_sd", "volume_min", "volume_max")}}
    return pd.read_csv(path, dtype=dtypes, float_precision="round_trip", keep_default_na=False,
                       na_values={"volume_sd": [""]})


def same_as_cli(df, csv, tmp_path):
    """The table equals the CLI's file read back, and written back gives its bytes."""
    ref = read_frames_csv(csv)
    pd.testing.assert_frame_equal(df, ref, check_exact=True)
    mine = tmp_path / "mine.frames.csv"
    vox.write_frames_csv(df, mine)
    assert mine.read_bytes() == csv.read_bytes()


@pytest.mark.parametrize("align", ["each", "reference", "none"])
def test_mdanalysis_equals_cli(tmp_path, align):
    run, csv = cli(tmp_path, "--resolution", "2.0", "--align", align)
    assert run.returncode == 0, run.stderr
    got = vox.analyze_trajectory(universe(), align=align, resolution=2.0, threads=1, tracks=align != "each")
    df = got[0] if align != "each" else got
    assert list(df.columns) == vox.FRAME_COLUMNS
    assert df["frame"].nunique() > 150 and len(df) > 500
    same_as_cli(df, csv, tmp_path)
    if align != "each":
        tracks = got[1]
        assert list(tracks.columns) == vox.TRACK_COLUMNS
        assert df["track"].notna().all() and len(tracks) > 3
        pd.testing.assert_frame_equal(tracks, read_tracks_csv(csv.with_name(csv.name.replace("frames", "tracks"))),
                                      check_exact=True)


def test_reference_options_equal_cli(tmp_path):
    """fit, the track gap and the frame signs reach the library as the CLI's options do."""
    run, csv = cli(tmp_path, "--align", "reference", "--fit", "ca", "--track-gap", "0", "--frame-signs", "canonical",
                   "--stop", "60")
    assert run.returncode == 0, run.stderr
    df, tracks = vox.analyze_trajectory(universe(), align="reference", fit="ca", track_gap=0,
                                        frame_signs="canonical", stop=60, threads=1, tracks=True)
    same_as_cli(df, csv, tmp_path)
    pd.testing.assert_frame_equal(tracks, read_tracks_csv(csv.with_name(csv.name.replace("frames", "tracks"))),
                                  check_exact=True)


def test_selection_of_frames_equals_cli(tmp_path):
    run, csv = cli(tmp_path, "--start", "3", "--stop", "150", "--stride", "7")
    assert run.returncode == 0, run.stderr
    u = universe()
    df = vox.analyze_trajectory(u.atoms, start=3, stop=150, step=7, threads=1)
    assert set(df["frame"]) <= set(range(3, 150, 7))
    same_as_cli(df, csv, tmp_path)
    top, dcd = files()
    same_as_cli(vox.analyze_trajectory(top, trajectory=dcd, start=3, stop=150, step=7, threads=1), csv, tmp_path)


@pytest.mark.parametrize("align", ["each", "reference", "none"])
def test_files_equal_cli(tmp_path, align):
    run, csv = cli(tmp_path, "--resolution", "2.5", "--align", align)
    assert run.returncode == 0, run.stderr
    top, dcd = files()
    a = vox.Analyzer(2.5, threads=1)
    same_as_cli(vox.analyze_trajectory(top, trajectory=dcd, align=align, analyzer=a), csv, tmp_path)


def test_frame_equals_the_frame_alone():
    """With a selection, frame k's rows equal analysing frame k's atoms by themselves."""
    u = universe()
    sel = "protein and resid 20-110"
    df = vox.analyze_trajectory(u, select=sel, start=40, stop=44, resolution=2.0, threads=1)
    a = vox.Analyzer(2.0, threads=1)
    for k in range(40, 44):
        u.trajectory[k]
        r = a.analyze(u.select_atoms(sel))
        rows = df[df["frame"] == k]
        table = r.table
        assert len(rows) == len(table)
        if len(table):
            assert rows["type"].tolist() == table["type"].tolist()
            assert rows["voxels"].tolist() == [v.num_voxels for v in r.volumes if v.type != "occluded"]
            assert rows["volume"].tolist() == table["volume"].tolist()
            assert rows["x"].tolist() == table["x"].tolist()


def test_tracks_need_one_lattice():
    with pytest.raises(vox.InvalidArgumentError, match="one lattice"):
        vox.analyze_trajectory(universe(), tracks=True)


def test_bad_arguments():
    u = universe()
    top, dcd = files()
    for kw, message in ((dict(align="all"), "align must be"), (dict(select="resname XYZ"), "matched no atoms"),
                        (dict(step=0), "step must be 1 or more"), (dict(start=1.5), "start must be a whole number"),
                        (dict(select=5), "selection string"), (dict(trajectory=dcd), "topology path"),
                        (dict(align="reference", fit="backbone"), "fit must be"),
                        (dict(align="none", track_gap=-1), "track_gap must be"),
                        (dict(align="none", track_gap=2**32), "track_gap must be between"),
                        (dict(align="none", fit="ca"), "applies to align='reference' only"),
                        (dict(align="each", track_gap=3), "track_gap applies to"),
                        (dict(frame_signs="mine"), "frame_signs must be"),
                        (dict(align="reference", select="name CA and resid 1-2"), "at least 3 atoms to fit"),
                        (dict(analyzer=vox.Analyzer(threads=1), threads=1), "either analyzer")):
        with pytest.raises(vox.InvalidArgumentError, match=message):
            vox.analyze_trajectory(u, **kw)
    with pytest.raises(vox.InvalidArgumentError, match="needs trajectory="):
        vox.analyze_trajectory(top)
    with pytest.raises(vox.InvalidArgumentError, match="0 or more"):
        vox.analyze_trajectory(top, trajectory=dcd, start=-1)
    with pytest.raises(vox.InvalidArgumentError, match="MDAnalysis input only"):
        vox.analyze_trajectory(top, trajectory=dcd, select="name CA")
    with pytest.raises(vox.InvalidArgumentError, match="expected an MDAnalysis"):
        vox.analyze_trajectory(np.zeros((3, 3)))
    # a misspelt keyword is said of the call made (it was Analyzer.__init__'s TypeError), with the keywords known
    with pytest.raises(TypeError, match=r"analyze_trajectory\(\) got an unexpected keyword argument 'resolutoin' "
                                        r"\(.*max_grid_voxels.*track_gap"):
        vox.analyze_trajectory(u, resolutoin=2.0)
    # a topology without residue names, with the default select="protein": vox's message of the attribute it
    # needs (it was the selection parser's "'Topology' object has no attribute 'resnames'")
    mda = pytest.importorskip("MDAnalysis")
    bare = mda.Universe.empty(10, n_residues=1, atom_resindex=np.zeros(10, dtype=int), trajectory=True)
    bare.add_TopologyAttr("names", ["CA"] * 10)
    bare.atoms.positions = np.arange(30, dtype=np.float32).reshape(10, 3)
    with pytest.raises(vox.InvalidArgumentError, match=r"no residue names .*add_TopologyAttr\('resnames'"):
        vox.analyze_trajectory(bare)


def test_updating_selection_is_refused():
    """An updating AtomGroup changes its atoms from frame to frame, so it cannot be one structure
    analysed frame after frame: it is refused, not frozen at the atoms it has when the analysis
    starts.  One analysis of it (its atoms at the current frame) is fine."""
    u = universe()
    ag = u.select_atoms("protein and around 6.0 resid 50", updating=True)
    assert len({len(ag) for ts in u.trajectory[:30]}) > 1  # it does change
    for kw in (dict(select=None), dict(), dict(align="reference", tracks=True)):
        with pytest.raises(vox.InvalidArgumentError, match="updating selection cannot be analysed"):
            vox.analyze_trajectory(ag, stop=30, resolution=2.0, threads=1, **kw)
    u.trajectory[0]
    assert vox.Analyzer(2.0, threads=1).load(ag).input_atom_count == len(ag)


def test_atom_count_mismatch():
    top, _ = files()
    bad = data("trajectories", "1aki-md", "broken", "natoms-mismatch.dcd")
    with pytest.raises(vox.InvalidArgumentError, match="has 1960 atoms, the trajectory .* has 1959"):
        vox.analyze_trajectory(top, trajectory=bad, threads=1)


def truncated_dcd(tmp_path):
    """The shared DCD cut in the middle of frame 10 (frames 0-9 whole)."""
    _, dcd = files()
    raw = open(dcd, "rb").read()
    frame_bytes = 56 + 3 * (8 + 1960 * 4)
    header = len(raw) - 201 * frame_bytes
    cut = tmp_path / "cut.dcd"
    cut.write_bytes(raw[:header + 10 * frame_bytes + 1000])
    return cut


def test_truncated_frame_keeps_the_frames_before(tmp_path):
    top, _ = files()
    cut = truncated_dcd(tmp_path)
    run, csv = cli(tmp_path, traj=str(cut))
    assert run.returncode == 1 and "frame 10" in run.stderr
    with pytest.raises(vox.ParseError, match="frame 10") as e:
        vox.analyze_trajectory(top, trajectory=cut, threads=1)
    assert sorted(set(e.value.frames["frame"])) == sorted(set(read_frames_csv(csv)["frame"]))
    same_as_cli(e.value.frames, csv, tmp_path)


def test_wild_atom_refused_before_its_grid(tmp_path):
    """One atom 6,000 A away in frame 5 spoils the reference fit and would spread the frame's grid over
    gigabytes (it was analysed until memory ran out): refused at once, as `vox trajectory` refuses it,
    with the frames before it; an Analyzer's own max_grid_voxels replaces that bound."""
    import struct
    top, dcd = files()
    raw = bytearray(open(dcd, "rb").read())
    frame_bytes = 56 + 3 * (8 + 1960 * 4)
    at = len(raw) - 201 * frame_bytes + 5 * frame_bytes + 56 + 4 + 4 * 100  # frame 5, atom 100, x
    raw[at:at + 4] = struct.pack("<f", 6000.0)
    wild = tmp_path / "wild.dcd"
    wild.write_bytes(bytes(raw))
    with pytest.raises(vox.GridTooLargeError, match="frame 5: .*this analysis' limit") as e:
        vox.analyze_trajectory(top, trajectory=wild, align="reference", stop=8, threads=1)
    assert e.value.frames["frame"].max() <= 4
    with pytest.raises(vox.GridTooLargeError, match="frame 5: .*over the limit of 10000000"):
        vox.analyze_trajectory(top, trajectory=wild, align="reference", stop=8,
                               analyzer=vox.Analyzer(threads=1, max_grid_voxels=10 ** 7))


def test_single_frame_universe():
    mda = pytest.importorskip("MDAnalysis")
    top, _ = files()
    df = vox.analyze_trajectory(mda.Universe(top), resolution=2.0, threads=1)
    r = vox.Analyzer(2.0, threads=1, md_residue_names=True).analyze(top)
    assert set(df["frame"]) <= {0} and df["time"].isna().all()  # a PDB file has no time
    assert df["volume"].tolist() == r.table["volume"].tolist() if len(r.table) else df.empty


def test_write_frames_csv_refuses_other_tables(tmp_path):
    with pytest.raises(vox.InvalidArgumentError, match="missing columns"):
        vox.write_frames_csv(pd.DataFrame({"frame": [1]}), tmp_path / "x.csv")
    assert not os.listdir(tmp_path)


def test_truncated_frame_keeps_the_tracks_before(tmp_path):
    top, _ = files()
    cut = truncated_dcd(tmp_path)
    with pytest.raises(vox.ParseError, match="frame 10") as e:
        vox.analyze_trajectory(top, trajectory=cut, align="reference", threads=1)
    assert set(e.value.frames["frame"]) <= set(range(10)) and e.value.frames["frame"].max() == 9
    assert len(e.value.tracks) and e.value.tracks["last_frame"].max() <= 9


def test_model_with_other_atoms(tmp_path):
    """A multi-model PDB read by the library's own reader (generated: runs without ../shared): a model
    listing the first model's atoms in another order raises, naming the frame, line and field, with
    the frames before it; the same file with the models in order reads whole."""
    xyz, atoms = ring_protein()
    top = tmp_path / "ring.pdb"
    top.write_text(pdb_text(xyz, atoms))

    def ensemble(path, swap):
        with open(path, "w") as f:
            for m in range(4):
                lines = pdb_text(xyz * (1 + 0.01 * m), atoms).splitlines()[:-1]  # without END
                if swap and m == 2:
                    lines[1], lines[2] = lines[2], lines[1]  # residue 1's CA and C
                f.write(f"MODEL     {m + 1:4d}\n" + "\n".join(lines) + "\nENDMDL\n")
            f.write("END\n")
    good, bad = tmp_path / "good.pdb", tmp_path / "bad.pdb"
    ensemble(good, False)
    ensemble(bad, True)
    df = vox.analyze_trajectory(str(top), trajectory=str(good), resolution=2.0, threads=1)
    assert set(df["frame"]) == {0, 1, 2, 3}
    with pytest.raises(vox.ParseError, match=r"frame 2 \(model at byte \d+\): its 2nd atom has atom name 'C' "
                                             r"\(columns 13-16\), the first model 'CA'") as e:
        vox.analyze_trajectory(str(top), trajectory=str(bad), resolution=2.0, threads=1)
    pd.testing.assert_frame_equal(e.value.frames, df[df["frame"] < 2].reset_index(drop=True), check_exact=True)


def test_topology_with_other_atoms(tmp_path):
    """The first model of a model file is checked against the topology (generated: runs without
    ../shared): a topology listing two atoms the other way round raises before any frame is analysed,
    naming the trajectory's line, frame 0, the field, the topology's value and the model's; DCD and XTC
    name no atoms (the shared files' checks are in tests/test_trajectory.py)."""
    xyz, atoms = ring_protein()
    text = pdb_text(xyz, atoms)
    lines = text.splitlines(True)
    swapped = list(lines)
    swapped[1], swapped[2] = lines[2], lines[1]  # residue 1's CA and C, as test_model_with_other_atoms
    top = tmp_path / "swapped.pdb"
    top.write_text("".join(swapped))
    ens = tmp_path / "ens.pdb"
    ens.write_text("".join(f"MODEL     {m + 1:4d}\n" + pdb_text(xyz * (1 + 0.01 * m), atoms).rsplit("END", 1)[0] +
                           "ENDMDL\n" for m in range(3)) + "END\n")
    line = 1 + 1 + 1  # MODEL, then the ring's second atom line (residue 1's CA)
    assert lines[1][12:16].strip() == "CA" and lines[2][12:16].strip() == "C"
    with pytest.raises(vox.InvalidArgumentError,
                       match=rf"ens\.pdb:{line}: frame 0 \(model at byte 0\): its 2nd atom has atom name 'CA' "
                             rf"\(columns 13-16\), the topology .*swapped\.pdb 'C': the trajectory must list") as e:
        vox.analyze_trajectory(str(top), trajectory=str(ens), resolution=2.0, threads=1)
    assert not hasattr(e.value, "frames")  # raised before the first frame
    df = vox.analyze_trajectory(str(tmp_path / "swapped.pdb"), trajectory=str(top), resolution=2.0, threads=1)
    assert set(df["frame"]) == {0}


def test_topology_from_another_writer(tmp_path):
    """The same atoms written by other writers go together (generated: runs without ../shared): a
    topology with chains A and B against models of one chain X (MDAnalysis without chain IDs), and the
    topology's residue numbers past 9999 cut modulo 10000 (GROMACS, MDAnalysis) against the same models
    in mmCIF with the whole numbers."""
    xyz, atoms = ring_protein()
    lines = pdb_text(xyz, atoms).splitlines()
    atom_lines = [l for l in lines if l.startswith(("ATOM", "HETATM"))]
    half = len(atom_lines) // 2

    def renumbered(k, l, chain):  # residue number + 10000, cut to 4 columns
        return l[:21] + chain + f"{(int(l[22:26]) + 10000) % 10000:4d}" + l[26:]
    top = tmp_path / "top.pdb"
    top.write_text("\n".join(renumbered(k, l, "A" if k < half else "B") for k, l in enumerate(atom_lines)) + "\nEND\n")
    ens = tmp_path / "ens.pdb"
    ens.write_text("".join(f"MODEL     {m + 1:4d}\n" + "\n".join(renumbered(k, l, "X") for k, l in
                                                                 enumerate(atom_lines)) + "\nENDMDL\n" for m in range(2)))
    df = vox.analyze_trajectory(str(top), trajectory=str(ens), resolution=2.0, threads=1)
    assert set(df["frame"]) <= {0, 1}
    cif = tmp_path / "ens.cif"
    rows = []
    for m in range(2):
        for k, l in enumerate(atom_lines):
            rows.append(f"ATOM {l[12:16].strip()} {l[17:20].strip()} {'A' if k < half else 'B'} {int(l[22:26]) + 10000} "
                        f"{l[30:38].strip()} {l[38:46].strip()} {l[46:54].strip()} {m + 1}")
    cif.write_text("data_e\nloop_\n" + "".join(f"_atom_site.{i}\n" for i in (
        "group_PDB", "auth_atom_id", "auth_comp_id", "auth_asym_id", "auth_seq_id", "Cartn_x", "Cartn_y", "Cartn_z",
        "pdbx_PDB_model_num")) + "\n".join(rows) + "\n#\n")
    df2 = vox.analyze_trajectory(str(top), trajectory=str(cif), resolution=2.0, threads=1)
    pd.testing.assert_frame_equal(df, df2, check_exact=True)


def test_bytes_paths(tmp_path):
    """A topology, trajectory and CSV given as bytes (os.fsencode) are paths, as str ones: the
    topology was refused with "trajectory= goes with a topology path", write_frames_csv raised
    TypeError; a trajectory= that is no path raises vox's error, not os.fsdecode's TypeError."""
    top, dcd = files()
    frames = vox.analyze_trajectory(top, trajectory=dcd, stop=2, threads=1)
    same = vox.analyze_trajectory(os.fsencode(top), trajectory=os.fsencode(dcd), stop=2, threads=1)
    assert same.equals(frames)
    out = os.path.join(os.fsencode(tmp_path), b"\xff.frames.csv")
    vox.write_frames_csv(frames, out)
    vox.write_frames_csv(frames, tmp_path / "str.csv")
    assert open(out, "rb").read() == (tmp_path / "str.csv").read_bytes()
    with pytest.raises(vox.InvalidArgumentError, match="trajectory must be a path"):
        vox.analyze_trajectory(top, trajectory=3)


def test_write_frames_csv_from_threads(tmp_path):
    """Threads writing the same CSV (a batch that reruns one trajectory) each write it whole: the
    temporary file was named by the process only, so one thread's rename took another's file away
    (FileNotFoundError) or renamed a half-written one."""
    import threading
    top, dcd = files()
    frames = vox.analyze_trajectory(top, trajectory=dcd, stop=3, threads=1)
    ref = tmp_path / "ref.csv"
    vox.write_frames_csv(frames, ref)
    errors = []

    def work():
        try:
            for _ in range(25):
                vox.write_frames_csv(frames, tmp_path / "same.csv")
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert (tmp_path / "same.csv").read_bytes() == ref.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["ref.csv", "same.csv"]  # no temporary file left



def test_write_frames_csv_errors_name_the_file(tmp_path):
    """A CSV that cannot be written raises vox.FileError naming it (an OSError too), not the
    temporary file's name."""
    top, dcd = files()
    frames = vox.analyze_trajectory(top, trajectory=dcd, stop=2, threads=1)
    for target in (tmp_path / "no" / "x.csv", tmp_path):
        with pytest.raises(vox.FileError, match=f"cannot write {target}") as e:
            vox.write_frames_csv(frames, target)
        assert ".tmp" not in str(e.value) and isinstance(e.value, OSError)
    assert os.listdir(tmp_path) == []
    # a FIFO (as a device node) is not replaced by the file: before, the rename put the CSV in its place
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(vox.FileError, match="not a regular file"):
        vox.write_frames_csv(frames, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe.csv"]


def test_write_frames_csv_takes_nullable_dtypes(tmp_path):
    """A table with pandas' nullable dtypes (DataFrame.convert_dtypes(): Int64, Float64, string,
    <NA> for the empty time, track, circularity) writes the same bytes; before, TypeError "boolean
    value of NA is ambiguous". A value missing where the file has no empty field is refused,
    naming the row and column."""
    top, dcd = files()
    frames = vox.analyze_trajectory(top, trajectory=dcd, stop=3, threads=1, align="reference")
    frames.loc[0, "circularity"] = np.nan  # an empty field too
    ref = tmp_path / "ref.csv"
    vox.write_frames_csv(frames, ref)
    for variant in (frames.convert_dtypes(), frames.astype({"type": "category", "time": "Float64"}),
                    read_frames_csv(ref).convert_dtypes()):
        vox.write_frames_csv(variant, tmp_path / "v.csv")
        assert (tmp_path / "v.csv").read_bytes() == ref.read_bytes()
    bad = frames.convert_dtypes()
    bad.loc[1, "volume"] = pd.NA
    with pytest.raises(vox.InvalidArgumentError, match="row 1: volume is missing"):
        vox.write_frames_csv(bad, tmp_path / "bad.csv")
    assert not (tmp_path / "bad.csv").exists()


def test_universe_frame_outside_the_selection():
    """The structure is made at the first selected frame, not at the frame the Universe is at: a bad coordinate in
    a frame the selection leaves out is no concern of the call, one in a selected frame is named with the frames
    before it; the Universe is left at the frame it was at.  Before, the call failed without naming a frame
    whenever the current frame was bad, and left the Universe at frame 0 (or at the bad frame)."""
    mda = pytest.importorskip("MDAnalysis")
    u = mda.Universe(*files(), in_memory=True, in_memory_step=20)
    clean = vox.analyze_trajectory(u, start=1, resolution=3.0, threads=1)
    u.trajectory.coordinate_array[0, 10, 0] = np.nan
    u.trajectory[0]
    df = vox.analyze_trajectory(u, start=1, resolution=3.0, threads=1)
    pd.testing.assert_frame_equal(df, clean)
    assert u.trajectory.ts.frame == 0
    u.trajectory.coordinate_array[3, 10, 0] = np.nan
    u.trajectory[5]
    for start, align in ((1, "each"), (1, "reference"), (3, "none")):
        with pytest.raises(vox.InvalidArgumentError, match="frame 3: atom 10") as e:
            vox.analyze_trajectory(u, start=start, align=align, resolution=3.0, threads=1)
        assert set(e.value.frames["frame"]) <= set(range(start, 3)), (start, align)
        assert u.trajectory.ts.frame == 5, (start, align)


def test_universe_edits_kept():
    """Positions and box the caller changed in memory since the frame was read are the Universe's again after the
    call (reading frames from the trajectory threw them away, and the Universe held the file's coordinates); the
    frames analysed are the trajectory's."""
    mda = pytest.importorskip("MDAnalysis")
    u = mda.Universe(*files())
    u.trajectory[2]
    file_rows = vox.analyze_trajectory(u, stop=3, align="none", resolution=3.0, threads=1)
    u.atoms.translate([100.0, 0.0, 0.0])
    edited, box = u.atoms.positions.copy(), u.dimensions.copy()
    u.dimensions = box * 2
    rows = vox.analyze_trajectory(u, stop=3, align="none", resolution=3.0, threads=1)
    pd.testing.assert_frame_equal(rows, file_rows)
    assert u.trajectory.ts.frame == 2
    assert np.array_equal(u.atoms.positions, edited) and np.array_equal(u.dimensions, box * 2)


def test_write_frames_csv_refuses_what_the_file_cannot_hold(tmp_path):
    """A value frames.csv cannot hold is refused, naming the row and column, and nothing is written: a type with a
    comma or a line break (another column, another row), a fractional frame, id or voxel count (%d cut them), a
    bool (written as 1).  Before, the file was written altered."""
    top, dcd = files()
    t = vox.analyze_trajectory(top, trajectory=dcd, stop=3, resolution=3.0, threads=1)
    assert len(t)
    path = tmp_path / "f.frames.csv"
    vox.write_frames_csv(t, path)
    good = path.read_bytes()
    whole = t.copy()
    whole["frame"] = whole["frame"].astype(np.float64)  # whole numbers in a float column: the same file
    vox.write_frames_csv(whole, path)
    assert path.read_bytes() == good
    for column, value, message in (("type", "po,cket", "type is 'po,cket'"), ("type", "pocket\n", "type is"),
                                   ("frame", t["frame"] + 0.5, "frame is 0.5|frame is 1.5|frame is 2.5"),
                                   ("id", -1.7, "id is -1.7"), ("voxels", True, "voxels is True"),
                                   ("track", 1.5, "track is 1.5")):
        bad = t.copy()
        bad[column] = value
        with pytest.raises(vox.InvalidArgumentError, match=message):
            vox.write_frames_csv(bad, path)
        assert path.read_bytes() == good, column
