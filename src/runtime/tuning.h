/* tuning.h - the tunable settings of a context: kernel variant, tile size and threads
 *
 * One setting per tuned kernel and grid-size class.  The defaults are
 * derived from the topology (team.h); a voxtune profile (profile.c) may
 * replace them.  Settings never change results: every variant, tile size and
 * thread count gives the same bytes.
 */
#ifndef VOX_TUNING_H
#define VOX_TUNING_H

#include "internal.h"

typedef enum vox_tuned_kernel {
    VOX_TK_BIN_POINTS,  /* tile: the occ planes a thread owns */
    VOX_TK_OCCLUSION,   /* line extremes + buried/exposed; tile: occ + state planes */
    VOX_TK_FIRST_SHELL, /* tile: state planes in and out */
    VOX_TK_LABELS,      /* slab labelling + joins; tile: state + labels + queue planes */
    VOX_TK_MOMENTS,     /* variant only; threads: the per-group stages (classification, metrics) */
    VOX_TK_COUNT
} vox_tuned_kernel;

/* Grid-size classes, by voxel count. */
typedef enum vox_size_class { VOX_SC_SMALL, VOX_SC_MEDIUM, VOX_SC_LARGE, VOX_SC_COUNT } vox_size_class;
#define VOX_SC_MEDIUM_FROM ((size_t)1 << 20) /* 1 Mi voxels */
#define VOX_SC_LARGE_FROM ((size_t)1 << 24) /* 16 Mi voxels */

#define VOX_TILE_KIB_MIN 4
#define VOX_TILE_KIB_MAX (1 << 20) /* 1 GiB */
#define VOX_THREADS_MAX VOX_MAX_THREADS
#define VOX_MAX_JOBS 256 /* vox analyze --jobs takes 1 to 256 */

/* Tuned kernel k's function in a kernel table (NULL: the table leaves it to
 * the level below; a context's filled tables always hold one). */
VOX_HIDDEN const void *vox_tuned_kernel_fn(const vox_kernels *t, vox_tuned_kernel k);
/* The ISA whose code runs kernel k when variant isa is chosen: isa itself,
 * or the level below it that the variant leaves the kernel to (labelling:
 * the scalar code beat every vector attempt, README "Kernels"). */
VOX_HIDDEN const char *vox_kernel_code_isa(int isa, vox_tuned_kernel k);

typedef struct vox_setting {
    int isa;      /* index in the dispatch ladder (vox_isa_index) */
    int tile_kib; /* working set of one tile; 0 for kernels without tiles */
    int threads;  /* team size; 0 = every thread of the context */
} vox_setting;

/* How a batch of many small structures splits this machine: jobs at once,
 * each with threads_per_job threads (voxtune measures it; 0: no profile
 * says, and a batch runs one job of every thread). */
typedef struct vox_batch_split {
    int jobs, threads_per_job;
} vox_batch_split;

typedef struct vox_tuning {
    vox_setting s[VOX_TK_COUNT][VOX_SC_COUNT];
    vox_batch_split batch;
} vox_tuning;

VOX_HIDDEN const char *vox_tuned_kernel_name(vox_tuned_kernel k);
VOX_HIDDEN const char *vox_size_class_name(vox_size_class c);
VOX_HIDDEN vox_size_class vox_size_class_of(size_t voxels);
/* Bytes each kernel keeps per voxel of a tile (for the planes of a tile). */
VOX_HIDDEN int vox_tuned_kernel_bytes_per_voxel(vox_tuned_kernel k);

/* x-planes per tile: as many as fit tile_kib, at least one, and few enough
 * that width threads all get a tile. */
VOX_HIDDEN int vox_tile_planes(const int dims[3], int bytes_per_voxel, int tile_kib, int width);

#endif
