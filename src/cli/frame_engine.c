/* frame_engine.c - see frame_engine.h
 *
 * Alignment modes:
 *   each      every frame is prepared exactly as `vox analyze` prepares a
 *             structure (vox_structure_set_coords re-aligns it);
 *   reference every frame is superposed by least squares onto the first
 *             analysed frame (vox_reference: the library does the fit)
 *             on kept heavy atoms, or C-alpha, then moved into
 *             the first frame's aligned frame and analysed on the first
 *             frame's lattice (same origin and voxel edges, grown where a
 *             frame needs more room);
 *   none      coordinates as given, on the first frame's lattice.
 * The first frame itself is analysed with the coordinates vox_prepare gave
 * it.  A frame's result depends only on that frame and the first, so the
 * order in which the workers take frames never changes an output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_engine.h"

/* check: the trajectory, compared with the structure as loaded (every
 * atom, hydrogens and non-protein atoms too) before cleaning drops some */
static int load_prepared(vox_ctx *ctx, const char *top, unsigned long long max_input_bytes, const vox_frames *check,
                         int align, int canonical_signs, vox_structure **s, char *err, size_t cap)
{
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
    lp.max_input_bytes = max_input_bytes;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = align;
    pp.md_residue_names = 1;
    pp.frame_signs = canonical_signs ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
    if (vox_load_file(ctx, top, &lp, s) != VOX_OK || (check && vox_frames_check_atoms(ctx, check, *s, top) != VOX_OK) ||
        vox_prepare(ctx, *s, &pp) != VOX_OK) {
        snprintf(err, cap, "%s", vox_ctx_last_error_detail(ctx));
        return 0;
    }
    return 1;
}

static void analyse_slot(frame_engine *e, frame_worker *w, frame_slot *sl)
{
    const float *in = sl->xyz;
    if (e->mode == ALIGN_REFERENCE) {
        if ((sl->status = vox_reference_apply(w->ctx, e->ref, in, e->atoms, sl->index == e->first_index, sl->work)) !=
            VOX_OK) {
            sl->failed = 1;
            snprintf(sl->error, sizeof sl->error, "frame %lld: %s", (long long)sl->index,
                     vox_ctx_last_error_detail(w->ctx));
            return;
        }
        in = sl->work;
    }
    if ((sl->status = vox_structure_set_coords(w->ctx, w->s, in, e->atoms)) != VOX_OK ||
        (sl->status = vox_analyze(w->ctx, w->s, &e->ap, &sl->result)) != VOX_OK) {
        sl->failed = 1;
        snprintf(sl->error, sizeof sl->error, "frame %lld: %s", (long long)sl->index,
                 vox_ctx_last_error_detail(w->ctx));
    }
}

/* Workers take slots in any order: each result lands in its own slot. */
static void *worker_main(void *arg)
{
    frame_worker *w = arg;
    frame_engine *e = w->e;
    int seen = 0;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        while (!e->quit && e->generation == seen) pthread_cond_wait(&e->go, &e->mu);
        if (e->quit)
            break;
        seen = e->generation;
        while (e->next < e->batch) {
            frame_slot *sl = &e->slots[e->next++];
            pthread_mutex_unlock(&e->mu);
            analyse_slot(e, w, sl);
            pthread_mutex_lock(&e->mu);
        }
        if (--e->busy == 0)
            pthread_cond_signal(&e->done);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

void frame_engine_run(frame_engine *e, int n)
{
    for (int i = 0; i < n; i++) {
        vox_result_free(&e->slots[i].result);
        e->slots[i].failed = 0;
        e->slots[i].error[0] = '\0';
    }
    if (e->nw == 1) {
        for (int i = 0; i < n; i++) analyse_slot(e, &e->w[0], &e->slots[i]);
        return;
    }
    pthread_mutex_lock(&e->mu);
    e->batch = n;
    e->next = 0;
    e->busy = e->nw;
    e->generation++;
    pthread_cond_broadcast(&e->go);
    while (e->busy > 0) pthread_cond_wait(&e->done, &e->mu);
    pthread_mutex_unlock(&e->mu);
}

int frame_engine_init(frame_engine *e, const char *top, const vox_frames *frames, align_mode mode, int fit_ca,
                      int canonical_signs, double resolution, int jobs, int threads,
                      unsigned long long max_grid_voxels, unsigned long long max_input_bytes, int batch_per_job,
                      char *err, size_t cap)
{
    memset(e, 0, sizeof *e);
    e->mode = mode;
    e->fit_ca = fit_ca;
    e->canonical_signs = canonical_signs;
    e->topology = top;
    e->nw = jobs;
    e->to_aligned.size = sizeof e->to_aligned;
    vox_analyze_params_init(&e->ap);
    e->ap.resolution = resolution;
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->go, NULL);
    pthread_cond_init(&e->done, NULL);
    e->w = calloc((size_t)jobs, sizeof *e->w);
    if (!e->w)
        goto nomem;
    for (int i = 0; i < jobs; i++) {
        frame_worker *w = &e->w[i];
        w->e = e;
        vox_options o;
        vox_options_init(&o);
        o.threads = threads;
        o.max_grid_voxels = max_grid_voxels;
        if (vox_ctx_create(&w->ctx, &o) != VOX_OK) {
            snprintf(err, cap, "cannot create a context: %s", w->ctx ? vox_ctx_last_error_detail(w->ctx) : "");
            goto fail;
        }
        /* the topology is read once (a pipe or FIFO can be read only once); the other
         * jobs analyse copies of the first job's prepared structure */
        if (i == 0) {
            if (!load_prepared(w->ctx, top, max_input_bytes, frames, mode == ALIGN_EACH, canonical_signs, &w->s, err,
                               cap))
                goto fail;
        } else if (vox_structure_copy(w->ctx, e->w[0].s, &w->s) != VOX_OK) {
            snprintf(err, cap, "%s", vox_ctx_last_error_detail(w->ctx));
            goto fail;
        }
    }
    e->atoms = vox_structure_input_atom_count(e->w[0].s);
    e->nkept = vox_structure_kept_atoms(e->w[0].s, NULL);
    e->kept = malloc((e->nkept ? e->nkept : 1) * sizeof *e->kept);
    e->nslots = batch_per_job * jobs;
    e->slots = calloc((size_t)e->nslots, sizeof *e->slots);
    if (!e->kept || !e->slots)
        goto nomem;
    vox_structure_kept_atoms(e->w[0].s, e->kept);
    for (int i = 0; i < e->nslots; i++) {
        e->slots[i].xyz = malloc(3 * e->atoms * sizeof(float));
        e->slots[i].work = mode == ALIGN_REFERENCE ? calloc(3 * e->atoms, sizeof(float)) : NULL;
        if (!e->slots[i].xyz || (mode == ALIGN_REFERENCE && !e->slots[i].work))
            goto nomem;
    }
    for (int i = 0; jobs > 1 && i < jobs; i++) {
        if (pthread_create(&e->w[i].thread, NULL, worker_main, &e->w[i]) != 0) {
            snprintf(err, cap, "cannot start a worker thread");
            goto fail;
        }
        e->w[i].started = 1;
    }
    return 1;
nomem:
    snprintf(err, cap, "out of memory for %d jobs of %zu atoms", jobs, e->atoms);
fail:
    frame_engine_free(e);
    return 0;
}

int frame_engine_set_reference(frame_engine *e, int64_t index, const float *xyz, char *err, size_t cap)
{
    if (e->mode == ALIGN_EACH)
        return 1;
    vox_ctx *ctx = e->w[0].ctx;
    e->first_index = index;
    e->has_reference = 1;
    memset(e->to_aligned.rotation, 0, sizeof e->to_aligned.rotation);
    memset(e->to_aligned.centroid, 0, sizeof e->to_aligned.centroid);
    for (int a = 0; a < 3; a++) e->to_aligned.rotation[a][a] = 1.0;
    if (e->mode == ALIGN_REFERENCE) {
        vox_reference_params rp;
        vox_reference_params_init(&rp);
        rp.fit = e->fit_ca ? VOX_FIT_CA : VOX_FIT_HEAVY;
        rp.frame_signs = e->canonical_signs ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
        if (vox_reference_create(ctx, e->w[0].s, xyz, e->atoms, &rp, &e->ref) != VOX_OK) {
            snprintf(err, cap, "frame %lld: %s", (long long)index, vox_ctx_last_error_detail(ctx));
            return 0;
        }
        vox_reference_transform(e->ref, &e->to_aligned);
    }
    /* the lattice: the first frame's own grid */
    frame_slot *sl = &e->slots[0];
    memcpy(sl->xyz, xyz, 3 * e->atoms * sizeof(float));
    sl->index = index;
    vox_result_free(&sl->result);
    sl->failed = 0;
    e->ap.has_grid = 0;
    analyse_slot(e, &e->w[0], sl);
    if (sl->failed) {
        snprintf(err, cap, "%s", sl->error);
        return 0;
    }
    vox_result_lattice(sl->result, &e->ap);
    vox_result_free(&sl->result);
    return 1;
}

void frame_engine_free(frame_engine *e)
{
    if (e->w && e->nw > 1) {
        pthread_mutex_lock(&e->mu);
        e->quit = 1;
        pthread_cond_broadcast(&e->go);
        pthread_mutex_unlock(&e->mu);
        for (int i = 0; i < e->nw; i++)
            if (e->w[i].started)
                pthread_join(e->w[i].thread, NULL);
    }
    for (int i = 0; e->w && i < e->nw; i++) {
        vox_structure_free(&e->w[i].s);
        vox_ctx_destroy(&e->w[i].ctx);
    }
    for (int i = 0; e->slots && i < e->nslots; i++) {
        free(e->slots[i].xyz);
        free(e->slots[i].work);
        vox_result_free(&e->slots[i].result);
    }
    free(e->slots);
    free(e->w);
    free(e->kept);
    vox_reference_free(&e->ref);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->go);
    pthread_cond_destroy(&e->done);
    memset(e, 0, sizeof *e);
}
