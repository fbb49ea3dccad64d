/* frame_engine.h - the frames of a trajectory analysed on several contexts at
 * once, each frame as the alignment mode says (each / reference / none), with
 * results that depend only on the frame and the first frame: the same for any
 * number of jobs and threads */
#ifndef VOX_FRAME_ENGINE_H
#define VOX_FRAME_ENGINE_H

#include <pthread.h>

#include "vox/vox.h"

typedef enum { ALIGN_EACH, ALIGN_REFERENCE, ALIGN_NONE } align_mode;

typedef struct frame_slot {
    int64_t index;        /* the frame's index in the input */
    vox_frame_info info;
    float *xyz;           /* input coordinates, 3 * atoms */
    float *work;          /* coordinates handed to the structure */
    vox_result *result;
    int failed;
    vox_status status;          /* why it failed (the library's status) */
    char error[1024];           /* "frame K: why" (the caller names the file) */
} frame_slot;

typedef struct frame_worker {
    struct frame_engine *e;
    vox_ctx *ctx;
    vox_structure *s;
    pthread_t thread;
    int started;
} frame_worker;

typedef struct frame_engine {
    align_mode mode;
    int fit_ca, canonical_signs;
    const char *topology;
    size_t atoms;               /* input atoms per frame */
    vox_analyze_params ap;
    /* the first frame (reference and none): the lattice, its transform, the fit */
    int has_reference;
    vox_transform to_aligned;   /* first frame: input -> analysis frame (identity for none) */
    vox_reference *ref;         /* reference: every frame's superposition onto the first */
    size_t nkept;
    size_t *kept;               /* input indices of the analysed atoms (the HTML page's frames) */
    int64_t first_index;
    /* workers and the batch they share */
    frame_worker *w;
    int nw;
    frame_slot *slots;
    int nslots, batch;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int generation, next, busy, quit;
} frame_engine;

/* Loads the topology once (text up to max_input_bytes; 0: the library's
 * default), checks that frames (unless NULL) hold its atoms
 * (vox_frames_check_atoms, as loaded: before cleaning), prepares it for mode,
 * and gives each job (one context each, `threads` threads per context) a copy;
 * allocates `batch_per_job * jobs` slots.  On error err receives the message
 * and the engine is freed. */
int frame_engine_init(frame_engine *e, const char *topology, const vox_frames *frames, align_mode mode, int fit_ca,
                      int canonical_signs, double resolution, int jobs, int threads,
                      unsigned long long max_grid_voxels, unsigned long long max_input_bytes, int batch_per_job,
                      char *err, size_t errcap);
/* Sets the reference (reference/none) from the first analysed frame's input
 * coordinates: its alignment, lattice and fit atoms.  An error reads "frame K:
 * why", as a slot's (the caller names the file). */
int frame_engine_set_reference(frame_engine *e, int64_t index, const float *xyz, char *err, size_t errcap);
/* Analyses slots[0 .. n) in parallel; each slot ends with a result or failed. */
void frame_engine_run(frame_engine *e, int n);
void frame_engine_free(frame_engine *e);

#endif
