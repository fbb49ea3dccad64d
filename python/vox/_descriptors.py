"""_descriptors.py - a Result's per-volume descriptors (lining atoms and residues, depth,
hydropathy, atom classes, openings) and docking boxes as pandas tables and NumPy arrays.

The library computes them in vox_analyze when asked (Analyzer(descriptors=True)); the rules are
the README's ("Descriptors").  This module only reads them out: one call per volume for the
numbers, one per volume for its atom and residue lists, and the names from the structure the
result was analysed from (the indices are that structure's atoms).
"""
import ctypes
import dataclasses

import numpy as np

from . import _lib
from ._errors import Error, invalid

lib = _lib.lib
_byref = ctypes.byref

FRAMES = {"aligned": 0, "input": 1}

DESCRIPTOR_COLUMNS = ["index", "id", "type", "volume", "depth_max", "depth_mean", "hydropathy", "apolar_fraction",
                      "polar_fraction", "charged_fraction", "num_lining_atoms", "num_lining_residues", "num_openings",
                      "opening_area"]
LINING_COLUMNS = ["volume", "id", "type", "atom", "input_index", "chain", "res_id", "ins_code", "res_name",
                  "atom_name", "element"]
RESIDUE_COLUMNS = ["volume", "id", "type", "atom", "input_index", "chain", "res_id", "ins_code", "res_name"]


def frame_code(frame, what="frame"):
    if frame not in FRAMES:
        raise invalid(f"{what} must be 'aligned' or 'input', got {frame!r}")
    return FRAMES[frame]


@dataclasses.dataclass(frozen=True, eq=False)  # (== of arrays is element-wise: compare fields)
class Box:
    """An axis-parallel box holding a volume's voxel cubes grown by padding Å on every side, in frame
    ("input": the structure's own file or arrays, what a docking program reads; "aligned": the
    analysis grid's axes).  lo, hi, centre and size are (3,) float64 arrays in Å (size = hi - lo).
    Result.render("vina", volume=i) writes the same box as an AutoDock Vina configuration."""
    frame: str
    padding: float
    lo: np.ndarray
    hi: np.ndarray
    centre: np.ndarray
    size: np.ndarray


def padding_value(padding, what="padding"):
    """A box padding in Å as the library takes it: finite, 0 to 1e6 (-0 is 0, which the boxes and
    the Vina comment print as 0)."""
    from ._core import _number  # (the argument checks shared with the Analyzer)
    p = _number(padding, what)
    if not 0.0 <= p <= 1e6:
        raise invalid(f"{what} must be 0 to 1e6 Å, got {p!r}")
    return p + 0.0


def box(result, i, frame, padding):
    i = result._index(i)
    code = frame_code(frame)
    pad = padding_value(padding)
    b = _lib.Box()
    b.size = ctypes.sizeof(b)
    st = lib.vox_result_box(result._ptr, i, code, pad, _byref(b))
    if st:
        _lib.fail(st)
    return Box(frame, pad, np.array(b.lo[:]), np.array(b.hi[:]), np.array(b.centre[:]), np.array(b.extent[:]))


def _require(result):
    if not result._with_descriptors:
        raise Error("this result was analysed without descriptors: use vox.Analyzer(descriptors=True) or "
                    "analyze(..., descriptors=True)")


def _one(result, i):
    d = _lib.Descriptors()
    d.size = ctypes.sizeof(d)
    st = lib.vox_result_descriptors(result._ptr, i, _byref(d))
    if st:
        _lib.fail(st)
    return d


def table(result):
    """One row per volume (Result.volumes order, occluded groups included)."""
    from ._core import _pandas
    pd = _pandas()
    _require(result)
    vols = result.volumes
    rows = [_one(result, v.index) for v in vols]
    nan = np.nan
    occluded = [v.type == "occluded" for v in vols]
    return pd.DataFrame({
        "index": np.array([v.index for v in vols], dtype=np.int64),
        "id": np.array([v.id for v in vols], dtype=np.int64),
        "type": np.array([v.type for v in vols], dtype=object),
        "volume": np.array([v.volume for v in vols], dtype=np.float64),
        "depth_max": np.array([d.depth_max for d in rows], dtype=np.float64),
        "depth_mean": np.array([d.depth_mean for d in rows], dtype=np.float64),
        "hydropathy": np.array([d.hydropathy if d.has_hydropathy else nan for d in rows], dtype=np.float64),
        "apolar_fraction": np.array([d.apolar_fraction for d in rows], dtype=np.float64),
        "polar_fraction": np.array([d.polar_fraction for d in rows], dtype=np.float64),
        "charged_fraction": np.array([d.charged_fraction for d in rows], dtype=np.float64),
        "num_lining_atoms": np.array([d.num_lining_atoms for d in rows], dtype=np.int64),
        "num_lining_residues": np.array([d.num_lining_residues for d in rows], dtype=np.int64),
        # occluded groups are never classified: no openings at all, not zero of them
        "num_openings": pd.array([None if o else d.num_openings for d, o in zip(rows, occluded)], dtype="Int64"),
        "opening_area": np.array([nan if o else d.opening_area for d, o in zip(rows, occluded)], dtype=np.float64),
    }, columns=DESCRIPTOR_COLUMNS)


def openings(result, i):
    """The area (Å²) of each opening of volume i, largest first; None for an occluded group."""
    _require(result)
    i = result._index(i)
    if result.volumes[i].type == "occluded":
        return None
    n = lib.vox_result_openings(result._ptr, i, None)
    out = np.empty(n, dtype=np.float64)
    if n:
        lib.vox_result_openings(result._ptr, i, out.ctypes.data)
    return out


def _indices(result, i, count_of):
    n = count_of(result._ptr, i, None)
    out = np.empty(n, dtype=np.uintp)
    if n:
        count_of(result._ptr, i, out.ctypes.data)
    return out


def _volumes_asked(result, volume):
    return list(result.volumes) if volume is None else [result.volumes[result._index(volume)]]


def _atom_rows(result, volume, count_of, names):
    """The rows of every volume asked for: the volume's columns, then each atom's from the
    structure (names: the atom columns wanted)."""
    from ._core import _pandas
    pd = _pandas()
    _require(result)
    vols = _volumes_asked(result, volume)
    per = [_indices(result, v.index, count_of) for v in vols]
    atoms = np.concatenate(per) if per else np.empty(0, dtype=np.uintp)
    counts = [len(p) for p in per]
    info = result.structure._annotations()
    cols = {
        "volume": np.repeat(np.array([v.index for v in vols], dtype=np.int64), counts),
        "id": np.repeat(np.array([v.id for v in vols], dtype=np.int64), counts),
        "type": np.repeat(np.array([v.type for v in vols], dtype=object), counts),
        "atom": atoms.astype(np.int64),
    }
    for k in names:
        cols[k] = info[k][atoms]
    return pd.DataFrame(cols)


def lining_atoms(result, volume=None):
    return _atom_rows(result, volume, lib.vox_result_lining_atoms, LINING_COLUMNS[4:])


def lining_residues(result, volume=None):
    return _atom_rows(result, volume, lib.vox_result_lining_residues, RESIDUE_COLUMNS[4:])
