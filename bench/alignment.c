/* alignment.c - `vox-bench-alignment`: the time of the principal-axis alignment alone, in-process
 *
 * Loads each structure once, then times vox_structure_set_coords with the
 * structure's own input coordinates: the cleaned atoms get their input
 * coordinates back and are centred and aligned again exactly as vox_prepare
 * aligns them (nothing else happens: no loading, no cleaning, no
 * allocation once the context's scratch has grown).  One warm-up, then
 * repetitions until the time budget is spent (at least 5); min and median
 * of the wall time and of the thread's CPU time (which a busy shared machine
 * inflates less), for volumizer's frame (the default) and the canonical one.  A checksum of
 * the aligned coordinates shows that every repetition gave the same frame.
 *   vox-bench-alignment [--budget S] [FILE ...]
 *   (default files: ../shared/data/structures/4jpn.pdb and 7odw.cif)
 */
#include <stdint.h>
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

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* this thread's CPU time: on a shared machine it leaves out the time the
 * thread waited for a CPU, which wall time counts */
static double cpu(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FNV-1a of the aligned coordinates' bytes */
static uint64_t checksum(const vox_structure *s, float *xyz)
{
    size_t n = vox_structure_atom_count(s);
    vox_structure_coords(s, xyz);
    uint64_t h = 0xcbf29ce484222325ULL;
    const unsigned char *p = (const unsigned char *)xyz;
    for (size_t i = 0; i < 3 * n * sizeof *xyz; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int bench(vox_ctx *ctx, const char *path, int frame, double budget)
{
    vox_structure *s = NULL, *raw = NULL;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.frame_signs = frame;
    if (vox_load_file(ctx, path, NULL, &s) != VOX_OK || vox_load_file(ctx, path, NULL, &raw) != VOX_OK ||
        vox_prepare(ctx, s, &pp) != VOX_OK) {
        fprintf(stderr, "vox-bench-alignment: %s: %s\n", path, vox_ctx_last_error_detail(ctx));
        vox_structure_free(&s);
        vox_structure_free(&raw);
        return 1;
    }
    size_t nin = vox_structure_input_atom_count(raw), n = vox_structure_atom_count(s);
    float *in = malloc(3 * nin * sizeof *in), *out = malloc(3 * n * sizeof *out);
    vox_structure_coords(raw, in);
    uint64_t want = checksum(s, out);
    enum { MAXREPS = 100000 };
    static double t[MAXREPS], tc[MAXREPS];
    int reps = 0, rc = 0;
    vox_structure_set_coords(ctx, s, in, nin); /* warm-up */
    for (double start = now(); reps < MAXREPS && (reps < 5 || now() - start < budget); reps++) {
        double t0 = now(), c0 = cpu();
        vox_status st = vox_structure_set_coords(ctx, s, in, nin);
        tc[reps] = cpu() - c0;
        t[reps] = now() - t0;
        if (st != VOX_OK || checksum(s, out) != want) {
            fprintf(stderr, "vox-bench-alignment: %s: repetition %d %s\n", path, reps,
                    st != VOX_OK ? vox_ctx_last_error_detail(ctx) : "gave another frame");
            rc = 1;
            break;
        }
    }
    if (!rc) {
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        qsort(tc, (size_t)reps, sizeof *tc, cmp_double);
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        printf("%-12s %-10s %8zu atoms %5d reps  wall min %7.3f median %7.3f ms  cpu min %7.3f median %7.3f ms"
               "  checksum %016llx\n", base, frame == VOX_FRAME_SIGNS_CANONICAL ? "canonical" : "volumizer", n, reps,
               1e3 * t[0], 1e3 * t[reps / 2], 1e3 * tc[0], 1e3 * tc[reps / 2], (unsigned long long)want);
    }
    free(in);
    free(out);
    vox_structure_free(&s);
    vox_structure_free(&raw);
    return rc;
}

int main(int argc, char **argv)
{
    double budget = 1.0;
    const char *defaults[] = {"../shared/data/structures/4jpn.pdb", "../shared/data/structures/7odw.cif"};
    const char **files = defaults;
    int nfiles = 2, first = 1;
    if (argc > 2 && !strcmp(argv[1], "--budget")) {
        budget = atof(argv[2]);
        first = 3;
    }
    if (argc > first) {
        files = (const char **)argv + first;
        nfiles = argc - first;
    }
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) {
        fprintf(stderr, "vox-bench-alignment: cannot create a context\n");
        return 1;
    }
    int rc = 0;
    for (int f = 0; f < nfiles; f++)
        for (int frame = 0; frame < 2; frame++)
            rc |= bench(ctx, files[f], frame ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER, budget);
    vox_ctx_destroy(&ctx);
    return rc;
}
