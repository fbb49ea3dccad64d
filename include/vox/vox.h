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
 *     for (size_t i = 0; i < vox_result_count(r); i++) {
 *         vox_volume v; v.size = sizeof v;      // output structs: the caller sets size
 *         vox_result_volume(r, i, &v); ...
 *     }
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
 * errors negative).  Every error of a call that takes a context sets a
 * human-readable detail there (the function or file, line, field and what
 * was expected): vox_ctx_last_error_detail().  vox_ctx_create, which has no
 * context yet when it fails, copies it into vox_options.error_detail.  Calls
 * without a context (vox_result_volume, vox_structure_atom, ...) return the
 * status alone.
 *
 * Output: the library never aborts and never writes to stdout.  Its only
 * output is log lines: warnings ("warning: VOX_THREADS='many' is not a
 * count ...", a failed thread bind, a profile not used) and, when verbose,
 * one line describing each new context.  They go to vox_options.log when it
 * is set; without a logger they go to stderr only when the context is
 * verbose (vox_options.verbose > 0, or the environment variable VOX_VERBOSE
 * set to a positive number), and nowhere otherwise.  Warnings given while a
 * context is created are also listed at the end of vox_ctx_describe().
 *
 * Environment variables, read by vox_ctx_create (a vox_options field, when
 * set, wins over its variable):
 *   VOX_ISA      scalar|avx2|avx512|neon: an unknown name or an ISA this CPU
 *                or build lacks makes vox_ctx_create fail (VOX_E_ISA_UNKNOWN,
 *                VOX_E_ISA_UNAVAILABLE), as the same vox_options.isa does: a
 *                test or benchmark that forces kernels must not silently get
 *                others.
 *   VOX_THREADS, VOX_BIND, VOX_VERBOSE, VOX_PROFILE: a value that makes no
 *                sense is ignored (the default is used) with a warning; never
 *                an error.
 *
 * NULL arguments: no function crashes on NULL.  A function returning a
 * vox_status returns VOX_E_INVALID_ARG when a required pointer (context,
 * structure, result, path, output pointer) is NULL; pointers that may be
 * NULL say so where they are declared.  Getters given a NULL object return
 * 0, "" or NULL (vox_ctx_threads: 1; vox_ctx_profile_status: ABSENT); the
 * *_init functions, vox_free and every *_free / *_destroy / *_close ignore
 * NULL; vox_ctx_get_stats, vox_result_grid, vox_structure_coords and
 * vox_transform_to_input do nothing when an argument is NULL.
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

/* The most threads a context may use: vox_options.threads, $VOX_THREADS and --threads all stop here. */
#define VOX_MAX_THREADS 4096

typedef struct vox_options {
    size_t size;            /* = sizeof(vox_options); set by vox_options_init */
    const char *isa;        /* NULL (auto), "scalar", "avx2", "avx512" or "neon".
                               Precedence: this field, then $VOX_ISA, then detection. */
    uint64_t max_grid_voxels; /* refuse grids larger than this (0 = default, 2^31 - 1); grids over
                                 2^32 - 1 voxels are refused whatever this says (voxel numbers are 32-bit) */
    int verbose;            /* > 0: describe the context once through the logger, and let
                               warnings reach stderr when there is no logger (also VOX_VERBOSE) */
    vox_log_fn log;         /* NULL: stderr when verbose, else nowhere; set: every warning and
                               verbose line, verbose or not */
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
     * simulated (HWLOC_SYNTHETIC / XML) topology.  At most VOX_MAX_THREADS
     * (more: VOX_E_INVALID_ARG). */
    int threads;
    const char *bind;       /* NULL: $VOX_BIND, else "auto"; or "cores", "pus", "none" */
    /* Tuning profile written by voxtune.  Precedence: profile_json, then
     * profile (a path), then $VOX_PROFILE, then $XDG_CONFIG_HOME/vox/profile.json
     * (~/.config/vox/profile.json).  "" (empty) for either: use no profile. */
    const char *profile;
    const char *profile_json;
    /* When vox_ctx_create fails there is no context to hold the detail: it
     * is copied here (NUL-terminated, cut to error_detail_size bytes) when
     * error_detail is not NULL. */
    char *error_detail;
    size_t error_detail_size;
} vox_options;

/* Zeroes opts and sets size and the defaults.  NULL is ignored. */
VOX_API void vox_options_init(vox_options *opts);

/* Creates a context.  On error *out is NULL and the detail is in
 * opts->error_detail (when given).  opts may be NULL (defaults).
 *
 * Cost: a context is not free.  Creating one detects the CPU's features
 * (once per process), fills a kernel table per ISA, discovers the machine's
 * topology with hwloc (cores, caches, the allowed cpuset, read from /sys and
 * CPUID; no I/O devices) and reads the tuning profile file (a JSON file of a
 * few kilobytes, see vox_options.profile).  The topology dominates: about
 * 40 ms on a 2-vCPU VM, more on large machines.  Create one context per
 * thread and keep it: it also keeps the grid scratch buffers between
 * analyses, so a thread that analyses many structures or frames with one
 * context pays for topology and page faults once.
 *
 * Threads: a context runs its grid stages on `threads` OpenMP threads (by
 * default one per core).  A program that calls vox from threads of its own
 * (a thread pool, one structure per thread) should give each thread its own
 * context with threads = 1, as `vox analyze --jobs N` does: otherwise every
 * context starts a team of all cores and they oversubscribe the machine.
 * Called from inside an OpenMP parallel region, vox runs on the calling
 * thread only.  Results never depend on the thread count.
 *
 * Errors: VOX_E_INVALID_ARG (out is NULL, threads < 0, an unknown bind
 * policy), VOX_E_ISA_UNKNOWN / VOX_E_ISA_UNAVAILABLE (isa or $VOX_ISA),
 * VOX_E_NOMEM, VOX_E_INTERNAL (hwloc cannot load the topology). */
VOX_API vox_status vox_ctx_create(vox_ctx **out, const vox_options *opts);
/* Destroys a context and sets *ctx to NULL.  NULL and *ctx == NULL are fine. */
VOX_API void vox_ctx_destroy(vox_ctx **ctx);

/* Detail of the last error on this context ("" when none).  Valid until the
 * next call on the context. */
VOX_API const char *vox_ctx_last_error_detail(const vox_ctx *ctx);

/* One line describing the kernels in use, e.g.
 * "isa=scalar (detected avx2; forced by VOX_ISA) kernels=scalar ...", then
 * the threads, the binding, the profile and any warnings given while the
 * context was created ("; warnings: VOX_THREADS='many' is not ..."). */
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
/* Threads the context's parallel regions may use (1 in a process forked
 * after libvox ran threads: OpenMP cannot start a team there). */
VOX_API int vox_ctx_threads(const vox_ctx *ctx);
/* The active settings as JSON: threads, binding, topology summary, profile
 * status, and per kernel and size class the variant, tile and threads.
 * Free with vox_free.  NULL on allocation failure. */
VOX_API char *vox_ctx_settings_json(const vox_ctx *ctx);
/* How to split this machine for a batch of many small structures: *jobs
 * contexts analysing at once, each of *threads_per_job threads.  Returns 1
 * when the context's tuning profile measured it (voxtune's batch step), 0
 * for the default: one job of every thread (vox_ctx_threads).  Either
 * pointer may be NULL. */
VOX_API int vox_ctx_batch_split(const vox_ctx *ctx, int *jobs, int *threads_per_job);
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

/* Output structs the library fills (vox_stats, vox_volume, vox_atom_info,
 * vox_transform, vox_frame_info, vox_track) start with a size that the
 * caller sets to sizeof the struct it was compiled with; the library fills
 * that many bytes at most and writes back how many it filled.  So fields can
 * be added at the end without breaking programs built against an older
 * header.  A size under sizeof(size_t) (0 included) is VOX_E_INVALID_ARG,
 * and nothing is written.
 *
 * Input structs (vox_options, vox_load_params, vox_atom_arrays,
 * vox_prepare_params, vox_analyze_params, vox_payload_info,
 * vox_render_params, vox_reference_params, vox_tracker_params) are set up
 * by their init function, which sets size and the defaults; the library
 * reads the first size bytes and takes its defaults for fields after them
 * (added since the caller's header).  A size under sizeof(size_t), such as
 * a zero-initialised struct that never went through its init function, is
 * VOX_E_INVALID_ARG naming the struct: its zeros are not read as settings. */
typedef struct vox_stats {
    size_t size;            /* = sizeof(vox_stats), set by the caller */
    double seconds[VOX_STAGE_COUNT];
    uint64_t atoms, points, voxels, buried_voxels, components;
    int dims[3];
} vox_stats;

VOX_API const char *vox_stage_name(vox_stage stage);
/* Copies the statistics into out (out->size set by the caller).
 * VOX_E_INVALID_ARG: NULL ctx or out, or out->size under sizeof(size_t). */
VOX_API vox_status vox_ctx_get_stats(const vox_ctx *ctx, vox_stats *out);

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
    uint64_t max_input_bytes;    /* refuse text (after gzip decompression) longer than this; 0: the
                                    default, 1 GiB.  Enforced while reading: memory never grows past it.
                                    An assembly may hold at most max_input_bytes / 81 atoms */
} vox_load_params;

/* Defaults (biological assembly, 1 GiB input limit).  NULL is ignored. */
VOX_API void vox_load_params_init(vox_load_params *p);

/* Loads a PDB or mmCIF file, optionally gzip-compressed.  The format is
 * detected from the content (gzip magic, "data_" for mmCIF, PDB records),
 * the suffix only breaks ties.  params may be NULL (defaults).  The input is
 * streamed: binary data or a foreign format is refused from its first 64 KiB
 * (after decompression) without reading the rest, and text over
 * max_input_bytes is refused as soon as it passes the limit.  A FIFO or
 * device path is read as given. */
VOX_API vox_status vox_load_file(vox_ctx *ctx, const char *path,
                                 const vox_load_params *params, vox_structure **out);
/* Same from memory.  name is used in messages (may be NULL). */
VOX_API vox_status vox_load_buffer(vox_ctx *ctx, const void *data, size_t len, const char *name,
                                   const vox_load_params *params, vox_structure **out);
VOX_API void vox_structure_free(vox_structure **s);
/* A structure of its own with everything s holds: atoms, box, and what
 * vox_prepare did (kept atoms, transform, how to repeat it on new
 * coordinates).  A copy is how one loaded topology serves several threads
 * (each analyses its own copy) when the input can be read only once (a pipe).
 * Analysing the copy gives what analysing s gives; results tell the two apart
 * (vox_render accepts a result only with the structure it came from).  *out
 * is NULL on error (VOX_E_INVALID_ARG for NULL arguments, VOX_E_NOMEM). */
VOX_API vox_status vox_structure_copy(vox_ctx *ctx, const vox_structure *s, vox_structure **out);

VOX_API size_t vox_structure_atom_count(const vox_structure *s);
/* Copies the coordinates (x0,y0,z0,x1,...) into xyz[3 * atom_count].
 * Nothing happens when s or xyz is NULL. */
VOX_API void vox_structure_coords(const vox_structure *s, float *xyz);

/* ---- Structures from memory (an MD engine's or analysis code's atoms) ---- */

/* Per-atom arrays of count atoms.  Strings are NUL-terminated and read as
 * the PDB loader reads its columns: blanks around them are dropped, and a
 * blank element is guessed from the atom name.  Their lengths (without those
 * blanks) are those the file formats allow (element <= 3, atom name <= 7,
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
    const float *box;             /* NULL: no unit cell; else 9 floats, the cell vectors as rows (Å):
                                     finite, not all zero, each at least 0.0005 Å long, not in one
                                     plane (else VOX_E_INVALID_ARG naming what is wrong) */
    const size_t *input_number;   /* NULL: atom i is input atom i; else the number each atom has in
                                     the caller's own list (its position in an MDAnalysis AtomGroup
                                     whose alternate locations the caller left out, say), which
                                     vox_atom_info.input_index and the volumes JSON report in place
                                     of i; vox_structure_kept_atoms and vox_structure_set_coords
                                     still count the atoms given here */
} vox_atom_arrays;

/* Zeroes p and sets p->size.  NULL is ignored. */
VOX_API void vox_atom_arrays_init(vox_atom_arrays *p);

/* Builds an unprepared structure from arrays, with no text in between.  It
 * holds what vox_load_file gives for a PDB file with the same atoms (model 1,
 * asymmetric unit): preparing and analysing it gives byte-identical outputs.
 * Errors (VOX_E_INVALID_ARG with a detail naming the atom and the field): a
 * NULL required array, a non-finite coordinate, a name too long; count 0 is
 * VOX_E_NO_ATOMS. */
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
    size_t input_index;    /* the atom's index in the loaded (or given) atoms, before cleaning, or
                              the caller's number for it (vox_atom_arrays.input_number) (a
                              biological assembly's: its copies of the file's chains in turn) */
} vox_atom_info;

/* Fills out for atom index (< vox_structure_atom_count).  VOX_E_INVALID_ARG
 * for NULL arguments, an out->size under sizeof(size_t), or an index out of
 * range. */
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
 * receives the fit's RMSD in Å.  VOX_E_INVALID_ARG: NULL arguments,
 * n < 3, or a coordinate that is not finite. */
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

/* Defaults (align = 1).  NULL is ignored. */
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
 * precision from 1e-28 per nm up, where every packed integer decodes to a
 * finite float; Å = float32(float32(integer * float32(1 / precision)) *
 * 10), bit for bit what MDAnalysis returns), and the models of a multi-model PDB
 * (MODEL/ENDMDL) or mmCIF (atom_site.pdbx_PDB_model_num) file, one frame
 * per model, each of which must list the first model's atoms in the same
 * order.  Coordinates come in Å, in the topology's atom order: give them to
 * vox_structure_set_coords, once vox_frames_check_atoms has said that the
 * file goes with that structure (a DCD or XTC frame is bare coordinates: a
 * file of other atoms with the same count is not told apart).  A vox_frames
 * is used by one thread at a time. */
typedef struct vox_frames vox_frames;

typedef struct vox_frame_info {
    size_t size;        /* = sizeof(vox_frame_info), set by the caller */
    int64_t index;      /* 0-based index of the frame in the file */
    int has_time;       /* 0: the file gives no time, or one that is not finite */
    double time_ps;     /* DCD: (ISTART + index * NSAVC) * DELTA; XTC: the frame's time; in ps */
    int has_box;        /* 0: no box (zeros), also for a DCD unit cell no crystal has: a length
                         * not finite or not positive, an angle outside (0, 180) degrees or not
                         * finite, or angles no three vectors make */
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
/* Whether f's frames belong to structure s (the topology): VOX_OK when
 * they may be given to vox_structure_set_coords(s).  The atom counts must
 * agree (f's atom count and vox_structure_input_atom_count(s)); a
 * multi-model PDB or mmCIF file must moreover list s's atoms in s's order:
 * its first model's atom names, altlocs, residue names, residue numbers
 * and insertion codes must be s's (as the loaders read them, so names cut
 * by a loader agree with the whole name; a residue number below 10000
 * agrees with a larger one it is the remainder of, as PDB writers cut
 * numbers past 9999 that mmCIF and hybrid-36 write whole; a blank altloc
 * agrees with a letter), and its chains must begin where s's do (chain
 * letters themselves are not compared: writers fill a blank chain with a
 * letter of their own; and either side may merge the other's chains, as a
 * writer giving every atom one chain does, but not begin one where the
 * other's goes on while going on where the other's begins).  A model file
 * with altlocs drops, from every model, the records the loaders drop (of a
 * residue's alternate locations, all but the first letter's), so its atom
 * count is the loaded structure's.  An unprepared s is compared atom for
 * atom; a prepared one on its kept atoms, each against the model's atom at
 * its input index.  DCD and XTC name no atoms: only the counts are
 * compared.  name (may be NULL) names s in messages.  Errors:
 * VOX_E_INVALID_ARG with a detail naming the trajectory file, the line of
 * the first model, the atom, the field, what the topology has and what was
 * found; NULL f or s.  Reads nothing from the file (the first model's atoms
 * are recorded when it is opened), so it may be called at any time; one
 * comparison per atom. */
VOX_API vox_status vox_frames_check_atoms(vox_ctx *ctx, const vox_frames *f, const vox_structure *s,
                                          const char *name);
/* "dcd", "xtc", "pdb-models" or "mmcif-models". */
VOX_API const char *vox_frames_format(const vox_frames *f);
/* Reads the next frame into xyz[3 * atom_count] (and info, unless NULL).
 * *got is 1 for a frame, 0 at the end of the file.  A truncated or corrupt
 * frame is VOX_E_PARSE with a detail naming the frame index and its byte
 * offset; the frames before it were returned intact (xyz itself may then
 * hold part of the bad frame).  So is a model with other atoms than the
 * first model, or the same atoms in another order: each atom's name,
 * altloc, residue name, chain, residue number and insertion code must be
 * the first model's (PDB columns 13-27; mmCIF the atom_site items the
 * loader reads, auth_* before label_*), and the detail also names the line,
 * the field, what the first model has there and what was found.  So is a
 * coordinate that is not a finite float (inf or NaN in a DCD or plain XTC
 * frame, a number past +-3.4e38 in a model), naming the frame, the atom
 * (its 0-based index, as vox_structure_set_coords names it) or the line,
 * and the axis.  An error is final: every later vox_frames_next or vox_frames_skip on f returns the
 * same status and detail (a reader that failed stands inside the bad frame)
 * until f is closed; open the file again to read it again. */
VOX_API vox_status vox_frames_next(vox_ctx *ctx, vox_frames *f, float *xyz, vox_frame_info *info, int *got);
/* Advances past the next frame without converting it (for --start/--stride);
 * a model's atoms are checked as vox_frames_next checks them. */
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
    /* 1: also compute the per-volume descriptors (lining atoms and residues,
     * depth, hydropathy, atom classes, openings: vox_result_descriptors and
     * the README's "Descriptors").  0 (default): not computed, at no cost;
     * the volumes and every volumizer output are the same either way.  The
     * depth transform counts in 32 bits: with descriptors, a grid longer
     * than 32,766 voxels along an axis is VOX_E_GRID_TOO_LARGE. */
    int descriptors;
    /* A grid limit for this call: 0 (default) the context's
     * vox_options.max_grid_voxels; else the smaller of the two.  A grid over
     * it is VOX_E_GRID_TOO_LARGE before anything grid-sized is allocated (a
     * trajectory's frame whose grid is far larger than the frames before:
     * one atom gone wild). */
    uint64_t max_grid_voxels;
} vox_analyze_params;

/* volumizer's defaults.  NULL is ignored. */
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

/* Analyses a prepared structure.  The structure is not modified.  A
 * structure that was never given to vox_prepare is refused
 * (VOX_E_INVALID_ARG: prepare with align = 0 and keep_non_protein = 1 to
 * analyse the atoms exactly as loaded).  A grid over vox_options.max_grid_voxels,
 * or over 2^32 - 1 voxels whatever that option says, is VOX_E_GRID_TOO_LARGE
 * before anything is allocated.  The
 * result remembers which structure it was computed from, and in which state
 * (see vox_render). */
VOX_API vox_status vox_analyze(vox_ctx *ctx, const vox_structure *s,
                               const vox_analyze_params *params, vox_result **out);

/* What vox_analyze would need, without analysing: the grid and the peak memory. */
typedef struct vox_grid_estimate {
    size_t size;        /* = sizeof(vox_grid_estimate), set by the caller */
    int dims[3];        /* voxels along x, y, z */
    uint64_t voxels;    /* their product */
    uint64_t bytes;     /* predicted peak memory of vox_analyze (grid arrays, groups, atom tables), an upper estimate */
    int over_limit; /* 1: vox_analyze would refuse the grid (max_grid_voxels, 2^32 - 1; descriptors: an axis over 32,766) */
    int approximate;    /* 1: the grid is far over the limit and only bounded from the atoms' extent
                           (dims and voxels are that bound); 0: exactly the grid vox_analyze builds */
} vox_grid_estimate;

/* Fills out for a prepared structure at params (NULL: defaults).  Costs a
 * small fraction of the analysis (the shell tables; no grid).  Errors as
 * vox_analyze's checks: unprepared, no atoms, bad parameters, an empty axis. */
VOX_API vox_status vox_estimate_grid(vox_ctx *ctx, const vox_structure *s, const vox_analyze_params *params,
                                     vox_grid_estimate *out);
VOX_API void vox_result_free(vox_result **r);

typedef struct vox_volume {
    size_t size;            /* = sizeof(vox_volume), set by the caller */
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
/* Fills out (out->size set by the caller) with volume index.
 * VOX_E_INVALID_ARG: NULL r or out, out->size under sizeof(size_t), index out of range. */
VOX_API vox_status vox_result_volume(const vox_result *r, size_t index, vox_volume *out);
/* Volumes first .. first + n - 1 at once (a frame loop's one call instead of
 * one per volume): out is an array of n records of out->size bytes each
 * (the caller's sizeof(vox_volume), set in the first record), each filled as
 * vox_result_volume fills one.  Returns how many were filled: n, or fewer
 * where the table ends; 0 for NULL r or out or out->size under sizeof(size_t). */
VOX_API size_t vox_result_volumes(const vox_result *r, size_t first, size_t n, vox_volume *out);
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

/* The frame of written coordinates (PDB and mmCIF documents, boxes, maps):
 * the aligned frame (volumizer's outputs), or the input frame (the
 * coordinates as loaded or given, mapped back with vox_result_transform;
 * within f32 rounding of the input). */
typedef enum vox_output_frame { VOX_FRAME_ALIGNED = 0, VOX_FRAME_INPUT = 1 } vox_output_frame;

/* ---- Per-volume descriptors -------------------------------------------

 * Computed by vox_analyze when vox_analyze_params.descriptors is 1; the
 * rules (which atoms line a volume, what depth and an opening are) are in
 * the README ("Descriptors").  Every value is the same for every ISA and
 * thread count. */
typedef struct vox_descriptors {
    size_t size;               /* = sizeof(vox_descriptors), set by the caller */
    double depth_max;          /* Å: the largest distance of a voxel to the nearest bulk-solvent voxel */
    double depth_mean;         /* Å: the mean over the volume's voxels */
    size_t num_lining_atoms;
    size_t num_lining_residues;
    int has_hydropathy;        /* 0: no lining residue has a Kyte-Doolittle value */
    double hydropathy;         /* mean Kyte-Doolittle hydropathy of the lining residues */
    double apolar_fraction;    /* of the lining atoms: C, S, Se */
    double polar_fraction;     /* N and O that are not charged */
    double charged_fraction;   /* Asp OD1/OD2, Glu OE1/OE2, Lys NZ, Arg NE/NH1/NH2, Hip ND1/NE2
                                  (the rest, such as metal ions, is in none of the three) */
    int has_openings;          /* 0 for occluded groups (never classified) */
    size_t num_openings;       /* mouths: the components of the volume's solvent-contact voxels */
    double opening_area;       /* Å²: voxel faces shared with bulk solvent, all openings */
} vox_descriptors;

/* Descriptors of the volume at index (table order).  VOX_E_INVALID_ARG:
 * NULL arguments, out->size under sizeof(size_t), index out of range, or a result analysed
 * without descriptors. */
VOX_API vox_status vox_result_descriptors(const vox_result *r, size_t index, vox_descriptors *out);
/* The atoms lining the volume: their indices in the analysed structure
 * (vox_structure_atom gives names, residue and input index), ascending,
 * into atoms[num_lining_atoms] unless atoms is NULL.  Returns the count
 * (0 without descriptors). */
VOX_API size_t vox_result_lining_atoms(const vox_result *r, size_t index, size_t *atoms);
/* The residues lining the volume, in structure order: for each, the index
 * of the residue's first atom in the analysed structure (a residue is a run
 * of consecutive atoms with the same chain, number, insertion code and
 * name).  Returns the count. */
VOX_API size_t vox_result_lining_residues(const vox_result *r, size_t index, size_t *first_atoms);
/* The area (Å²) of each opening, largest mouth first, into
 * areas[num_openings] unless areas is NULL.  Returns the count. */
VOX_API size_t vox_result_openings(const vox_result *r, size_t index, double *areas);

/* An axis-parallel box: lo/hi corners, centre and edge lengths (size). */
typedef struct vox_box {
    size_t size;               /* = sizeof(vox_box), set by the caller */
    double lo[3], hi[3];
    double centre[3];
    double extent[3];          /* hi - lo */
} vox_box;

/* The box that holds the volume's voxel cubes, grown by padding Å on every
 * side, axis-parallel in frame: VOX_FRAME_ALIGNED (the analysis grid's
 * axes) or VOX_FRAME_INPUT (the structure's input frame, through
 * vox_result_transform: what a docking program needs for the user's file).
 * Needs no descriptors.  VOX_E_INVALID_ARG: NULL, index out of range,
 * a padding that is negative, not finite or over 1e6 Å, an unknown frame. */
VOX_API vox_status vox_result_box(const vox_result *r, size_t index, vox_output_frame frame, double padding,
                                  vox_box *out);

/* ---- One reference frame for a whole trajectory ---------------------

 * `vox trajectory --align reference`, as a library object: every frame is
 * superposed by least squares onto a reference frame and moved into the
 * frame vox_prepare gives the reference, so that one lattice
 * (vox_result_lattice) and one tracker serve all frames.  The structure
 * that analyses the frames is prepared with align = 0 (the reference
 * decides the frame); the reference takes its cleaning (which atoms are
 * analysed) from it.  A frame's coordinates depend only on that frame and
 * the reference: the same for any order, thread or job count. */
typedef struct vox_reference vox_reference;

typedef enum vox_fit_atoms {
    VOX_FIT_HEAVY = 0, /* every analysed atom (after cleaning: heavy atoms) */
    VOX_FIT_CA = 1     /* the C-alpha atoms of amino-acid residues */
} vox_fit_atoms;

typedef struct vox_reference_params {
    size_t size;      /* = sizeof(vox_reference_params) */
    int fit;          /* a vox_fit_atoms: the atoms superposed (default VOX_FIT_HEAVY) */
    int frame_signs;  /* a vox_frame_signs: the reference's aligned frame (default volumizer's) */
} vox_reference_params;

VOX_API void vox_reference_params_init(vox_reference_params *p);
/* s: a structure prepared with align = 0; xyz: the reference frame, 3 * n
 * input coordinates (n = vox_structure_input_atom_count(s)).  s is not
 * changed.  Errors: VOX_E_INVALID_ARG (s not prepared, or aligned; n
 * differs; fewer than 3 atoms to fit: the detail says which), the errors
 * of vox_prepare's alignment. */
VOX_API vox_status vox_reference_create(vox_ctx *ctx, const vox_structure *s, const float *xyz, size_t n,
                                        const vox_reference_params *p, vox_reference **out);
/* Moves a frame (3 * n input coordinates) into the reference's aligned
 * frame: out (3 * n) is ready for vox_structure_set_coords on the structure
 * the reference was made from.  is_reference = 1 for the reference frame
 * itself: its analysed atoms get exactly the coordinates vox_prepare gives
 * it.  Atoms that cleaning removed get 0.  Safe from many threads at once
 * on one reference (ctx: the calling thread's, for the error detail).
 * VOX_E_INVALID_ARG: n differs, or a coordinate of any of the n atoms is
 * not finite (the detail names the atom and axis, as
 * vox_structure_set_coords does). */
VOX_API vox_status vox_reference_apply(vox_ctx *ctx, const vox_reference *r, const float *xyz, size_t n,
                                       int is_reference, float *out);
/* The reference frame's transform, input -> aligned (as vox_structure_transform). */
VOX_API vox_status vox_reference_transform(const vox_reference *r, vox_transform *out);
VOX_API void vox_reference_free(vox_reference **r);

/* Puts p on r's lattice (has_grid = 1, r's grid origin and dimensions, and
 * r's resolution): analyses with p then give voxels that mean the same
 * place as r's.  With
 * vox_reference and vox_tracker, the way to analyse a trajectory on the
 * first frame's lattice. */
VOX_API vox_status vox_result_lattice(const vox_result *r, vox_analyze_params *p);

/* ---- Tracking volumes across frames --------------------------------

 * Frames analysed in order on one lattice (vox_analyze_params.has_grid with
 * the same origin and resolution) are linked into tracks by voxel overlap,
 * and per voxel the tracker counts how often it is part of a volume
 * (occupancy).  The rule for splits, merges, gaps and type changes is in
 * the README ("Tracking").  Memory depends on the lattice's extent and on
 * the tracks opened (a record of about 200 bytes each, kept for
 * vox_tracker_track and the checkpoint), not otherwise on the number of
 * frames.  A tracker is used by one thread at a time. */
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
 * tracks).  vox_tracker_add takes frames in increasing order, each once:
 * frame must be larger than the last frame added (indices may skip, as
 * with a stride; a restored tracker remembers the last frame added, even
 * one without volumes).  track_ids (may be NULL) receives vox_result_count(r)
 * values: the track of each table row, -1 for occluded groups.  Errors:
 * VOX_E_INVALID_ARG when frame is not larger than the last frame added
 * (the detail names both), when the result is not on the tracker's
 * lattice, or so far from the frames added so far that the lattice box
 * would grow to over 64 times the voxels of the box held plus the frame
 * (nothing is changed); VOX_E_GRID_TOO_LARGE when the result's grid lies
 * 2^31 voxels or more from the tracker's origin (a checkpoint could not
 * hold the lattice). */
VOX_API vox_status vox_tracker_add(vox_ctx *ctx, vox_tracker *t, int64_t frame, const vox_result *r, int *track_ids);
/* Bounds the lattice box (the union of the frames' grids, 12 bytes per
 * voxel, 32 with occupancy): vox_tracker_add then refuses a frame that
 * would grow it over max_voxels (0: 2^32 - 1, as without limits), and,
 * when max_growth > 0, one that would grow it to over max_growth times the
 * voxels held at once (an atom far from the rest: a damaged frame), with
 * VOX_E_GRID_TOO_LARGE before anything is allocated (nothing is changed).
 * The limits are not part of the state vox_tracker_save writes: set them
 * again after vox_tracker_restore. */
VOX_API vox_status vox_tracker_set_limits(vox_tracker *t, uint64_t max_voxels, int max_growth);
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
/* Tracks first .. first + n - 1 at once: out is an array of n records of
 * out->size bytes each (set in the first record), filled as
 * vox_tracker_track fills one.  Returns how many were filled (fewer where
 * the tracks end; 0 for NULL t or out or out->size under sizeof(size_t)). */
VOX_API size_t vox_tracker_tracks(const vox_tracker *t, size_t first, size_t n, vox_track *out);
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
 * machine; free *out with vox_free), and back.  The bytes end with a
 * checksum: vox_tracker_restore refuses (VOX_E_PARSE, with a detail) a
 * checkpoint that is damaged, cut, inconsistent (a lattice box or a track
 * out of range), or of format 1 or 2 (written by an older vox: without the
 * checksum, or without the last frame added). */
VOX_API vox_status vox_tracker_save(const vox_tracker *t, char **out, size_t *len);
VOX_API vox_status vox_tracker_restore(vox_ctx *ctx, const char *data, size_t len, vox_tracker **out);

/* ------------------------------------------------------------------ */
/* Writers.  Files are written atomically: a temporary file in the same
 * directory, fsync, rename.  On error no file (old or partial) is left at
 * the destination path unless it existed before.  The structure given with
 * a result must be the one it was computed from, unchanged (vox_render). */

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

/* Zeroes p and sets size.  NULL is ignored. */
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

/* The same documents into a malloc'ed buffer (free with vox_free), and the
 * exports of the descriptors (README "Descriptors and exports" has an
 * example of each).  Names from the structure file are data: JSON escapes
 * them, and the scripts and maps contain none (atoms are picked by serial
 * number), so a hostile file cannot inject a command. */
typedef enum vox_document {
    VOX_DOC_DF_JSON = 0,
    VOX_DOC_PAYLOAD_JSON = 1,
    VOX_DOC_PDB = 2,
    VOX_DOC_CIF = 3,
    /* Every volume (hubs only with include_hubs; occluded groups too): id,
     * type, volume, descriptors, openings, lining residues and atoms, and
     * the bounding and docking boxes in the input and the aligned frame.
     * Needs descriptors. */
    VOX_DOC_VOLUMES_JSON = 4,
    /* An AutoDock Vina configuration (center_x ... size_z) for one volume
     * (params->volume): the docking box in params->output_frame. */
    VOX_DOC_VINA = 5,
    /* A PyMOL script: loads params->structure_file (the annotated mmCIF of
     * this structure and result with the same include_hubs, its coordinates
     * in params->output_frame), shows it in the input frame (moving it there
     * when the file is in the aligned frame), makes one object per volume
     * (vox_<type>_<id>, coloured by type), shows the lining residues as
     * sticks.  Needs descriptors. */
    VOX_DOC_PYMOL = 6,
    /* The same for ChimeraX (a .cxc command file). */
    VOX_DOC_CHIMERAX = 7,
    /* An OpenDX map of one volume (params->volume): 1 in its voxels, 0
     * around them, on its voxels' bounding box grown by one voxel, with
     * positions at voxel centres in params->output_frame. */
    VOX_DOC_DX = 8
} vox_document;

typedef struct vox_render_params {
    size_t size;                   /* = sizeof(vox_render_params) */
    const vox_payload_info *payload; /* VOX_DOC_PAYLOAD_JSON */
    int include_hubs;              /* VOX_DOC_CIF, VOX_DOC_VOLUMES_JSON, VOX_DOC_PYMOL, VOX_DOC_CHIMERAX */
    vox_output_frame output_frame; /* VOX_DOC_PDB, VOX_DOC_CIF, VOX_DOC_VINA, VOX_DOC_DX: the frame written;
                                      VOX_DOC_PYMOL, VOX_DOC_CHIMERAX: the frame of structure_file
                                      (default aligned) */
    size_t volume;                 /* VOX_DOC_VINA, VOX_DOC_DX: the volume's table index */
    double box_padding;            /* VOX_DOC_VOLUMES_JSON, VOX_DOC_VINA: Å on every side (default 4;
                                      0 to 1e6) */
    const char *structure_file;    /* VOX_DOC_PYMOL, VOX_DOC_CHIMERAX: the file the script opens, a
                                      path of letters, digits and . _ - + / and UTF-8 characters
                                      past U+00A0 other than white space, not starting with '-',
                                      ending .cif, .mmcif, .pdb or .ent (maybe + .gz; any case:
                                      the viewers run a .py, .pml or .cxc they open); others are
                                      refused */
    const char *source;            /* VOX_DOC_VOLUMES_JSON: a label written as "source" (may be NULL) */
} vox_render_params;

/* The defaults above (size set, aligned frame, padding 4 Å). */
VOX_API void vox_render_params_init(vox_render_params *p);

/* Renders a document into a malloc'ed buffer (*out, *len without the NUL
 * that follows it).
 *
 * The structure: VOX_DOC_DF_JSON needs only the result (s is not used and
 * may be NULL).  The other documents write the structure's atoms next to
 * the result's volumes, so s must be the structure r was computed from, as
 * it was then: another structure (even one loaded from the same file), or
 * the same structure after vox_prepare or vox_structure_set_coords changed
 * its coordinates, is VOX_E_INVALID_ARG with a detail saying which; nothing
 * is rendered.  For trajectories: render the documents that need the
 * structure before giving it the next frame's coordinates (or analyse it
 * again); results themselves stay valid, and the df JSON, the accessors and
 * the tracker use them at any time.
 *
 * Errors (each with a detail): VOX_E_INVALID_ARG (NULL ctx/r/out, no or a
 * mismatched structure for a document that needs one, an unknown document
 * or output frame), VOX_E_NOMEM. */
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
