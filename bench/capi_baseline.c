/* capi_baseline.c - `vox-bench-capi`: the C side of bench/python_overhead.py, the same work the
 * Python package does, straight through the C API, on one context, one repetition per command
 * read from stdin (so that the Python side can alternate with it repetition by repetition and a
 * busy machine slows both alike):
 *
 *   structure FILE RESOLUTION
 *       vox_load_file, vox_prepare, vox_analyze, every vox_result_volume, free
 *   frames TOPOLOGY TRAJECTORY RESOLUTION
 *       load + prepare the topology (model 1, MD residue names, align each), then every frame:
 *       vox_frames_next, vox_structure_set_coords, vox_analyze, every volume, free
 *   reference TOPOLOGY TRAJECTORY RESOLUTION
 *       the same on one lattice with tracks, as analyze_trajectory(align="reference", tracks=True):
 *       the topology prepared with align 0; the first frame makes the vox_reference, the lattice
 *       (vox_result_lattice) and the tracker; every frame: vox_reference_apply, set_coords,
 *       vox_analyze, every volume, vox_tracker_add; at the end every track
 *
 * Answers each command with one JSON line {"seconds":S,"cpu":C,"frames":N,"volumes":N} (wall and
 * process CPU seconds).  Threads from VOX_THREADS, as the Python side's Analyzer.  Timings only:
 * the Python side checks that both sides found the same volumes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vox/vox.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(vox_ctx *ctx, vox_status st)
{
    fprintf(stderr, "vox-bench-capi: %s: %s\n", vox_strerror(st), ctx ? vox_ctx_last_error_detail(ctx) : "");
    return 1;
}

/* Reads every volume as the Python Result does; returns the count (or -1). */
static long read_volumes(const vox_result *r)
{
    vox_volume v;
    size_t n = vox_result_count(r);
    for (size_t i = 0; i < n; i++) {
        v.size = sizeof v; /* an output struct: the caller's size, every call */
        if (vox_result_volume(r, i, &v) != VOX_OK)
            return -1;
    }
    return (long)n;
}

static int structure_rep(vox_ctx *ctx, const char *path, const vox_analyze_params *ap, long *volumes)
{
    vox_structure *s = NULL;
    vox_result *r = NULL;
    vox_status st = vox_load_file(ctx, path, NULL, &s);
    if (st == VOX_OK)
        st = vox_prepare(ctx, s, NULL);
    if (st == VOX_OK)
        st = vox_analyze(ctx, s, ap, &r);
    if (st == VOX_OK)
        *volumes = read_volumes(r);
    vox_result_free(&r);
    vox_structure_free(&s);
    return st == VOX_OK ? 0 : fail(ctx, st);
}

static int frames_rep(vox_ctx *ctx, const char *top, const char *traj, const vox_analyze_params *ap0,
                      int reference, long *frames, long *volumes)
{
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.md_residue_names = 1;
    pp.align = !reference;
    vox_analyze_params ap = *ap0;
    vox_structure *s = NULL;
    vox_frames *f = NULL;
    vox_result *r = NULL;
    vox_reference *ref = NULL;
    vox_tracker *tk = NULL;
    float *xyz = NULL, *work = NULL;
    int *ids = NULL;
    size_t ids_cap = 0;
    vox_status st = vox_load_file(ctx, top, &lp, &s);
    if (st == VOX_OK)
        st = vox_prepare(ctx, s, &pp);
    if (st == VOX_OK)
        st = vox_frames_open(ctx, traj, &f);
    size_t n = f ? vox_frames_atom_count(f) : 0;
    if (st == VOX_OK && (n != vox_structure_input_atom_count(s) || !(xyz = malloc(3 * n * sizeof *xyz)) ||
                         !(work = malloc(3 * n * sizeof *work))))
        st = VOX_E_INVALID_ARG;
    *frames = *volumes = 0;
    for (int got = 1, first = 1; st == VOX_OK; first = 0) {
        vox_frame_info fi = {.size = sizeof fi};
        if ((st = vox_frames_next(ctx, f, xyz, &fi, &got)) != VOX_OK || !got)
            break;
        const float *in = xyz;
        if (reference) {
            if (first) { /* the reference, the lattice (the first frame analysed once for it), the tracker */
                vox_tracker_params tp;
                vox_tracker_params_init(&tp);
                tp.resolution = ap.resolution;
                tp.occupancy = 0;
                if ((st = vox_reference_create(ctx, s, xyz, n, NULL, &ref)) == VOX_OK &&
                    (st = vox_reference_apply(ctx, ref, xyz, n, 1, work)) == VOX_OK &&
                    (st = vox_structure_set_coords(ctx, s, work, n)) == VOX_OK &&
                    (st = vox_analyze(ctx, s, &ap, &r)) == VOX_OK && (st = vox_result_lattice(r, &ap)) == VOX_OK) {
                    memcpy(tp.origin, ap.grid_origin, sizeof tp.origin);
                    st = vox_tracker_create(ctx, &tp, &tk);
                }
                vox_result_free(&r);
                if (st != VOX_OK)
                    break;
            }
            if ((st = vox_reference_apply(ctx, ref, xyz, n, first, work)) != VOX_OK)
                break;
            in = work;
        }
        if ((st = vox_structure_set_coords(ctx, s, in, n)) == VOX_OK && (st = vox_analyze(ctx, s, &ap, &r)) == VOX_OK) {
            const size_t nv = vox_result_count(r);
            if (nv > ids_cap && !(ids = realloc(ids, (ids_cap = 2 * nv) * sizeof *ids)))
                st = VOX_E_NOMEM;
            *volumes += read_volumes(r);
            if (st == VOX_OK && tk)
                st = vox_tracker_add(ctx, tk, fi.index, r, ids);
            ++*frames;
        }
        vox_result_free(&r);
    }
    for (size_t i = 0; tk && st == VOX_OK && i < vox_tracker_track_count(tk); i++) {
        vox_track t = {.size = sizeof t};
        st = vox_tracker_track(tk, i, &t);
    }
    free(xyz);
    free(work);
    free(ids);
    vox_tracker_free(&tk);
    vox_reference_free(&ref);
    vox_frames_close(&f);
    vox_structure_free(&s);
    return st == VOX_OK ? 0 : fail(ctx, st);
}

int main(void)
{
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, NULL);
    if (st != VOX_OK)
        return fail(NULL, st);
    char line[8192], mode[16], a[4096], b[4096], c[64];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, stdin)) {
        int n = sscanf(line, "%15s %4095s %4095s %63s", mode, a, b, c);
        int reference = n == 4 && !strcmp(mode, "reference");
        int frames_mode = n == 4 && (!strcmp(mode, "frames") || reference);
        if (!frames_mode && !(n == 3 && !strcmp(mode, "structure"))) {
            fprintf(stderr, "vox-bench-capi: expected 'structure FILE RES', 'frames TOP TRAJ RES' or 'reference TOP "
                            "TRAJ RES', got: %s", line);
            rc = 2;
            break;
        }
        vox_analyze_params ap;
        vox_analyze_params_init(&ap);
        ap.resolution = atof(frames_mode ? c : b);
        long volumes = 0, frames = 0;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        rc = frames_mode ? frames_rep(ctx, a, b, &ap, reference, &frames, &volumes) : structure_rep(ctx, a, &ap, &volumes);
        double sec = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (rc == 0) {
            printf("{\"seconds\":%.9f,\"cpu\":%.9f,\"frames\":%ld,\"volumes\":%ld}\n", sec, cpu, frames, volumes);
            fflush(stdout);
        }
    }
    vox_ctx_destroy(&ctx);
    return rc;
}
