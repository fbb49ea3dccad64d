"""_lib.py - the ctypes binding of libvox: finding the shared library, the C structs of
include/vox/vox.h, the function prototypes, and turning a vox_status into an exception.

Every foreign call goes through ctypes.CDLL, which releases the GIL for the duration of the
call, so Python threads with separate contexts run the library in parallel.
"""
import ctypes
import ctypes.util
import os

import numpy as np

from . import _errors

# ---------------------------------------------------------------------------------------
# Finding libvox: $VOX_LIBRARY (set by `meson devenv` and the tests), then the path that
# `meson install` recorded, then the dynamic linker's search path.


def _candidates():
    env = os.environ.get("VOX_LIBRARY")
    if env:
        return [env], "VOX_LIBRARY=" + env
    found = []
    try:
        from . import _installed  # written by meson at install time
        found.append(_installed.LIBRARY)
    except ImportError:
        pass
    name = ctypes.util.find_library("vox")
    found.append(name or "libvox.so.0")
    return found, "tried " + ", ".join(found)


def _load():
    paths, how = _candidates()
    errors = []
    for p in paths:
        try:
            return ctypes.CDLL(p), p
        except OSError as e:
            errors.append(str(e))
    raise ImportError("vox: cannot load the libvox shared library (" + how + "): " + "; ".join(errors) +
                      ". Build it with meson, then use `meson devenv -C build` or set VOX_LIBRARY to libvox.so.")


lib, library_path = _load()

# ---------------------------------------------------------------------------------------
# C structs, field by field as in vox.h (ctypes lays them out with the C ABI's alignment).

c_size_t, c_int, c_double, c_void_p, c_char_p = ctypes.c_size_t, ctypes.c_int, ctypes.c_double, ctypes.c_void_p, ctypes.c_char_p


class Options(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("isa", c_char_p), ("max_grid_voxels", ctypes.c_uint64), ("verbose", c_int),
                ("log", c_void_p), ("log_cookie", c_void_p), ("threads", c_int), ("bind", c_char_p),
                ("profile", c_char_p), ("profile_json", c_char_p), ("error_detail", c_void_p),
                ("error_detail_size", c_size_t)]


class LoadParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("assembly", c_int), ("max_input_bytes", ctypes.c_uint64)]


class AtomArrays(ctypes.Structure):
    # pointers as plain addresses: the Python side passes NumPy buffers it keeps alive
    _fields_ = [("size", c_size_t), ("count", c_size_t), ("xyz", c_void_p), ("element", c_void_p),
                ("atom_name", c_void_p), ("res_name", c_void_p), ("res_id", c_void_p), ("ins_code", c_void_p),
                ("chain", c_void_p), ("hetero", c_void_p), ("box", c_void_p), ("input_number", c_void_p)]


class AtomInfo(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("xyz", ctypes.c_float * 3), ("res_id", ctypes.c_int32), ("ins_code", ctypes.c_char),
                ("hetero", ctypes.c_uint8), ("element", ctypes.c_char * 4), ("atom_name", ctypes.c_char * 8),
                ("res_name", ctypes.c_char * 8), ("chain", ctypes.c_char * 8), ("input_index", c_size_t)]


class Transform(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("rotation", (c_double * 3) * 3), ("centroid", c_double * 3)]


class PrepareParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("keep_non_protein", c_int), ("align", c_int), ("md_residue_names", c_int),
                ("reserved", c_int), ("frame_signs", c_int)]


class FrameInfo(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("index", ctypes.c_int64), ("has_time", c_int), ("time_ps", c_double),
                ("has_box", c_int), ("box", ctypes.c_float * 9), ("offset", ctypes.c_uint64), ("has_step", c_int),
                ("step", ctypes.c_int64)]


class AnalyzeParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("resolution", c_double), ("min_voxels", c_int), ("has_min_volume", c_int),
                ("min_volume", c_double), ("connectivity", c_int), ("merge_mouth_gap", c_int),
                ("neck_refinement", c_int), ("has_grid", c_int), ("grid_origin", c_double * 3),
                ("grid_dims", c_int * 3), ("descriptors", c_int), ("max_grid_voxels", ctypes.c_uint64)]


class Volume(ctypes.Structure):
    # an output struct: the caller sets size (how much the library may fill)
    _fields_ = [("size", c_size_t), ("type", c_int), ("id", c_int), ("num_voxels", c_size_t), ("volume", c_double), ("x", c_double),
                ("y", c_double), ("z", c_double), ("centre", c_double * 3), ("has_circularity", c_int),
                ("circularity", c_double), ("has_uniformity", c_int), ("uniformity", c_double),
                ("num_surface_voxels", c_size_t)]


# the same record as a NumPy dtype: vox_volume arrays written by the library in place
VOLUME_DTYPE = np.dtype(Volume)


class Descriptors(ctypes.Structure):
    # an output struct: the caller sets size
    _fields_ = [("size", c_size_t), ("depth_max", c_double), ("depth_mean", c_double), ("num_lining_atoms", c_size_t),
                ("num_lining_residues", c_size_t), ("has_hydropathy", c_int), ("hydropathy", c_double),
                ("apolar_fraction", c_double), ("polar_fraction", c_double), ("charged_fraction", c_double),
                ("has_openings", c_int), ("num_openings", c_size_t), ("opening_area", c_double)]


class Box(ctypes.Structure):
    # an output struct: the caller sets size
    _fields_ = [("size", c_size_t), ("lo", c_double * 3), ("hi", c_double * 3), ("centre", c_double * 3),
                ("extent", c_double * 3)]


class PayloadInfo(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("source", c_char_p), ("input_path", c_char_p),
                ("output_structure_cif", c_char_p), ("backend", c_char_p), ("include_hubs", c_int)]


class RenderParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("payload", ctypes.POINTER(PayloadInfo)), ("include_hubs", c_int),
                ("output_frame", c_int), ("volume", c_size_t), ("box_padding", c_double), ("structure_file", c_char_p),
                ("source", c_char_p)]


class ReferenceParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("fit", c_int), ("frame_signs", c_int)]


class TrackerParams(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("resolution", c_double), ("origin", c_double * 3), ("max_gap", c_int),
                ("occupancy", c_int)]


class Track(ctypes.Structure):
    # an output struct: the caller sets size
    _fields_ = [("size", c_size_t), ("id", c_int), ("types", ctypes.c_uint), ("frames_present", ctypes.c_int64),
                ("fraction", c_double), ("first_frame", ctypes.c_int64), ("last_frame", ctypes.c_int64),
                ("volume_mean", c_double), ("volume_sd", c_double), ("volume_min", c_double),
                ("volume_max", c_double)]


TRACK_DTYPE = np.dtype(Track)

STAGE_COUNT = 8


class Stats(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("seconds", c_double * STAGE_COUNT), ("atoms", ctypes.c_uint64), ("points", ctypes.c_uint64),
                ("voxels", ctypes.c_uint64), ("buried_voxels", ctypes.c_uint64), ("components", ctypes.c_uint64),
                ("dims", c_int * 3)]


# enum values (vox.h)
ASSEMBLY = {"biological": 0, "asymmetric": 1, "auto": 2}
CONNECTIVITY = {"custom18": 0, "6": 6, "18": 18, "26": 26}
DOCUMENT = {"df-json": 0, "annotation": 1, "pdb": 2, "cif": 3, "volumes-json": 4, "vina": 5, "pymol": 6, "chimerax": 7,
            "dx": 8}
FIT = {"heavy": 0, "ca": 1}
FRAME_SIGNS = {"volumizer": 0, "canonical": 1}
VOLUME_TYPES = ("hub", "pore", "pocket", "cavity", "occluded")
HUB, PORE, POCKET, CAVITY, OCCLUDED = range(5)

# ---------------------------------------------------------------------------------------
# Prototypes.  Handles (vox_ctx *, vox_structure *, ...) travel as void pointers.

P = ctypes.POINTER
_protos = {
    "vox_strerror": (c_char_p, [c_int]),
    "vox_version": (c_char_p, []),
    "vox_version_number": (ctypes.c_uint, []),
    "vox_options_init": (None, [P(Options)]),
    "vox_ctx_create": (c_int, [P(c_void_p), P(Options)]),
    "vox_ctx_destroy": (None, [P(c_void_p)]),
    "vox_ctx_last_error_detail": (c_char_p, [c_void_p]),
    "vox_ctx_describe": (c_char_p, [c_void_p]),
    "vox_ctx_isa": (c_char_p, [c_void_p]),
    "vox_ctx_threads": (c_int, [c_void_p]),
    "vox_ctx_batch_split": (c_int, [c_void_p, P(c_int), P(c_int)]),
    "vox_available_isas": (c_char_p, []),
    "vox_cpu_features": (c_char_p, []),
    "vox_ctx_profile_status": (c_int, [c_void_p]),
    "vox_ctx_profile_detail": (c_char_p, [c_void_p]),
    "vox_profile_status_name": (c_char_p, [c_int]),
    "vox_stage_name": (c_char_p, [c_int]),
    "vox_ctx_get_stats": (c_int, [c_void_p, P(Stats)]),
    "vox_load_params_init": (None, [P(LoadParams)]),
    "vox_load_file": (c_int, [c_void_p, c_char_p, P(LoadParams), P(c_void_p)]),
    "vox_load_buffer": (c_int, [c_void_p, c_void_p, c_size_t, c_char_p, P(LoadParams), P(c_void_p)]),
    "vox_structure_free": (None, [P(c_void_p)]),
    "vox_structure_atom_count": (c_size_t, [c_void_p]),
    "vox_structure_coords": (None, [c_void_p, c_void_p]),
    "vox_atom_arrays_init": (None, [P(AtomArrays)]),
    "vox_structure_from_arrays": (c_int, [c_void_p, P(AtomArrays), P(c_void_p)]),
    "vox_structure_atom": (c_int, [c_void_p, c_size_t, P(AtomInfo)]),
    "vox_structure_box": (c_int, [c_void_p, c_void_p]),
    "vox_structure_input_atom_count": (c_size_t, [c_void_p]),
    "vox_structure_transform": (c_int, [c_void_p, P(Transform)]),
    "vox_transform_to_input": (None, [P(Transform), c_void_p, c_size_t]),
    "vox_structure_kept_atoms": (c_size_t, [c_void_p, c_void_p]),
    "vox_structure_set_coords": (c_int, [c_void_p, c_void_p, c_void_p, c_size_t]),
    "vox_prepare_params_init": (None, [P(PrepareParams)]),
    "vox_prepare": (c_int, [c_void_p, c_void_p, P(PrepareParams)]),
    "vox_frames_open": (c_int, [c_void_p, c_char_p, P(c_void_p)]),
    "vox_frames_atom_count": (c_size_t, [c_void_p]),
    "vox_frames_check_atoms": (c_int, [c_void_p, c_void_p, c_void_p, c_char_p]),
    "vox_frames_format": (c_char_p, [c_void_p]),
    "vox_frames_next": (c_int, [c_void_p, c_void_p, c_void_p, P(FrameInfo), P(c_int)]),
    "vox_frames_skip": (c_int, [c_void_p, c_void_p, P(FrameInfo), P(c_int)]),
    "vox_frames_close": (None, [P(c_void_p)]),
    "vox_analyze_params_init": (None, [P(AnalyzeParams)]),
    "vox_volume_type_name": (c_char_p, [c_int]),
    "vox_analyze": (c_int, [c_void_p, c_void_p, P(AnalyzeParams), P(c_void_p)]),
    "vox_result_free": (None, [P(c_void_p)]),
    "vox_result_count": (c_size_t, [c_void_p]),
    "vox_result_volume": (c_int, [c_void_p, c_size_t, c_void_p]),
    "vox_result_volumes": (c_size_t, [c_void_p, c_size_t, c_size_t, c_void_p]),
    "vox_result_voxels": (c_int, [c_void_p, c_size_t, c_void_p, c_void_p]),
    "vox_result_grid": (None, [c_void_p, c_void_p, P(c_double)]),
    "vox_result_lattice": (c_int, [c_void_p, P(AnalyzeParams)]),
    "vox_result_transform": (c_int, [c_void_p, P(Transform)]),
    "vox_reference_params_init": (None, [P(ReferenceParams)]),
    "vox_reference_create": (c_int, [c_void_p, c_void_p, c_void_p, c_size_t, P(ReferenceParams), P(c_void_p)]),
    "vox_reference_apply": (c_int, [c_void_p, c_void_p, c_void_p, c_size_t, c_int, c_void_p]),
    "vox_reference_transform": (c_int, [c_void_p, P(Transform)]),
    "vox_reference_free": (None, [P(c_void_p)]),
    "vox_tracker_params_init": (None, [P(TrackerParams)]),
    "vox_tracker_create": (c_int, [c_void_p, P(TrackerParams), P(c_void_p)]),
    "vox_tracker_free": (None, [P(c_void_p)]),
    "vox_tracker_add": (c_int, [c_void_p, c_void_p, ctypes.c_int64, c_void_p, c_void_p]),
    "vox_tracker_track_count": (c_size_t, [c_void_p]),
    "vox_tracker_track": (c_int, [c_void_p, c_size_t, P(Track)]),
    "vox_tracker_tracks": (c_size_t, [c_void_p, c_size_t, c_size_t, c_void_p]),
    "vox_write_df_json": (c_int, [c_void_p, c_void_p, c_char_p]),
    "vox_payload_info_init": (None, [P(PayloadInfo)]),
    "vox_write_annotation_payload": (c_int, [c_void_p, c_void_p, c_void_p, P(PayloadInfo), c_char_p]),
    "vox_write_annotated_pdb": (c_int, [c_void_p, c_void_p, c_void_p, c_char_p]),
    "vox_write_annotated_cif": (c_int, [c_void_p, c_void_p, c_void_p, c_int, c_char_p]),
    "vox_render": (c_int, [c_void_p, c_int, c_void_p, c_void_p, P(RenderParams), P(c_void_p), P(c_size_t)]),
    "vox_free": (None, [c_void_p]),
    "vox_render_params_init": (None, [P(RenderParams)]),
    "vox_write_document": (c_int, [c_void_p, c_int, c_void_p, c_void_p, P(RenderParams), c_char_p]),
    "vox_result_descriptors": (c_int, [c_void_p, c_size_t, P(Descriptors)]),
    "vox_result_lining_atoms": (c_size_t, [c_void_p, c_size_t, c_void_p]),
    "vox_result_lining_residues": (c_size_t, [c_void_p, c_size_t, c_void_p]),
    "vox_result_openings": (c_size_t, [c_void_p, c_size_t, c_void_p]),
    "vox_result_box": (c_int, [c_void_p, c_size_t, c_int, c_double, P(Box)]),
    "vox_secondary_structure": (c_int, [c_void_p, c_void_p, P(c_double), P(c_double), P(c_double)]),
}
for _name, (_res, _args) in _protos.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        raise ImportError(f"vox: {library_path} lacks {_name}: the library is older than this package") from None
    _f.restype = _res
    _f.argtypes = _args


def _check_struct_sizes():
    """The structs that carry a size field are filled by the library's init functions: if the
    library's sizeof differs from ours, this package and libvox disagree on vox.h."""
    for cls, init in ((Options, lib.vox_options_init), (LoadParams, lib.vox_load_params_init),
                      (AtomArrays, lib.vox_atom_arrays_init), (PrepareParams, lib.vox_prepare_params_init),
                      (AnalyzeParams, lib.vox_analyze_params_init), (PayloadInfo, lib.vox_payload_info_init),
                      (RenderParams, lib.vox_render_params_init),
                      (ReferenceParams, lib.vox_reference_params_init), (TrackerParams, lib.vox_tracker_params_init)):
        probe = (ctypes.c_char * (ctypes.sizeof(cls) + 64))()
        init(ctypes.cast(probe, P(cls)))
        size = c_size_t.from_buffer(probe).value
        if size != ctypes.sizeof(cls):
            raise ImportError(f"vox: {library_path}: sizeof({cls.__name__}) is {size} in the library, "
                              f"{ctypes.sizeof(cls)} in this package (mismatched vox.h)")


_check_struct_sizes()

# ---------------------------------------------------------------------------------------
# Errors


# room for any detail: the library's own detail buffer (vox_ctx) holds 1024 bytes
DETAIL_SIZE = 1024


def strerror(status):
    return lib.vox_strerror(status).decode("utf-8", "replace")


def detail(ctx):
    d = lib.vox_ctx_last_error_detail(ctx) if ctx else None
    return d.decode("utf-8", "replace") if d else ""


# The library's details advise the options of `vox analyze`; a Python caller is told the
# argument that sets the same thing.
_PYTHON_ARGUMENTS = {"--max-grid-voxels": "vox.Analyzer(max_grid_voxels=N)",
                     # the one limit of a call the package sets: analyze_trajectory's bound on a frame's grid
                     "(vox_analyze_params.max_grid_voxels)": "(analyze_trajectory's: 64 times the first frame's grid, "
                     "which a coordinate far from the rest exceeds; vox.Analyzer(max_grid_voxels=N) sets a limit of "
                     "its own instead)",
                     "--assembly-policy asymmetric": "vox.Analyzer(assembly_policy=\"asymmetric\")"}


def fail(status, ctx=None, context=None, text=""):
    """Raises the exception of a vox_status, with the library's detail (file, line, field): the
    context's, or text where there is no context to ask (vox_options.error_detail)."""
    d = detail(ctx) or text
    for option, argument in _PYTHON_ARGUMENTS.items():
        d = d.replace(option, argument)
    raise _errors.from_status(status, d or strerror(status), d, context)
