/* vox/vox.h - public C API of libvox: occluded volumes (cavities, pockets,
 * pores, hubs) of protein structures on a voxel grid, with the results of
 * the Python tool volumizer (native semantics).
 *
 * Typical use:
 *
 *     vox_options o;            vox_options_init(&o);
 *     vox_ctx *ctx;             vox_ctx_create(&ctx, &o);
 *     vox_structure *s;         vox_load_file(ctx, "4jpn.pdb", NULL, &s);
 *     vox_prepare(ctx, s, NULL);                 // clean + align
 *     vox_result *r;            vox_analyze(ctx, s, NULL, &r);
 *     for (size_t i = 0; i < vox_result_count(r); i++) { vox_volume v; vox_result_volume(r, i, &v); ... }
 *     vox_write_df_json(ctx, r, "4jpn.df.json");
 *     vox_result_free(&r); vox_structure_free(&s); vox_ctx_destroy(&ctx);
 *
 * Thread safety: a vox_ctx may be used by one thread at a time; different
 * contexts may be used concurrently from different threads.  Structures and
 * results are plain data: once built they may be read from any number of
 * threads at once, and passed between contexts.  The library keeps no
 * mutable global state apart from what is discovered once per process
 * (thread-safely, by the first context) and read-only afterwards: the CPU
 * features and the machine's hwloc topology; and a count of the contexts
 * alive, which decides the default threads and binding (vox_options.threads).
 *
 * Errors: every call that can fail returns a vox_status (VOX_OK == 0,
 * errors negative).  A human-readable detail (file, line, field and what
 * was expected) is kept in the context: vox_ctx_last_error_detail().
 * The library never aborts and never prints, except to the logger callback
 * (or stderr when VOX_VERBOSE=1 and no logger is set).
 */
#ifndef VOX_VOX_H
#define VOX_VOX_H

#include <stddef.h>
#include <stdint.h>

#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VOX_BUILDING_LIBRARY) && defined(__GNUC__)
#define VOX_API __attribute__((visibility("default")))
#else
#define VOX_API
#endif

/* ------------------------------------------------------------------ */
/* Status codes.  Values are fixed forever once released.             */

typedef enum vox_status {
    VOX_OK = 0,
    VOX_E_INVALID_ARG = -1,      /* a parameter is out of range or NULL */
    VOX_E_NOMEM = -2,            /* an allocation failed */
    VOX_E_IO = -3,               /* a file could not be read or written */
    VOX_E_PARSE = -4,            /* malformed structure file (detail names file and line) */
    VOX_E_FORMAT = -5,           /* unknown or unsupported file format */
    VOX_E_NO_ATOMS = -6,         /* no atoms left (e.g. no protein after cleaning) */
    VOX_E_TOO_FEW_ATOMS = -7,    /* alignment needs at least 3 atoms */
    VOX_E_GRID_TOO_LARGE = -8,   /* grid would exceed the voxel limit */
    VOX_E_EMPTY_GRID = -9,       /* an axis of the grid has zero voxels */
    VOX_E_ISA_UNAVAILABLE = -10, /* the requested ISA is not supported by this CPU/build */
    VOX_E_ISA_UNKNOWN = -11,     /* the requested ISA name is not known */
    VOX_E_DECOMPRESS = -12,      /* corrupt or truncated gzip data */
    VOX_E_ASSEMBLY = -13,        /* the assembly description cannot be applied */
    VOX_E_INTERNAL = -14         /* a bug in vox: please report it */
} vox_status;

/* Static, never NULL description of a status code. */
VOX_API const char *vox_strerror(vox_status status);

/* Library version string ("0.1.0") and number (VOX_VERSION_NUMBER of the
 * library actually linked, to compare with the header's). */
VOX_API const char *vox_version(void);
VOX_API unsigned vox_version_number(void);

/* ------------------------------------------------------------------ */
/* Context.                                                           */

typedef struct vox_ctx vox_ctx;

/* Logger: receives complete lines without the trailing newline. */
typedef void (*vox_log_fn)(void *cookie, const char *line);

typedef struct vox_options {
    size_t size;            /* = sizeof(vox_options); set by vox_options_init */
    const char *isa;        /* NULL (auto), "scalar", "avx2", "avx512" or "neon".
                               Precedence: this field, then $VOX_ISA, then detection. */
    uint64_t max_grid_voxels; /* refuse grids larger than this (0 = default, 2^31 - 1) */
    int verbose;            /* > 0: describe the context once through the logger */
    vox_log_fn log;         /* NULL: stderr; verbose lines and warnings */
    void *log_cookie;
    /* Threads (README "Threads").  Results never depend on them. */
    /* threads = 0: $VOX_THREADS, else $OMP_NUM_THREADS, else a default that
     * never oversubscribes the machine:
     *  - one per core of the calling thread's affinity mask when that mask is
     *    narrower than the machine (taskset, srun, mpirun --bind-to, or a
     *    program that gave this thread its own cores);
     *  - one per core of the machine when the context owns it: created on
     *    the process's main thread while no other context is alive (a
     *    program such as the vox CLI);
     *  - otherwise 1: a context created off the main thread, or while other
     *    contexts are alive, shares the machine with them, so it runs on the
     *    thread that calls it (give a count to use more).
     * bind: "auto" pins only a context that owns the machine (cores while
     * there are enough, else PUs), so that several contexts in one process
     * never pin threads to the same cores; "cores" or "pus" pins inside the
     * calling thread's affinity mask whatever else runs; "none" never.
     * Pinning lasts only as long as vox's own parallel regions, and nothing
     * is pinned with one thread, OMP_PROC_BIND or OMP_PLACES set, or a
     * simulated (HWLOC_SYNTHETIC / XML) topology. */
    int threads;
    const char *bind;       /* NULL: $VOX_BIND, else "auto"; or "cores", "pus", "none" */
    /* Tuning profile written by voxtune.  Precedence: profile_json, then
     * profile (a path), then $VOX_PROFILE, then $XDG_CONFIG_HOME/vox/profile.json
     * (~/.config/vox/profile.json).  "" (empty) for either: use no profile. */
    const char *profile;
    const char *profile_json;
} vox_options;

VOX_API void vox_options_init(vox_options *opts);

/* Creates a context.  On error *out is NULL.  opts may be NULL (defaults). */
VOX_API vox_status vox_ctx_create(vox_ctx **out, const vox_options *opts);
/* Destroys a context and sets *ctx to NULL.  NULL and *ctx == NULL are fine. */
VOX_API void vox_ctx_destroy(vox_ctx **ctx);

/* Detail of the last error on this context ("" when none).  Valid until the
 * next call on the context. */
VOX_API const char *vox_ctx_last_error_detail(const vox_ctx *ctx);

/* One line describing the kernels in use, e.g.
 * "isa=scalar (detected avx2; forced by VOX_ISA) kernels=scalar". */
VOX_API const char *vox_ctx_describe(const vox_ctx *ctx);
/* Name of the ISA whose kernel table this context uses. */
VOX_API const char *vox_ctx_isa(const vox_ctx *ctx);
/* Comma-separated ISAs this CPU and build can run, best last ("scalar,avx2"). */
VOX_API const char *vox_available_isas(void);
/* Comma-separated CPU features detected ("sse2,avx,avx2,fma,bmi2,avx512f,..."). */
VOX_API const char *vox_cpu_features(void);

/* How the context's tuning profile matched this machine.  Every status
 * lets the context work: the DEFAULTS_* ones use settings derived from the
 * topology (cache sizes, cores) instead of the profile. */
typedef enum vox_profile_status {
    VOX_PROFILE_EXACT = 0,             /* same machine, build and topology */
    VOX_PROFILE_PARTIAL,               /* same CPU and kernels, other topology: per-core values kept, threads re-derived */
    VOX_PROFILE_DEFAULTS_ABSENT,       /* no profile file (or "" asked) */
    VOX_PROFILE_DEFAULTS_CORRUPT,      /* unreadable, not JSON, wrong types, truncated or oversized */
    VOX_PROFILE_DEFAULTS_NEWER_SCHEMA, /* written by a newer vox */
    VOX_PROFILE_DEFAULTS_FOREIGN,      /* no entry for this CPU and kernel set */
    VOX_PROFILE_DEFAULTS_OUT_OF_RANGE  /* a value outside what this machine allows */
} vox_profile_status;

VOX_API vox_profile_status vox_ctx_profile_status(const vox_ctx *ctx);
/* "exact", "partial", "defaults (absent)", ... */
VOX_API const char *vox_profile_status_name(vox_profile_status status);
/* The profile file the context looked at ("" for JSON text or none), and
 * why it was not used ("" when it was). */
VOX_API const char *vox_ctx_profile_path(const vox_ctx *ctx);
VOX_API const char *vox_ctx_profile_detail(const vox_ctx *ctx);
/* Threads the context's parallel regions may use. */
VOX_API int vox_ctx_threads(const vox_ctx *ctx);
/* The active settings as JSON: threads, binding, topology summary, profile
 * status, and per kernel and size class the variant, tile and threads.
 * Free with vox_free.  NULL on allocation failure. */
VOX_API char *vox_ctx_settings_json(const vox_ctx *ctx);
/* This machine's and build's fingerprint as JSON (what a profile entry is
 * matched against).  Free with vox_free. */
VOX_API char *vox_ctx_fingerprint_json(const vox_ctx *ctx);

/* Stage timings of the last vox_prepare / vox_analyze on this context. */
typedef enum vox_stage {
    VOX_STAGE_LOAD = 0,      /* reading, decompressing and parsing */
    VOX_STAGE_PREPARE,       /* cleaning + alignment */
    VOX_STAGE_SHELLS,        /* shell tables, bounding box */
    VOX_STAGE_GRID,          /* point binning into the occupancy grid */
    VOX_STAGE_BURIED,        /* exposed/buried scan + first shell */
    VOX_STAGE_COMPONENTS,    /* connected components */
    VOX_STAGE_CLASSIFY,      /* topology, refinement */
    VOX_STAGE_METRICS,       /* volumes, axial lengths, cross-sections, sort */
    VOX_STAGE_COUNT
} vox_stage;

typedef struct vox_stats {
    double seconds[VOX_STAGE_COUNT];
    uint64_t atoms, points, voxels, buried_voxels, components;
    int dims[3];
} vox_stats;

VOX_API const char *vox_stage_name(vox_stage stage);
VOX_API void vox_ctx_get_stats(const vox_ctx *ctx, vox_stats *out);

/* ------------------------------------------------------------------ */
/* Structures.                                                        */

typedef struct vox_structure vox_structure;

typedef enum vox_assembly_policy {
    VOX_ASSEMBLY_BIOLOGICAL = 0, /* first biological assembly (volumizer default) */
    VOX_ASSEMBLY_ASYMMETRIC = 1, /* the deposited asymmetric unit, model 1 */
    VOX_ASSEMBLY_AUTO = 2        /* mmCIF: identity assemblies load as-is; else biological */
} vox_assembly_policy;

typedef struct vox_load_params {
    size_t size;                 /* = sizeof(vox_load_params) */
    vox_assembly_policy assembly;
} vox_load_params;

VOX_API void vox_load_params_init(vox_load_params *p);

/* Loads a PDB or mmCIF file, optionally gzip-compressed.  The format is
 * detected from the content (gzip magic, "data_" for mmCIF, PDB records),
 * the suffix only breaks ties.  params may be NULL (defaults). */
VOX_API vox_status vox_load_file(vox_ctx *ctx, const char *path,
                                 const vox_load_params *params, vox_structure **out);
/* Same from memory.  name is used in messages (may be NULL). */
VOX_API vox_status vox_load_buffer(vox_ctx *ctx, const void *data, size_t len, const char *name,
                                   const vox_load_params *params, vox_structure **out);
VOX_API void vox_structure_free(vox_structure **s);

VOX_API size_t vox_structure_atom_count(const vox_structure *s);
/* Copies the coordinates (x0,y0,z0,x1,...) into xyz[3 * atom_count]. */
VOX_API void vox_structure_coords(const vox_structure *s, float *xyz);

/* ---- Structures from memory (an MD engine's or analysis code's atoms) ---- */

/* Per-atom arrays of count atoms.  Strings are NUL-terminated; their
 * lengths are those the file formats allow (element <= 3, atom name <= 7,
 * residue name <= 7, chain <= 7 characters): longer ones are refused, never
 * truncated.  The arrays are copied: the caller keeps ownership. */
typedef struct vox_atom_arrays {
    size_t size;                  /* = sizeof(vox_atom_arrays); set by vox_atom_arrays_init */
    size_t count;                 /* atoms */
    const float *xyz;             /* 3 * count coordinates in Å (x0,y0,z0,x1,...), finite */
    const char *const *element;   /* "C", "N", "H", ... as a PDB file's columns 77-78 give them */
    const char *const *atom_name; /* "CA", "OG1", ... */
    const char *const *res_name;  /* "ALA", "HIE", ... */
    const int32_t *res_id;        /* residue numbers */
    const char *ins_code;         /* NULL: none; per atom, '\0' or ' ' = none */
    const char *const *chain;     /* NULL: "" for every atom */
    const uint8_t *hetero;        /* NULL: all ATOM records; 1 = HETATM */
    const float *box;             /* NULL: no unit cell; else 9 floats, the cell vectors as rows (Å) */
} vox_atom_arrays;

/* Zeroes p and sets p->size.  NULL is ignored. */
VOX_API void vox_atom_arrays_init(vox_atom_arrays *p);

/* Builds an unprepared structure from arrays, with no text in between.  It
 * holds what vox_load_file gives for a PDB file with the same atoms (model 1,
 * asymmetric unit): preparing and analysing it gives byte-identical outputs.
 * Errors (VOX_E_INVALID_ARG with a detail naming the atom and the field): a
 * NULL required array, count 0, a non-finite coordinate, a name too long. */
VOX_API vox_status vox_structure_from_arrays(vox_ctx *ctx, const vox_atom_arrays *atoms, vox_structure **out);

/* One atom of a structure, as it is now (after vox_prepare: the kept atoms,
 * in the aligned frame). */
typedef struct vox_atom_info {
    size_t size;           /* = sizeof(vox_atom_info), set by the caller */
    float xyz[3];
    int32_t res_id;
    char ins_code;         /* '\0': none */
    uint8_t hetero;
    char element[4];
    char atom_name[8];
    char res_name[8];
    char chain[8];
    size_t input_index;    /* the atom's index in the loaded (or given) atoms, before cleaning */
} vox_atom_info;

/* Fills out for atom index (< vox_structure_atom_count).  VOX_E_INVALID_ARG
 * for NULL arguments, an out->size of 0, or an index out of range. */
VOX_API vox_status vox_structure_atom(const vox_structure *s, size_t index, vox_atom_info *out);

/* The unit cell: 1 and box = the cell vectors as rows (Å, never rotated),
 * or 0 when the structure has none (box untouched). */
VOX_API int vox_structure_box(const vox_structure *s, float box[9]);

/* Atoms the structure had when it was loaded or built, before cleaning:
 * the length of the coordinate array vox_structure_set_coords takes. */
VOX_API size_t vox_structure_input_atom_count(const vox_structure *s);

/* A rigid transform: aligned = rotation * (input - centroid), with the
 * rotation's rows the aligned frame's axes in input coordinates.  Its
 * inverse is input = rotation^T * aligned + centroid. */
typedef struct vox_transform {
    size_t size;             /* = sizeof(vox_transform), set by the caller */
    double rotation[3][3];
    double centroid[3];
} vox_transform;

/* What vox_prepare did to the coordinates: the transform from the input
 * frame to the aligned frame (the identity before vox_prepare and with
 * align = 0).  The alignment computes in f32 as volumizer does, so applying
 * this f64 transform to an input atom reproduces its aligned coordinates to
 * within f32 rounding (about 1e-5 Å), not bit for bit. */
VOX_API vox_status vox_structure_transform(const vox_structure *s, vox_transform *out);
/* Maps n points (x,y,z triples, in place) from the aligned to the input frame. */
VOX_API void vox_transform_to_input(const vox_transform *t, float *xyz, size_t n);

/* Least-squares superposition (Kabsch): the rotation that brings the n
 * points mobile (x,y,z triples) closest to reference, as out (rotation,
 * centroid = mobile's centroid) and reference's centroid:
 * fitted = out.rotation * (mobile - out.centroid) + reference_centroid.
 * Never a reflection; the same bits on every machine.  rmsd (may be NULL)
 * receives the fit's RMSD in Å.  VOX_E_INVALID_ARG: NULL arguments or
 * n < 3. */
VOX_API vox_status vox_superpose(const float *reference, const float *mobile, size_t n, vox_transform *out,
                                 double reference_centroid[3], double *rmsd);

/* Which input atoms survived cleaning: indices[i] = input index of atom i,
 * for i < vox_structure_atom_count(s).  indices may be NULL; returns the
 * count either way (0 for NULL s). */
VOX_API size_t vox_structure_kept_atoms(const vox_structure *s, size_t *indices);

/* New coordinates, same topology (a trajectory's next frame): xyz holds
 * 3 * n input-frame coordinates of all input atoms, n ==
 * vox_structure_input_atom_count(s).  An unprepared structure takes them
 * as they are; a prepared one keeps its cleaning (the same atoms) and, if it
 * was aligned, is aligned again exactly as vox_prepare aligns, so analysing
 * it gives what loading and preparing the frame as a file gives.  Nothing is
 * allocated.  Errors: n differs (the detail names both counts), a
 * non-finite coordinate (the detail names the atom). */
VOX_API vox_status vox_structure_set_coords(vox_ctx *ctx, vox_structure *s, const float *xyz, size_t n);

/* Which principal-axis frame vox_prepare aligns onto.  The axes are the
 * same up to sign (x = largest variance, z = smallest, right-handed); the
 * signs decide which voxels the shell points fill, so results differ. */
typedef enum vox_frame_signs {
    /* volumizer's own frame, bit for bit: its alignment loop (numpy SVDs,
     * f32 rounding on the first pass, stop within 1e-5 of the identity)
     * with the SVDs computed as reference LAPACK 3.11's dgesdd computes them.
     * The signs are those volumizer gets on reference LAPACK (Debian's
     * numpy); an OpenBLAS or MKL build of numpy can give other signs. */
    VOX_FRAME_SIGNS_VOLUMIZER = 0,
    /* vox's own rule, independent of rounding noise: eigenvectors of the f64
     * covariance, third moment of x and y positive (else the largest
     * component), z = x cross y; near-equal variances keep the input axes. */
    VOX_FRAME_SIGNS_CANONICAL = 1
} vox_frame_signs;

typedef struct vox_prepare_params {
    size_t size;          /* = sizeof(vox_prepare_params) */
    int keep_non_protein; /* 1: keep waters, ligands, nucleic acids (skip the amino-acid filter) */
    int align;            /* 1 (default): centre and rotate onto the principal axes;
                             0: use the coordinates exactly as loaded */
    int md_residue_names; /* 1: residue names that MD force fields write for protonation
                             and disulfide states (AMBER CYX HIE HID HIP ASH GLH LYN CYM,
                             CHARMM HSD HSE HSP, GROMACS HISE HISD HISH HISA HISB) count as
                             amino acids.  0 (default): biotite's list only, as volumizer */
    int reserved;         /* ignored.  It fills what was padding before frame_signs was
                             added, so a caller built before it (whose size ends here)
                             never has padding bytes read as frame_signs */
    int frame_signs;      /* a vox_frame_signs: VOX_FRAME_SIGNS_VOLUMIZER (default) or
                             VOX_FRAME_SIGNS_CANONICAL; ignored with align = 0.  Callers
                             built before this field (smaller size) get the default */
} vox_prepare_params;

VOX_API void vox_prepare_params_init(vox_prepare_params *p);

/* Cleans (models joined, amino-acid filter, hydrogens removed) and aligns
 * the structure in place onto its principal axes, in the frame that
 * params->frame_signs names (default: volumizer's own, bit for bit).
 * Errors: VOX_E_NO_ATOMS (nothing left after cleaning), VOX_E_TOO_FEW_ATOMS
 * (fewer than 3 atoms to align), VOX_E_INVALID_ARG (an unknown frame_signs,
 * or an SVD that did not converge). */
VOX_API vox_status vox_prepare(vox_ctx *ctx, vox_structure *s, const vox_prepare_params *params);

/* ---- Trajectory frames ------------------------------------------------

 * A stream of coordinate frames from a trajectory file, read one frame at a
 * time (memory does not depend on the trajectory's length).  Formats,
 * recognised by content: DCD (CHARMM, NAMD, OpenMM, MDAnalysis; either byte
 * order, 32- or 64-bit record markers, with or without unit cell; files with
 * fixed atoms are refused) and XTC (GROMACS compressed coordinates, any
 * precision; Å = float32(float32(integer * float32(1 / precision)) * 10), bit
 * for bit what MDAnalysis returns).  Coordinates come in Å, in the
 * topology's atom order: give them to vox_structure_set_coords.  A vox_frames
 * is used by one thread at a time. */
typedef struct vox_frames vox_frames;

typedef struct vox_frame_info {
    size_t size;        /* = sizeof(vox_frame_info), set by the caller */
    int64_t index;      /* 0-based index of the frame in the file */
    int has_time;
    double time_ps;     /* DCD: (ISTART + index * NSAVC) * DELTA; XTC: the frame's time; in ps */
    int has_box;
    float box[9];       /* unit-cell vectors as rows, Å */
    uint64_t offset;    /* byte offset of the frame in the file */
    int has_step;
    int64_t step;       /* XTC: the MD step of the frame */
} vox_frame_info;

/* Opens a trajectory file.  Errors: VOX_E_IO (unreadable), VOX_E_FORMAT
 * (not a known trajectory format, or a DCD with fixed atoms), VOX_E_PARSE (a
 * header that makes no sense: the detail names the field and its value). */
VOX_API vox_status vox_frames_open(vox_ctx *ctx, const char *path, vox_frames **out);
VOX_API size_t vox_frames_atom_count(const vox_frames *f);
/* "dcd" or "xtc". */
VOX_API const char *vox_frames_format(const vox_frames *f);
/* Reads the next frame into xyz[3 * atom_count] (and info, unless NULL).
 * *got is 1 for a frame, 0 at the end of the file.  A truncated or corrupt
 * frame is VOX_E_PARSE with a detail naming the frame index and its byte
 * offset; the frames before it were returned intact (xyz itself may then
 * hold part of the bad frame). */
VOX_API vox_status vox_frames_next(vox_ctx *ctx, vox_frames *f, float *xyz, vox_frame_info *info, int *got);
/* Advances past the next frame without converting it (for --start/--stride). */
VOX_API vox_status vox_frames_skip(vox_ctx *ctx, vox_frames *f, vox_frame_info *info, int *got);
/* Closes the file and sets *f to NULL.  NULL and *f == NULL are fine. */
VOX_API void vox_frames_close(vox_frames **f);

/* ------------------------------------------------------------------ */
/* Analysis.                                                          */

typedef enum vox_connectivity {
    VOX_CONNECT_CUSTOM18 = 0, /* edge steps only through the support set (default) */
    VOX_CONNECT_6 = 6,
    VOX_CONNECT_18 = 18,
    VOX_CONNECT_26 = 26
} vox_connectivity;

typedef struct vox_analyze_params {
    size_t size;                   /* = sizeof(vox_analyze_params) */
    double resolution;             /* voxel edge in Å (default 3.0) */
    int min_voxels;                /* keep groups with >= this many voxels (default 4; <= 0: no filter) */
    int has_min_volume;            /* 1: also keep only groups with volume >= min_volume */
    double min_volume;             /* Å^3 */
    vox_connectivity connectivity; /* mouth connectivity (default custom18) */
    int merge_mouth_gap;           /* mouth-merge gap in voxels (default 1; < 0 disables merging) */
    int neck_refinement;           /* 1 (default): necked pockets become cavities etc. */
    /* A fixed lattice, so that a voxel means the same place in every frame of
     * a trajectory.  has_grid = 1: voxel k along axis a spans
     * grid_origin[a] + [k, k+1) * resolution, for grid_dims[a] voxels, grown
     * by whole voxels on any side where the structure does not fit
     * (vox_result_grid_origin says where the grid ended up).  0 (default):
     * the structure's own grid, built as volumizer builds it. */
    int has_grid;
    double grid_origin[3];
    int grid_dims[3];
} vox_analyze_params;

VOX_API void vox_analyze_params_init(vox_analyze_params *p);

typedef enum vox_volume_type {
    VOX_HUB = 0,
    VOX_PORE = 1,
    VOX_POCKET = 2,
    VOX_CAVITY = 3,
    VOX_OCCLUDED = 4
} vox_volume_type;

/* "hub", "pore", "pocket", "cavity", "occluded". */
VOX_API const char *vox_volume_type_name(vox_volume_type t);

typedef struct vox_result vox_result;

/* Analyses a prepared structure.  The structure is not modified. */
VOX_API vox_status vox_analyze(vox_ctx *ctx, const vox_structure *s,
                               const vox_analyze_params *params, vox_result **out);
VOX_API void vox_result_free(vox_result **r);

typedef struct vox_volume {
    vox_volume_type type;
    int id;                 /* per-type id: 0 = largest of its type */
    size_t num_voxels;
    double volume;          /* num_voxels * resolution^3 */
    double x, y, z;         /* axial lengths along the group's principal axes, x >= y >= z */
    double centre[3];       /* mean voxel centre, aligned frame */
    int has_circularity;    /* 0: the value is null */
    double circularity;
    int has_uniformity;
    double uniformity;
    size_t num_surface_voxels;
} vox_volume;

/* Volumes in table order: hub, pore, cavity and pocket rows sorted by
 * (volume desc, type name, id) as volumizer's data frame, then the occluded
 * groups (id order), which volumizer writes only as pseudo-atoms. */
VOX_API size_t vox_result_count(const vox_result *r);
VOX_API vox_status vox_result_volume(const vox_result *r, size_t index, vox_volume *out);
/* Voxel centres (x,y,z per voxel, ascending flat index) into xyz[3*num_voxels]
 * and, if surface is not NULL, 1/0 surface flags into surface[num_voxels]. */
VOX_API vox_status vox_result_voxels(const vox_result *r, size_t index, float *xyz, uint8_t *surface);
/* Grid dimensions and resolution the result was computed on. */
VOX_API void vox_result_grid(const vox_result *r, int dims[3], double *resolution);
/* The transform of the structure when it was analysed (input -> aligned
 * frame: the identity for an unaligned structure).  With
 * vox_transform_to_input it maps voxel centres and volume centres onto the
 * input frame; it stays with the result when the structure changes. */
VOX_API vox_status vox_result_transform(const vox_result *r, vox_transform *out);
/* Lower edge of voxel 0 along each axis (Å, aligned frame). */
VOX_API void vox_result_grid_origin(const vox_result *r, double origin[3]);
/* Flat grid indices (i * ny * nz + j * nz + k, ascending) of a volume's
 * voxels into flat[num_voxels]. */
VOX_API vox_status vox_result_voxel_indices(const vox_result *r, size_t index, uint32_t *flat);

/* ---- Tracking volumes across frames --------------------------------

 * Frames analysed in order on one lattice (vox_analyze_params.has_grid with
 * the same origin and resolution) are linked into tracks by voxel overlap,
 * and per voxel the tracker counts how often it is part of a volume
 * (occupancy).  The rule for splits, merges, gaps and type changes is in
 * the README ("Tracking").  Memory depends on the lattice's extent, never
 * on the number of frames.  A tracker is used by one thread at a time. */
typedef struct vox_tracker vox_tracker;

typedef struct vox_tracker_params {
    size_t size;        /* = sizeof(vox_tracker_params) */
    double resolution;  /* the frames' voxel edge (default 3.0) */
    double origin[3];   /* the lattice: voxel edges at origin + k * resolution */
    int max_gap;        /* frames a track may be missing and still continue (default 1) */
    int occupancy;      /* 1 (default): count occupancy per voxel */
} vox_tracker_params;

VOX_API void vox_tracker_params_init(vox_tracker_params *p);
VOX_API vox_status vox_tracker_create(vox_ctx *ctx, const vox_tracker_params *p, vox_tracker **out);
VOX_API void vox_tracker_free(vox_tracker **t);
/* Adds the next frame's result (frame: its index in the input, reported in
 * tracks).  track_ids (may be NULL) receives vox_result_count(r) values:
 * the track of each table row, -1 for occluded groups.  Errors:
 * VOX_E_INVALID_ARG when the result is not on the tracker's lattice. */
VOX_API vox_status vox_tracker_add(vox_ctx *ctx, vox_tracker *t, int64_t frame, const vox_result *r, int *track_ids);
VOX_API int64_t vox_tracker_frame_count(const vox_tracker *t);
VOX_API size_t vox_tracker_track_count(const vox_tracker *t);

typedef struct vox_track {
    size_t size;            /* = sizeof(vox_track), set by the caller */
    int id;                 /* 0, 1, ... in order of first appearance */
    unsigned types;         /* bit (1 << vox_volume_type) for every type seen */
    int64_t frames_present;
    double fraction;        /* frames_present / frames added */
    int64_t first_frame, last_frame;
    double volume_mean, volume_sd; /* sd: sample (n - 1); NaN with one frame */
    double volume_min, volume_max;
} vox_track;

VOX_API vox_status vox_tracker_track(const vox_tracker *t, size_t index, vox_track *out);
/* The occupancy lattice: dims, origin (lower edge of voxel 0, aligned
 * frame) and, when fraction is not NULL, per voxel (flat index as grids)
 * the fraction of frames in which it is part of a volume of type (0..3) or
 * of any type (-1). */
VOX_API vox_status vox_tracker_occupancy(const vox_tracker *t, int type, int dims[3], double origin[3], float *fraction);
/* The occupancy of type (-1: any) as an OpenDX scalar field (PyMOL, VMD,
 * ChimeraX), positions at voxel centres mapped by to_input (the first
 * frame's vox_structure_transform, so the map sits on the input frame;
 * NULL: the aligned frame).  Free *out with vox_free. */
VOX_API vox_status vox_render_occupancy_dx(vox_ctx *ctx, const vox_tracker *t, int type, const vox_transform *to_input,
                                           char **out, size_t *len);
/* The whole state as bytes (checkpoints for resuming a run on the same
 * machine), and back. */
VOX_API vox_status vox_tracker_save(const vox_tracker *t, char **out, size_t *len);
VOX_API vox_status vox_tracker_restore(vox_ctx *ctx, const char *data, size_t len, vox_tracker **out);

/* ------------------------------------------------------------------ */
/* Writers.  Files are written atomically: a temporary file in the same
 * directory, fsync, rename.  On error no file (old or partial) is left at
 * the destination path unless it existed before.                     */

/* volumizer's library table, annotation_df.to_json() (pandas columns orient). */
VOX_API vox_status vox_write_df_json(vox_ctx *ctx, const vox_result *r, const char *path);

typedef struct vox_payload_info {
    size_t size;              /* = sizeof(vox_payload_info) */
    const char *source;       /* label */
    const char *input_path;
    const char *output_structure_cif;
    const char *backend;      /* NULL: "native" */
    int include_hubs;
} vox_payload_info;

VOX_API void vox_payload_info_init(vox_payload_info *p);

/* The CLI payload <label>.annotation.json, with P-SEA secondary-structure fractions. */
VOX_API vox_status vox_write_annotation_payload(vox_ctx *ctx, const vox_structure *s,
                                                const vox_result *r, const vox_payload_info *info,
                                                const char *path);
/* Annotated PDB: the prepared protein, END, every group's pseudo-atoms, END. */
VOX_API vox_status vox_write_annotated_pdb(vox_ctx *ctx, const vox_structure *s,
                                           const vox_result *r, const char *path);
/* Annotated mmCIF: protein + pseudo-atoms (HUB only with include_hubs). */
VOX_API vox_status vox_write_annotated_cif(vox_ctx *ctx, const vox_structure *s,
                                           const vox_result *r, int include_hubs, const char *path);

/* The same documents into a malloc'ed buffer (free with vox_free). */
typedef enum vox_document {
    VOX_DOC_DF_JSON = 0,
    VOX_DOC_PAYLOAD_JSON = 1,
    VOX_DOC_PDB = 2,
    VOX_DOC_CIF = 3
} vox_document;

/* The frame of the coordinates written in the PDB and mmCIF documents:
 * the aligned frame (volumizer's outputs), or the input frame (the
 * coordinates as loaded or given, mapped back with vox_result_transform;
 * within f32 rounding of the input). */
typedef enum vox_output_frame { VOX_FRAME_ALIGNED = 0, VOX_FRAME_INPUT = 1 } vox_output_frame;

typedef struct vox_render_params {
    size_t size;                   /* = sizeof(vox_render_params) */
    const vox_payload_info *payload; /* VOX_DOC_PAYLOAD_JSON */
    int include_hubs;              /* VOX_DOC_CIF */
    vox_output_frame output_frame; /* VOX_DOC_PDB, VOX_DOC_CIF (default aligned) */
} vox_render_params;

VOX_API vox_status vox_render(vox_ctx *ctx, vox_document doc, const vox_structure *s,
                              const vox_result *r, const vox_render_params *params,
                              char **out, size_t *len);
VOX_API void vox_free(void *p);
/* vox_render, then written atomically to path. */
VOX_API vox_status vox_write_document(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                                      const vox_render_params *params, const char *path);

/* P-SEA fractions of the structure's secondary structure.  Each is NaN
 * when undefined (volumizer writes null). */
VOX_API vox_status vox_secondary_structure(vox_ctx *ctx, const vox_structure *s,
                                           double *frac_alpha, double *frac_beta, double *frac_coil);

#ifdef __cplusplus
}
#endif

#endif /* VOX_VOX_H */
