/* kernels.c - `vox-bench kernels`: each kernel's throughput per ISA, as a ratio to scalar
 *
 * Inputs are synthetic and seeded: a protein-like occupancy (a noisy solid
 * ball, so the scans see realistic run lengths and buried regions) on cubic
 * grids from L1-resident 32^3 up to 512^3, and shell points from 1e4 to 1e8.
 * Every ISA runs the same inputs in the same process, interleaved, best of
 * several repetitions, so the ratios survive a noisy machine.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "bench.h"
#include "grid.h"
#include "internal.h"
#include "shells.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;
static double rnd01(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct isa_table { const char *name; const vox_kernels *k; vox_ctx *ctx; } isa_table;

static size_t load_isas(isa_table *t)
{
    static const char *const names[] = {"scalar", "avx2", "avx512", "neon"};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        vox_options o;
        vox_options_init(&o);
        o.isa = names[i];
        vox_ctx *ctx;
        if (vox_ctx_create(&ctx, &o) != VOX_OK) continue;
        t[n++] = (isa_table){names[i], ctx->k, ctx};
    }
    return n;
}

/* A noisy solid ball filling ~60% of the box, with a few hollows. */
static void make_occ(uint8_t *occ, int n)
{
    double c = n / 2.0, r = n * 0.45;
    size_t f = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++, f++) {
                double d = sqrt((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
                double hole = sin(i * 0.7) * sin(j * 0.5) * sin(k * 0.3);
                occ[f] = d < r && hole < 0.6 && rnd01() > 0.05;
            }
}

typedef void (*runner)(const vox_kernels *k, void *data);

static double best_of(const vox_kernels *k, runner run, void *data, int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        run(k, data);
        double t = now() - t0;
        if (t < best) best = t;
    }
    return best;
}

typedef struct grid_case {
    int dims[3];
    uint8_t *occ, *state, *state2;
    int32_t *scratch, *labels;
    uint32_t *queue;
} grid_case;

static void run_occlusion(const vox_kernels *k, void *d)
{
    grid_case *g = d;
    vox_occlusion_whole(k, g->occ, g->dims, g->state, g->scratch);
}
static void run_first_shell(const vox_kernels *k, void *d)
{
    grid_case *g = d;
    k->first_shell(g->state, g->state2, g->dims, 0, g->dims[0]); /* state in, state2 out */
}
static void run_labels(const vox_kernels *k, void *d)
{
    grid_case *g = d;
    k->label_components(g->state, g->dims, 0, g->dims[0], g->labels, g->queue);
}

typedef struct moment_case {
    float *c[3];
    int dims[3];
    uint32_t *vox;
    size_t n;
    double sink;
} moment_case;

static void run_moments(const vox_kernels *k, void *d)
{
    moment_case *m = d;
    double mean[3], sc[6];
    k->moments((const float *const *)m->c, m->dims, m->vox, m->n, mean, sc);
    m->sink += sc[0];
}

typedef struct point_case {
    float *cx, *cy, *cz, *ox, *oy, *oz;
    size_t natoms, noff;
    vox_grid_axes g;
    uint8_t *occ;
} point_case;

static void run_points(const vox_kernels *k, void *d)
{
    point_case *p = d;
    k->bin_points(p->cx, p->cy, p->cz, p->natoms, p->ox, p->oy, p->oz, p->noff, &p->g, 0, p->g.n[0], p->occ);
}

/* Bytes each kernel must stream per unit at least (reads + writes of its
 * big arrays; small per-line arrays stay in cache), to compare with copy
 * bandwidth: occlusion reads occ twice and writes state; first_shell reads
 * and writes state; labelling reads state and writes int32 labels; moments
 * reads a uint32 voxel index twice; binning reads 12 bytes of centres per
 * point and stores one byte at a random place. */
static double bytes_per_unit(const char *kernel)
{
    if (!strcmp(kernel, "occlusion")) return 3;
    if (!strcmp(kernel, "first_shell")) return 2;
    if (!strcmp(kernel, "label_components")) return 5;
    if (!strcmp(kernel, "moments")) return 8;
    return 13; /* bin_points */
}

/* memcpy bandwidth on a buffer far beyond the caches: read + write bytes per second */
static double copy_bandwidth(void)
{
    size_t n = (size_t)256 << 20;
    char *a = malloc(n), *b = malloc(n);
    if (!a || !b) { free(a); free(b); return 0; }
    memset(a, 1, n);
    memset(b, 2, n);
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        memcpy(b, a, n);
        double t = now() - t0;
        if (t < best) best = t;
    }
    volatile char sink = b[n / 2];
    (void)sink;
    free(a);
    free(b);
    return 2.0 * (double)n / best;
}

static void report(cJSON *arr, const char *kernel, const char *size, double units, const char *unit_name,
                   isa_table *t, size_t nt, const double *secs)
{
    printf("%-18s %-10s", kernel, size);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kernel", kernel);
    cJSON_AddStringToObject(o, "size", size);
    cJSON_AddNumberToObject(o, "units", units);
    cJSON_AddStringToObject(o, "unit", unit_name);
    cJSON *per = cJSON_AddObjectToObject(o, "isa");
    for (size_t i = 0; i < nt; i++) {
        cJSON *e = cJSON_AddObjectToObject(per, t[i].name);
        cJSON_AddNumberToObject(e, "seconds", secs[i]);
        cJSON_AddNumberToObject(e, "units_per_second", units / secs[i]);
        cJSON_AddNumberToObject(e, "speedup_vs_scalar", secs[0] / secs[i]);
        cJSON_AddNumberToObject(e, "streamed_bytes_per_second", units * bytes_per_unit(kernel) / secs[i]);
        printf(" %8.1f M/s %5.2fx %5.1fG", units / secs[i] / 1e6, secs[0] / secs[i],
               units * bytes_per_unit(kernel) / secs[i] / 1e9);
    }
    printf("\n");
    fflush(stdout);
    cJSON_AddItemToArray(arr, o);
}

int vox_bench_kernels(int argc, char **argv)
{
    static const char usage[] = "usage: vox-bench kernels [--quick] [-o FILE]\n";
    static const struct option opts[] = {{"quick", no_argument, 0, 'q'}, {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int quick = 0, ch;
    const char *out = NULL;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (ch) {
        case 'q': quick = 1; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return vox_bench_opt_error("kernels", ch, argv, usage);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vox-bench kernels: unexpected argument '%s'\n%s", argv[optind], usage);
        return 2;
    }
    isa_table t[4];
    size_t nt = load_isas(t);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", 1);
    cJSON_AddStringToObject(root, "tool", "vox-bench kernels");
    vox_bench_machine(root);
    double bw = copy_bandwidth();
    cJSON_AddNumberToObject(root, "copy_bytes_per_second", bw);
    printf("memcpy bandwidth (256 MiB, read + write): %.1f GB/s\n", bw / 1e9);
    cJSON *arr = cJSON_AddArrayToObject(root, "results");
    printf("%-18s %-10s", "kernel", "size");
    for (size_t i = 0; i < nt; i++) printf(" %26s", t[i].name);
    printf("\n%-29s", "");
    for (size_t i = 0; i < nt; i++) printf(" %26s", "units/s  ratio stream B/s");
    printf("\n");
    double secs[4];
    static const int grid_sizes[] = {32, 64, 128, 256, 512};
    int ngrids = quick ? 4 : 5;
    for (int s = 0; s < ngrids; s++) {
        int n = grid_sizes[s];
        size_t total = (size_t)n * n * n;
        grid_case g = {{n, n, n}, malloc(total), malloc(total), malloc(total), malloc(6 * (size_t)n * n * 4),
                       malloc(total * 4), malloc(total * 4)};
        if (!g.occ || !g.state || !g.state2 || !g.scratch || !g.labels || !g.queue) {
            fprintf(stderr, "vox-bench: out of memory at %d^3\n", n);
            break;
        }
        make_occ(g.occ, n);
        int reps = total > 20000000 ? 3 : 7;
        char size[32];
        snprintf(size, sizeof size, "%d^3", n);
        for (size_t i = 0; i < nt; i++) secs[i] = best_of(t[i].k, run_occlusion, &g, reps);
        report(arr, "occlusion", size, (double)total, "voxels", t, nt, secs);
        vox_occlusion_whole(t[0].k, g.occ, g.dims, g.state, g.scratch);
        for (size_t i = 0; i < nt; i++) secs[i] = best_of(t[i].k, run_first_shell, &g, reps);
        report(arr, "first_shell", size, (double)total, "voxels", t, nt, secs);
        vox_first_shell_whole(t[0].k, g.state, g.state2, g.dims);
        for (size_t i = 0; i < nt; i++) secs[i] = best_of(t[i].k, run_labels, &g, reps);
        report(arr, "label_components", size, (double)total, "voxels", t, nt, secs);
        free(g.occ); free(g.state); free(g.state2); free(g.scratch); free(g.labels); free(g.queue);
    }
    /* moments over one big group */
    {
        moment_case m = {{0}, {128, 128, 128}, NULL, 0, 0};
        for (int a = 0; a < 3; a++) {
            m.c[a] = malloc(128 * sizeof(float));
            for (int i = 0; i < 128; i++) m.c[a][i] = (float)(i * 1.5 + 0.25);
        }
        static const size_t counts[] = {10000, 1000000};
        for (int s = 0; s < 2; s++) {
            m.n = counts[s];
            m.vox = malloc(m.n * sizeof *m.vox);
            for (size_t i = 0; i < m.n; i++) m.vox[i] = (uint32_t)(i * 7 % (128u * 128u * 128u));
            char size[32];
            snprintf(size, sizeof size, "%zu", m.n);
            for (size_t i = 0; i < nt; i++) secs[i] = best_of(t[i].k, run_moments, &m, 7);
            report(arr, "moments", size, (double)m.n, "voxels", t, nt, secs);
            free(m.vox);
        }
        for (int a = 0; a < 3; a++) free(m.c[a]);
    }
    /* point binning: 20 offsets per atom, like a 1-radius shell */
    static const double npoints[] = {1e4, 1e5, 1e6, 1e7, 1e8};
    int npc = quick ? 4 : 5;
    for (int s = 0; s < npc; s++) {
        point_case p;
        p.noff = 20;
        p.natoms = (size_t)(npoints[s] / (double)p.noff);
        vox_grid_axis ax[3];
        float side = (float)(2.0 * cbrt((double)p.natoms) * 1.2 + 10.0);
        for (int a = 0; a < 3; a++) {
            vox_grid_axis_bounds(-side / 2, side / 2, 1.0, &ax[a]);
            vox_grid_axis_fill(&ax[a]);
        }
        vox_grid_axes_from(ax, &p.g);
        p.cx = malloc(p.natoms * sizeof(float)); p.cy = malloc(p.natoms * sizeof(float)); p.cz = malloc(p.natoms * sizeof(float));
        for (size_t i = 0; i < p.natoms; i++) {
            p.cx[i] = (float)((rnd01() - 0.5) * (side - 6)); p.cy[i] = (float)((rnd01() - 0.5) * (side - 6));
            p.cz[i] = (float)((rnd01() - 0.5) * (side - 6));
        }
        float off[3][20];
        p.ox = off[0];
        p.oy = off[1];
        p.oz = off[2];
        vox_fib_offsets(1.7, 20, off[0], off[1], off[2]);
        size_t total = (size_t)p.g.n[0] * p.g.n[1] * p.g.n[2];
        p.occ = calloc(total, 1);
        char size[32];
        snprintf(size, sizeof size, "%.0e", npoints[s]);
        int reps = npoints[s] >= 1e8 ? 2 : 5;
        for (size_t i = 0; i < nt; i++) secs[i] = best_of(t[i].k, run_points, &p, reps);
        report(arr, "bin_points", size, (double)(p.natoms * p.noff), "points", t, nt, secs);
        free(p.cx); free(p.cy); free(p.cz); free(p.occ);
        for (int a = 0; a < 3; a++) vox_grid_axis_free(&ax[a]);
    }
    int rc = vox_bench_write_json(root, out);
    cJSON_Delete(root);
    for (size_t i = 0; i < nt; i++) vox_ctx_destroy(&t[i].ctx);
    return rc;
}

/* ---- kernel micro-cases of `vox-bench run` ------------------------------- */

const char *const vox_bench_kernel_cases[] = {"occlusion@64^3", "first_shell@64^3", "label_components@64^3",
                                              "moments@1e5", "bin_points@1e6", NULL};

int vox_bench_kernel_case(const char *name, int reps, double *secs, double *units)
{
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) != VOX_OK || reps > 64)
        return 0;
    const vox_kernels *k = ctx->k;
    int ok = 1;
    rng = 88172645463325252ull;
    if (!strncmp(name, "occlusion@", 10) || !strncmp(name, "first_shell@", 12) ||
        !strncmp(name, "label_components@", 17)) {
        int n = 64;
        size_t total = (size_t)n * n * n;
        grid_case g = {{n, n, n}, malloc(total), malloc(total), malloc(total), malloc(6 * (size_t)n * n * 4),
                       malloc(total * 4), malloc(total * 4)};
        make_occ(g.occ, n);
        vox_occlusion_whole(k, g.occ, g.dims, g.state, g.scratch);
        runner run = !strncmp(name, "occlusion@", 10) ? run_occlusion
                     : !strncmp(name, "first_shell@", 12) ? run_first_shell : run_labels;
        if (run == run_labels)
            vox_first_shell_whole(k, g.state, g.state2, g.dims);
        for (int r = 0; r < reps; r++) secs[r] = best_of(k, run, &g, 1);
        *units = (double)total;
        free(g.occ); free(g.state); free(g.state2); free(g.scratch); free(g.labels); free(g.queue);
    } else if (!strcmp(name, "moments@1e5")) {
        moment_case m = {{0}, {64, 64, 64}, NULL, 100000, 0};
        for (int a = 0; a < 3; a++) {
            m.c[a] = malloc(64 * sizeof(float));
            for (int i = 0; i < 64; i++) m.c[a][i] = (float)(i * 1.5 + 0.25);
        }
        m.vox = malloc(m.n * sizeof *m.vox);
        for (size_t i = 0; i < m.n; i++) m.vox[i] = (uint32_t)(i * 2);
        for (int r = 0; r < reps; r++) secs[r] = best_of(k, run_moments, &m, 1);
        *units = (double)m.n;
        free(m.vox);
        for (int a = 0; a < 3; a++) free(m.c[a]);
    } else if (!strcmp(name, "bin_points@1e6")) {
        point_case p;
        p.noff = 20;
        p.natoms = 50000;
        vox_grid_axis ax[3];
        for (int a = 0; a < 3; a++) {
            vox_grid_axis_bounds(-45.0f, 45.0f, 1.0, &ax[a]);
            vox_grid_axis_fill(&ax[a]);
        }
        vox_grid_axes_from(ax, &p.g);
        p.cx = malloc(p.natoms * sizeof(float)); p.cy = malloc(p.natoms * sizeof(float)); p.cz = malloc(p.natoms * sizeof(float));
        for (size_t i = 0; i < p.natoms; i++) {
            p.cx[i] = (float)((rnd01() - 0.5) * 84); p.cy[i] = (float)((rnd01() - 0.5) * 84); p.cz[i] = (float)((rnd01() - 0.5) * 84);
        }
        float off[3][20];
        vox_fib_offsets(1.7, 20, off[0], off[1], off[2]);
        p.ox = off[0]; p.oy = off[1]; p.oz = off[2];
        p.occ = calloc((size_t)p.g.n[0] * p.g.n[1] * p.g.n[2], 1);
        for (int r = 0; r < reps; r++) secs[r] = best_of(k, run_points, &p, 1);
        *units = (double)(p.natoms * p.noff);
        free(p.cx); free(p.cy); free(p.cz); free(p.occ);
        for (int a = 0; a < 3; a++) vox_grid_axis_free(&ax[a]);
    } else {
        ok = 0;
    }
    vox_ctx_destroy(&ctx);
    return ok;
}
