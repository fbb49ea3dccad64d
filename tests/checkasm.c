/* checkasm.c - kernel-equivalence harness (after dav1d's checkasm, STYLE.md §9)
 *
 *   checkasm [--seed=N] [--kernel=NAME] [--isa=NAME] [--rounds=N]
 *
 * For every ISA this CPU and build can run and every kernel its table
 * provides, the same seeded inputs go through the scalar reference and the
 * variant, into buffers pre-filled with the same sentinel and ending at a
 * guard page; outputs are compared bit for bit.  Sizes cover 0, 1, W-1, W,
 * W+1 for every vector width W (in the kernel's element type), and inputs
 * start at misaligned addresses.  A failure prints kernel, ISA and seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "grid.h"
#include "internal.h"

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}
static double rndf(void) { return rnd() / 4294967296.0 * 65536.0 / 65536.0; }

/* A buffer whose last byte sits right before a PROT_NONE page. */
typedef struct guarded { void *map; size_t maplen; void *p; } guarded;

static void *galloc(guarded *g, size_t bytes, size_t misalign)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t need = bytes + misalign;
    size_t pages = (need + page - 1) / page + 1;
    g->maplen = pages * page;
    g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED) { perror("mmap"); exit(2); }
    mprotect((char *)g->map + (pages - 1) * page, page, PROT_NONE);
    /* end exactly at the guard page, rounded down to the element alignment the caller asked */
    char *end = (char *)g->map + (pages - 1) * page;
    g->p = end - bytes;
    (void)misalign;
    return g->p;
}
static void gfree(guarded *g) { munmap(g->map, g->maplen); }

static const char *only_kernel, *only_isa;
static int rounds = 30;

static const int widths[] = {4, 8, 16, 32, 64};

/* Sizes worth testing: 0, 1, W-1, W, W+1 for each width, plus a few random ones. */
static int sizes(int *out, int maxn)
{
    int n = 0;
    out[n++] = 0;
    out[n++] = 1;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (int d = -1; d <= 1; d++)
            if (widths[w] + d > 1 && widths[w] + d <= maxn) out[n++] = widths[w] + d;
    for (int r = 0; r < 4; r++) out[n++] = 2 + (int)(rnd() % (unsigned)(maxn - 1));
    return n;
}

static int want(const char *kernel, const char *isa)
{
    return (!only_kernel || !strcmp(only_kernel, kernel)) && (!only_isa || !strcmp(only_isa, isa));
}

#define REPORT(ok, kernel, isa, seed, fmt, ...)                                                              \
    CHECK(ok, "kernel %s isa %s seed %llu: " fmt " (reproduce: checkasm --seed=%llu --kernel=%s --isa=%s)", kernel, \
          isa, (unsigned long long)(seed), __VA_ARGS__, (unsigned long long)(seed), kernel, isa)

static void check_bin_points(const vox_kernels *ref, const vox_kernels *k, uint64_t seed)
{
    rng = seed;
    int ns[32], nn = sizes(ns, 200);
    for (int t = 0; t < nn; t++) {
        int natoms = ns[t], noff = 1 + (int)(rnd() % 24);
        vox_grid_axis ax[3];
        vox_grid_axes g;
        float lo = -20.0f + (float)(rnd() % 100) / 8.0f;
        double s = 0.5 + (rnd() % 6) * 0.5;
        for (int a = 0; a < 3; a++) {
            vox_grid_axis_bounds(lo - 2.5f, lo + 2.5f + (float)(rnd() % 40), s, &ax[a]);
            vox_grid_axis_fill(&ax[a]);
        }
        vox_grid_axes_from(ax, &g);
        size_t total = (size_t)g.n[0] * g.n[1] * g.n[2];
        guarded gc[3], go[3], g1, g2;
        float *c[3], *o[3];
        for (int a = 0; a < 3; a++) {
            c[a] = galloc(&gc[a], (size_t)natoms * sizeof(float) + 4, 4);
            c[a] = (float *)((char *)c[a] + 4); /* misaligned by one float, ends at the guard */
            o[a] = galloc(&go[a], (size_t)noff * sizeof(float), 0);
            for (int i = 0; i < natoms; i++) {
                float v = ax[a].lo + (float)(rndf() * (ax[a].hi - ax[a].lo - 2.0)) + 1.0f;
                if (rnd() % 4 == 0) /* exactly on an edge (representable edges only) */
                    v = (float)ax[a].edges[rnd() % (unsigned)(ax[a].n + 1)];
                c[a][i] = v;
            }
            for (int i = 0; i < noff; i++)
                o[a][i] = rnd() % 5 == 0 ? 0.0f : (float)(rndf() * 2.0 - 1.0);
        }
        uint8_t *r1 = galloc(&g1, total, 0), *r2 = galloc(&g2, total, 0);
        memset(r1, 0xA5, total);
        memset(r2, 0xA5, total);
        /* a random slab of owned planes (every third case: the whole grid) */
        int i0 = 0, i1 = g.n[0];
        if (t % 3) {
            i0 = (int)(rnd() % (unsigned)g.n[0]);
            i1 = i0 + 1 + (int)(rnd() % (unsigned)(g.n[0] - i0));
        }
        ref->bin_points(c[0], c[1], c[2], (size_t)natoms, o[0], o[1], o[2], (size_t)noff, &g, i0, i1, r1);
        k->bin_points(c[0], c[1], c[2], (size_t)natoms, o[0], o[1], o[2], (size_t)noff, &g, i0, i1, r2);
        size_t plane = (size_t)g.n[1] * g.n[2], outside = 0;
        for (size_t f = 0; f < total; f++)
            outside += (f < (size_t)i0 * plane || f >= (size_t)i1 * plane) && r2[f] != 0xA5;
        REPORT(!memcmp(r1, r2, total) && !outside, "bin_points", k->isa, seed,
               "natoms %d noff %d grid %dx%dx%d planes [%d, %d): %zu writes outside", natoms, noff, g.n[0], g.n[1],
               g.n[2], i0, i1, outside);
        gfree(&g1); gfree(&g2);
        for (int a = 0; a < 3; a++) { gfree(&gc[a]); gfree(&go[a]); vox_grid_axis_free(&ax[a]); }
    }
}

/* A random grid of the given dims: occupancy with a random density. */
static void random_occ(uint8_t *occ, size_t n)
{
    int density = 10 + (int)(rnd() % 80);
    for (size_t f = 0; f < n; f++) occ[f] = (int)(rnd() % 100) < density;
}

static void random_dims(int d[3], int nz)
{
    d[0] = 1 + (int)(rnd() % 12);
    d[1] = 1 + (int)(rnd() % 12);
    d[2] = nz;
}

/* Random slab boundaries 0 = cut[0] < ... < cut[m] = nx; returns m (1..13). */
static int random_cuts(int cut[14], int nx)
{
    int m = 0;
    cut[0] = 0;
    while (cut[m] < nx && m < 12) {
        int step = 1 + (int)(rnd() % (unsigned)(nx > 4 ? nx / 3 : 2));
        cut[m + 1] = cut[m] + step < nx ? cut[m] + step : nx;
        m++;
    }
    cut[m] = nx;
    return m;
}

static void check_grid_kernels(const vox_kernels *ref, const vox_kernels *k, uint64_t seed)
{
    rng = seed;
    int ns[32], nn = sizes(ns, 130);
    for (int t = 0; t < nn; t++) {
        if (ns[t] == 0) continue; /* a grid axis has at least one voxel */
        int d[3];
        random_dims(d, ns[t]);
        size_t n = (size_t)d[0] * d[1] * d[2];
        size_t lines = vox_line_extremes_ints(d);
        guarded go, g1, g2, gs1, gs2, gl1, gl2, gq1, gq2, gf1, gf2;
        uint8_t *occ = galloc(&go, n, 0);
        random_occ(occ, n);
        uint8_t *s1 = galloc(&g1, n, 0), *s2 = galloc(&g2, n, 0);
        int32_t *sc1 = galloc(&gs1, lines * 4, 0), *sc2 = galloc(&gs2, lines * 4, 0);
        memset(s1, 0x5A, n); memset(s2, 0x5A, n);
        /* the reference on the whole grid; the variant slab by slab in a
         * random split, as threads would run it */
        int cut[14], ncut = random_cuts(cut, d[0]);
        vox_occlusion_whole(ref, occ, d, s1, sc1);
        if (want("occlusion", k->isa)) {
            const size_t yz = (size_t)d[1] * d[2];
            vox_line_extremes e = vox_line_extremes_in(sc2, d);
            for (size_t q = 0; q < yz; q++) { e.minx[q] = INT32_MAX; e.maxx[q] = -1; }
            for (int c = 0; c < ncut; c++) k->line_extremes(occ, d, cut[c], cut[c + 1], &e);
            for (int c = ncut - 1; c >= 0; c--) k->occlusion(occ, d, cut[c], cut[c + 1], &e, s2);
            REPORT(!memcmp(s1, s2, n), "occlusion", k->isa, seed, "grid %dx%dx%d in %d slabs", d[0], d[1], d[2], ncut);
        }
        uint8_t *f1 = galloc(&gf1, n, 0), *f2 = galloc(&gf2, n, 0);
        if (want("first_shell", k->isa)) {
            ref->first_shell(s1, f1, d, 0, d[0]);
            for (int c = 0; c < ncut; c++) k->first_shell(s1, f2, d, cut[c], cut[c + 1]);
            REPORT(!memcmp(f1, f2, n), "first_shell", k->isa, seed, "grid %dx%dx%d in %d slabs", d[0], d[1], d[2], ncut);
        }
        if (want("label_components", k->isa) && k->label_components != ref->label_components) {
            int32_t *l1 = galloc(&gl1, n * 4, 0), *l2 = galloc(&gl2, n * 4, 0);
            uint32_t *q1 = galloc(&gq1, n * 4, 0), *q2 = galloc(&gq2, n * 4, 0);
            memset(l1, 0x77, n * 4); memset(l2, 0x77, n * 4);
            size_t c1 = ref->label_components(f1, d, 0, d[0], l1, q1), c2 = k->label_components(f1, d, 0, d[0], l2, q2);
            REPORT(c1 == c2 && !memcmp(l1, l2, n * 4), "label_components", k->isa, seed, "grid %dx%dx%d: %zu vs %zu components",
                   d[0], d[1], d[2], c1, c2);
            gfree(&gl1); gfree(&gl2); gfree(&gq1); gfree(&gq2);
        }
        gfree(&gf1); gfree(&gf2);
        gfree(&go); gfree(&g1); gfree(&g2); gfree(&gs1); gfree(&gs2);
    }
}

static void check_moments(const vox_kernels *ref, const vox_kernels *k, uint64_t seed)
{
    rng = seed;
    int ns[32], nn = sizes(ns, 300);
    for (int t = 0; t < nn; t++) {
        int d[3] = {1 + (int)(rnd() % 30), 1 + (int)(rnd() % 30), 1 + (int)(rnd() % 30)};
        guarded gc[3], gv;
        float *c[3];
        for (int a = 0; a < 3; a++) {
            c[a] = galloc(&gc[a], (size_t)d[a] * sizeof(float), 0);
            for (int i = 0; i < d[a]; i++) c[a][i] = (float)(rndf() * 100.0 - 50.0);
        }
        size_t n = (size_t)ns[t], total = (size_t)d[0] * d[1] * d[2];
        uint32_t *v = galloc(&gv, n * 4 + 4, 0);
        v = (uint32_t *)((char *)v + 4);
        for (size_t i = 0; i < n; i++) v[i] = (uint32_t)(rnd() % total);
        double m1[3], m2[3], s1[6], s2[6];
        memset(m1, 0x11, sizeof m1); memset(m2, 0x11, sizeof m2);
        memset(s1, 0x22, sizeof s1); memset(s2, 0x22, sizeof s2);
        const float *cc[3] = {c[0], c[1], c[2]};
        ref->moments((const float *const *)cc, d, v, n, m1, s1);
        k->moments((const float *const *)cc, d, v, n, m2, s2);
        REPORT(!memcmp(m1, m2, sizeof m1) && !memcmp(s1, s2, sizeof s1), "moments", k->isa, seed, "%zu voxels", n);
        gfree(&gv);
        for (int a = 0; a < 3; a++) gfree(&gc[a]);
    }
}

/* The depth searches: random H (0 on the padding, as the transform's pass 1
 * leaves it; any values inside, zeros among them), random wanted voxels or
 * every voxel (NULL), H ending VOX_DEPTH_SLACK values before the guard page
 * (the most a kernel may read past it).  D must match at the wanted voxels,
 * every other d2 value stay the sentinel, and each kernel leave its memo
 * and marks as it found them (all unknown, all zero). */
static void check_depth_plane(const vox_kernels *ref, const vox_kernels *k, uint64_t seed)
{
    rng = seed;
    int zs[32], nz = sizes(zs, 140);
    for (int t = 0; t < nz; t++) {
        const int d[3] = {1 + (int)(rnd() % 12), 1 + (int)(rnd() % 12), zs[t] > 0 ? zs[t] : 1};
        const size_t n = (size_t)d[0] * d[1] * d[2], pn = (size_t)(d[0] + 2) * (d[1] + 2) * (d[2] + 2);
        const size_t words = ((size_t)d[2] + 63) / 64, rows = (size_t)d[0] * d[1];
        const unsigned scale = 1 + rnd() % 3000, zeros = rnd() % 4;
        guarded gh, gw, g1, g2, gm, gk;
        uint32_t *h = galloc(&gh, (pn + VOX_DEPTH_SLACK) * sizeof *h, 0);
        for (int i = 0; i < d[0] + 2; i++)
            for (int j = 0; j < d[1] + 2; j++)
                for (int z = 0; z < d[2] + 2; z++) {
                    const int pad = i == 0 || j == 0 || z == 0 || i == d[0] + 1 || j == d[1] + 1 || z == d[2] + 1;
                    h[((size_t)i * (d[1] + 2) + j) * (d[2] + 2) + z] = pad || rnd() % 8 < zeros ? 0 : rnd() % scale;
                }
        for (size_t s2 = 0; s2 < VOX_DEPTH_SLACK; s2++) h[pn + s2] = rnd();
        uint64_t *want = galloc(&gw, rows * words * sizeof *want, 0);
        const unsigned density = rnd() % 5; /* 0: NULL, every voxel */
        for (size_t w = 0; w < rows * words; w++)
            want[w] = ((uint64_t)rnd() << 32 | rnd()) & ((uint64_t)rnd() << 32 | rnd()) & (density > 2 ? ~(uint64_t)0 : (uint64_t)rnd() << 32 | rnd());
        for (size_t r = 0; r < rows; r++) /* the bits past the row's end clear, as the caller makes them */
            if (d[2] % 64) want[r * words + words - 1] &= ~(uint64_t)0 >> (64 - d[2] % 64);
        uint32_t *o1 = galloc(&g1, n * sizeof *o1, 0), *o2 = galloc(&g2, n * sizeof *o2, 0);
        memset(o1, 0x5a, n * sizeof *o1);
        memset(o2, 0x5a, n * sizeof *o2);
        const size_t mlen = vox_depth_memo_len(d);
        uint32_t *memo = galloc(&gm, mlen * sizeof *memo, 0);
        uint64_t *marks = galloc(&gk, words * sizeof *marks, 0);
        memset(memo, 0xff, mlen * sizeof *memo);
        memset(marks, 0, words * sizeof *marks);
        vox_depth_grid g1d = {.h = h, .want = density ? want : NULL, .dims = {d[0], d[1], d[2]}, .d2 = o1};
        vox_depth_grid g2d = g1d;
        g2d.d2 = o2;
        int restored = 1;
        for (size_t j = 0; j < (size_t)d[1]; j++) {
            ref->depth_plane(&g1d, j, memo, marks);
            k->depth_plane(&g2d, j, memo, marks);
            for (size_t m = 0; m < mlen; m++) restored &= memo[m] == VOX_DEPTH_UNKNOWN;
            for (size_t w = 0; w < words; w++) restored &= marks[w] == 0;
        }
        REPORT(!memcmp(o1, o2, n * sizeof *o1) && restored, "depth_plane", k->isa, seed,
               "dims %dx%dx%d, %s voxels wanted, H below %u: %s", d[0], d[1], d[2], density ? "some" : "all", scale,
               restored ? "D differs" : "memo or marks not left as found");
        gfree(&gh); gfree(&gw); gfree(&g1); gfree(&g2); gfree(&gm); gfree(&gk);
    }
}

int main(int argc, char **argv)
{
    uint64_t seed = 0x5eed;
    int fixed_seed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--seed=", 7)) { seed = strtoull(argv[i] + 7, NULL, 0); fixed_seed = 1; }
        else if (!strncmp(argv[i], "--kernel=", 9)) only_kernel = argv[i] + 9;
        else if (!strncmp(argv[i], "--isa=", 6)) only_isa = argv[i] + 6;
        else if (!strncmp(argv[i], "--rounds=", 9)) rounds = atoi(argv[i] + 9);
        else { fprintf(stderr, "usage: checkasm [--seed=N] [--kernel=NAME] [--isa=NAME] [--rounds=N]\n"); return 2; }
    }
    if (fixed_seed) rounds = 1;
    /* scalar too: its slab ranges against its own whole-grid run */
    static const char *const isas[] = {"scalar", "avx2", "avx512", "neon"};
    vox_options o;
    vox_options_init(&o);
    o.isa = "scalar";
    vox_ctx *rc;
    if (vox_ctx_create(&rc, &o) != VOX_OK) return 1;
    int tested = 0;
    for (size_t i = 0; i < 4; i++) {
        o.isa = isas[i];
        vox_ctx *ctx;
        if (vox_ctx_create(&ctx, &o) != VOX_OK) {
            printf("checkasm: %s not available here (%s)\n", isas[i], vox_available_isas());
            continue;
        }
        if (only_isa && strcmp(only_isa, isas[i])) { vox_ctx_destroy(&ctx); continue; }
        tested++;
        for (int r = 0; r < rounds; r++) {
            uint64_t s = seed + (uint64_t)r * 0x9E3779B97F4A7C15ull;
            if (want("bin_points", ctx->k->isa) && ctx->k->bin_points != rc->k->bin_points)
                check_bin_points(rc->k, ctx->k, s);
            check_grid_kernels(rc->k, ctx->k, s); /* slab ranges: every ISA, scalar's own slabs included */
            if (want("moments", ctx->k->isa) && ctx->k->moments != rc->k->moments)
                check_moments(rc->k, ctx->k, s);
            if (want("depth_plane", ctx->k->isa) && ctx->k->depth_plane != rc->k->depth_plane)
                check_depth_plane(rc->k, ctx->k, s);
        }
        printf("checkasm: %s checked (%d rounds)\n", ctx->k->isa, rounds);
        vox_ctx_destroy(&ctx);
    }
    vox_ctx_destroy(&rc);
    if (!tested) {
        printf("SKIP: no vector ISA available here (%s)\n", vox_available_isas());
        return 77;
    }
    return check_report();
}
