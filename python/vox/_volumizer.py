"""_volumizer.py - volumizer's library API on vox: volumize_pdb() and utils.set_resolution()."""
import os
import threading

from . import _core
from ._errors import invalid

_DEFAULT_RESOLUTION = [3.0]  # volumizer's utils.VOXEL_SIZE: what set_resolution() changes
_local = threading.local()   # per thread: Analyzers by context settings, reused (a context costs ~25 ms)


def set_resolution(resolution):
    """The voxel size (Å) volumize_pdb() uses when it is given none, as volumizer's
    utils.set_resolution() sets it for scripts written against volumizer (default 3.0)."""
    r = _core._number(resolution, "resolution")
    if not r > 0 or r != r or r == float("inf"):
        raise invalid(f"resolution must be a positive number of angstroms, got {resolution!r}")
    _DEFAULT_RESOLUTION[0] = r


def get_resolution():
    """The voxel size set by set_resolution() (3.0 unless changed)."""
    return _DEFAULT_RESOLUTION[0]


def _context(threads, isa, profile):
    cache = getattr(_local, "analyzers", None)
    if cache is None:
        cache = _local.analyzers = {}
    for value, what in ((isa, "isa"), (profile, "profile")):
        if value is not None and not isinstance(value, (str, bytes, os.PathLike)):  # (the key must hash)
            raise invalid(f"{what} must be a string or a path, got {type(value).__name__}")
    key = (threads, isa, profile)
    a = cache.get(key)
    if a is None:
        a = cache[key] = _core.Analyzer(threads=threads, isa=isa, profile=profile)
    return a


def volumize_pdb(pdb_file, resolution=None, align=True, *, assembly_policy="biological", min_voxels=4,
                 min_volume=None, enable_necked_pocket_cavity=True, surface_connectivity="custom18",
                 merge_mouth_gap_voxels=1, keep_non_protein=False, stage_timings=None, threads=None, isa=None,
                 profile=None):
    """volumizer.volumize_pdb: loads, cleans, aligns and analyses a PDB or mmCIF file.

    Returns (annotation_df, prepared_structure, annotation) as volumizer does:
      annotation_df       volumizer's pandas table (volume in Å^3; x, y, z: axial lengths in
                          Å); annotation_df.to_json() is byte-identical to volumizer's (hubs
                          included, occluded groups not);
      prepared_structure  the cleaned, aligned vox.Structure (volumizer gives a biotite
                          AtomArray; biotite is not needed here);
      annotation          the vox.Result; annotation.pseudo_atoms() is volumizer's annotation
                          structure (one pseudo-atom per voxel) and annotation.render("pdb")
                          volumizer's annotated PDB.

    resolution: voxel size in Å (None: set_resolution()'s value, 3.0 by default).  align=False
    analyses the coordinates as they are (volumizer's own prepared frames give its tables exactly).
    volumizer's options: assembly_policy ("biological", "asymmetric", "auto"), min_voxels,
    min_volume (Å^3), enable_necked_pocket_cavity, surface_connectivity ("custom18", "6", "18", "26"),
    merge_mouth_gap_voxels, keep_non_protein, and stage_timings (a dict, filled with seconds per
    stage).  threads, isa and profile choose the context (one per thread and setting, reused).
    """
    if stage_timings is not None and not isinstance(stage_timings, dict):
        raise invalid(f"stage_timings must be a dict or None, got {type(stage_timings).__name__}")
    a = _context(threads, isa, profile)._derive(
        _DEFAULT_RESOLUTION[0] if resolution is None else resolution, align, keep_non_protein, False,
        assembly_policy, min_voxels, min_volume, surface_connectivity, merge_mouth_gap_voxels,
        enable_necked_pocket_cavity)
    structure = a.load(pdb_file)
    result = a.analyze(structure)
    if stage_timings is not None:  # load and prepare are kept by the context until the next load
        stage_timings.update(result.stats["seconds"])
    return result.table, structure, result
