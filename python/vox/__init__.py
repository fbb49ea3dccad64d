"""vox - occluded volumes (cavities, pockets, pores, hubs) of protein structures, from Python.

A thin layer over libvox (the C library of the vox project, through ctypes): the numbers and
tables are volumizer's, byte for byte, at C speed.  NumPy is required; pandas is needed by the
functions that return DataFrames, MDAnalysis only to pass its Universes and AtomGroups.

volumizer's API (a drop-in for scripts written against volumizer):

    annotation_df, structure, result = vox.volumize_pdb("4jpn.pdb")      # resolution=3.0, align=True
    vox.set_resolution(2.0)                                               # as volumizer.utils.set_resolution

The Pythonic API - one Analyzer (one library context) reused for many analyses:

    a = vox.Analyzer(resolution=2.0, threads=1)
    r = a.analyze("4jpn.pdb")       # or bytes, or coords + atom arrays, or an MDAnalysis AtomGroup
    r.table                         # volumizer's pandas table
    r.volumes[0].volume, r.voxels(0), r.surface(0), r.transform
    r.render("cif"); r.write("annotation", "out/4jpn.annotation.json")
    r.box(0)                        # docking box of volume 0 in the file's frame (a Box)

Descriptors (lining atoms and residues, depth, hydropathy, openings) and the viewer exports:

    r = vox.Analyzer(resolution=2.0, descriptors=True).analyze("4jpn.pdb")
    r.descriptors(); r.lining_residues(0); r.write("pymol", "4jpn.pml")

Trajectories (one prepared structure, new coordinates per frame, in-process):

    u = MDAnalysis.Universe("top.pdb", "traj.dcd")
    frames = vox.analyze_trajectory(u, select="protein", align="each", step=10)

Errors are exceptions derived from vox.Error, one class per library status (ParseError,
GridTooLargeError, ...), carrying the library's detail (file, line, field).  Arguments are
checked in Python before the library sees them: wrong types, dtypes and shapes raise
InvalidArgumentError.  The library runs without the GIL: threads with their own Analyzer run
in parallel.  The shared library is found through $VOX_LIBRARY, then the path recorded by
`meson install`, then the system's search path.
"""
import numpy as _numpy  # noqa: F401  (required: fail early, with the standard message, if missing)

from ._errors import (AssemblyError, DecompressError, EmptyGridError, Error, FileError, FormatError,
                      GridTooLargeError, InternalError, InvalidArgumentError, ISAUnavailableError, ISAUnknownError,
                      NoAtomsError, OutOfMemoryError, ParseError, TooFewAtomsError)
from ._lib import lib as _clib, library_path
from ._core import Analyzer, Result, Structure, Transform, Volume, make_label
from ._descriptors import Box
from ._trajectory import FRAME_COLUMNS, FRAME_DESCRIPTOR_COLUMNS, TRACK_COLUMNS, analyze_trajectory, write_frames_csv
from ._volumizer import get_resolution, set_resolution, volumize_pdb

__version__ = _clib.vox_version().decode()


def available_isas():
    """The instruction sets this CPU and build can run, best last (e.g. ["scalar", "avx2"])."""
    return _clib.vox_available_isas().decode().split(",")


def cpu_features():
    """The CPU features the library detected (e.g. ["sse2", "avx2", "fma", ...])."""
    s = _clib.vox_cpu_features().decode()
    return s.split(",") if s else []


__all__ = [
    "Analyzer", "Result", "Structure", "Transform", "Volume", "Box", "volumize_pdb", "set_resolution", "get_resolution",
    "analyze_trajectory", "write_frames_csv", "FRAME_COLUMNS", "FRAME_DESCRIPTOR_COLUMNS", "TRACK_COLUMNS", "make_label", "available_isas", "cpu_features",
    "library_path", "Error", "InvalidArgumentError", "OutOfMemoryError", "FileError", "ParseError", "FormatError",
    "NoAtomsError", "TooFewAtomsError", "GridTooLargeError", "EmptyGridError", "ISAUnavailableError",
    "ISAUnknownError", "DecompressError", "AssemblyError", "InternalError",
]
