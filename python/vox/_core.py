"""_core.py - Analyzer (one libvox context, reused), Structure (a prepared structure held by the
library), Result (the volumes of one analysis), Volume and Transform."""
import ctypes
import dataclasses
import os
import threading
import warnings
import weakref

import numpy as np

from . import _arrays, _descriptors, _lib
from ._errors import Error, invalid

lib = _lib.lib
_byref = ctypes.byref


def _free_handle(free, handle):
    free(_byref(handle))


def _destroy_ctx(handle, pid):
    # a context inherited through fork() belongs to the parent: its worker threads are not in this
    # process, so it is neither used (Analyzer._ctx makes a new one) nor destroyed here
    if pid[0] == os.getpid():
        lib.vox_ctx_destroy(_byref(handle))


def _text(value, what):
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        if b"\0" in value:  # the library would read up to it: another path, unsaid
            raise invalid(f"{what} contains a NUL byte")
        return value
    if not isinstance(value, str):
        raise invalid(f"{what} must be a string, got {type(value).__name__}")
    if "\0" in value:
        raise invalid(f"{what} contains a NUL character")
    # surrogateescape: a file name that is not UTF-8 (os.fsdecode keeps its bytes as lone
    # surrogates) goes to the library as those bytes, which it writes as \udcXX, as volumizer's
    # json.dumps and `vox analyze` do; a surrogate that is no such byte has no bytes to send
    try:
        return os.fsencode(value) if what == "path" else value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as e:
        raise invalid(f"{what} {value!r}: {e.reason} ({e.object[e.start:e.end]!r} is no byte of a name)") from None


def _not_picklable(obj, instead):
    """__reduce_ex__ of the classes that hold a library handle: the handle is C memory of this
    process, which neither a pickle nor a deep copy can carry."""
    raise TypeError(f"a vox.{type(obj).__name__} holds a libvox handle (memory of this process) and cannot be "
                    f"pickled or deep-copied: {instead}")


def _shallow_copy(obj):
    """copy.copy(): a second Python object on the same handle (and the same finalizer), which keeps
    the original alive: the original's finalizer frees the handle when the original goes."""
    c = object.__new__(type(obj))
    c.__dict__.update(obj.__dict__)
    c._copy_of = obj
    return c


def _finalizer(obj, fn, *args):
    """weakref.finalize(obj, fn, *args), not run at interpreter exit: a daemon thread may still be
    inside a library call on the handle then (the locks that make calls take turns are not taken
    by a finalizer), and the process's memory goes with it anyway."""
    f = weakref.finalize(obj, fn, *args)
    f.atexit = False
    return f


def make_label(path):
    """volumizer's label of a file: its stem (the name without its last suffix), each character that
    str.isalnum() does not keep ('-' and '_' apart) replaced by '_', '_' trimmed at both ends,
    lower-cased; "structure" when nothing is left (the rule of `vox analyze`; letters and digits of
    every script are kept)."""
    base = os.path.basename(os.fsdecode(path))
    dot = base.rfind(".")
    if dot > 0:
        base = base[:dot]
    out = "".join(c if c.isalnum() or c in "-_" else "_" for c in base).strip("_").lower()
    return out or "structure"


# the range of a C int: the type every int setting travels as (ctypes keeps only the low bits of
# a larger value, so threads=2**32+1 would run one thread)
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1


def _number(value, what, kind=float, lo=_INT_MIN, hi=_INT_MAX):
    """A float, or with kind=int a whole number in [lo, hi] (default: a C int's range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise invalid(f"{what} must be a number, got {type(value).__name__}")
    if kind is int:
        if not isinstance(value, (int, np.integer)):
            raise invalid(f"{what} must be a whole number, got {value!r}")
        value = int(value)
        if not lo <= value <= hi:
            raise invalid(f"{what} must be between {lo} and {hi}, got {value}")
        return value
    try:
        return float(value)
    except OverflowError:  # an int past the doubles
        raise invalid(f"{what} {value} is too large") from None


def _flag(value, what):
    """An on/off argument: True or False (NumPy's too), or 0 or 1.  A string is refused: "False"
    (read from a config file or a command line) would otherwise be true."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return bool(value)
    raise invalid(f"{what} must be True or False, got {value!r}")


@dataclasses.dataclass(frozen=True)
class Volume:
    """One volume of a result, in the library's table order (see Result.volumes).

    type is "hub", "pore", "pocket", "cavity" or "occluded"; id is its rank among the volumes
    of its type (0 = largest); volume is num_voxels times the voxel's volume (resolution^3), in
    Å^3; x >= y >= z are the axial lengths (Å) along the volume's principal axes; centre is the
    mean voxel centre (Å, aligned frame); circularity and uniformity are
    the cross-section values, None where volumizer writes null; index is the position in
    Result.volumes, the argument of Result.voxels() and Result.surface()."""
    index: int
    type: str
    id: int
    num_voxels: int
    volume: float
    x: float
    y: float
    z: float
    centre: tuple
    circularity: object
    uniformity: object
    num_surface_voxels: int


class Transform:
    """The rigid transform vox_prepare applied: aligned = rotation @ (input - centroid).

    rotation is a (3, 3) float64 array whose rows are the aligned frame's axes in input
    coordinates; centroid is the (3,) input-frame centroid; matrix is the same as a 4x4
    homogeneous matrix.  The identity when the structure was not aligned."""

    def __init__(self, t):
        self._t = t
        self.rotation = np.array([[t.rotation[i][j] for j in range(3)] for i in range(3)], dtype=np.float64)
        self.centroid = np.array(list(t.centroid), dtype=np.float64)

    @property
    def matrix(self):
        m = np.eye(4)
        m[:3, :3] = self.rotation
        m[:3, 3] = -self.rotation @ self.centroid
        return m

    @staticmethod
    def _points(xyz, dtype):
        """xyz as (n, 3) points of dtype (a copy), and whether it was one point (3,): shapes,
        dtypes and masks checked as for coordinates, the shape named as given."""
        if isinstance(xyz, np.ma.MaskedArray) and np.ma.is_masked(xyz):
            raise invalid("points are masked: fill or drop the masked points first")
        try:
            a = np.asarray(_arrays._numbers(xyz, "points"))  # (pandas' nullable Float64 columns as floats)
        except Error:
            raise
        except Exception as e:  # ragged lists and the like
            raise invalid(f"points must be an (n, 3) array of floats: {e}") from None
        if a.dtype.kind not in "fiu":
            raise invalid(f"points must be an (n, 3) array of numbers, got dtype {a.dtype}")
        if a.shape != (3,) and (a.ndim != 2 or a.shape[1] != 3):
            raise invalid(f"points must have shape (n, 3) or (3,), got {a.shape}")
        if dtype == np.float32:
            _arrays.check_float32_range(a, "points")
        single = a.ndim == 1
        return np.array(a.reshape(1, 3) if single else a, dtype=dtype, order="C", copy=True), single  # (C: the library reads rows)

    def to_aligned(self, xyz):
        """Input-frame points (n, 3), or one point (3,), to the aligned frame (float64; the
        library's own aligned coordinates are computed in float32 and agree to about 1e-5 Å)."""
        a, single = self._points(xyz, np.float64)
        out = (a - self.centroid) @ self.rotation.T
        return out[0] if single else out

    def to_input(self, xyz):
        """Aligned-frame points (n, 3), or one point (3,), back to the input frame, as
        vox_transform_to_input does (float32)."""
        a, single = self._points(xyz, np.float32)
        if a.shape[0]:
            lib.vox_transform_to_input(_byref(self._t), a.ctypes.data, a.shape[0])
        return a[0] if single else a

    def __repr__(self):
        return f"Transform(rotation={self.rotation.tolist()}, centroid={self.centroid.tolist()})"


def _transform(get, handle):
    """The Transform that get (vox_structure_transform or vox_result_transform) gives for handle."""
    t = _lib.Transform()
    t.size = ctypes.sizeof(t)
    st = get(handle, _byref(t))
    if st:
        _lib.fail(st)
    return Transform(t)


class Structure:
    """A structure held by libvox, cleaned and (unless align=False) aligned by its Analyzer.

    len(s) is the number of atoms analysed; s.coords their (n, 3) float32 coordinates in the
    aligned frame; s.atoms() their annotations; s.kept_atoms the input index of each; s.transform
    the input -> aligned transform; s.box the unit cell or None."""

    def __init__(self, analyzer, handle, label="structure", input_path=""):
        self._analyzer = analyzer
        self._h = handle
        self.label = label
        self.input_path = input_path
        self._finalizer = _finalizer(self, _free_handle, lib.vox_structure_free, handle)
        # an AtomGroup's structure without the alternate locations vox drops: the place of each
        # input atom in the AtomGroup given, which input_index reports (None: the same)
        self._input_positions = None
        # held while the library reads or changes the structure: set_coords from one thread and an
        # analysis or render of the same structure from another (each through its own Analyzer,
        # whose lock does not cover the other's calls) take turns.  Always taken before an
        # Analyzer's lock, never after, so the two cannot deadlock.
        self._use = _ForkSafeLock(reentrant=True)
        self._annotation_cache = None  # (atom count, _annotations())
        # set_coords() calls, so a Result knows whether its coordinates are gone: a list, which
        # copy.copy() shares with the copy (one handle, one count: an int was copied, and a change
        # through the copy went unseen by the original's results)
        self._changes = [0]

    @property
    def _ptr(self):
        return self._h.value

    @property
    def _generation(self):
        return self._changes[0]

    def __len__(self):
        return lib.vox_structure_atom_count(self._ptr)

    @property
    def input_atom_count(self):
        """Atoms the structure had before cleaning (the length set_coords() takes)."""
        return lib.vox_structure_input_atom_count(self._ptr)

    @property
    def coords(self):
        """(n, 3) float32 coordinates (Å) of the analysed atoms, aligned frame (a copy)."""
        out = np.empty((len(self), 3), dtype=np.float32)
        lib.vox_structure_coords(self._ptr, out.ctypes.data)
        return out

    @property
    def kept_atoms(self):
        """Input index of each analysed atom (which atoms survived cleaning): for an AtomGroup, its
        position there."""
        n = lib.vox_structure_kept_atoms(self._ptr, None)
        out = np.empty(n, dtype=np.uintp)
        lib.vox_structure_kept_atoms(self._ptr, out.ctypes.data)
        return out if self._input_positions is None else self._input_positions[out]

    @property
    def transform(self):
        """The Transform from the input frame to the aligned frame, for the current coordinates."""
        return _transform(lib.vox_structure_transform, self._ptr)

    @property
    def box(self):
        """The unit cell as a (3, 3) float32 array of cell vectors (rows, Å), or None."""
        b = np.empty((3, 3), dtype=np.float32)
        return b if lib.vox_structure_box(self._ptr, b.ctypes.data) else None

    def _annotations(self):
        """The analysed atoms' names and numbers (every column of atoms() but x, y, z), read from
        the library once: they stay as cleaning left them while set_coords() changes coordinates.
        (Made again if the atom count changed: a structure read before vox_prepare cleaned it.)"""
        n = len(self)
        cached = self._annotation_cache
        if cached is not None and cached[0] == n:
            return cached[1]
        info = _lib.AtomInfo()
        info.size = ctypes.sizeof(info)
        cols = {k: [] for k in ("element", "atom_name", "res_name", "res_id", "chain", "ins_code", "hetero",
                                "input_index")}
        for i in range(n):
            st = lib.vox_structure_atom(self._ptr, i, _byref(info))
            if st:
                _lib.fail(st)
            cols["element"].append(info.element.decode("utf-8", "surrogateescape"))
            cols["atom_name"].append(info.atom_name.decode("utf-8", "surrogateescape"))
            cols["res_name"].append(info.res_name.decode("utf-8", "surrogateescape"))
            cols["res_id"].append(info.res_id)
            cols["chain"].append(info.chain.decode("utf-8", "surrogateescape"))
            # a c_char field reads as one byte: NUL, no insertion code, is ""
            cols["ins_code"].append(info.ins_code.rstrip(b"\0").decode("utf-8", "surrogateescape"))
            cols["hetero"].append(bool(info.hetero))
            cols["input_index"].append(info.input_index)
        out = {k: np.array(v, dtype={"res_id": np.int32, "hetero": bool, "input_index": np.uintp}.get(k, object))
               for k, v in cols.items()}
        # (an AtomGroup's positions: the library reports them, as in the documents it renders)
        self._annotation_cache = (n, out)
        return out

    def atoms(self):
        """The analysed atoms as a dict of NumPy arrays: x, y, z (Å, aligned frame), element,
        atom_name, res_name, res_id, chain, ins_code, hetero, input_index.  A byte of the file that
        is not UTF-8 comes as a lone surrogate ('\udce9', as os.fsdecode gives)."""
        xyz = self.coords
        out = {"x": xyz[:, 0].copy(), "y": xyz[:, 1].copy(), "z": xyz[:, 2].copy()}
        for k, v in self._annotations().items():
            out[k] = v.copy()  # (the caller's to change: the cache stays as read)
        return out

    def set_coords(self, xyz):
        """New coordinates for every input atom (same topology, a trajectory's next frame): an
        (input_atom_count, 3) float array.  The cleaning is kept; an aligned structure is aligned
        again exactly as when it was prepared."""
        a = _arrays.coords(xyz, self.input_atom_count)
        with self._use:
            try:
                self._analyzer._call(lib.vox_structure_set_coords, self._ptr, a.ctypes.data, a.shape[0])
            except Error as e:
                # a frame the library refuses (a coordinate not finite) changes nothing, nor does a closed
                # Analyzer (no library call, no status); a failure after the checks (the alignment of a
                # structure far out of range) comes after the new coordinates are in
                if e.status is not None and np.isfinite(a).all():
                    self._changes[0] += 1
                raise
            self._changes[0] += 1

    def secondary_structure(self):
        """P-SEA fractions (alpha, beta, coil) of the structure; NaN where undefined."""
        a, b, c = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        with self._use:
            self._analyzer._call(lib.vox_secondary_structure, self._ptr, _byref(a), _byref(b), _byref(c))
        return a.value, b.value, c.value

    def __reduce_ex__(self, protocol):
        _not_picklable(self, "send its atoms() and coords (or the file) and load them where they are needed")

    __copy__ = _shallow_copy

    def __repr__(self):
        return f"<vox.Structure {self.label!r}: {len(self)} atoms (of {self.input_atom_count} input atoms)>"


_TYPE_NAMES = np.array(_lib.VOLUME_TYPES, dtype=object)
_TABLE_COLUMNS = ["id", "type", "volume", "x", "y", "z", "cross_section_circularity", "cross_section_uniformity"]
# volumizer's pseudo-atoms (ALGORITHM.md §13.4): residue name, atom name = element, default chain
_PSEUDO = {"hub": ("HUB", "F", "A"), "pore": ("POR", "O", "B"), "pocket": ("POK", "N", "C"),
           "cavity": ("CAV", "S", "D"), "occluded": ("OCC", "H", "E")}
_CHAIN_POOL = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + \
              [str(d) for d in range(10)]


class Result:
    """The volumes of one analysis.

    volumes: every volume as a Volume, in the library's order: hub, pore, cavity and pocket rows
        sorted as volumizer's table, then the occluded groups (volume in Å^3, lengths in Å).
    resolution: the voxel edge (Å) of the analysis.
    table: volumizer's annotation DataFrame (pandas) - the same rows without the occluded groups;
        table.to_json() is byte-identical to volumizer's.
    voxels(i), surface(i): NumPy arrays of volume i's voxel centres and surface flags.
    transform: the input -> aligned Transform of the structure as it was analysed.
    box(i, frame="input", padding=4.0): volume i's docking box (a Box).
    With Analyzer(descriptors=True) (or analyze(..., descriptors=True)) also: descriptors()
        (depth, hydropathy, atom classes, openings per volume), lining_atoms(), lining_residues(),
        openings(i) - the README's "Descriptors" says what each is.
    render(kind) / write(kind, path): any document the library writes (volumizer's, and the
        volumes JSON, Vina boxes, PyMOL and ChimeraX scripts and OpenDX maps of `vox analyze
        --write`).
    """

    def __init__(self, analyzer, structure, handle, resolution, stats, with_descriptors=False):
        self._analyzer = analyzer
        self._with_descriptors = with_descriptors
        self.structure = structure
        self._structure_generation = structure._generation
        self._h = handle
        self._finalizer = _finalizer(self, _free_handle, lib.vox_result_free, handle)
        self.resolution = resolution
        ptr = handle.value
        # every vox_volume straight into one record array: the Volume objects and the table are
        # made from it when first asked for
        n = lib.vox_result_count(ptr)
        self._recs = recs = np.empty(n, dtype=_lib.VOLUME_DTYPE)
        if n:  # one call: records at our stride (the first record's size says it)
            recs["size"][0] = _lib.VOLUME_DTYPE.itemsize
            lib.vox_result_volumes(ptr, 0, n, recs.ctypes.data)
        dims = (ctypes.c_int * 3)()
        res = ctypes.c_double()
        lib.vox_result_grid(ptr, dims, _byref(res))
        self.grid_dims = tuple(dims)
        # {"seconds": {stage: s}, "atoms", "points", "voxels", "buried_voxels", "components", "dims"}
        self.stats = stats
        self._table = None
        self._volumes = None

    @property
    def volumes(self):
        """Every volume as a Volume (a list, made on first use)."""
        if self._volumes is None:
            r = self._recs
            nan = float("nan")
            circ = np.where(r["has_circularity"] != 0, r["circularity"], nan).tolist()
            unif = np.where(r["has_uniformity"] != 0, r["uniformity"], nan).tolist()
            self._volumes = [
                Volume(i, _lib.VOLUME_TYPES[t], vid, nv, vol, x, y, z, tuple(c), None if ci != ci else ci,
                       None if u != u else u, ns)
                for i, (t, vid, nv, vol, x, y, z, c, ci, u, ns) in enumerate(zip(
                    r["type"].tolist(), r["id"].tolist(), r["num_voxels"].tolist(), r["volume"].tolist(),
                    r["x"].tolist(), r["y"].tolist(), r["z"].tolist(), r["centre"].tolist(), circ, unif,
                    r["num_surface_voxels"].tolist()))]
        return self._volumes

    @property
    def _ptr(self):
        return self._h.value

    def __len__(self):
        return self._recs.shape[0]

    def __iter__(self):
        return iter(self.volumes)

    def __reduce_ex__(self, protocol):
        _not_picklable(self, "send what it gives instead (.table, .volumes, voxels(i), render(kind))")

    __copy__ = _shallow_copy

    def __repr__(self):
        counts = {}
        for v in self.volumes:
            counts[v.type] = counts.get(v.type, 0) + 1
        return f"<vox.Result {self.structure.label!r} at {self.resolution} Å: {counts or 'no volumes'}>"

    @property
    def transform(self):
        """The Transform (input -> aligned frame) of the structure when it was analysed: the
        result's own, which Structure.set_coords() on a later frame does not change."""
        return _transform(lib.vox_result_transform, self._ptr)

    @property
    def table(self):
        """volumizer's annotation table as a pandas DataFrame: columns id, type, volume (Å^3), x, y, z
        (axial lengths, Å), cross_section_circularity, cross_section_uniformity (undefined values
        as volumizer's concatenation of one table per type gives them: NaN in a float64 column, or
        None in an object column where pandas makes one); hubs included, occluded groups not; no
        columns at all when there are no rows (as volumizer).  Built on first use; the same
        DataFrame every time."""
        if self._table is None:
            pd = _pandas()
            r = self._recs[self._recs["type"] != _lib.OCCLUDED]
            if not len(r):
                self._table = pd.DataFrame()
            else:
                nan = np.nan
                # fresh arrays, so copy=False; the dict's order is the columns' (columns= would reindex);
                # to_json writes NaN as null, as volumizer's None
                self._table = pd.DataFrame({
                    "id": r["id"].astype(np.int64),
                    "type": _TYPE_NAMES[r["type"]],
                    "volume": r["volume"].copy(),
                    "x": r["x"].copy(),
                    "y": r["y"].copy(),
                    "z": r["z"].copy(),
                    "cross_section_circularity": np.where(r["has_circularity"] != 0, r["circularity"], nan),
                    "cross_section_uniformity": np.where(r["has_uniformity"] != 0, r["uniformity"], nan),
                }, copy=False)
                defined = {"cross_section_circularity": r["has_circularity"] != 0,
                           "cross_section_uniformity": r["has_uniformity"] != 0}
                for c, none_types in _volumizer_object_columns(pd, r["type"], defined).items():
                    self._table[c] = _as_object(r["type"], none_types, self._table[c].to_numpy())
        return self._table

    def _index(self, i):
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise invalid(f"volume index must be an int, got {type(i).__name__}")
        n = len(self)
        if not -n <= i < n:
            raise invalid(f"volume index {i} out of range: the result has {n} volumes")
        return int(i) % n

    def voxels(self, i, frame="aligned"):
        """Voxel centres (Å) of volume i as an (n, 3) float32 array, ascending flat index; frame
        "aligned" (the analysed frame, default) or "input" (mapped back to the caller's frame)."""
        i = self._index(i)
        _descriptors.frame_code(frame)  # (checked: "aligned" or "input")
        out = np.empty((int(self._recs["num_voxels"][i]), 3), dtype=np.float32)
        st = lib.vox_result_voxels(self._ptr, i, out.ctypes.data, None)
        if st:
            _lib.fail(st)
        if frame == "input":
            lib.vox_transform_to_input(_byref(self.transform._t), out.ctypes.data, out.shape[0])
        return out

    def surface(self, i):
        """Surface flags of volume i's voxels as a bool array, parallel to voxels(i)."""
        i = self._index(i)
        n = int(self._recs["num_voxels"][i])
        xyz = np.empty((n, 3), dtype=np.float32)
        flags = np.empty(n, dtype=np.uint8)
        st = lib.vox_result_voxels(self._ptr, i, xyz.ctypes.data, flags.ctypes.data)
        if st:
            _lib.fail(st)
        return flags.astype(bool)

    def pseudo_atoms(self):
        """volumizer's annotation structure as a pandas DataFrame, one row per voxel: res_name
        (HUB/POR/POK/CAV/OCC), res_id (the volume's id), atom_name = element (F/O/N/S/H), chain
        (volumizer's choice avoiding the protein's chains), x, y, z (aligned frame), b_factor
        (50.0 surface, else 0.0).  Order: hubs by id, then pores, pockets, cavities, occluded."""
        pd = _pandas()
        used = set(self.structure.atoms()["chain"].tolist()) - {""}
        chains = {}
        for t, (_, _, default) in _PSEUDO.items():
            if not used or default not in used:
                c = default
            else:
                c = next((k for k in _CHAIN_POOL if k not in used), default)
            chains[t] = c
            if used:
                used.add(c)
        cols = {k: [] for k in ("res_name", "res_id", "atom_name", "element", "chain", "x", "y", "z", "b_factor")}
        for t in _PSEUDO:
            for v in sorted((v for v in self.volumes if v.type == t), key=lambda v: v.id):
                xyz, surf = self.voxels(v.index), self.surface(v.index)
                res, atom, _ = _PSEUDO[t]
                n = len(xyz)
                cols["res_name"] += [res] * n
                cols["res_id"] += [v.id] * n
                cols["atom_name"] += [atom] * n
                cols["element"] += [atom] * n
                cols["chain"] += [chains[t]] * n
                cols["x"] += xyz[:, 0].tolist()
                cols["y"] += xyz[:, 1].tolist()
                cols["z"] += xyz[:, 2].tolist()
                cols["b_factor"] += np.where(surf, 50.0, 0.0).tolist()
        df = pd.DataFrame(cols)
        # (the name columns stated: a result without volumes would have float64 ones)
        return df.astype({"res_name": object, "res_id": np.int64, "atom_name": object, "element": object,
                          "chain": object, "x": np.float32, "y": np.float32, "z": np.float32, "b_factor": np.float64})

    def secondary_structure(self):
        """P-SEA fractions (alpha, beta, coil) of the analysed structure; NaN where undefined."""
        with self.structure._use:
            if self.structure._generation != self._structure_generation:
                raise invalid("the structure changed after the result was computed (set_coords): ask for "
                              "secondary_structure() before changing it, or analyse it again")
            return self.structure.secondary_structure()

    # -- descriptors and boxes (README "Descriptors"; _descriptors.py) ----------------------

    def box(self, i, frame="input", padding=4.0):
        """The box holding volume i's voxel cubes grown by padding Å on every side, as a Box (lo, hi,
        centre, size): frame "input" (the structure's own coordinates, what a docking program
        reads; default) or "aligned".  Needs no descriptors."""
        return _descriptors.box(self, i, frame, padding)

    def descriptors(self):
        """A pandas DataFrame, one row per volume (Result.volumes order, occluded groups too):
        index, id, type, volume (Å^3), depth_max and depth_mean (Å to the nearest bulk solvent),
        hydropathy (mean Kyte-Doolittle of the lining residues; NaN when none has a value),
        apolar_fraction, polar_fraction, charged_fraction (of the lining atoms), num_lining_atoms,
        num_lining_residues, num_openings (<NA> for occluded groups, never classified) and
        opening_area (Å^2; NaN for occluded groups)."""
        return _descriptors.table(self)

    def lining_atoms(self, volume=None):
        """A pandas DataFrame of the atoms lining each volume (or only volume, an index): volume,
        id, type, atom (index in the analysed structure), input_index (in the file or arrays
        given: an AtomGroup's position; for a biological assembly built from a file, in the
        assembly's atoms, the copies of its chains one after another: assembly_policy="asymmetric"
        indexes the file's own atom records), chain, res_id, ins_code, res_name, atom_name,
        element; each volume's atoms ascending."""
        return _descriptors.lining_atoms(self, volume)

    def lining_residues(self, volume=None):
        """A pandas DataFrame of the residues lining each volume (or only volume), in structure
        order: volume, id, type, atom and input_index (the residue's first atom), chain, res_id,
        ins_code, res_name."""
        return _descriptors.lining_residues(self, volume)

    def openings(self, i):
        """The areas (Å^2) of volume i's openings, largest first, as a float64 array (None for an
        occluded group)."""
        return _descriptors.openings(self, i)

    def _payload(self, source, input_path, output_structure_cif, include_hubs, path=None):
        label = self.structure.label if source is None else source
        if output_structure_cif is None:
            d = os.fsdecode(os.path.dirname(os.fspath(path))) if path is not None else ""
            output_structure_cif = os.path.join(d, f"{label}.annotated.cif")
        info = _lib.PayloadInfo()
        lib.vox_payload_info_init(_byref(info))
        keep = [_text(label, "source"),
                _text(self.structure.input_path if input_path is None else input_path, "input_path"),
                _text(output_structure_cif, "output_structure_cif")]
        info.source, info.input_path, info.output_structure_cif = keep
        info.backend = b"native"
        info.include_hubs = 1 if _flag(include_hubs, "include_hubs") else 0
        return info, keep

    def _render_params(self, doc, include_hubs, source, input_path, output_structure_cif, volume, box_padding,
                       frame, structure_file, path=None):
        """The vox_render_params of one document, and the buffers they point into (kept alive by
        the caller for the call)."""
        params = _lib.RenderParams()
        lib.vox_render_params_init(_byref(params))
        params.include_hubs = 1 if _flag(include_hubs, "include_hubs") else 0
        if doc in _NEEDS_DESCRIPTORS and not self._with_descriptors:
            raise invalid(f"{_KIND_NAMES[doc]} needs descriptors: analyse with Analyzer(descriptors=True) or "
                          "analyze(..., descriptors=True)")
        keep = []
        if doc == _lib.DOCUMENT["annotation"]:
            info, keep = self._payload(source, input_path, output_structure_cif, include_hubs, path)
            params.payload = ctypes.pointer(info)
            keep.append(info)
        per_volume = doc in (_lib.DOCUMENT["vina"], _lib.DOCUMENT["dx"])
        if per_volume:
            if volume is None:
                raise invalid(f"{_KIND_NAMES[doc]} is a document of one volume: give volume= (an index of "
                              "Result.volumes)")
            params.volume = self._index(volume)
        elif volume is not None:
            raise invalid(f"volume= goes with the documents of one volume (vina, dx), not {_KIND_NAMES[doc]}")
        params.box_padding = _descriptors.padding_value(box_padding, "box_padding")
        # the frame written: volumizer's aligned frame for its documents, the caller's own for the
        # boxes and maps (as `vox analyze --write` writes them); for the scripts, the frame of the
        # structure file they open (the annotated CIF that render("cif") gives: aligned)
        if frame is None:
            frame = "input" if per_volume else "aligned"
        params.output_frame = _descriptors.frame_code(frame)
        if doc == _lib.DOCUMENT["volumes-json"]:
            b = _text(self.structure.label if source is None else source, "source")
            keep.append(b)
            params.source = b
        if doc in (_lib.DOCUMENT["pymol"], _lib.DOCUMENT["chimerax"]):
            if structure_file is None:
                # <label>.annotated.cif beside the script, as `vox analyze` writes both (a label that
                # starts with '-' would read as an option: it goes through ./)
                label = self.structure.label
                structure_file = ("./" if label.startswith("-") else "") + f"{label}.annotated.cif"
            b = _text(structure_file, "structure_file")
            keep.append(b)
            params.structure_file = b
        return params, keep

    def render(self, kind="df-json", *, include_hubs=False, source=None, input_path=None,
               output_structure_cif=None, volume=None, box_padding=4.0, frame=None, structure_file=None):
        """One document as a string (a byte of the input that is not UTF-8 is a lone surrogate:
        .encode("utf-8", "surrogateescape") gives the bytes write() writes).  kind:

        "df-json"      volumizer's table, annotation_df.to_json()
        "annotation"   the CLI payload <label>.annotation.json (source, input_path and
                       output_structure_cif default to the structure's label, its input path and
                       "<label>.annotated.cif"; hubs only with include_hubs, as `vox analyze`)
        "pdb"          volumizer's annotated PDB (protein, END, every group's pseudo-atoms, END)
        "cif"          the annotated mmCIF of `vox analyze` (HUB pseudo-atoms only with include_hubs)
        "volumes-json" every volume with its descriptors, lining residues and atoms and boxes
                       (source: the label written, default the structure's; box_padding Å)
        "vina"         an AutoDock Vina box (center_x ... size_z) of volume= (an index)
        "dx"           an OpenDX map of volume= (1 in its voxels, 0 around them)
        "pymol"        a PyMOL script (.pml) that opens structure_file (default
                       "<label>.annotated.cif", as write("cif") and `vox analyze` name it) and shows
                       each volume and its lining residues in the input frame
        "chimerax"     the same as a ChimeraX command file (.cxc)

        frame: the frame of the coordinates written, "aligned" or "input"; default "aligned" for
        pdb and cif (volumizer's), "input" for vina and dx (what a docking program or viewer reads
        with the user's file); for pymol and chimerax, the frame of structure_file (default
        "aligned").  volumes-json, pymol and chimerax need descriptors."""
        doc = _document(kind)
        params, _keep = self._render_params(doc, include_hubs, source, input_path, output_structure_cif, volume,
                                            box_padding, frame, structure_file)
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        with self.structure._use:
            self._analyzer._call(lib.vox_render, doc, self.structure._ptr, self._ptr, _byref(params), _byref(out),
                                 _byref(n))
        try:
            # a byte of the input that is not UTF-8 (a Latin-1 chain or insertion code) is written
            # through, as `vox analyze` writes it: here a lone surrogate, as os.fsdecode gives
            return ctypes.string_at(out.value, n.value).decode("utf-8", "surrogateescape")
        finally:
            lib.vox_free(out)

    def write(self, kind, path, *, include_hubs=False, source=None, input_path=None, output_structure_cif=None,
              volume=None, box_padding=4.0, frame=None, structure_file=None):
        """Writes one document (kinds and keywords as render()) to path atomically: a temporary
        file in the same folder, fsync, rename; on error nothing is left at path."""
        doc = _document(kind)
        params, _keep = self._render_params(doc, include_hubs, source, input_path, output_structure_cif, volume,
                                            box_padding, frame, structure_file, path)
        p = _text(path, "path")
        with self.structure._use:  # the documents that read the structure (see Structure._use)
            self._analyzer._call(lib.vox_write_document, doc, self.structure._ptr, self._ptr, _byref(params), p)


_KIND_NAMES = {code: name for name, code in _lib.DOCUMENT.items()}
_NEEDS_DESCRIPTORS = (_lib.DOCUMENT["volumes-json"], _lib.DOCUMENT["pymol"], _lib.DOCUMENT["chimerax"])


def _document(kind):
    k = {"payload": "annotation", "df_json": "df-json", "json": "df-json", "volumes_json": "volumes-json"}.get(kind, kind)
    if k not in _lib.DOCUMENT:
        raise invalid(f"unknown document kind {kind!r}: expected one of {', '.join(_lib.DOCUMENT)}")
    return _lib.DOCUMENT[k]


def _volumizer_object_columns(pd, types, defined):
    """The cross-section columns volumizer's table has as object, not float64, each with the types
    whose rows all lack its value ({column: types}): volumizer builds one
    DataFrame per type (hubs, pores, cavities, pockets) with pd.DataFrame.from_dict, where a type
    whose rows all lack a value has an object column of None, then pd.concat()s them; whether
    the result is object or float64 is pandas' own rule (it depends on the frames' other columns
    and changed between versions), so it is asked of this pandas with frames of the same columns
    and dtypes, one row each.  defined: {column: bool array per row}."""
    present = [t for t in (_lib.HUB, _lib.PORE, _lib.CAVITY, _lib.POCKET) if (types == t).any()]
    none_of = {c: [t for t in present if not d[types == t].any()] for c, d in defined.items()}
    if not any(none_of.values()):
        return {}
    frames = []
    for t in present:
        cols = {"id": np.array([0], dtype=np.int64), "type": np.array([_TYPE_NAMES[t]], dtype=object)}
        cols.update({k: np.array([1.0]) for k in ("volume", "x", "y", "z")})
        cols.update({c: np.array([None], dtype=object) if t in none_of[c] else np.array([1.0]) for c in defined})
        frames.append(pd.DataFrame(cols))
    with warnings.catch_warnings():  # (pandas 2.1+ warns that this rule is to change)
        warnings.simplefilter("ignore")
        joined = pd.concat(frames, ignore_index=True)
    return {c: none_of[c] for c in defined if none_of[c] and joined[c].dtype == object}


def _as_object(types, none_types, values):
    """A float column as volumizer's object one: Python floats (NaN where a type has some values
    but not this row's), None in the rows of none_types, the types that have none."""
    out = values.astype(object)
    out[np.isin(types, none_types)] = None
    return out


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("this vox function returns a pandas DataFrame: install pandas "
                          "(Debian: apt-get install python3-pandas)") from None
    return pandas


def _unexpected_keywords(source, atoms):
    return invalid(f"unexpected keyword argument{'s' if len(atoms) > 1 else ''} "
                   f"{', '.join(k + '=' for k in sorted(atoms))} with a {type(source).__name__}: the atom arrays "
                   "(element=, atom_name=, res_name=, res_id=, chain=, ins_code=, hetero=, box=) go with an (n, 3) "
                   "coordinate array only")


def _is_mdanalysis(obj):
    return type(obj).__module__.split(".")[0] == "MDAnalysis"


# libvox's threads are OpenMP's: GCC's runtime (libgomp) cannot run a parallel region with more than
# one thread in a process forked after it started its threads (the region waits forever for them).
# A process forked after a context with several threads existed here gets one thread per context.
_forks = {"threaded": False, "child": False, "warned": False}


class _ForkSafeLock:
    """A lock (threading.Lock, or RLock with reentrant=True) that a forked child gets anew: one
    held at the fork by another thread of the parent (an analysis running while the process
    forks) would stay held in the child, where that thread does not exist, and every call
    waiting for it would wait forever."""

    def __init__(self, reentrant=False):
        self._new = threading.RLock if reentrant else threading.Lock
        self._lock = self._new()
        _fork_safe_locks.add(self)

    def __enter__(self):
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()

    def locked(self):
        """Whether a thread holds it (a Lock's locked(); for an RLock, whether it can be taken now)."""
        lock = self._lock
        if hasattr(lock, "locked"):
            return lock.locked()
        if lock.acquire(blocking=False):
            lock.release()
            return False
        return True


_fork_safe_locks = weakref.WeakSet()


def _after_fork_in_child():
    if _forks["threaded"]:
        _forks["child"] = True
    for lock in list(_fork_safe_locks):  # the child has one thread now: nobody holds them here
        lock._lock = lock._new()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _create_ctx(o, inherited=False):
    """A new vox_ctx with the options o, or the exception of the library's reason.  inherited: for
    an Analyzer made before this process was forked (one thread there, without a word)."""
    h = ctypes.c_void_p()
    if _forks["child"] and o.threads != 1:
        if o.threads > 1 and not inherited and not _forks["warned"]:
            _forks["warned"] = True
            warnings.warn(f"vox: threads={o.threads} in a process forked after vox ran threads: OpenMP cannot "
                          "start threads here, so each context runs one thread (the multiprocessing start "
                          "methods 'spawn' and 'forkserver' allow more)", RuntimeWarning, stacklevel=4)
        o = _lib.Options.from_buffer_copy(o)  # (its strings stay the caller's, alive meanwhile)
        o.threads = 1
    # a failed vox_ctx_create has no context to hold its detail: it writes it here
    detail = ctypes.create_string_buffer(_lib.DETAIL_SIZE)
    o.error_detail, o.error_detail_size = ctypes.addressof(detail), len(detail)
    try:
        st = lib.vox_ctx_create(_byref(h), _byref(o))
    finally:
        o.error_detail, o.error_detail_size = None, 0
    if st:
        _lib.fail(st, text=detail.value.decode("utf-8", "replace"))
    if lib.vox_ctx_threads(h) > 1:
        _forks["threaded"] = True
    return h.value


class Analyzer:
    """One libvox context with its settings, reused for any number of analyses.

        a = vox.Analyzer(resolution=2.0, threads=1)
        r = a.analyze("4jpn.pdb")           # a path, bytes, coordinates + atom arrays, or an MDAnalysis AtomGroup
        print(r.table)

    Context settings: threads (None: $VOX_THREADS, else one per core), isa (None: detection, or
    "scalar", "avx2", "avx512", "neon"), profile (None: the default search for a voxtune profile,
    "" for none, or a path; one named here or by $VOX_PROFILE that cannot be used gives a
    RuntimeWarning with the reason, and the defaults), bind ("auto", "cores", "pus", "none"),
    max_grid_voxels.
    Preparation: align (principal axes, default True), keep_non_protein, md_residue_names (None:
    on for MDAnalysis input, off otherwise), assembly_policy ("biological", "asymmetric",
    "auto"; for files).  Analysis, as volumizer and `vox analyze`: resolution (voxel edge, Å, default
    3.0), min_voxels (4), min_volume (Å^3, None), surface_connectivity ("custom18", "6", "18", "26"),
    merge_mouth_gap_voxels (1; negative disables merging), enable_necked_pocket_cavity (True);
    descriptors (False): also compute each volume's lining atoms and residues, depth, hydropathy,
    atom classes and openings (Result.descriptors() and the README's "Descriptors"; they cost
    about a fifth more analysis time, nothing when off; the volumes are the same either way).

    An Analyzer may be used from several threads (its calls take turns); for parallel work use
    one Analyzer per thread: the library runs without the GIL, so they run at the same time.
    Processes: an Analyzer made before a fork (multiprocessing's "fork" start method) makes its own
    context in the child on first use; there, as in any process forked after vox ran threads,
    each context runs one thread (OpenMP cannot start threads in such a child).
    """

    def __init__(self, resolution=3.0, *, threads=None, isa=None, profile=None, bind=None, max_grid_voxels=None,
                 align=True, keep_non_protein=False, md_residue_names=None, assembly_policy="biological",
                 min_voxels=4, min_volume=None, surface_connectivity="custom18", merge_mouth_gap_voxels=1,
                 enable_necked_pocket_cavity=True, descriptors=False):
        self._lock = _ForkSafeLock()
        self._h = ctypes.c_void_p()
        o = _lib.Options()
        lib.vox_options_init(_byref(o))
        self._keep = []
        if threads is not None:
            t = _number(threads, "threads", int)
            if t < 0:
                raise invalid(f"threads must be 0 (automatic) or more, got {t}")
            o.threads = t
        self._max_grid_given = max_grid_voxels is not None  # (trajectories: the limit then replaces the growth one)
        if max_grid_voxels is not None:
            o.max_grid_voxels = _number(max_grid_voxels, "max_grid_voxels", int, 1, (1 << 64) - 1)
        for field, value in (("isa", isa), ("profile", profile), ("bind", bind)):
            if value is not None:
                b = _text(value, field if field != "profile" else "path")
                self._keep.append(b)
                setattr(o, field, b)
        self._configure(resolution, align, keep_non_protein, md_residue_names, assembly_policy, min_voxels,
                        min_volume, surface_connectivity, merge_mouth_gap_voxels, enable_necked_pocket_cavity,
                        descriptors)
        self._options = o  # kept: a process forked from this one makes its own context with them
        self._h.value = _create_ctx(o)
        # the process that owns the context (a list shared with the _derive()d Analyzers)
        self._pid = [os.getpid()]
        self._finalizer = _finalizer(self, _destroy_ctx, self._h, self._pid)
        # a profile named (profile=, else $VOX_PROFILE) and not used: a warning, as `vox analyze` gives
        # (the library itself says nothing unless verbose); the defaults give the same results
        env_profile = os.environ.get("VOX_PROFILE")
        named = profile if profile is not None else env_profile
        ps = lib.vox_ctx_profile_status(self._h)
        if named and ps not in (0, 1):  # neither VOX_PROFILE_EXACT nor VOX_PROFILE_PARTIAL
            name = lib.vox_profile_status_name(ps).decode("utf-8", "replace")
            detail = (lib.vox_ctx_profile_detail(self._h) or b"").decode("utf-8", "replace")
            warnings.warn(f"vox: {'profile ' if profile is not None else 'VOX_PROFILE='}{named}: {name}: {detail}; "
                          "using the default settings", RuntimeWarning, stacklevel=2)

    def _configure(self, resolution, align, keep_non_protein, md_residue_names, assembly_policy, min_voxels,
                   min_volume, surface_connectivity, merge_mouth_gap_voxels, enable_necked_pocket_cavity,
                   descriptors=False):
        """Checks and stores the preparation and analysis settings (values the library checks,
        such as a negative resolution, are left to it: its message names them)."""
        self.align = _flag(align, "align")
        self.keep_non_protein = _flag(keep_non_protein, "keep_non_protein")
        if md_residue_names is not None:
            md_residue_names = _flag(md_residue_names, "md_residue_names")
        self.md_residue_names = md_residue_names
        if assembly_policy not in _lib.ASSEMBLY:
            raise invalid(f"assembly_policy must be one of {', '.join(_lib.ASSEMBLY)}, got {assembly_policy!r}")
        self.assembly_policy = assembly_policy
        self._params = _lib.AnalyzeParams()
        lib.vox_analyze_params_init(_byref(self._params))
        p = self._params
        p.resolution = _number(resolution, "resolution")
        p.min_voxels = _number(min_voxels, "min_voxels", int) if min_voxels is not None else 0
        if min_volume is not None:
            p.has_min_volume, p.min_volume = 1, _number(min_volume, "min_volume")
        sc = str(surface_connectivity)
        if sc not in _lib.CONNECTIVITY:
            raise invalid(f"surface_connectivity must be custom18, 6, 18 or 26, got {surface_connectivity!r}")
        p.connectivity = _lib.CONNECTIVITY[sc]
        p.merge_mouth_gap = _number(merge_mouth_gap_voxels, "merge_mouth_gap_voxels", int)
        p.neck_refinement = 1 if _flag(enable_necked_pocket_cavity, "enable_necked_pocket_cavity") else 0
        p.descriptors = 1 if _flag(descriptors, "descriptors") else 0

    def _derive(self, resolution=3.0, align=True, keep_non_protein=False, md_residue_names=None,
                assembly_policy="biological", min_voxels=4, min_volume=None, surface_connectivity="custom18",
                merge_mouth_gap_voxels=1, enable_necked_pocket_cavity=True):
        """An Analyzer on this one's context (same lock, same lifetime) with other settings."""
        d = Analyzer.__new__(Analyzer)
        d._lock, d._h, d._keep, d._finalizer, d._parent = self._lock, self._h, self._keep, self._finalizer, self
        d._options, d._pid, d._max_grid_given = self._options, self._pid, self._max_grid_given
        d._configure(resolution, align, keep_non_protein, md_residue_names, assembly_policy, min_voxels, min_volume,
                     surface_connectivity, merge_mouth_gap_voxels, enable_necked_pocket_cavity)
        return d

    # -- the context ---------------------------------------------------------------------

    @property
    def _ctx(self):
        if not self._finalizer.alive:
            raise Error("this vox.Analyzer was closed")
        if self._pid[0] != os.getpid():
            # made before this process was forked (a module-level Analyzer, volumize_pdb's cache,
            # multiprocessing's fork workers): the parent's context would wait forever for worker
            # threads that are not here; this process gets its own, with the same settings
            self._h.value = _create_ctx(self._options, inherited=True)
            self._pid[0] = os.getpid()
        return self._h.value

    def _call(self, fn, *args, context=None):
        """Calls a library function that takes the context first, one thread at a time, and turns
        a failure into the matching exception."""
        with self._lock:
            ctx = self._ctx
            st = fn(ctx, *args)
            if st:
                _lib.fail(st, ctx, context)

    def close(self):
        """Destroys the context now (otherwise when the Analyzer and its results are gone)."""
        with self._lock:
            self._finalizer()

    def __enter__(self):
        return self

    def __reduce_ex__(self, protocol):
        _not_picklable(self, "make one vox.Analyzer in each process (or thread) with the same settings")

    __copy__ = _shallow_copy

    def __exit__(self, *exc):
        self.close()

    @property
    def resolution(self):
        return self._params.resolution

    def describe(self):
        """One line: the ISA and kernels this context runs."""
        with self._lock:
            return lib.vox_ctx_describe(self._ctx).decode()

    @property
    def isa(self):
        with self._lock:
            return lib.vox_ctx_isa(self._ctx).decode()

    @property
    def threads(self):
        with self._lock:
            return lib.vox_ctx_threads(self._ctx)

    @property
    def batch_split(self):
        """How to split this machine for many small structures, as `vox analyze` of several files
        does: {"jobs", "threads_per_job", "measured"} - voxtune's measured split from the profile
        (measured True), else one job of every thread.  For a pool of workers, each with its own
        Analyzer(threads=threads_per_job)."""
        jobs, per_job = ctypes.c_int(), ctypes.c_int()
        with self._lock:
            measured = lib.vox_ctx_batch_split(self._ctx, _byref(jobs), _byref(per_job))
        return {"jobs": jobs.value, "threads_per_job": per_job.value, "measured": bool(measured)}

    def _stats_locked(self, ctx):
        s = _lib.Stats()
        s.size = ctypes.sizeof(s)
        lib.vox_ctx_get_stats(ctx, _byref(s))
        return {"seconds": {lib.vox_stage_name(i).decode(): s.seconds[i] for i in range(_lib.STAGE_COUNT)},
                "atoms": s.atoms, "points": s.points, "voxels": s.voxels, "buried_voxels": s.buried_voxels,
                "components": s.components, "dims": tuple(s.dims)}

    # -- structures ----------------------------------------------------------------------

    def _prepare_params(self, md):
        pp = _lib.PrepareParams()
        lib.vox_prepare_params_init(_byref(pp))
        pp.align = 1 if self.align else 0
        pp.keep_non_protein = 1 if self.keep_non_protein else 0
        pp.md_residue_names = 1 if md else 0
        return pp

    def _new_structure(self, make, label, input_path, md, prepare=True, align=None, frame_signs=0):
        h = ctypes.c_void_p()
        make(h)
        s = Structure(self, h, label, input_path)
        if prepare:
            pp = self._prepare_params(md)
            pp.frame_signs = frame_signs
            if align is not None:
                pp.align = 1 if align else 0
            self._call(lib.vox_prepare, s._ptr, _byref(pp))
        return s

    def load(self, source, *, name=None, **atoms):
        """Loads and prepares a structure (cleaning, then alignment unless align=False) and returns
        it as a Structure, which analyze() takes.  source: a path (PDB or mmCIF, gzip too), bytes
        (the file's content; name is used in messages), an (n, 3) coordinate array with the atom
        arrays as keywords (element, atom_name, res_name, res_id; optional chain, ins_code,
        hetero, box), or an MDAnalysis AtomGroup or Universe."""
        return self._load(source, name, atoms, True, None)

    def _load(self, source, name, atoms, prepare, align):
        md = self.md_residue_names
        if atoms and not isinstance(source, np.ndarray) and (
                isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview, Structure))
                or _is_mdanalysis(source)):
            # the atom-array keywords go with coordinates only: beside a file, bytes or an AtomGroup a
            # keyword (often a misspelt argument, resolutoin=) would otherwise be ignored
            raise _unexpected_keywords(source, atoms)
        if isinstance(source, (str, os.PathLike)):
            if name is not None:
                raise invalid("name= goes with bytes, coordinate arrays or an AtomGroup (it names them in messages "
                              "and labels them): a file's label is its name's stem, as in `vox analyze`")
            path = os.fspath(source)
            if isinstance(path, str) and "\n" in path and len(path) > 80 and not os.path.lexists(path):
                raise invalid(f"a path was expected, and this str of {len(path)} characters holds lines of text "
                              f"(a file's content? {path[:40]!r}...): pass the content as bytes (text.encode(), "
                              "with name= for messages) or the file's path")
            p = _text(path, "path")
            lp = self._load_params()
            return self._new_structure(lambda h: self._call(lib.vox_load_file, p, _byref(lp), _byref(h)),
                                       make_label(path), path, bool(md), prepare, align)
        if isinstance(source, (bytes, bytearray, memoryview)):
            buf = bytes(source) if not isinstance(source, bytes) else source
            if not buf:
                raise invalid("the structure data is empty")
            if len(buf) < 4096 and b"\n" not in buf and b"\0" not in buf and os.path.isfile(buf):
                raise invalid(f"bytes are a structure file's content, and these name a file ({buf!r}): "
                              "pass the path as str or pathlib.Path (os.fsdecode)")
            nm = _text(name or "<bytes>", "name")
            lp = self._load_params()
            return self._new_structure(
                lambda h: self._call(lib.vox_load_buffer, buf, len(buf), nm, _byref(lp), _byref(h)),
                make_label(name) if name else "structure", name or "", bool(md), prepare, align)
        if _is_mdanalysis(source):
            from . import _mda
            ag, positions = _mda.atomgroup(source)
            buffers = _mda.atom_buffers(ag, positions=positions)
            label = make_label(_text(name, "name")) if name else _mda.label(ag)
            s = self._from_buffers(buffers, label, True if md is None else md, prepare, align)
            s._input_positions = positions
            return s
        if isinstance(source, Structure):
            raise invalid("this Structure is already loaded: pass it to analyze()")
        if atoms or isinstance(source, np.ndarray):
            unknown = set(atoms) - {"element", "atom_name", "res_name", "res_id", "chain", "ins_code", "hetero", "box"}
            if unknown:
                raise invalid(f"unknown atom arrays: {', '.join(sorted(unknown))}")
            missing = [k for k in ("element", "atom_name", "res_name", "res_id") if atoms.get(k) is None]
            if missing:
                raise invalid("coordinates need the atom arrays " + ", ".join(missing) +
                              " (keywords: element=, atom_name=, res_name=, res_id=, optional chain=, ins_code=, "
                              "hetero=, box=)")
            buffers = _arrays.AtomBuffers(source, **atoms)
            # labelled as bytes of that name are (the label goes into file names and scripts)
            label = make_label(_text(name, "name")) if name else "structure"
            return self._from_buffers(buffers, label, bool(md), prepare, align)
        raise invalid(f"cannot analyse a {type(source).__name__}: expected a path, bytes, an (n, 3) coordinate "
                      "array with atom arrays, an MDAnalysis AtomGroup, or a vox.Structure")

    def _from_buffers(self, buffers, label, md, prepare, align, frame_signs=0):
        return self._new_structure(
            lambda h: self._call(lib.vox_structure_from_arrays, _byref(buffers.arrays), _byref(h)),
            label, "", md, prepare, align, frame_signs)

    def _load_params(self):
        lp = _lib.LoadParams()
        lib.vox_load_params_init(_byref(lp))
        lp.assembly = _lib.ASSEMBLY[self.assembly_policy]
        return lp

    # -- analysis ------------------------------------------------------------------------

    def analyze(self, source, *, resolution=None, descriptors=None, name=None, **atoms):
        """Analyses a structure and returns a Result.  source is what load() takes, or a
        Structure from load(); resolution and descriptors override the Analyzer's for this call."""
        # (a Structure is plain data: one loaded by another Analyzer may be analysed here)
        if isinstance(source, Structure):
            if atoms:
                raise _unexpected_keywords(source, atoms)
            s = source
        else:
            s = self._load(source, name, atoms, True, None)
        params = self._params
        if resolution is not None or descriptors is not None:
            params = _lib.AnalyzeParams.from_buffer_copy(self._params)
            if resolution is not None:
                params.resolution = _number(resolution, "resolution")
            if descriptors is not None:
                params.descriptors = 1 if _flag(descriptors, "descriptors") else 0
        h = ctypes.c_void_p()
        # the structure first (see Structure._use), then the analysis and its stage timings, with no
        # other call in between
        with s._use:
            with self._lock:
                ctx = self._ctx
                st = lib.vox_analyze(ctx, s._ptr, _byref(params), _byref(h))
                if st:
                    _lib.fail(st, ctx)
                stats = self._stats_locked(ctx)
            # (still holding the structure: the Result records the coordinates it was computed from)
            return Result(self, s, h, params.resolution, stats, params.descriptors != 0)

    def __repr__(self):
        if not self._finalizer.alive:
            return f"<vox.Analyzer resolution={self.resolution} Å (closed)>"
        return f"<vox.Analyzer resolution={self.resolution} Å isa={self.isa} threads={self.threads}>"
