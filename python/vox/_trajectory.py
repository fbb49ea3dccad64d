"""_trajectory.py - the volumes of every frame of an MD trajectory, analysed in-process on one
prepared structure whose coordinates are replaced frame after frame (vox_structure_set_coords),
as `vox trajectory` does; frames come from MDAnalysis or from the library's own readers (DCD, XTC,
multi-model PDB/mmCIF).
With align="reference" or "none" every frame is analysed on the first frame's lattice and its
volumes are linked into tracks (vox_reference, vox_result_lattice, vox_tracker in the library: the
same code as `vox trajectory`).

The per-frame table has the columns of `vox trajectory`'s <label>.frames.csv, with every number
rounded as that file prints it, so the DataFrame equals the file read back and write_frames_csv()
writes the same bytes."""
import ctypes
import inspect
import itertools
import math
import os
import stat
import threading

import numpy as np

from . import _core, _lib
from ._errors import Error, FileError, invalid

lib = _lib.lib
_byref = ctypes.byref

TRACK_COLUMNS = ["track", "types", "frames", "fraction", "first_frame", "last_frame", "volume_mean", "volume_sd",
                 "volume_min", "volume_max"]
FRAME_COLUMNS = ["frame", "time", "type", "id", "track", "voxels", "volume", "x", "y", "z", "centre_x", "centre_y",
                 "centre_z", "circularity", "uniformity"]
# analyze_trajectory(descriptors=True): after FRAME_COLUMNS
FRAME_DESCRIPTOR_COLUMNS = ["depth_max", "depth_mean", "hydropathy", "apolar_fraction", "polar_fraction", "charged_fraction",
                      "num_lining_atoms", "num_lining_residues", "num_openings", "opening_area", "lining_residues"]
_VOLUME_DTYPE = _lib.VOLUME_DTYPE
_TYPE_NAMES = np.array(_lib.VOLUME_TYPES, dtype=object)
# a track's types (bit t: vox_volume_type t, hub to cavity) as tracks.csv writes them: "pocket;cavity"
_TYPE_SETS = np.array([";".join(name for bit, name in enumerate(_lib.VOLUME_TYPES[:4]) if mask & (1 << bit))
                       for mask in range(16)], dtype=object)


_POW10 = np.array([float(10 ** i) for i in range(23)])  # exact doubles
_EPS = 2.0 ** -50  # 4 ulps: a margin well beyond the one rounding of a product


def _slow(fmt, values, out, where):
    for i in np.flatnonzero(where).tolist():
        out[i] = float(fmt % values[i])


def round_f6(values):
    """float("%.6f" % v) for every v (time and the centres of frames.csv), vectorised: t = v * 1e6
    carries one rounding error, so rint(t) is the decimal rounding of v wherever t is not within
    that error of a half-integer; k / 1e6 is then the double nearest the printed decimal, which is
    what reading it back gives.  The few values near a tie go through printf-style formatting."""
    v = np.asarray(values, dtype=np.float64)
    t = v * 1e6
    k = np.rint(t)
    frac = np.abs(t - np.trunc(t))
    with np.errstate(invalid="ignore"):
        ok = np.abs(frac - 0.5) > np.abs(t) * _EPS + 1e-300
        ok &= np.abs(t) < 2.0 ** 52
    out = k / 1e6
    _slow("%.6f", v, out, ~ok & np.isfinite(v))
    out[np.isnan(v)] = np.nan
    return out


def round_g10(values):
    """float("%.10g" % v) for every v (volume, x, y, z, circularity, uniformity), vectorised the
    same way: v scaled by the exact power of ten that puts its 10 significant digits before the
    point; values that are zero, not finite, outside [1e-12, 1e10) or near a tie (or a decade)
    are formatted one by one."""
    v = np.asarray(values, dtype=np.float64)
    a = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(a))
        d = 9 - e
        ok = np.isfinite(d) & (d >= 0) & (d <= 22)
        di = np.where(ok, d, 0).astype(np.int64)
        t = a * _POW10[di]
        err = t * _EPS
        ok &= (t >= 1e9 + err) & (t < 1e10 - 0.5 - err)
        frac = t - np.floor(t)
        ok &= np.abs(frac - 0.5) > err
    out = np.copysign(np.rint(t) / _POW10[di], v)
    out[a == 0] = v[a == 0]
    _slow("%.10g", v, out, ~ok & (a != 0) & np.isfinite(v))
    out[np.isnan(v)] = np.nan
    return out


class _Collector:
    """The volumes of successive frames, copied by the library straight into one growing array
    of vox_volume records; the table is built once at the end."""

    def __init__(self, structure=None):
        # with descriptors: the structure whose atoms the lining residues index, their labels
        # (made on first use), and one tuple of FRAME_DESCRIPTOR_COLUMNS per row
        self.structure, self.labels, self.described = structure, None, []
        self.vols = np.empty(1024, dtype=_VOLUME_DTYPE)
        self.base = self.vols.ctypes.data
        self.tracks = np.full(1024, -1, dtype=np.intc)  # the track of each row (-1: none)
        self.tracks_base = self.tracks.ctypes.data
        self.n = 0
        self.frames, self.times, self.counts = [], [], []

    def reserve(self, c, step=np.dtype(np.intc).itemsize):
        """Room for c more rows; returns the address of the first one's track id.  (Addresses
        are taken once per allocation: NumPy's .ctypes.data costs microseconds per access.)"""
        n = self.n
        if n + c > self.vols.shape[0]:
            cap = max(2 * self.vols.shape[0], n + c)
            grown = np.empty(cap, dtype=_VOLUME_DTYPE)
            grown[:n] = self.vols[:n]
            tracks = np.full(cap, -1, dtype=np.intc)
            tracks[:n] = self.tracks[:n]
            self.vols, self.base, self.tracks, self.tracks_base = grown, grown.ctypes.data, tracks, tracks.ctypes.data
        return self.tracks_base + n * step

    def add(self, r, frame, time, c, get=lib.vox_result_volumes, size=_VOLUME_DTYPE.itemsize):
        """The c volumes of result r (a c_void_p) as the rows of frame, in one library call."""
        n = self.n
        self.reserve(c)
        if c:
            self.vols["size"][n] = size  # output structs: the caller sets size (the records' stride)
            get(r, 0, c, self.base + n * size)
        self.n = n + c
        self.frames.append(frame)
        self.times.append(time)
        self.counts.append(c)

    def describe(self, r, c):
        """The descriptors of result r's c volumes (r analysed with descriptors), one tuple per row,
        in the order add() took them.  The atoms' names are the same in every frame: the residue
        labels are made once."""
        if self.labels is None:
            at = self.structure._annotations()
            # as `vox trajectory --write descriptors` labels them: white space and control
            # characters in a name become "_", so that the labels stay separated by spaces, and a
            # byte that is not UTF-8 (a lone surrogate here) U+FFFD, as in the volumes JSON
            safe = {c: "_" for c in list(range(33)) + [127]}
            safe.update({c: "\ufffd" for c in range(0xDC80, 0xDD00)})
            chain, name, ins = ([v.translate(safe) for v in at[k].tolist()] for k in ("chain", "res_name", "ins_code"))
            self.labels = [f"{ch}:{rn}{ri}{ic}" if ch else f"{rn}{ri}{ic}" for ch, rn, ri, ic in zip(
                chain, name, at["res_id"].tolist(), ins)]
        d = _lib.Descriptors()
        size, labels, nan = ctypes.sizeof(d), self.labels, math.nan
        first = np.empty(0, dtype=np.uintp)
        for i in range(c):
            d.size = size
            st = lib.vox_result_descriptors(r, i, _byref(d))
            if st:
                _lib.fail(st)
            if first.shape[0] < d.num_lining_residues:
                first = np.empty(d.num_lining_residues, dtype=np.uintp)
            m = lib.vox_result_lining_residues(r, i, first.ctypes.data)
            self.described.append((
                d.depth_max, d.depth_mean, d.hydropathy if d.has_hydropathy else nan, d.apolar_fraction,
                d.polar_fraction, d.charged_fraction, d.num_lining_atoms, d.num_lining_residues,
                d.num_openings, d.opening_area,  # (occluded groups, never classified, are no rows)
                " ".join(labels[j] for j in first[:m].tolist())))

    def table(self):
        pd = _core._pandas()
        v = self.vols[:self.n]
        frame = np.repeat(np.array(self.frames, dtype=np.int64), self.counts)
        time = np.repeat(round_f6(np.array(self.times, dtype=np.float64)), self.counts)
        keep = v["type"] != _lib.OCCLUDED  # occluded groups are not rows of the table (as frames.csv)
        v, frame, time, track = v[keep], frame[keep], time[keep], self.tracks[:self.n][keep].astype(np.int64)
        centre = v["centre"]
        circ = np.where(v["has_circularity"] != 0, v["circularity"], np.nan)
        unif = np.where(v["has_uniformity"] != 0, v["uniformity"], np.nan)
        table = pd.DataFrame({
            "frame": frame,
            "time": time,
            "type": _TYPE_NAMES[v["type"]],
            "id": v["id"].astype(np.int64),
            "track": pd.arrays.IntegerArray(np.maximum(track, 0), track < 0),  # <NA>: not tracked
            "voxels": v["num_voxels"].astype(np.int64),
            "volume": round_g10(v["volume"]),
            "x": round_g10(v["x"]),
            "y": round_g10(v["y"]),
            "z": round_g10(v["z"]),
            "centre_x": round_f6(centre[:, 0]),
            "centre_y": round_f6(centre[:, 1]),
            "centre_z": round_f6(centre[:, 2]),
            "circularity": round_g10(circ),
            "uniformity": round_g10(unif),
        }, copy=False)  # (the dict's order is FRAME_COLUMNS; columns= would make pandas reindex: 5x slower)
        if self.structure is None:
            return table
        rows = [t for t, k in zip(self.described, keep.tolist()) if k]
        cols = list(zip(*rows)) if rows else [()] * len(FRAME_DESCRIPTOR_COLUMNS)
        for name, values in zip(FRAME_DESCRIPTOR_COLUMNS, cols):
            if name in ("num_lining_atoms", "num_lining_residues", "num_openings"):
                table[name] = np.array(values, dtype=np.int64)
            elif name == "lining_residues":
                table[name] = np.array(values, dtype=object)
            else:
                table[name] = np.array(values, dtype=np.float64)
        return table


def _index_or_none(value, what, nonnegative=False, positive=False):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise invalid(f"{what} must be a whole number or None, got {value!r}")
    value = int(value)
    if positive and value < 1:
        raise invalid(f"{what} must be 1 or more, got {value}")
    if nonnegative and value < 0:
        raise invalid(f"{what} must be 0 or more with trajectory files, got {value}")
    return value


# the keywords analyze_trajectory() takes itself, and those it passes to vox.Analyzer
_ANALYZER_OPTIONS = [k for k in inspect.signature(_core.Analyzer.__init__).parameters if k not in ("self", "resolution")]


def analyze_trajectory(source, select="protein", align="each", start=None, stop=None, step=None, *,
                       trajectory=None, resolution=None, tracks=False, fit="heavy", track_gap=1,
                       frame_signs="volumizer", descriptors=None, analyzer=None, **analyzer_options):
    """The volumes of every selected frame of a trajectory, as a pandas DataFrame.

    source: an MDAnalysis Universe or AtomGroup (frames read by MDAnalysis, any format it reads;
        an updating AtomGroup is refused: its atoms change from frame to frame),
        or the path of a topology file (PDB or mmCIF, model 1) with trajectory= the path of a DCD, XTC
        or multi-model PDB/mmCIF file (frames read by vox, as `vox trajectory --topology TOP
        --trajectory TRAJ`; every model must list the first model's atoms in the same order).
    select: MDAnalysis selection applied to source (None: every atom).  With files every atom
        goes to the library, whose cleaning keeps the protein; select must then be "protein" or None.
    align: "each" (default) prepares every frame as vox analyze prepares a structure.
        "reference": every frame is superposed by least squares onto the first selected frame (fit=
        "heavy": every analysed atom, or "ca": the C-alphas), moved into the frame vox analyze gives
        the first one (frame_signs= "volumizer" or "canonical") and analysed on the first frame's
        lattice.  "none": coordinates as given, on the first frame's lattice.  With "reference" and
        "none" the volumes are linked into tracks across frames (a track may miss track_gap frames
        and go on), as `vox trajectory --align reference|none --track-gap N`.
    start, stop, step: the frames, as trajectory[start:stop:step]; frame numbers in the table are
        0-based indices in the file.
    resolution (Å, default 3.0, or the analyzer's) and analyzer (a vox.Analyzer to reuse; else one
        is made with analyzer_options such as threads=).

    tracks=True (align "reference" or "none") returns (frames, tracks): tracks has the columns of
    `vox trajectory`'s <label>.tracks.csv (track, types, frames, fraction, first_frame, last_frame,
    volume_mean, volume_sd, volume_min, volume_max, in Å^3), rounded as that file prints them.

    Returns one row per frame and volume (occluded groups excluded) with the columns of
    `vox trajectory`'s frames.csv: frame, time (ps; NaN when the file has none), type, id, track
    (empty: no tracking), voxels, volume (Å^3), x, y, z (axial lengths, Å), centre_x/y/z (Å,
    aligned frame), circularity, uniformity (NaN where volumizer writes null); track is <NA> with
    align="each".  Numbers are rounded as frames.csv prints them (%.10g; %.6f for time and
    centres), so the table equals the file.  Residue names MD force fields write (HIE, CYX, HSD, HISE, ...) count as amino acids; hydrogens are removed.

    descriptors=True (default: the analyzer's setting, off) adds the columns of vox.FRAME_DESCRIPTOR_COLUMNS
    after those: each volume's depth_max, depth_mean (Å), hydropathy (Kyte-Doolittle, NaN when no
    lining residue has a value), apolar/polar/charged_fraction, num_lining_atoms,
    num_lining_residues, num_openings, opening_area (Å^2) and lining_residues, a string of its
    lining residues in structure order, "A:ASP145 A:ALA146 ..." (chain:name number insertion code,
    "ASP145" without a chain;
    .str.split().explode() gives one per row), as Result.descriptors() gives them for a structure
    (README "Descriptors").  Not rounded; write_frames_csv() writes the frames.csv columns only.

    A frame that cannot be analysed raises the library's error, naming the frame; the frames
    before it are in the exception's .frames attribute.
    """
    if align not in ("each", "none", "reference"):
        raise invalid(f"align must be 'each', 'none' or 'reference', got {align!r}")
    tracks = _core._flag(tracks, "tracks")
    if tracks and align == "each":
        raise invalid("tracks=True needs one lattice for all frames: align='reference' or 'none'")
    if fit not in _lib.FIT:
        raise invalid(f"fit must be 'heavy' or 'ca', got {fit!r}")
    # as `vox trajectory` refuses --fit and --track-gap where they would do nothing
    if fit != "heavy" and align != "reference":
        raise invalid(f"fit={fit!r} applies to align='reference' only (the atoms superposed)")
    if frame_signs not in _lib.FRAME_SIGNS:
        raise invalid(f"frame_signs must be 'volumizer' or 'canonical', got {frame_signs!r}")
    if isinstance(track_gap, bool) or not isinstance(track_gap, (int, np.integer)) or track_gap < 0:
        raise invalid(f"track_gap must be a whole number, 0 or more, got {track_gap!r}")
    track_gap = _core._number(track_gap, "track_gap", int, 0)  # a C int in the tracker
    if track_gap != 1 and align == "each":
        raise invalid("track_gap applies to align='reference' or 'none' (with align='each' volumes are not "
                      "linked into tracks)")
    if analyzer is None:
        unknown = sorted(set(analyzer_options) - set(_ANALYZER_OPTIONS))
        if unknown:  # said as Python says it of the call made, not of Analyzer.__init__, which the caller did not call
            raise TypeError(f"analyze_trajectory() got an unexpected keyword argument {unknown[0]!r} (its own and "
                            f"vox.Analyzer's options: {', '.join(sorted(_OWN_OPTIONS | set(_ANALYZER_OPTIONS)))})")
        a = _core.Analyzer(3.0 if resolution is None else resolution, **analyzer_options)
    elif analyzer_options:
        raise invalid("pass either analyzer= or Analyzer options (" + ", ".join(analyzer_options) + "), not both")
    elif not isinstance(analyzer, _core.Analyzer):
        raise invalid(f"analyzer must be a vox.Analyzer, got {type(analyzer).__name__}")
    else:
        a = analyzer
    params = _lib.AnalyzeParams.from_buffer_copy(a._params)
    if resolution is not None:
        params.resolution = _core._number(resolution, "resolution")
    if descriptors is not None:
        params.descriptors = 1 if _core._flag(descriptors, "descriptors") else 0
    start = _index_or_none(start, "start", nonnegative=trajectory is not None)
    stop = _index_or_none(stop, "stop", nonnegative=trajectory is not None)
    step = _index_or_none(step, "step", positive=True)
    if isinstance(source, bytes) and trajectory is not None:  # (os.fsencode'd: a path, as str)
        source = os.fsdecode(source)
    if trajectory is not None and not isinstance(trajectory, (str, bytes, os.PathLike)):
        raise invalid(f"trajectory must be a path (DCD, XTC or multi-model PDB/mmCIF), got {type(trajectory).__name__}")
    if isinstance(source, (str, os.PathLike)):
        if trajectory is None:
            raise invalid("a topology path needs trajectory= (the DCD, XTC or multi-model file); or pass an "
                          "MDAnalysis Universe")
        if select not in (None, "protein"):
            raise invalid("select applies to MDAnalysis input only: with files every atom goes to the library, "
                          "whose cleaning keeps the protein")
        lattice = _Lattice(params, align, fit, int(track_gap), frame_signs, not a._max_grid_given)
        return _result(lattice, tracks, _files, a, lattice, source, trajectory, start or 0, stop, step or 1)
    if trajectory is not None:
        raise invalid("trajectory= goes with a topology path; an MDAnalysis Universe has its own trajectory")
    if not _core._is_mdanalysis(source):
        raise invalid(f"expected an MDAnalysis Universe or AtomGroup, or a topology path, got {type(source).__name__}")
    lattice = _Lattice(params, align, fit, int(track_gap), frame_signs, not a._max_grid_given)
    return _result(lattice, tracks, _mdanalysis, a, lattice, source, select, start, stop, step)


_OWN_OPTIONS = frozenset(inspect.signature(analyze_trajectory).parameters) - {"source", "analyzer_options"}

class _Lattice:
    """How each frame reaches the library: with align="each" the structure re-aligns every frame
    itself; with "reference" and "none" the first frame sets the lattice (and, for "reference",
    the vox_reference every later frame is superposed onto), and a vox_tracker links the volumes.
    The steps are those of `vox trajectory`: the first frame is analysed once for the lattice,
    then again on it, like every frame."""

    def __init__(self, params, align, fit, gap, frame_signs, bound_growth):
        self.align, self.fit, self.gap, self.frame_signs = align, fit, gap, frame_signs
        self.bound_growth = bound_growth  # no max_grid_voxels given: frames' grids bounded by the first's
        self.params = _lib.AnalyzeParams.from_buffer_copy(params)
        self.ref = ctypes.c_void_p()
        self.tracker = ctypes.c_void_p()
        self.work = self.work_ptr = None

    @property
    def each(self):
        return self.align == "each"

    def start(self, ctx, s, k, xyz):
        """The first frame (k): the reference, the lattice, the tracker."""
        n = s.input_atom_count
        if self.align == "reference":
            rp = _lib.ReferenceParams()
            lib.vox_reference_params_init(_byref(rp))
            rp.fit = _lib.FIT[self.fit]
            rp.frame_signs = _lib.FRAME_SIGNS[self.frame_signs]
            st = lib.vox_reference_create(ctx, s._ptr, xyz, n, _byref(rp), _byref(self.ref))
            if st == 0:
                self.work = np.empty((n, 3), dtype=np.float32)
                self.work_ptr = ctypes.c_void_p(self.work.ctypes.data)
                st = lib.vox_reference_apply(ctx, self.ref, xyz, n, 1, self.work_ptr)
                xyz = self.work_ptr
            if st:
                _lib.fail(st, ctx, f"frame {k}")
        r = ctypes.c_void_p()
        try:
            self.params.has_grid = 0
            st = lib.vox_structure_set_coords(ctx, s._ptr, xyz, n)
            if st == 0:
                st = lib.vox_analyze(ctx, s._ptr, _byref(self.params), _byref(r))
            if st == 0:
                st = lib.vox_result_lattice(r, _byref(self.params))
            if st:
                _lib.fail(st, ctx, f"frame {k}")
        finally:
            lib.vox_result_free(_byref(r))
        # as `vox trajectory` without --max-grid-voxels: a later frame's grid (grown to hold its atoms)
        # at most 64 times this one's, refused before it is allocated (one wild atom, or a bad fit,
        # would spread it over gigabytes); an Analyzer's max_grid_voxels still applies when smaller
        d = self.params.grid_dims
        if self.bound_growth:
            self.params.max_grid_voxels = _LATTICE_GROWTH * d[0] * d[1] * d[2]
        tp = _lib.TrackerParams()
        lib.vox_tracker_params_init(_byref(tp))
        tp.resolution = self.params.resolution
        tp.origin[:] = self.params.grid_origin[:]
        tp.max_gap = self.gap
        tp.occupancy = 0  # (the maps are `vox trajectory --write occupancy`'s; the tracks do not need them)
        st = lib.vox_tracker_create(ctx, _byref(tp), _byref(self.tracker))
        if st:
            _lib.fail(st, ctx, f"frame {k}")

    def tracks(self):
        """The tracks so far as a DataFrame (the columns of tracks.csv, rounded as it prints them):
        the records copied by the library in one call, the columns built with NumPy."""
        pd = _core._pandas()
        n = lib.vox_tracker_track_count(self.tracker) if self.tracker else 0
        t = np.zeros(n, dtype=_lib.TRACK_DTYPE)
        if n:
            t["size"][0] = _lib.TRACK_DTYPE.itemsize
            lib.vox_tracker_tracks(self.tracker, 0, n, t.ctypes.data)
        return pd.DataFrame({
            "track": t["id"].astype(np.int64),
            "types": _TYPE_SETS[t["types"] & 15],
            "frames": t["frames_present"].astype(np.int64),
            "fraction": round_f6(t["fraction"]),
            "first_frame": t["first_frame"].astype(np.int64),
            "last_frame": t["last_frame"].astype(np.int64),
            "volume_mean": round_g10(t["volume_mean"]),
            "volume_sd": round_g10(t["volume_sd"]),
            "volume_min": round_g10(t["volume_min"]),
            "volume_max": round_g10(t["volume_max"]),
        }, copy=False)

    def close(self):
        lib.vox_reference_free(_byref(self.ref))
        lib.vox_tracker_free(_byref(self.tracker))


_LATTICE_GROWTH = 64  # `vox trajectory`'s TRACK_MAX_GROWTH


def _result(lattice, tracks, analyse, *args):
    """analyse(*args): the frames table; with tracks, also the tracks table.  The lattice's
    library objects are released whatever happens."""
    try:
        frames = analyse(*args)
        return (frames, lattice.tracks()) if tracks else frames
    finally:
        lattice.close()


def _run(a, s, lattice, frames, coll):
    """Analyses each (frame, time, xyz) of frames on structure s; errors name the frame and
    carry the table of the frames before it (and, with tracking, .tracks: the tracks so far).
    The per-frame loop binds every callable to a local: a frame costs a few ctypes calls, and the
    wrapper's share of the work is what bench/python_overhead.py measures."""
    ctx = a._ctx
    n = s.input_atom_count
    sp = s._ptr
    r = ctypes.c_void_p()
    pr, pp = _byref(r), _byref(lattice.params)
    k = None
    set_coords, analyze, free, add = lib.vox_structure_set_coords, lib.vox_analyze, lib.vox_result_free, coll.add
    count, reserve, track, apply = lib.vox_result_count, coll.reserve, lib.vox_tracker_add, lib.vox_reference_apply
    each, superpose = lattice.each, lattice.align == "reference"
    describe = coll.describe if lattice.params.descriptors else None
    tracker = ref = work = first = None
    try:
        for k, time, xyz in frames:
            if not each and first is None:
                lattice.start(ctx, s, k, xyz)
                tracker, ref, work, first = lattice.tracker, lattice.ref, lattice.work_ptr, k
            if superpose:
                st = apply(ctx, ref, xyz, n, k == first, work)
                if st:
                    _lib.fail(st, ctx, f"frame {k}")
                xyz = work
            st = set_coords(ctx, sp, xyz, n)
            if st == 0:
                st = analyze(ctx, sp, pp, pr)
            if st:
                _lib.fail(st, ctx, f"frame {k}")
            c = count(r)
            if not each:
                st = track(ctx, tracker, k, r, reserve(c))
                if st:
                    _lib.fail(st, ctx, f"frame {k}")
            add(r, k, time, c)
            if describe:
                describe(r, c)
            free(pr)
    except Error as e:
        e.frames = coll.table()
        if not each:
            e.tracks = lattice.tracks()
        raise
    finally:
        lib.vox_result_free(pr)


def _mdanalysis(a, lattice, source, select, start, stop, step):
    from MDAnalysis.core.groups import UpdatingAtomGroup  # source is MDAnalysis': the package is there
    from . import _mda
    # checked before atomgroup(), whose .atoms would freeze it at this frame's atoms
    if isinstance(source, UpdatingAtomGroup):
        raise invalid("an updating AtomGroup (select_atoms(..., updating=True)) changes its atoms from frame to "
                      "frame, and an updating selection cannot be analysed as one structure: pass a static "
                      "AtomGroup or select=, or analyse frame by frame with Analyzer.analyze()")
    ag, positions = _mda.atomgroup(source, select)
    u = ag.universe
    whole = len(ag) == len(u.atoms) and bool(np.all(ag.ix == np.arange(len(ag))))
    md = True if a.md_residue_names is None else a.md_residue_names
    coll = _Collector(None)
    # the structure is made at the first selected frame (the frame the Universe is at may be one the
    # selection leaves out, and a bad coordinate there is no concern of this call), and the Universe
    # is put back at its frame afterwards, with the positions and box it held (edits made in memory
    # since the frame was read, which reading frames again from the trajectory throws away): the call
    # leaves it as it found it
    was_at = u.trajectory.ts.frame
    held_positions = u.trajectory.ts.positions.copy()
    held_box = None if u.trajectory.ts.dimensions is None else u.trajectory.ts.dimensions.copy()
    selected = range(len(u.trajectory))[slice(start, stop, step)]
    try:
        if selected:
            u.trajectory[selected[0]]
        try:
            buffers = _mda.atom_buffers(ag, positions=positions)
            s = a._from_buffers(buffers, _mda.label(ag), md, True, lattice.each,
                                _lib.FRAME_SIGNS[lattice.frame_signs])
        except Error as e:
            if selected:
                e.args = (f"frame {selected[0]}: {e.args[0] if e.args else e}",) + e.args[1:]
                e.frames = coll.table()
                if not lattice.each:
                    e.tracks = lattice.tracks()
            raise
        s._input_positions = positions
        coll = _Collector(s if lattice.params.descriptors else None)
        return _mdanalysis_frames(a, lattice, s, u, ag, whole, coll, start, stop, step)
    finally:
        if u.trajectory.ts.frame != was_at or selected:
            u.trajectory[was_at]
            u.trajectory.ts.positions = held_positions
            u.trajectory.ts.dimensions = held_box


def _mdanalysis_frames(a, lattice, s, u, ag, whole, coll, start, stop, step):
    n = s.input_atom_count

    def frames():
        for ts in u.trajectory[start:stop:step]:
            xyz = ts.positions if whole else ag.positions
            if xyz.shape != (n, 3):  # the library reads n atoms from xyz: never hand it fewer
                raise invalid(f"frame {ts.frame}: the AtomGroup has {len(xyz)} atoms, it had {n} when the "
                              "analysis started")
            if xyz.dtype != np.float32 or not xyz.flags.c_contiguous:
                xyz = np.ascontiguousarray(xyz, dtype=np.float32)
            # a reader with neither time nor dt (a PDB file) has no time: NaN, not MDAnalysis' guess
            d = ts.data
            t = ts.time if "time" in d or "dt" in d else math.nan
            yield ts.frame, t, xyz.ctypes.data

    with a._lock:
        _run(a, s, lattice, frames(), coll)
    return coll.table()


def _files(a, lattice, topology, trajectory, start, stop, step):
    lp = _lib.LoadParams()
    lib.vox_load_params_init(_byref(lp))
    lp.assembly = _lib.ASSEMBLY["asymmetric"]  # model 1, asymmetric unit, as `vox trajectory`
    tp = _core._text(topology, "path")
    h = ctypes.c_void_p()
    a._call(lib.vox_load_file, tp, _byref(lp), _byref(h))
    s = _core.Structure(a, h, _core.make_label(trajectory), os.fspath(topology))
    fr = ctypes.c_void_p()
    a._call(lib.vox_frames_open, _core._text(trajectory, "path"), _byref(fr))
    try:
        # the library compares the counts and, for a model file, every atom's names with the
        # topology's, before cleaning drops hydrogens
        a._call(lib.vox_frames_check_atoms, fr, s._ptr, tp)
        n = lib.vox_frames_atom_count(fr)
        pp = a._prepare_params(True if a.md_residue_names is None else a.md_residue_names)
        pp.align = 1 if lattice.each else 0
        pp.frame_signs = _lib.FRAME_SIGNS[lattice.frame_signs]
        a._call(lib.vox_prepare, s._ptr, _byref(pp))
        xyz = np.empty((n, 3), dtype=np.float32)
        coll = _Collector(s if lattice.params.descriptors else None)

        def frames(ctx):
            info = _lib.FrameInfo()
            got = ctypes.c_int()
            pi, pg, px = _byref(info), _byref(got), xyz.ctypes.data
            size, read, skip = ctypes.sizeof(info), lib.vox_frames_next, lib.vox_frames_skip
            k = 0
            while stop is None or k < stop:
                info.size = size
                wanted = k >= start and (k - start) % step == 0
                st = read(ctx, fr, px, pi, pg) if wanted else skip(ctx, fr, pi, pg)
                if st:
                    _lib.fail(st, ctx)
                if not got.value:
                    return
                if wanted:
                    yield k, (info.time_ps if info.has_time else math.nan), px
                k += 1

        with a._lock:
            _run(a, s, lattice, frames(a._ctx), coll)
        return coll.table()
    finally:
        lib.vox_frames_close(_byref(fr))


_EMPTY_FIELDS = ("time", "track", "circularity", "uniformity")  # frames.csv's fields that may be empty
_WHOLE_FIELDS = ("frame", "id", "track", "voxels")  # written with %d, which would cut 2.5 to 2 and print True as 1
_ROW_TYPES = frozenset(_lib.VOLUME_TYPES[:4])  # the types of a row (occluded groups have none)


def _not_whole(v):
    if v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))):
        return False
    return not isinstance(v, (float, np.floating)) or not float(v).is_integer()
_TMP_SERIAL = itertools.count()  # (next() on it is atomic under the GIL)


def write_frames_csv(table, path):
    """Writes a table of analyze_trajectory() as `vox trajectory` writes <label>.frames.csv (same
    bytes for the same frames), atomically: a temporary file in the same folder, then a rename.
    A file that cannot be written raises vox.FileError (an OSError) naming path."""
    from ._core import _text
    p = os.fsdecode(_text(path, "path"))  # str, bytes or pathlib; a NUL or another type: vox.Error
    if not (hasattr(table, "columns") and hasattr(table, "isna")):
        raise invalid(f"expected a pandas DataFrame of analyze_trajectory(), got {type(table).__name__}")
    missing = [c for c in FRAME_COLUMNS if c not in table.columns]
    if missing:
        raise invalid("not a table of analyze_trajectory(): missing columns " + ", ".join(missing))
    out = ["frame,time,type,id,track,voxels,volume,x,y,z,centre_x,centre_y,centre_z,circularity,uniformity\n"]
    # missing values by pandas' own test (NaN, None, <NA> of the nullable dtypes, NaT): None for
    # the fields the file leaves empty, refused in the others
    cols = []
    for c in FRAME_COLUMNS:
        values, missing = table[c].tolist(), table[c].isna().to_numpy()
        if missing.any():
            if c not in _EMPTY_FIELDS:
                row = table.index[int(np.argmax(missing))]
                raise invalid(f"not a table of analyze_trajectory(): row {row}: {c} is missing")
            values = [None if m else v for v, m in zip(values, missing.tolist())]
        # what the file's fields cannot hold, refused rather than written altered: a number cut by %d, a
        # type name with a comma or a line break in it (another column, another row)
        bad = next((i for i, v in enumerate(values) if _not_whole(v)), None) if c in _WHOLE_FIELDS else \
            next((i for i, v in enumerate(values) if not isinstance(v, str) or v not in _ROW_TYPES), None) if c == "type" \
            else None
        if bad is not None:
            what = "a whole number" if c != "type" else "one of " + ", ".join(_lib.VOLUME_TYPES[:4])
            raise invalid(f"not a table of analyze_trajectory(): row {table.index[bad]}: {c} is {values[bad]!r}, "
                          f"not {what}")
        cols.append(values)
    for row, (frame, time, typ, vid, track, voxels, volume, x, y, z, cx, cy, cz, circ, unif) in enumerate(zip(*cols)):
        try:
            t = "" if time is None else "%.6f" % time
            tr = "" if track is None else "%d" % track
            c = "" if circ is None else "%.10g" % circ
            u = "" if unif is None else "%.10g" % unif
            out.append("%d,%s,%s,%d,%s,%d,%.10g,%.10g,%.10g,%.10g,%.6f,%.6f,%.6f,%s,%s\n" % (
                frame, t, typ, vid, tr, voxels, volume, x, y, z, cx, cy, cz, c, u))
        except (TypeError, ValueError) as e:  # a column of text where numbers belong, say
            raise invalid(f"not a table of analyze_trajectory(): row {table.index[row]}: {e}") from None
    text = "".join(out)  # ASCII: vox's type names and numbers
    # one temporary name per call (process, thread, call): threads writing the same file must not
    # share one, or a rename takes another thread's file away; "x": never open another's
    tmp = os.path.join(os.path.dirname(p) or ".",
                       f".{os.path.basename(p)}.tmp.{os.getpid()}.{threading.get_ident()}.{next(_TMP_SERIAL)}")
    # as the library's writers: only a regular file is replaced (a rename over a folder, a FIFO or a
    # device node such as /dev/null would put this file in its place)
    try:
        mode = os.stat(p).st_mode
    except OSError:
        mode = None  # nothing there yet (or not reachable: the open below says why)
    if mode is not None and not stat.S_ISREG(mode):
        raise _cannot_write(p, "it is a directory, not a regular file" if stat.S_ISDIR(mode)
                            else "it is not a regular file (a FIFO, a device or a socket)")
    try:
        with open(tmp, "x", encoding="ascii", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, Error):  # named by the file asked for, not the temporary
            raise _cannot_write(p, e.strerror or str(e)) from e
        raise


def _cannot_write(path, why):
    message = f"cannot write {path}: {why}"
    return FileError(message, message)
