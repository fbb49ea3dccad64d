/* test_units.c - unit tests of the pipeline stages against ALGORITHM.md's test vectors
 * and against brute-force definitions (internal API, linked statically) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byte_masks.h"
#include "check.h"
#include "classify.h"
#include "components.h"
#include "decimal.h"
#include "exact17.h"
#include "fixed3.h"
#include "fixed_cols.h"
#include "grid.h"
#include "internal.h"
#include "number_word.h"
#include "shells.h"

/* ---- §5.3 Fibonacci-sphere points ----------------------------------------- */
static void test_fibonacci(void)
{
    float ox[10], oy[10], oz[10];
    static const double x5[5] = {0.840, -0.946, 0.122, 0.781, -0.827}, y5[5] = {0.000, -0.867, 1.395, -1.018, 0.146},
                        z5[5] = {1.120, 0.560, 0.000, -0.560, -1.120};
    vox_fib_offsets(1.4, 5, ox, oy, oz);
    for (int i = 0; i < 5; i++)
        CHECK(fabs(ox[i] - x5[i]) < 1e-3 && fabs(oy[i] - y5[i]) < 1e-3 && fabs(oz[i] - z5[i]) < 1e-3,
              "r=1.4 n=5 point %d: %f %f %f", i, ox[i], oy[i], oz[i]);
    static const double x10[10] = {1.785, 0.052, 1.136, 2.045, -0.764, 2.511, 0.554, 0.282, 2.207, 0.275},
                        y10[10] = {-10.0, -10.868, -8.447, -11.363, -9.688, -9.039, -11.658, -8.617, -10.441, -10.299},
                        z10[10] = {7.12, 6.76, 6.40, 6.04, 5.68, 5.32, 4.96, 4.60, 4.24, 3.88};
    vox_fib_offsets(1.8, 10, ox, oy, oz);
    for (int i = 0; i < 10; i++) {
        float x = 1.0f + ox[i], y = -10.0f + oy[i], z = 5.5f + oz[i];
        CHECK(fabs(x - x10[i]) < 1e-3 && fabs(y - y10[i]) < 1e-3 && fabs(z - z10[i]) < 1e-3,
              "r=1.8 n=10 point %d: %f %f %f", i, x, y, z);
    }
}

/* ---- §5.1/5.2 radii and sample counts ------------------------------------- */
static void test_radii_samples(void)
{
    CHECK(vox_vdw_radius("C") == 1.70 && vox_vdw_radius("SE") == 2.0 && vox_vdw_radius("Se") == 1.90 &&
              vox_vdw_radius("ZN") == 2.0 && vox_vdw_radius("D") == 2.0 && vox_vdw_radius("") == 2.0,
          "case-sensitive radius table");
    struct { double r, s; int n; } v[] = {
        {1.7, 2.0, 20}, {1.8, 2.0, 20}, {2.0, 2.0, 20}, {1.7, 1.5, 20}, {0.2, 1.5, 20}, {2.0, 1.5, 40},
        {0.5, 1.5, 20}, {1.7, 1.0, 40}, {0.7, 1.0, 20}, {1.55, 1.0, 40}, {1.8, 1.0, 80}, {2.0, 1.0, 80},
        {1.0, 1.0, 20}, {1.7, 0.5, 160}, {1.2, 0.5, 80}, {0.7, 0.5, 40}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        CHECK(vox_samples_for(v[i].r, v[i].s) == v[i].n, "r=%g s=%g: %d samples, expected %d", v[i].r, v[i].s,
              vox_samples_for(v[i].r, v[i].s), v[i].n);
    /* radius lists: C at 0.5 -> 1.7, 1.2, 0.7, 0.19999999999999996 */
    vox_structure st;
    memset(&st, 0, sizeof st);
    vox_atom a;
    memset(&a, 0, sizeof a);
    strcpy(a.element, "C");
    vox_atoms_push(&st.atoms, &a);
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    vox_shells sh;
    CHECK(vox_shells_build(ctx, &st, 0.5, &sh) == VOX_OK, "shells at 0.5");
    CHECK(sh.nsets == 4 && sh.sets[3].radius == 0.19999999999999996 && sh.sets[1].radius == 1.2,
          "C radii at 0.5: %zu sets, last %.17g", sh.nsets, sh.nsets ? sh.sets[sh.nsets - 1].radius : 0);
    CHECK(sh.points == 1 + 160 + 80 + 40 + 20, "points %llu", (unsigned long long)sh.points);
    vox_shells_free(&sh);
    CHECK(vox_shells_build(ctx, &st, 1.0, &sh) == VOX_OK && sh.nsets == 2 && sh.sets[0].n == 40 &&
              sh.sets[1].n == 20 && fabs(sh.sets[1].radius - 0.7) < 1e-12,
          "C at 1.0 -> 1.7/40 + 0.7/20");
    vox_shells_free(&sh);
    vox_atoms_free(&st.atoms);
    vox_ctx_destroy(&ctx);
}

/* ---- §6.1/§6.5 grid ------------------------------------------------------- */
static void test_grid(void)
{
    vox_grid_axis ax;
    CHECK(vox_grid_axis_bounds(-4.25f, 5.5f, 3.0, &ax) && ax.n == 4 && ax.lo == -5.375f && ax.hi == 6.625f,
          "worked example: n=%d lo=%g hi=%g", ax.n, ax.lo, ax.hi);
    CHECK(vox_grid_axis_fill(&ax), "fill");
    CHECK(ax.edges[1] == -2.375 && ax.edges[2] == 0.625 && ax.edges[4] == 6.625, "edges");
    CHECK(ax.centres[0] == -3.875f && ax.centres[1] == -0.875f && ax.centres[3] == 5.125f, "centres");
    /* points on edges go to the lower voxel (§6.5) */
    const vox_kernels *k = &vox_kernels_scalar;
    vox_grid_axis three[3] = {ax, ax, ax};
    three[1].n = three[2].n = 1; /* y and z: one voxel, the first edge pair */
    vox_grid_axes g;
    vox_grid_axes_from(three, &g);
    float pts[5] = {-4.25f, 0.625f, 0.6250001f, 5.5f, -5.375f};
    int want[5] = {0, 1, 2, 3, 0};
    for (int i = 0; i < 5; i++) {
        uint8_t occ[4] = {0, 0, 0, 0};
        float y = -4.0f, z = -4.0f, zero = 0.0f;
        k->bin_points(&pts[i], &y, &z, 1, &zero, &zero, &zero, 1, &g, 0, g.n[0], occ);
        int got = -1;
        for (int v = 0; v < 4; v++) if (occ[v]) got = v;
        CHECK(got == want[i], "x=%.8g -> voxel %d, expected %d", pts[i], got, want[i]);
    }
    vox_grid_axis_free(&ax);
    /* the n = q case of §6.1: the f32 rounding loses a voxel */
    CHECK(vox_grid_axis_bounds(-76.99823760986328f, 22.972501754760742f, 3.0, &ax) && ax.n == 33,
          "n = q example gives %d voxels, expected 33", ax.n);
    CHECK(vox_py_floordiv(9.75, 3.0) == 3.0 && vox_py_floordiv(6.0, 3.0) == 2.0, "floor division");
    /* the bounds and the first edge are f32 values (castD of §6.1): cavity.pdb's x axis at
     * 1.2 A, where a miscompiled f64 store once kept lo = -18.147372817993162 */
    CHECK(vox_grid_axis_bounds(-18.0680809f, 18.9733353f, 1.2, &ax) && ax.lo == -18.147373199462891 &&
              ax.hi == 19.052627563476562 && vox_grid_axis_fill(&ax) && ax.edges[0] == (double)ax.lo,
          "f32 bounds: lo %.17g hi %.17g", (double)ax.lo, (double)ax.hi);
    vox_grid_axis_free(&ax);
}

/* ---- kernels against brute-force definitions ----------------------------- */
static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_kernels_bruteforce(void)
{
    const vox_kernels *k = &vox_kernels_scalar;
    for (int trial = 0; trial < 40; trial++) {
        int d[3] = {1 + (int)(rnd() % 9), 1 + (int)(rnd() % 9), 1 + (int)(rnd() % 9)};
        size_t n = (size_t)d[0] * d[1] * d[2];
        uint8_t *occ = malloc(n), *state = malloc(n), *occ2 = malloc(n);
        int32_t *scratch = malloc(vox_line_extremes_ints(d) * sizeof *scratch);
        int32_t *labels = malloc(n * sizeof *labels);
        uint32_t *queue = malloc(n * sizeof *queue);
        int density = 20 + (int)(rnd() % 60);
        for (size_t f = 0; f < n; f++) occ[f] = (int)(rnd() % 100) < density;
        vox_occlusion_whole(k, occ, d, state, scratch);
        vox_first_shell_whole(k, state, occ2, d);
        int bad = 0;
        for (int i = 0; i < d[0]; i++)
            for (int j = 0; j < d[1]; j++)
                for (int l = 0; l < d[2]; l++) {
                    size_t f = ((size_t)i * d[1] + j) * d[2] + l;
                    if (occ[f]) { bad += state[f] != VOX_V_PROTEIN; continue; }
                    int fl[6] = {0};
                    for (int t = 0; t < d[0]; t++) if (occ[((size_t)t * d[1] + j) * d[2] + l]) { if (t < i) fl[0] = 1; if (t > i) fl[1] = 1; }
                    for (int t = 0; t < d[1]; t++) if (occ[((size_t)i * d[1] + t) * d[2] + l]) { if (t < j) fl[2] = 1; if (t > j) fl[3] = 1; }
                    for (int t = 0; t < d[2]; t++) if (occ[((size_t)i * d[1] + j) * d[2] + t]) { if (t < l) fl[4] = 1; if (t > l) fl[5] = 1; }
                    int c = fl[0] + fl[1] + fl[2] + fl[3] + fl[4] + fl[5];
                    int buried = c > 4 || (c == 4 && ((!fl[0] && !fl[1]) || (!fl[2] && !fl[3]) || (!fl[4] && !fl[5])));
                    bad += ((state[f] & VOX_V_BURIED) != 0) != buried;
                }
        CHECK(bad == 0, "occlusion trial %d dims %dx%dx%d: %d voxels differ from the 6-flag rule", trial, d[0], d[1], d[2], bad);
        size_t nc = k->label_components(state, d, 0, d[0], labels, queue);
        /* component numbers follow the smallest flat index; neighbours share labels */
        int32_t next = 0;
        bad = 0;
        for (size_t f = 0; f < n; f++) {
            if (!(state[f] & VOX_V_BURIED)) { bad += labels[f] != -1; continue; }
            if (labels[f] == next) next++;
            else if (labels[f] > next) bad++;
            size_t sx = (size_t)d[1] * d[2];
            if (f + sx < n && (state[f + sx] & VOX_V_BURIED)) bad += labels[f + sx] != labels[f];
            if ((f / d[2]) % d[1] + 1 < (size_t)d[1] && (state[f + d[2]] & VOX_V_BURIED)) bad += labels[f + d[2]] != labels[f];
            if (f % d[2] + 1 < (size_t)d[2] && (state[f + 1] & VOX_V_BURIED)) bad += labels[f + 1] != labels[f];
        }
        CHECK(bad == 0 && (size_t)next == nc, "labels trial %d: %d inconsistencies, %zu components", trial, bad, nc);
        free(occ); free(occ2); free(state); free(scratch); free(labels); free(queue);
    }
}

/* ---- §9 / §10 classification on hand-built grids -------------------------- */
typedef struct toy {
    int d[3];
    uint8_t *state;
    int32_t *labels;
    uint32_t q[4096];
    size_t nq;
} toy;

static size_t F(const toy *t, int i, int j, int k) { return ((size_t)i * t->d[1] + j) * t->d[2] + k; }

static void toy_init(toy *t, int nx, int ny, int nz)
{
    t->d[0] = nx; t->d[1] = ny; t->d[2] = nz;
    size_t n = (size_t)nx * ny * nz;
    t->state = malloc(n);
    t->labels = malloc(n * sizeof *t->labels);
    memset(t->state, VOX_V_PROTEIN, n);
    for (size_t f = 0; f < n; f++) t->labels[f] = -1;
    t->nq = 0;
}
static void toy_buried(toy *t, int i, int j, int k) { size_t f = F(t, i, j, k); t->state[f] = VOX_V_BURIED; t->labels[f] = 0; }
static void toy_shell(toy *t, int i, int j, int k) { t->state[F(t, i, j, k)] = VOX_V_EXPOSED | VOX_V_FIRST_SHELL; }
static void toy_collect(toy *t)
{
    size_t n = (size_t)t->d[0] * t->d[1] * t->d[2];
    t->nq = 0;
    for (size_t f = 0; f < n; f++) if (t->labels[f] == 0) t->q[t->nq++] = (uint32_t)f;
}
static void toy_free(toy *t) { free(t->state); free(t->labels); }

static void classify_toy(toy *t, vox_connectivity mode, int gap, int refine, vox_volume_type *topo,
                         vox_volume_type *fin, size_t *nsurf, size_t *mouths)
{
    toy_collect(t);
    vox_scratch ws[3] = {{0}};
    vox_classifier *c = vox_classifier_new(t->state, t->labels, t->d, mode, gap, refine, &ws[0], &ws[1], &ws[2]);
    uint8_t *surf = malloc(t->nq + 1);
    CHECK(c && vox_classify(c, t->q, t->nq, 0, topo, fin, surf, nsurf), "classify ran");
    if (mouths) *mouths = vox_classifier_mouths(c);
    free(surf);
    vox_classifier_free(c);
    for (int i = 0; i < 3; i++) free(ws[i].p);
}

static void line_toy(toy *t, int n)
{
    toy_init(t, n + 3, 3, 3);
    for (int x = 1; x <= n; x++) toy_buried(t, x, 1, 1);
    toy_shell(t, 0, 1, 1);
    toy_shell(t, n + 1, 1, 1);
}

static void test_bridge_vectors(void)
{
    struct { int n, gap; vox_volume_type want; } v[] = {
        {4, -1, VOX_PORE}, {4, 0, VOX_POCKET}, {5, 0, VOX_PORE}, {5, 1, VOX_POCKET}, {6, 1, VOX_PORE}, {6, 2, VOX_POCKET}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        toy t;
        line_toy(&t, v[i].n);
        vox_volume_type topo, fin;
        size_t ns, mouths;
        classify_toy(&t, VOX_CONNECT_CUSTOM18, v[i].gap, 0, &topo, &fin, &ns, &mouths);
        CHECK(topo == v[i].want && mouths == 2, "line N=%d g=%d: %s with %zu mouths, expected %s", v[i].n, v[i].gap,
              vox_volume_type_name(topo), mouths, vox_volume_type_name(v[i].want));
        toy_free(&t);
    }
    /* §10.5: linear 6-voxel two-mouth pore: both mouths narrow -> cavity, no surface */
    toy t;
    line_toy(&t, 6);
    vox_volume_type topo, fin;
    size_t ns;
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(topo == VOX_PORE && fin == VOX_CAVITY && ns == 0, "6-voxel pore -> %s, %zu surface voxels",
          vox_volume_type_name(fin), ns);
    toy_free(&t);
}

static void test_mouth_connectivity(void)
{
    /* D = {(1,1,2), (2,2,2)} (each under an exposed first-shell voxel);
     * with_support adds (2,1,2) to Q: not direct, but a face neighbour of D */
    for (int with_support = 0; with_support <= 1; with_support++) {
        struct { vox_connectivity mode; size_t want; } v[] = {
            {VOX_CONNECT_6, 2}, {VOX_CONNECT_18, 1}, {VOX_CONNECT_26, 1}, {VOX_CONNECT_CUSTOM18, with_support ? 1u : 2u}};
        for (size_t i = 0; i < 4; i++) {
            toy t;
            toy_init(&t, 5, 5, 5);
            toy_buried(&t, 1, 1, 2);
            toy_buried(&t, 2, 2, 2);
            toy_shell(&t, 1, 1, 3);
            toy_shell(&t, 2, 2, 3);
            if (with_support) toy_buried(&t, 2, 1, 2);
            /* pad Q to 5 voxels with interior voxels away from D */
            toy_buried(&t, 3, 3, 1);
            toy_buried(&t, 3, 3, 2);
            toy_buried(&t, 3, 2, 1);
            vox_volume_type topo, fin;
            size_t ns, mouths;
            classify_toy(&t, v[i].mode, 1, 0, &topo, &fin, &ns, &mouths);
            CHECK(mouths == v[i].want, "mode %d support %d: %zu mouths, expected %zu", (int)v[i].mode, with_support,
                  mouths, v[i].want);
            toy_free(&t);
        }
    }
    size_t a[6] = {2011, 1972, 1893, 1706, 1552, 1551}, b[6] = {95, 65, 60, 38, 23, 22}, c[6] = {107, 63, 0, 0, 0, 0};
    CHECK(vox_wrapped_hub_spread(a) && !vox_wrapped_hub_spread(b) && !vox_wrapped_hub_spread(c), "wrapped hub spread");
}

static void necked_pocket(toy *t, int e)
{
    toy_init(t, 7 + e + 1, e + 2, e + 2);
    for (int x = 1; x <= 6; x++) toy_buried(t, x, 1, 1);     /* mouth 1..3, neck 4..6 */
    for (int x = 1; x <= 3; x++) toy_shell(t, x, 0, 1);     /* exposed directly below the mouth */
    for (int x = 7; x < 7 + e; x++)
        for (int y = 1; y <= e; y++)
            for (int z = 1; z <= e; z++) toy_buried(t, x, y, z);
}

static void test_refinement_vectors(void)
{
    vox_volume_type topo, fin;
    size_t ns;
    toy t;
    necked_pocket(&t, 13);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(topo == VOX_POCKET && fin == VOX_CAVITY && ns == 0, "necked pocket e=13 -> %s (surface %zu)",
          vox_volume_type_name(fin), ns);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 0, &topo, &fin, &ns, NULL);
    CHECK(fin == VOX_POCKET && ns == 4, "refinement off: stays a pocket with its 4-voxel shell (%zu)", ns);
    toy_free(&t);
    necked_pocket(&t, 6);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(fin == VOX_POCKET && ns == 4, "e=6 stays a pocket: %s, surface %zu", vox_volume_type_name(fin), ns);
    toy_free(&t);
    /* 4x2x2 block touching one boundary only */
    toy_init(&t, 6, 5, 5);
    for (int x = 0; x < 4; x++) for (int y = 1; y <= 2; y++) for (int z = 1; z <= 2; z++) toy_buried(&t, x, y, z);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(fin == VOX_POCKET, "one-boundary block -> %s", vox_volume_type_name(fin));
    toy_free(&t);
    /* chamber 4x3x2 on one boundary + a one-voxel tube of 4 to the far boundary */
    toy_init(&t, 8, 5, 4);
    for (int x = 0; x < 4; x++) for (int y = 1; y <= 3; y++) for (int z = 1; z <= 2; z++) toy_buried(&t, x, y, z);
    for (int x = 4; x < 8; x++) toy_buried(&t, x, 2, 1);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(topo == VOX_PORE && fin == VOX_POCKET, "chamber + narrow tube: %s -> %s", vox_volume_type_name(topo),
          vox_volume_type_name(fin));
    toy_free(&t);
    /* sealed block: cavity */
    toy_init(&t, 5, 5, 5);
    for (int x = 1; x <= 3; x++) for (int y = 1; y <= 3; y++) for (int z = 1; z <= 3; z++) toy_buried(&t, x, y, z);
    classify_toy(&t, VOX_CONNECT_CUSTOM18, 1, 1, &topo, &fin, &ns, NULL);
    CHECK(topo == VOX_CAVITY && fin == VOX_CAVITY, "sealed block -> %s", vox_volume_type_name(fin));
    toy_free(&t);
}

/* ---- output formatting ---------------------------------------------------- */
static void test_formatting(void)
{
    struct { double v; const char *s; } m[] = {
        {45048.0, "45048.0"}, {8.378, "8.378"}, {0.1748, "0.1748"}, {2.5600000000000005, "2.56"},
        {0.12345678915, "0.1234567892"}, {0.99999999995, "1.0"}, {0.999999999949, "0.9999999999"}, {0.0, "0.0"},
        {1e-16, "1e-16"}, {-3.5, "-3.5"}, {3043440.0, "3043440.0"}};
    char buf[64];
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        vox_fmt_modp(m[i].v, buf);
        CHECK(strcmp(buf, m[i].s) == 0, "modp(%.17g) = %s, expected %s", m[i].v, buf, m[i].s);
    }
    struct { double v; const char *s; } r[] = {
        {3.0, "3.0"}, {8.378, "8.378"}, {1e-05, "1e-05"}, {1e16, "1e+16"}, {0.0001, "0.0001"}, {0.1, "0.1"},
        {1234567890123456.0, "1234567890123456.0"}, {0.30000000000000004, "0.30000000000000004"}, {-2.5, "-2.5"},
        {0.6153846153846154, "0.6153846153846154"}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        vox_fmt_repr(r[i].v, buf);
        CHECK(strcmp(buf, r[i].s) == 0, "repr(%.17g) = %s, expected %s", r[i].v, buf, r[i].s);
    }
    CHECK(vox_round4(0.41295) == 0.413 || vox_round4(0.41295) == 0.4129, "round4");
    CHECK(vox_round4(0.12345) == 0.1235 || vox_round4(0.12345) == 0.1234, "round4 tie on the binary value");
    CHECK(vox_round3_np(2.0005) == 2.0 || vox_round3_np(2.0005) == 2.001, "round3");
    vox_buf b = {0};
    vox_json_string(&b, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80\xff");
    CHECK(b.data && strcmp(b.data, "\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\\udcff\"") == 0, "json string: %s", b.data);
    vox_buf_free(&b);
    /* vox's own documents: text only, a byte that is not UTF-8 (a stray
     * one, an encoded surrogate, a truncated sequence) as U+FFFD, and said */
    int replaced = 0;
    vox_json_text(&b, "a\"\xc3\xa9\xf0\x9f\x98\x80", &replaced);
    CHECK(b.data && !strcmp(b.data, "\"a\\\"\\u00e9\\ud83d\\ude00\"") && !replaced, "json text: %s", b.data);
    vox_buf_free(&b);
    vox_json_text(&b, "\xff\xed\xa0\x80x\xc3", &replaced);
    CHECK(b.data && !strcmp(b.data, "\"\\ufffd\\ufffd\\ufffd\\ufffdx\\ufffd\"") && replaced, "json text: %s", b.data);
    vox_buf_free(&b);
}

/* ---- amino acids, chains, altlocs ---------------------------------------- */
static void test_annotations(void)
{
    CHECK(vox_amino_acid_count() == 1554, "1554 amino acids, have %zu", vox_amino_acid_count());
    const char *yes[] = {"ALA", "MSE", "SEC", "UNK", "DAL", "HYP", "MA", "PCA", "ORN"};
    const char *no[] = {"ACE", "NH2", "HOH", "STA", "PSA", "DA", "NAG", "ala", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK(vox_is_amino_acid(yes[i]), "%s is an amino acid", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK(!vox_is_amino_acid(no[i]), "%s is not", no[i]);
    /* the integer-key lookup agrees with the name list on every name and on
     * every 1-4 character variant of one (one byte changed, cut, extended) */
    extern const char *const vox_amino_acid_table[];
    size_t disagree = 0;
    for (size_t i = 0; i < vox_amino_acid_count(); i++) {
        const char *name = vox_amino_acid_table[i];
        disagree += !vox_is_amino_acid(name);
        char v[8];
        for (size_t pos = 0; pos < 4; pos++)
            for (int c = ' '; c < 127; c += 13) {
                snprintf(v, sizeof v, "%s", name);
                size_t len = strlen(v);
                if (pos > len) continue;
                v[pos] = (char)c;
                if (pos == len) v[pos + 1] = '\0';
                int listed = 0;
                for (size_t j = 0; j < vox_amino_acid_count() && !listed; j++) listed = !strcmp(vox_amino_acid_table[j], v);
                disagree += vox_is_amino_acid(v) != listed;
            }
    }
    CHECK(disagree == 0, "%zu lookups disagree with the name list", disagree);

    /* assembly copies A,B,A,B -> copy 1 renamed from the pool, originals reserved */
    vox_atoms v = {0};
    const char *chains[] = {"A", "B", "A", "B"};
    for (int i = 0; i < 4; i++) {
        vox_atom a;
        memset(&a, 0, sizeof a);
        strcpy(a.chain, chains[i]);
        a.res_id = i;
        vox_atoms_push(&v, &a);
    }
    CHECK(vox_dedup_chains(&v) == VOX_OK, "dedup");
    CHECK(!strcmp(v.a[0].chain, "A") && !strcmp(v.a[1].chain, "B") && !strcmp(v.a[2].chain, "C") &&
              !strcmp(v.a[3].chain, "D"), "renamed: %s %s %s %s", v.a[0].chain, v.a[1].chain, v.a[2].chain, v.a[3].chain);
    vox_atoms_free(&v);
    /* one chain whose numbering restarts: split where it drops by more than 10 */
    int ids[] = {1, 2, 50, 51, 1, 2, 60};
    for (int i = 0; i < 7; i++) {
        vox_atom a;
        memset(&a, 0, sizeof a);
        strcpy(a.chain, "A");
        a.res_id = ids[i];
        vox_atoms_push(&v, &a);
    }
    vox_dedup_chains(&v);
    CHECK(!strcmp(v.a[3].chain, "A") && !strcmp(v.a[4].chain, "B") && !strcmp(v.a[6].chain, "B"), "split copy: %s %s",
          v.a[4].chain, v.a[6].chain);
    vox_atoms_free(&v);
    /* altloc first: keeps blanks and the first letter of each residue */
    const char alt[] = {0, 'B', 'A', 'B', '1', 0};
    for (int i = 0; i < 6; i++) {
        vox_atom a;
        memset(&a, 0, sizeof a);
        strcpy(a.chain, "A");
        a.res_id = 5;
        a.altloc = alt[i];
        vox_atoms_push(&v, &a);
    }
    vox_altloc_first(&v);
    CHECK(v.n == 4 && v.a[1].altloc == 'B' && v.a[2].altloc == 'B', "altloc first kept %zu", v.n);
    vox_atoms_free(&v);
}

/* ---- LAPACK-exact eigen solver -------------------------------------------- */
static void test_eigen(void)
{
    double a[3][3] = {{4, 1, 0.5}, {1, 3, 0.25}, {0.5, 0.25, 2}}, w[3], v[3][3];
    vox_eigh3(a, w, v);
    CHECK(w[0] <= w[1] && w[1] <= w[2], "ascending");
    for (int k = 0; k < 3; k++) {
        double res = 0;
        for (int i = 0; i < 3; i++) {
            double av = a[i][0] * v[0][k] + a[i][1] * v[1][k] + a[i][2] * v[2][k];
            res += fabs(av - w[k] * v[i][k]);
        }
        CHECK(res < 1e-12, "eigenpair %d residual %g", k, res);
    }
    double d[3][3] = {{2, 0, 0}, {0, 5, 0}, {0, 0, 1}};
    vox_eigh3(d, w, v);
    CHECK(w[0] == 1 && w[1] == 2 && w[2] == 5 && fabs(v[2][0]) == 1 && fabs(v[0][1]) == 1 && fabs(v[1][2]) == 1,
          "diagonal matrix gives the coordinate axes");
    double lo, hi;
    vox_eigvalsh2(2, 1, 2, &lo, &hi);
    CHECK(fabs(lo - 1) < 1e-15 && fabs(hi - 3) < 1e-15, "2x2 eigenvalues %g %g", lo, hi);
    vox_eigvalsh2(1, 0, 0, &lo, &hi);
    CHECK(lo == 0 && hi == 1, "flat slice");
}

/* Slab labelling joined across slabs gives the whole-grid scan's ids and
 * per-component lists for every slab thickness and thread count. */
static void test_parallel_components(void)
{
    vox_ctx *ctx = NULL;
    vox_options o;
    vox_options_init(&o);
    o.threads = 4;
    o.profile = "";
    if (vox_ctx_create(&ctx, &o) != VOX_OK) {
        CHECK(0, "context");
        return;
    }
    const vox_kernels *k = &vox_kernels_scalar;
    for (int trial = 0; trial < 60; trial++) {
        int d[3] = {1 + (int)(rnd() % 24), 1 + (int)(rnd() % 12), 1 + (int)(rnd() % 12)};
        size_t n = (size_t)d[0] * d[1] * d[2];
        uint8_t *state = malloc(n);
        int32_t *ref = malloc(n * sizeof *ref), *labels = malloc(n * sizeof *labels);
        uint32_t *queue = malloc(n * sizeof *queue);
        int density = 30 + (int)(rnd() % 50);
        for (size_t f = 0; f < n; f++) state[f] = (int)(rnd() % 100) < density ? VOX_V_BURIED : VOX_V_EXPOSED;
        size_t nref = k->label_components(state, d, 0, d[0], ref, queue);
        const int tiles[] = {1, 4, 64, 1 << 20}; /* 1 KiB: one plane per slab */
        for (int t = 1; t <= 4; t++)
            for (size_t ti = 0; ti < sizeof tiles / sizeof tiles[0]; ti++) {
                vox_stage_plan plan = {k, t, tiles[ti]};
                vox_components c;
                memset(labels, 0x55, n * sizeof *labels);
                if (!vox_stage_components(ctx->team, &plan, state, d, labels, queue, &ctx->ws[VOX_WS_JOIN],
                                          &ctx->ws[VOX_WS_STARTS], &c)) {
                    CHECK(0, "allocation");
                    continue;
                }
                int same = c.n == nref && !memcmp(labels, ref, n * sizeof *ref);
                /* each list ascending, every voxel carrying its component's id */
                for (size_t q = 0; same && q < c.n; q++)
                    for (size_t v = c.start[q]; v < c.start[q + 1]; v++)
                        same &= ref[c.voxels[v]] == (int32_t)q && (v == c.start[q] || c.voxels[v - 1] < c.voxels[v]);
                CHECK(same, "trial %d grid %dx%dx%d, %d threads, tile %d KiB: %zu vs %zu components", trial, d[0], d[1],
                      d[2], t, tiles[ti], c.n, nref);
            }
        free(state); free(ref); free(labels); free(queue);
    }
    vox_ctx_destroy(&ctx);
}

/* ---- P-SEA: the grid of cells counts the same CA contacts as every pair -- */
static void test_psea_contacts(void)
{
    uint64_t seed = 12345;
    int compared = 0, with_strands = 0;
    for (int trial = 0; trial < 40; trial++) {
        vox_structure st;
        memset(&st, 0, sizeof st);
        /* sheets of extended strands (CA 3.8 A apart, zigzag), 4.3-5.3 A
         * between strands, jittered, plus scattered residues; some far away */
        for (int strand = 0; strand < 4 + trial % 9; strand++)
            for (int k = 0; k < 6 + trial % 7; k++) {
                vox_atom a;
                memset(&a, 0, sizeof a);
                strcpy(a.name, "CA");
                strcpy(a.res_name, "ALA");
                strcpy(a.chain, "A");
                strcpy(a.element, "C");
                a.res_id = strand * 100 + k + 1;
                float jitter[3];
                for (int c = 0; c < 3; c++) {
                    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                    jitter[c] = (float)((double)(seed >> 40) / (double)(1 << 24) - 0.5) * 0.6f;
                }
                a.xyz[0] = 3.3f * (float)k + jitter[0] + (trial % 3 == 2 && strand == 1 ? 900.0f : 0.0f);
                a.xyz[1] = (float)strand * (4.3f + 0.1f * (float)(trial % 11)) + jitter[1];
                a.xyz[2] = (k % 2 ? 1.0f : -1.0f) + jitter[2];
                if (!vox_atoms_push(&st.atoms, &a)) break;
            }
        double a1, b1, c1, a2, b2, c2;
        vox_psea(&st, &a1, &b1, &c1);
        vox_psea_all_pairs(&st, &a2, &b2, &c2);
        compared++;
        with_strands += b2 > 0;
        CHECK(memcmp(&a1, &a2, sizeof a1) == 0 && memcmp(&b1, &b2, sizeof b1) == 0 && memcmp(&c1, &c2, sizeof c1) == 0,
              "trial %d: grid %g/%g/%g, all pairs %g/%g/%g", trial, a1, b1, c1, a2, b2, c2);
        vox_atoms_free(&st.atoms);
    }
    CHECK(with_strands > 10, "the generated sheets have strands in %d of %d trials", with_strands, compared);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* vox_same_name / vox_same_element agree with strcmp on the fields' strings,
 * whatever lies after the terminator: random short strings over a small
 * alphabet (so that equal strings and shared prefixes are common), with
 * random bytes after each NUL. */
static void test_same_name(void)
{
    uint64_t seed = 12345;
    const char alphabet[] = "AB\x01\x80\xff"; /* 0x80: differs from NUL in bit 7 alone */
    int mismatches = 0, equal = 0;
    for (int t = 0; t < 200000; t++) {
        char a[8], b[8], ea[4], eb[4];
        for (int k = 0; k < 8; k++) {
            a[k] = (char)(xorshift(&seed) & 0xff);
            b[k] = (char)(xorshift(&seed) & 0xff);
        }
        memcpy(ea, a, 4);
        memcpy(eb, b, 4);
        const int la = (int)(xorshift(&seed) % 8), lb = (int)(xorshift(&seed) % 8);
        for (int k = 0; k < la; k++) a[k] = alphabet[xorshift(&seed) % 5];
        for (int k = 0; k < lb; k++) b[k] = (xorshift(&seed) & 1) && k < la ? a[k] : alphabet[xorshift(&seed) % 5];
        a[la] = b[lb] = '\0';
        mismatches += vox_same_name(a, b) != (strcmp(a, b) == 0);
        equal += strcmp(a, b) == 0;
        const int ma = la % 4, mb = lb % 4;
        for (int k = 0; k < ma; k++) ea[k] = a[k];
        for (int k = 0; k < mb; k++) eb[k] = b[k];
        ea[ma] = eb[mb] = '\0';
        mismatches += vox_same_element(ea, eb) != (strcmp(ea, eb) == 0);
    }
    CHECK(mismatches == 0 && equal > 1000, "masked name comparison = strcmp (%d mismatches, %d equal pairs)", mismatches,
          equal);
}

/* Python's repr built another way: the fewest significant digits that read
 * back (printf's %.*e, correctly rounded), then placed by printf's %.*f in
 * the fixed range of [1e-4, 1e16) that vox_fmt_repr's four-place shortcut
 * lives in. */
static void repr_reference(double v, char out[64])
{
    char e[40];
    int p = 0;
    for (; p <= 16; p++) {
        snprintf(e, sizeof e, "%.*e", p, v);
        if (strtod(e, NULL) == v)
            break;
    }
    const int exp10 = atoi(strchr(e, 'e') + 1), places = p - exp10 > 0 ? p - exp10 : 0;
    snprintf(out, 64, "%.*f", places, v);
    if (!strchr(out, '.')) strcat(out, ".0");
}

/* vox_fmt_repr against repr_reference: decimals of up to four places (what
 * the shortcut takes) of every magnitude from 1e-4 to 1e9 and just past,
 * values rounded to 3 or 4 places from arbitrary doubles, arbitrary doubles
 * (which the shortcut must refuse), and the edges. */
static void test_repr_shortcut(void)
{
    static const double edges[] = {1e-4, 0.00015, 0.0001499, 9.99995, 9.9999, 99999.99995, 999999999.9999,
                                   999999999.99995, 1e9, 0.1, 0.3, 2.675, 1.0005, 123456.7891, 5e-5, 0.00009999};
    char got[64], want[64];
    int bad = 0, fast = 0;
    double first = 0.0;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int sign = 0; sign < 2; sign++) {
            const double v = sign ? -edges[i] : edges[i];
            if (!(fabs(v) >= 1e-4)) { /* Python writes these with an exponent: "5e-05" */
                vox_fmt_repr(v, got);
                bad += strchr(got, 'e') == NULL;
                continue;
            }
            vox_fmt_repr(v, got);
            repr_reference(v, want);
            if (strcmp(got, want) && !bad++) first = v;
        }
    uint64_t seed = 4242;
    static const double pow10[5] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
    for (int t = 0; t < 300000; t++) {
        const uint64_t r = xorshift(&seed);
        double v;
        switch (t % 3) {
        case 0: /* a decimal of up to four places: m / 10^k */
            v = (double)(r % 10000000000000ull >> (r >> 60)) / pow10[(r >> 44) % 5];
            break;
        case 1: /* a double rounded to 3 or 4 places */
            v = vox_round4(ldexp((double)(r & 0xfffffffffffffull) / 4503599627370496.0 + 1.0, (int)((r >> 52) % 40) - 13));
            if (t % 2) v = vox_round3_np(v);
            break;
        default: /* any double of a coordinate's or a volume's size */
            v = ldexp((double)(r & 0xfffffffffffffull) / 4503599627370496.0 + 1.0, (int)((r >> 52) % 40) - 13);
        }
        if (r >> 63) v = -v;
        if (!(fabs(v) >= 1e-4 && fabs(v) < 1e16)) continue;
        vox_fmt_repr(v, got);
        repr_reference(v, want);
        fast += strlen(want) < 12;
        if (strcmp(got, want) && !bad++) first = v;
    }
    CHECK(!bad && fast > 100000, "repr's four-place shortcut = Python's repr: %d differ (first %.17g), %d short values",
          bad, first, fast);
}

/* The block masks of the mmCIF reader (SSE2 on x86-64, eight-byte words
 * elsewhere) against a plain test of each byte, on blocks drawn from the
 * bytes that matter (blanks, control bytes, 0x20 and 0x21, high bytes,
 * quotes) and from any byte. */
static void test_byte_masks(void)
{
    static const char pool[] = " \n\t\r\v\f\x01\x1f\x20\x21\x7f\x80\xff"
                               "abcXYZ09_;#'\"";
    uint64_t x = 88172645463325252ull;
    int wrong = 0;
    for (int r = 0; r < 20000; r++) {
        unsigned char b[64];
        uint64_t blank = 0, nl = 0, control = 0;
        for (int i = 0; i < 64; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b[i] = (x & 3) ? (unsigned char)pool[x % (sizeof pool - 1)] : (unsigned char)(x >> 8);
            if (b[i] == ' ' || b[i] == '\n') blank |= 1ull << i;
            if (b[i] == '\n') nl |= 1ull << i;
            if (b[i] <= 0x20 && b[i] != ' ' && b[i] != '\n') control |= 1ull << i;
        }
        const byte_masks m = vox_byte_masks64((const char *)b);
        wrong += m.blank != blank || m.newline != nl || m.control != control;
    }
    CHECK(wrong == 0, "byte masks: %d of 20000 blocks differ from a test per byte", wrong);
}

/* The annotated CIF's coordinates: vox_fmt_fixed3 and vox_fixed3_len against
 * printf's "%.3f" on values half-way between two thousandths (exact in
 * binary32: half to even), signed zeros, tiny negatives ("-0.000"), values
 * around 2^52 thousandths and past the fast path's range, and a million
 * random values of every magnitude a coordinate has. */
static int fixed3_agrees(float f)
{
    char want[40], got[64];
    snprintf(want, sizeof want, "%.3f", (double)f);
    memset(got, 'x', sizeof got);
    const size_t n = vox_fmt_fixed3(f, got);
    return n == strlen(want) && memcmp(got, want, n + 1) == 0 && vox_fixed3_len(f) == n;
}

static void test_fixed3(void)
{
    static const float special[] = {0.0f, -0.0f, 0.0625f, -0.0625f, 0.1875f, -0.1875f, 1.0625f, -2.3125f, 1024.0625f,
                                    0.0004f, -0.0004f, 0.0005f, -0.0005f, 0.0006f, 9.9995f, -9.9995f, 99.9996f,
                                    999.9996f, -999.9996f, 1000.0f, 123456.789f, 4.5e12f, -4.6e12f, 8.99e12f, 9.1e12f,
                                    -1e13f, 1e20f, -3.4e38f, 1e-30f, -1e-30f};
    int bad = 0, first = -1;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (!fixed3_agrees(special[i]) && !bad++) first = (int)i;
    CHECK(!bad, "%%.3f of special values: %d differ (first %g)", bad, first >= 0 ? (double)special[first] : 0.0);
    uint64_t seed = 2026;
    bad = 0;
    float worst = 0.0f;
    for (int t = 0; t < 1000000; t++) {
        const uint64_t r = xorshift(&seed);
        /* a random sign and mantissa at an exponent of 2^-12 to 2^20 (all thousandths a coordinate shows) */
        const float f = ldexpf((float)(r & 0xffffff) / 16777216.0f + 0.5f, (int)((r >> 24) % 33) - 12) *
                        ((r >> 40) & 1 ? -1.0f : 1.0f);
        if (!fixed3_agrees(f) && !bad++) worst = f;
    }
    CHECK(!bad, "%%.3f of a million random values: %d differ (first %.9g)", bad, (double)worst);
}

/* The export documents' numbers (decimal.h) against printf.  Integers: the
 * edges of every digit count, the extremes, and random values of every bit
 * length.  "%.*f" for every places count 0-9: exact ties (odd multiples of
 * 2^-(places+1), which printf rounds to even) and their neighbours, signed
 * zeros, negatives that round to "-0.000", subnormals, values at and past
 * the fast path's 1e9, and a million random doubles from 2^-40 to 2^31. */
static int fixed_agrees(double v, int places)
{
    char want[VOX_FMT_FIXED_MAX + 8], got[VOX_FMT_FIXED_MAX + 8];
    snprintf(want, sizeof want, "%.*f", places, v);
    memset(got, 'x', sizeof got);
    const size_t n = vox_fmt_fixed(v, places, got);
    return n == strlen(want) && memcmp(got, want, n + 1) == 0;
}

static void test_decimal(void)
{
    int bad = 0;
    unsigned long long first_u = 0;
    uint64_t seed = 77;
    for (int t = 0; t < 200000; t++) {
        unsigned long long u;
        if (t < 40) { /* 10^k - 1, 10^k, and the largest values */
            unsigned long long ten = 1;
            for (int k = 0; k < t / 2; k++) ten *= 10;
            u = t < 38 ? ten - (unsigned long long)(t % 2) : t == 38 ? ~0ull : 0ull;
        } else {
            const uint64_t r = xorshift(&seed);
            u = r >> (r & 63); /* every bit length */
        }
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu", u);
        size_t n = vox_fmt_u64(u, got);
        int ok = n == strlen(want) && memcmp(got, want, n) == 0;
        const long long i = (long long)u;
        snprintf(want, sizeof want, "%lld", i);
        n = vox_fmt_i64(i, got);
        ok &= n == strlen(want) && memcmp(got, want, n) == 0;
        if (!ok && !bad++) first_u = u;
    }
    CHECK(!bad, "%%llu / %%lld: %d differ (first %llu)", bad, first_u);

    static const double special[] = {0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, -0.625, 0.0005, -0.0005,
                                     0.00049999999999999, 1e-7, -1e-7, 4.9e-324, -4.9e-324, 2.2250738585072014e-308,
                                     1.0, 9.9999999995, 999999999.99999988, -999999999.99999988, 999999999.5, 1e9,
                                     -1e9, 1.5e9, 4503599627370496.5, 1e300, -1e300, 17.459, -14.718, 1.41417282};
    bad = 0;
    double first = 0.0;
    int first_places = 0;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        for (int places = 0; places <= 9; places++)
            if (!fixed_agrees(special[i], places) && !bad++) {
                first = special[i];
                first_places = places;
            }
    CHECK(!bad, "%%.*f of special values: %d differ (first %.17g at %d places)", bad, first, first_places);
    bad = 0;
    int ties = 0;
    for (int t = 0; t < 1000000; t++) {
        const uint64_t r = xorshift(&seed);
        const int places = (int)(r % 10);
        double v;
        if (t % 4 == 0) { /* an exact tie at places: an odd number of 2^-(places+1) */
            v = ldexp((double)(((r >> 8) & 0xffffffffffull) >> ((r >> 48) % 40)) * 2.0 + 1.0, -(places + 1));
            ties += fabs(v) < 1e9;
        } else if (t % 4 == 1) { /* just beside one */
            v = ldexp((double)(((r >> 8) & 0xffffffffffull) >> ((r >> 48) % 40)) * 2.0 + 1.0, -(places + 1));
            v = nextafter(v, (r >> 62) & 1 ? INFINITY : 0.0);
        } else { /* any double from 2^-40 to 2^31 */
            v = ldexp((double)(r & 0xfffffffffffffull) / 4503599627370496.0 + 1.0, (int)((r >> 52) % 72) - 40);
        }
        if ((r >> 63) & 1) v = -v;
        if (!fixed_agrees(v, places) && !bad++) {
            first = v;
            first_places = places;
        }
    }
    CHECK(!bad && ties > 200000, "%%.*f of a million random values: %d differ (first %.17g at %d places), %d ties", bad,
          first, first_places, ties);
}

/* "%g" of vox_fmt_g against printf: decimals of up to four places and
 * every magnitude (the shortcut takes those of up to six significant
 * digits from 1e-4 to 1e6), the same just off a decimal, arbitrary doubles,
 * and the edges of the shortcut's range. */
/* Whether fmt (vox_fmt_g or vox_fmt_g17) writes v as printf's "%g", or
 * with all17 "%.17g", terminator included. */
static int printf_agrees(size_t (*fmt)(double, char *), int all17, double v)
{
    char want[64], got[64];
    if (all17)
        snprintf(want, sizeof want, "%.17g", v);
    else
        snprintf(want, sizeof want, "%g", v);
    memset(got, 'x', sizeof got);
    const size_t n = fmt(v, got);
    return n == strlen(want) && memcmp(got, want, n + 1) == 0;
}

static int g_agrees(double v) { return printf_agrees(vox_fmt_g, 0, v); }

static void test_fmt_g(void)
{
    static const double edges[] = {0.0, -0.0, 1e-4, 0.0001, 0.00009999, 0.00015, 1.0, 2.0, 4.0, 0.5, 1.7, 2.5, 3.0,
                                   999999.0, 999999.5, 999999.4, 1e6, 100000.0, 123456.7, 12345.67, 1234.567,
                                   0.1234, 0.12345, 9.99995, 99999.95, 1e-5, 1e20, 5e-324};
    int bad = 0;
    double first = 0.0;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int sign = 0; sign < 2; sign++) {
            const double v = sign ? -edges[i] : edges[i];
            if (!g_agrees(v) && !bad++) first = v;
        }
    uint64_t seed = 99;
    int decimals = 0;
    for (int t = 0; t < 1000000; t++) {
        const uint64_t r = xorshift(&seed);
        double v;
        if (t % 3 == 0) { /* a decimal of up to four places: m / 10^k, m of up to 13 digits */
            static const double p10[5] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
            v = (double)((r & 0xffffffffffffull) % 10000000000000ull >> ((r >> 48) % 44)) / p10[(r >> 56) % 5];
            decimals += v != 0.0;
        } else if (t % 3 == 1) { /* beside one */
            v = nextafter((double)(r % 100000000ull) / 10000.0, (r >> 62) & 1 ? INFINITY : 0.0);
        } else { /* any double from 2^-20 to 2^24 */
            v = ldexp((double)(r & 0xfffffffffffffull) / 4503599627370496.0 + 1.0, (int)((r >> 52) % 44) - 20);
        }
        if (r >> 63) v = -v;
        if (!g_agrees(v) && !bad++) first = v;
    }
    CHECK(!bad && decimals > 300000, "%%g: %d differ (first %.17g)", bad, first);
}

/* "%.17g" of vox_fmt_g17 (exact17.h, the transforms of the volumes JSON
 * and the viewer scripts) against printf: its exact range [1e-4, 1e15) and
 * what it hands to printf, the powers of ten and their neighbours (the
 * exponent is guessed from doubles, then checked exactly), values whose
 * 18th digit is a tie, rotation-like entries and centroids, and random
 * doubles of every exponent from 2^-40 to 2^60. */
static int g17_agrees(double v) { return printf_agrees(vox_fmt_g17, 1, v); }

static void test_fmt_g17(void)
{
    int bad = 0;
    double first = 0.0;
    static const double edges[] = {0.0, -0.0, 1e-4, 1e15, 1e-5, 1e16, 1.0, 0.1, 0.5, 0.7071067811865476,
                                   1.0 / 3.0, 123.456, 1e300, 5e-324, 2.2250738585072014e-308};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int sign = 0; sign < 2; sign++) {
            const double v = sign ? -edges[i] : edges[i];
            if (!g17_agrees(v) && !bad++) first = v;
        }
    /* each power of ten in and around the range, and the doubles beside it */
    for (int e = -6; e <= 17; e++) {
        double v = pow(10.0, e);
        for (int k = 0; k < 8; k++) {
            if (!g17_agrees(v) && !bad++) first = v;
            v = nextafter(v, k < 4 ? INFINITY : 0.0);
        }
        v = pow(10.0, e);
        for (int k = 0; k < 4; k++, v = nextafter(v, 0.0))
            if (!g17_agrees(v) && !bad++) first = v;
    }
    uint64_t seed = 1717;
    for (int t = 0; t < 1000000; t++) {
        const uint64_t r = xorshift(&seed);
        double v;
        if (t % 4 == 0) /* a rotation entry: a cosine or sine */
            v = cos((double)(r >> 11) * 0x1p-53 * 6.283185307179586);
        else if (t % 4 == 1) /* a centroid or a coordinate of f32 origin */
            v = (double)(float)((double)(r >> 11) * 0x1p-53 * 400.0 - 200.0);
        else if (t % 4 == 2) /* a decimal with up to 17 digits: many ties at the 18th */
            v = (double)(r % 100000000000000000ull) / pow(10.0, (double)((r >> 57) % 22));
        else /* any double from 2^-40 to 2^60 */
            v = ldexp((double)(r & 0xfffffffffffffull) / 4503599627370496.0 + 1.0, (int)((r >> 52) % 100) - 40);
        if ((r >> 63) && t % 4 != 0) v = -v;
        if (!g17_agrees(v) && !bad++) first = v;
    }
    CHECK(!bad, "%%.17g: %d differ (first %.17g)", bad, first);
}

/* vox_fixed_cols (a word at a time) accepts exactly the texts the
 * byte-by-byte vox_fixed_cols_scalar accepts, with the same value bit for
 * bit, in both PDB layouts: random fields over the characters that decide
 * (blanks, signs, digits, points, tabs, any byte now and then), the point
 * mostly at its column, and random bytes before the field, which the word
 * reads and must ignore. */
static void test_fixed_cols(void)
{
    static const char alphabet[] = "     --0123456789012345678901234567890123456789..+\t";
    static const size_t layouts[2][2] = {{8, 3}, {6, 2}};
    uint64_t s = 0x5eed0fc015ull;
    long mismatches = 0, accepted = 0, trials = 0;
    for (int n = 0; n < 400000; n++) {
        const size_t w = layouts[n & 1][0], k = layouts[n & 1][1], point = w - k - 1;
        char buf[16];
        for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)xorshift(&s);
        char *p = buf + 8 - w + 4; /* 8 readable bytes end at p + w */
        const uint64_t r = xorshift(&s);
        /* often a well-formed number (blanks, maybe '-', digits), then a few bytes changed */
        const size_t lead = (size_t)(r % (point + 1));
        for (size_t i = 0; i < w; i++) p[i] = i < lead ? ' ' : (char)('0' + xorshift(&s) % 10);
        if (lead && (r >> 8) % 3 == 0) p[lead - 1] = '-';
        p[point] = '.';
        for (uint64_t c = (r >> 16) % 4; c > 0; c--) {
            const uint64_t q = xorshift(&s);
            p[q % w] = (q >> 8) % 16 == 0 ? (char)(q >> 16) : alphabet[(q >> 16) % (sizeof alphabet - 1)];
        }
        double a = 0, b = 0;
        const int ra = vox_fixed_cols_scalar(p, w, k, &a), rb = vox_fixed_cols(p, w, k, &b);
        trials++;
        accepted += ra;
        if (ra != rb || (ra && memcmp(&a, &b, sizeof a) != 0)) {
            if (mismatches++ < 5)
                fprintf(stderr, "fixed_cols '%.*s' (w %zu): scalar %d %.17g, word %d %.17g\n", (int)w, p, w, ra, a,
                        rb, b);
        }
    }
    CHECK(mismatches == 0, "%ld of %ld fields parsed differently", mismatches, trials);
    CHECK(accepted > trials / 4 && accepted < trials - trials / 10, "%ld of %ld fields accepted: both kinds tested",
          accepted, trials);
}

/* vox_number_word accepts only texts vox_parse_number accepts, with the same
 * double bit for bit: random words of 0-10 bytes, mostly numbers of every
 * width and point position (leading zeros, '-0', '5.', '.5'), with bytes
 * changed to signs, points, blanks, letters, NUL and high bytes, and random
 * bytes after them (read, and to be ignored). */
static void test_number_word(void)
{
    static const char alphabet[] = "0123456789..--+ \teE\x01\x7f\x80\xff" "a";
    uint64_t s = 0x6e756d62ull;
    long mismatches = 0, accepted = 0, reference_ok = 0, trials = 0;
    for (int r = 0; r < 600000; r++) {
        char buf[24];
        for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)xorshift(&s);
        const uint64_t q = xorshift(&s);
        const size_t n = (size_t)(q % 11);
        char *p = buf + 2;
        size_t i = 0;
        if (n && (q >> 8) % 3 == 0) p[i++] = '-';
        for (; i < n; i++) p[i] = (char)('0' + xorshift(&s) % 10);
        if (n > 1 && (q >> 12) % 8 != 0) p[(size_t)((q >> 16) % n)] = '.';
        for (uint64_t c = (q >> 24) % 5; c > 2 && n; c--) {
            const uint64_t z = xorshift(&s);
            p[z % n] = (z >> 8) % 8 == 0 ? (char)(z >> 16) : alphabet[(z >> 16) % (sizeof alphabet - 1)];
        }
        double a = 0, b = 0;
        const int ra = vox_parse_number(p, n, &a), rb = vox_number_word(p, n, &b);
        trials++;
        accepted += rb;
        reference_ok += ra;
        if (rb && (!ra || memcmp(&a, &b, sizeof a) != 0)) {
            if (mismatches++ < 5)
                fprintf(stderr, "number_word '%.*s': reference %d %.17g, word %d %.17g\n", (int)n, p, ra, a, rb, b);
        }
    }
    CHECK(mismatches == 0, "%ld of %ld numbers parsed differently", mismatches, trials);
    /* both kinds of text seen, and most of what the reference reads taken here */
    CHECK(accepted > trials / 3 && accepted < trials - trials / 10 && accepted > reference_ok * 3 / 4,
          "%ld of %ld numbers accepted (the reference: %ld): both kinds tested", accepted, trials, reference_ok);
}

/* vox_cols_trim keeps the bytes that trimming isspace() blanks one by one
 * keeps, and vox_cols_digits4 reads what a digit loop reads: random fields
 * of 1-8 bytes over blanks of every kind, letters, digits, NUL and high
 * bytes, with random bytes before them (read, and to be ignored). */
static void test_cols_trim(void)
{
    static const char alphabet[] = "    \t\n\v\f\r0123456789AZaz-+.\x01\x1f\x7f\x80\xff";
    uint64_t s = 0x7217ull;
    long bad_trim = 0, bad_digits = 0, digit_fields = 0;
    for (int n = 0; n < 300000; n++) {
        char buf[24];
        for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)xorshift(&s);
        const size_t w = 1 + xorshift(&s) % 8;
        char *p = buf + 8; /* the field is p[8 - w .. 8): b = 8 */
        for (size_t i = 8 - w; i < 8; i++) {
            const uint64_t q = xorshift(&s);
            p[i] = q % 3 == 0 ? (char)('0' + (q >> 8) % 10) : alphabet[(q >> 8) % (sizeof alphabet - 1)];
        }
        /* the reference: trimmed one byte at a time */
        size_t a = 8 - w, b = 8;
        while (a < b && (p[a] == ' ' || (p[a] >= '\t' && p[a] <= '\r'))) a++;
        while (b > a && (p[b - 1] == ' ' || (p[b - 1] >= '\t' && p[b - 1] <= '\r'))) b--;
        char want[8] = {0}, got[8] = {0};
        memcpy(want, p + a, b - a);
        size_t len = 99;
        vox_cols_store(got, vox_cols_trim(p, 8, w, &len), 8);
        if (len != b - a || memcmp(want, got, 8) != 0)
            bad_trim++;
        if (w <= 4) {
            int ref = 0, ok = len > 0, v = -1;
            for (size_t i = 0; i < len; i++) {
                ok &= want[i] >= '0' && want[i] <= '9';
                ref = ref * 10 + (want[i] - '0');
            }
            const int r = vox_cols_digits4(vox_cols_trim(p, 8, w, &len), len, &v);
            digit_fields += ok;
            if (r != ok || (ok && v != ref))
                bad_digits++;
        }
    }
    CHECK(bad_trim == 0, "%ld fields trimmed differently", bad_trim);
    CHECK(bad_digits == 0, "%ld residue numbers read differently", bad_digits);
    CHECK(digit_fields > 1000, "only %ld all-digit fields tested", digit_fields);
}

int main(void)
{
    test_fibonacci();
    test_radii_samples();
    test_grid();
    test_kernels_bruteforce();
    test_bridge_vectors();
    test_mouth_connectivity();
    test_refinement_vectors();
    test_formatting();
    test_annotations();
    test_eigen();
    test_parallel_components();
    test_psea_contacts();
    test_same_name();
    test_byte_masks();
    test_fixed3();
    test_fixed_cols();
    test_cols_trim();
    test_number_word();
    test_decimal();
    test_fmt_g();
    test_fmt_g17();
    test_repr_shortcut();
    return check_report();
}
