/* descriptors.c - per-volume descriptors: depth (distance to bulk solvent), openings and boxes,
 * and their read access (README "Descriptors")
 *
 * Depth is an exact Euclidean distance transform in whole voxel steps,
 * evaluated at the group voxels only.  The grid is padded by one voxel on
 * every side that counts as bulk solvent, because outside the grid is solvent
 * (§9.1 treats the boundary the same way).  The squared distance from
 * (i, j, k) to the nearest bulk voxel splits by axis:
 *
 *     D(i, j, k)   = min over i' of (i - i')^2 + G(i', j, k)
 *     G(i', j, k)  = min over j' of (j - j')^2 + H(i', j', k)
 *     H(i', j', k) = the squared steps along z to the nearest bulk voxel of
 *                    the row (i', j')
 *
 * all finite (the padding ends every line) and all integers, so every ISA
 * and thread count gives the same bits.  Pass 1 computes H everywhere (row
 * by row, eight state bytes at a time).  Then, where the volumes are
 * shallow, each wanted voxel's D comes from a search outwards along x over
 * G, each G computed the first time a search reads it, by a search
 * outwards along y over H (edt_pass_xy): about as many steps as the depth,
 * for the group voxels only.  Where they are deep, the lower envelopes of
 * whole lines (edt_env_y, edt_env_x) cost less, as their cost does not
 * grow with the distances.  Both give the same integers; an estimate picks
 * the cheaper.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "team.h"

/* A voxel is at most 16384 steps from the padding along an axis of a
 * padded length up to this, so H <= 2^28, G <= 2^29, D < 2^30, and a
 * search's sums (r^2 below the lowest value so far, plus a value) stay
 * below 2^31: everything fits in 32 bits. */
#define MAX_PADDED_AXIS (VOX_DEPTH_MAX_AXIS + 2)

typedef struct edt_job {
    const uint8_t *state;
    const uint64_t *want; /* per grid row (i, j): a bit per k where D is wanted; NULL: everywhere */
    int dims[3];         /* the analysis grid */
    int pd[3];           /* padded: dims + 2 */
    uint32_t *h;         /* H, padded grid, flat (i * pd1 + j) * pd2 + k */
    uint32_t *d2;        /* D, the grid */
    vox_depth_grid grid;      /* the searches: H, want, dims and d2 as the kernel takes them */
    vox_k_depth_plane_fn search;
    struct edt_plane *planes; /* per thread, the searches' memo */
    struct edt_line *lines;   /* per thread, the envelopes */
    uint64_t *need;           /* the envelopes: per grid j, a bit per k where D is wanted on the x-line */
    uint64_t *need_k;         /* the envelopes: a bit per k where some x-line wants D */
    struct edt_census *census; /* per padded x-plane, for the choice of method */
} edt_job;

/* One thread's memo for the searches (kernels.h: vox_k_depth_plane_fn):
 * g, vox_depth_memo_len uint32 all VOX_DEPTH_UNKNOWN, and cols, its marks,
 * all 0, between planes. */
typedef struct edt_plane {
    uint32_t *g;
    uint64_t *cols;
} edt_plane;

/* What pass 1 sees of one padded x-plane: its voxels other than bulk, and
 * its longest run of them along z (its H are at most the square of half of
 * that, rounded up). */
typedef struct edt_census {
    size_t other;
    int longest;
} edt_census;

/* Eight voxels' bulk bits, one per byte. */
#define EXPOSED8 (0x0101010101010101ull * VOX_V_EXPOSED)

/* The first of bytes[k .. n) whose VOX_V_EXPOSED bit is set (flip 0) or
 * clear (flip EXPOSED8), or n: eight bytes at a time, since the rows are
 * mostly long runs of bulk solvent or of protein. */
static inline int next_edge(const uint8_t *bytes, int k, int n, uint64_t flip)
{
    for (; k + 8 <= n; k += 8) {
        /* memory order, the first byte lowest */
        const uint64_t m = (vox_text_bits((const char *)bytes + k, 8) ^ flip) & EXPOSED8;
        if (m) return k + (__builtin_ctzll(m) >> 3);
    }
    if (k < n && n >= 8) {
        /* the row's last eight bytes, those before k shifted out */
        const uint64_t m = ((vox_text_bits((const char *)bytes + n - 8, 8) ^ flip) & EXPOSED8) >> (8 * (k - (n - 8)));
        return m ? k + (__builtin_ctzll(m) >> 3) : n;
    }
    while (k < n && !((bytes[k] ^ flip) & VOX_V_EXPOSED)) k++;
    return k;
}

/* H of one padded row from its n state voxels s: 0 at the bulk voxels and
 * at both ends, and in each run of other voxels between bulk (or the
 * padding) at a and b, min(q - a, b - q)^2, filled from both ends inwards. */
static size_t bulk_row(uint32_t *h, const uint8_t *s, int n, int *longest)
{
    size_t other = 0;
    memset(h, 0, ((size_t)n + 2) * sizeof *h);
    for (int k = 0;;) {
        const int lo = next_edge(s, k, n, EXPOSED8); /* the run: s[lo .. hi), h[lo + 1 .. hi] */
        if (lo == n)
            return other;
        const int hi = next_edge(s, lo + 1, n, 0);
        other += (size_t)(hi - lo);
        if (hi - lo > *longest) *longest = hi - lo;
        uint32_t sq = 1, step = 3; /* (t + 1)^2 = t^2 + 2t + 1 */
        for (int a = lo + 1, b = hi; a <= b; a++, b--) {
            h[a] = h[b] = sq;
            sq += step;
            step += 2;
        }
        k = hi;
    }
}

/* Pass 1, H of the padded x-plane i: a padding plane or row is all bulk. */
static void edt_pass_z(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    (void)thread;
    const size_t pd1 = (size_t)e->pd[1], pd2 = (size_t)e->pd[2];
    uint32_t *plane = e->h + i * pd1 * pd2;
    edt_census *c = &e->census[i];
    memset(c, 0, sizeof *c);
    if (i == 0 || (int)i > e->dims[0]) {
        memset(plane, 0, pd1 * pd2 * sizeof *plane);
        return;
    }
    memset(plane, 0, pd2 * sizeof *plane);
    memset(plane + (pd1 - 1) * pd2, 0, pd2 * sizeof *plane);
    const uint8_t *st = e->state + (i - 1) * (size_t)e->dims[1] * (size_t)e->dims[2];
    for (int j = 0; j < e->dims[1]; j++)
        c->other += bulk_row(plane + (size_t)(j + 1) * pd2, st + (size_t)j * (size_t)e->dims[2], e->dims[2],
                             &c->longest);
}

/* Pass 2 of the searches, the grid's y-plane j: D of its wanted voxels,
 * by the context's kernel (kernels.h: the scalar reference searches one
 * voxel at a time, the vector ones eight along z), in this thread's memo. */
static void edt_pass_xy(void *arg, size_t j, int thread)
{
    edt_job *e = arg;
    e->search(&e->grid, j, e->planes[thread].g, e->planes[thread].cols);
}

/* ---- deep volumes: lower envelopes of whole lines ---------------------- */

/* A search costs about the depth of its voxel in steps, so where volumes
 * are deep (7odw.cif at 3.0 A: 115,000 voxels, 13 steps deep on average)
 * the previous passes win: pass 1's H turned into G along y, then D along
 * x, each line by the lower envelope of its parabolas, whose cost does not
 * grow with the distances.  The two give the same integers. */

/* One parabola of a line's lower envelope, (q - vertex)^2 + height, kept
 * as key = height + vertex^2: the lowest of those kept for the integer q
 * from `from` up to the next one's from - 1. */
typedef struct edt_parabola {
    int32_t vertex;
    int32_t from;
    int64_t key;
} edt_parabola;

/* One line's work space: a copy of its values (the results are written in
 * place) and its lower envelope, at most one parabola per value. */
typedef struct edt_line {
    uint32_t *f;
    edt_parabola *env;
} edt_line;

/* Whether padded q of a line is wanted: bit `bit` of want[(q - 1) * stride]
 * (the padding, q = 0 and n - 1, is never asked: it is bulk); want NULL:
 * every q. */
static inline int edt_wanted(const uint64_t *want, size_t stride, unsigned bit, int q)
{
    return !want || (want[(size_t)(q - 1) * stride] >> bit & 1);
}

/* The wanted q strictly between the zeros a < b of f, written to
 * out[q * stride]: the minimum over a <= p <= b of (q - p)^2 + f[p], by the
 * lower envelope of these parabolas, built once, left to right, then read
 * at the wanted q.
 *
 * Two parabolas, p > v, cross once: p is strictly lower at q exactly when
 * q * 2(p - v) > (f[p] + p^2) - (f[v] + v^2), so every comparison is of
 * integers, exact, and the same on every ISA.  Whichever of two equal
 * parabolas is kept gives the same value, so the result is the minimum bit
 * for bit.  The sums and products are formed in 64 bits. */
static void edt_envelope(edt_parabola *env, const uint32_t *f, int a, int b, uint32_t *out, size_t stride,
                         const uint64_t *want, size_t want_stride, unsigned bit)
{
    /* the zero at a is the lowest at a and never drops out: nothing is
     * strictly below 0 there */
    env[0] = (edt_parabola){.vertex = a, .from = a, .key = (int64_t)a * a};
    int top = 0;
    int64_t p2 = (int64_t)a * a;
    for (int p = a + 1; p <= b; p++) {
        p2 += 2 * (int64_t)p - 1;
        const int64_t key = (int64_t)f[p] + p2;
        const edt_parabola *t = &env[top];
        int64_t num, den;
        /* p lower at t's first q is lower wherever t was the lowest: t
         * drops out */
        while ((num = key - t->key) < (int64_t)t->from * (den = 2 * (int64_t)(p - t->vertex)))
            t = &env[--top];
        /* num >= 0 here, so the division rounds down: p is strictly lower
         * from the first integer above num / den; past b the zero at b is
         * the lowest, and it is always kept (from <= b) */
        const int64_t from = num / den + 1;
        if (from <= b)
            env[++top] = (edt_parabola){.vertex = p, .from = (int32_t)from, .key = key};
    }
    int h = 0;
    for (int q = a + 1; q < b; q++) {
        if (!edt_wanted(want, want_stride, bit, q))
            continue;
        while (h < top && env[h + 1].from <= q) h++;
        /* (q - vertex)^2 + height */
        out[(size_t)q * stride] = (uint32_t)(env[h].key + (int64_t)q * (q - 2 * (int64_t)env[h].vertex));
    }
}

/* out[q] = min over p of (q - p)^2 + f[p], in place on the line of n values
 * from line with stride, whose two ends are 0 (the padding is bulk
 * solvent), only for the wanted q; the others keep what they held.
 *
 * A zero at p is lowest at every q on its side of any p' beyond it
 * (|q - p| < |q - p'|), so the zeros cut the line into independent
 * segments: those without a wanted q (runs of bulk, the solvent around the
 * structure) cost only their copy. */
static void edt_1d(edt_line *w, uint32_t *line, size_t stride, int n, const uint64_t *want, size_t want_stride,
                   unsigned bit)
{
    uint32_t *f = w->f;
    f[0] = line[0];
    int a = 0;
    for (int p = 1; p < n; p++) {
        if ((f[p] = line[(size_t)p * stride]) != 0)
            continue;
        if (p == a + 1) {
            a = p; /* a run of bulk */
            continue;
        }
        int wanted = 0;
        for (int q = a + 1; q < p && !wanted; q++) wanted = edt_wanted(want, want_stride, bit, q);
        if (wanted)
            edt_envelope(w->env, f, a, p, line, stride, want, want_stride, bit);
        a = p;
    }
}

/* Pass 2 of the envelopes, along y for the padded x-plane i: the columns k
 * that a wanted x-line passes through, and in them only the j of wanted
 * x-lines (pass 3 reads nothing else).  The padding planes keep H = G = 0. */
static void edt_env_y(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    if (i == 0 || (int)i > e->dims[0])
        return;
    const size_t pd2 = (size_t)e->pd[2], words = ((size_t)e->dims[2] + 63) / 64;
    for (size_t k = 0; k < (size_t)e->dims[2]; k++)
        if (e->need_k[k / 64] >> (k % 64) & 1)
            edt_1d(&e->lines[thread], e->h + i * (size_t)e->pd[1] * pd2 + k + 1, pd2, e->pd[1], e->need + k / 64,
                   words, (unsigned)(k % 64));
}

/* Pass 3 of the envelopes, along x for the grid's y-plane j: the wanted
 * x-lines, and in them the wanted voxels, copied out to d2. */
static void edt_env_x(void *arg, size_t j, int thread)
{
    edt_job *e = arg;
    const size_t d1 = (size_t)e->dims[1], d2 = (size_t)e->dims[2], words = (d2 + 63) / 64;
    const size_t hx = (size_t)e->pd[1] * (size_t)e->pd[2];
    for (size_t k = 0; k < d2; k++) {
        if (!(e->need[j * words + k / 64] >> (k % 64) & 1))
            continue;
        const uint64_t *want = e->want ? e->want + j * words + k / 64 : NULL;
        uint32_t *line = e->h + (j + 1) * (size_t)e->pd[2] + k + 1;
        edt_1d(&e->lines[thread], line, hx, e->pd[0], want, d1 * words, (unsigned)(k % 64));
        for (size_t i = 0; i < (size_t)e->dims[0]; i++)
            if (edt_wanted(want, d1 * words, (unsigned)(k % 64), (int)i + 1))
                e->d2[(i * d1 + j) * d2 + k] = line[(i + 1) * hx];
    }
}

/* Whether the searches are expected to cost less than the envelopes: a
 * search costs about 7 + its voxel's depth in steps, of which H's root, the
 * steps along z, is an upper bound; the envelopes about 11 per voxel that
 * is not bulk (fits of callgrind counts on 4jpn.pdb at 2.0 A and 7odw.cif
 * at 3.0 A, scalar).  The kernels that search eight voxels at once
 * (depth_lanes 8) cost 2.2 (4jpn.pdb at 2.0 A, blocks of eight holding 1.8
 * wanted voxels) to 3.7 times less (7odw.cif at 3.0 A, deep and wide
 * volumes): their searches are weighed by a half, which leaves a margin.
 * The sum of the roots over the n wanted voxels is taken as
 * sqrt(n * sum of H), its upper bound (Cauchy-Schwarz), which spares a
 * root per voxel.  Only a matter of speed: both are exact. */
static int edt_searches_cheaper(const edt_job *e, int lanes)
{
    const double weight = lanes > 1 ? 0.5 : 1.0;
    const size_t d1 = (size_t)e->dims[1], d2 = (size_t)e->dims[2], words = (d2 + 63) / 64;
    const size_t hy = (size_t)e->pd[2], hx = (size_t)e->pd[1] * hy;
    uint64_t n = 0, sum = 0, other = 0;
    int longest = 0;
    for (size_t i = 0; i < (size_t)e->pd[0]; i++) {
        other += e->census[i].other;
        if (e->census[i].longest > longest) longest = e->census[i].longest;
    }
    /* every H is at most root^2: sum <= n root^2, so when even n root in
     * place of the sum's root (with room for its rounding) is below, so is
     * the estimate, and the voxels need not be visited; the count of the
     * wanted voxels stops once too many for that (the deep volumes) */
    const double root = (double)((longest + 1) / 2), per = weight * (7.0 + 1.000001 * root),
                 budget = 11.0 * (double)other;
    if (!e->want)
        n = (uint64_t)e->dims[0] * d1 * d2;
    for (size_t t = 0; e->want && t < (size_t)e->dims[0] * d1 * words; t++) {
        /* the bits set, eight bytes' counts summed by one product */
        uint64_t m = e->want[t];
        if (!m)
            continue;
        m -= m >> 1 & 0x5555555555555555ull;
        m = (m & 0x3333333333333333ull) + (m >> 2 & 0x3333333333333333ull);
        n += ((m + (m >> 4)) & 0x0f0f0f0f0f0f0f0full) * 0x0101010101010101ull >> 56;
        if ((double)n * per >= budget)
            break;
    }
    if ((double)n * per < budget)
        return 1;
    n = 0;
    for (size_t i = 0; i < (size_t)e->dims[0]; i++)
        for (size_t j = 0; j < d1; j++) {
            const uint32_t *h = e->h + (i + 1) * hx + (j + 1) * hy + 1;
            for (size_t w = 0; w < words; w++) {
                const size_t k0 = 64 * w;
                uint64_t m = e->want ? e->want[(i * d1 + j) * words + w]
                                     : ~(uint64_t)0 >> (d2 - k0 < 64 ? 64 - (d2 - k0) : 0);
                for (; m; m &= m - 1, n++) sum += h[k0 + (size_t)__builtin_ctzll(m)];
            }
        }
    return weight * (7.0 * (double)n + sqrt((double)n * (double)sum)) < 11.0 * (double)other;
}

vox_status vox_bulk_distance2(vox_ctx *ctx, const uint8_t *state, const int dims[3], const uint64_t *want,
                              int method, uint32_t *work, uint32_t *d2)
{
    edt_job e;
    memset(&e, 0, sizeof e);
    e.state = state;
    e.want = want;
    e.h = work;
    e.d2 = d2;
    int longest = 0;
    for (int a = 0; a < 3; a++) {
        e.dims[a] = dims[a];
        e.pd[a] = dims[a] + 2;
        if (e.pd[a] > longest) longest = e.pd[a];
    }
    if (longest > MAX_PADDED_AXIS)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "descriptors: the grid has %d voxels along an axis; depths are computed up to %d",
                        longest - 2, MAX_PADDED_AXIS - 2);
    const int width = vox_team_width(ctx->team, 0, (size_t)longest);
    e.census = malloc((size_t)e.pd[0] * sizeof *e.census);
    if (!e.census)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    /* each item owns whole planes or lines: any thread count writes the same bytes */
    vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_pass_z, &e);
    /* the slack the vector searches read past H's end: defined values */
    memset(work + (size_t)e.pd[0] * (size_t)e.pd[1] * (size_t)e.pd[2], 0, VOX_DEPTH_SLACK * sizeof *work);
    const int search = method == VOX_EDT_SEARCH || (method == VOX_EDT_AUTO && edt_searches_cheaper(&e, ctx->k->depth_lanes));
    free(e.census);
    vox_status rc = VOX_OK;
    const size_t words = ((size_t)dims[2] + 63) / 64;
    if (search) {
        const size_t plane = vox_depth_memo_len(dims);
        e.search = ctx->k->depth_plane;
        e.grid = (vox_depth_grid){.h = work, .want = want, .dims = {dims[0], dims[1], dims[2]}, .d2 = d2};
        e.planes = calloc((size_t)width, sizeof *e.planes);
        rc = e.planes ? VOX_OK : vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
        for (int t = 0; t < width && rc == VOX_OK; t++) {
            e.planes[t].g = malloc(plane * sizeof *e.planes[t].g);
            e.planes[t].cols = calloc(words, sizeof *e.planes[t].cols);
            if (!e.planes[t].g || !e.planes[t].cols)
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
            else
                memset(e.planes[t].g, 0xff, plane * sizeof *e.planes[t].g); /* VOX_DEPTH_UNKNOWN */
        }
        if (rc == VOX_OK)
            vox_team_run(ctx->team, width, (size_t)e.dims[1], VOX_SCHED_STATIC, edt_pass_xy, &e);
        for (int t = 0; e.planes && t < width; t++) {
            free(e.planes[t].g);
            free(e.planes[t].cols);
        }
        free(e.planes);
        return rc;
    }
    e.lines = calloc((size_t)width, sizeof *e.lines);
    e.need = calloc((size_t)dims[1] * words, sizeof *e.need);
    e.need_k = calloc(words, sizeof *e.need_k);
    if (!e.lines || !e.need || !e.need_k)
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    for (int t = 0; t < width && rc == VOX_OK; t++)
        if (!(e.lines[t].env = malloc((size_t)longest * sizeof *e.lines[t].env)) ||
            !(e.lines[t].f = malloc((size_t)longest * sizeof *e.lines[t].f)))
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    if (rc == VOX_OK) {
        /* the x-lines with a wanted voxel, and the columns they pass through */
        for (size_t i = 0; i < (size_t)dims[0]; i++)
            for (size_t j = 0; j < (size_t)dims[1]; j++)
                for (size_t w = 0; w < words; w++) {
                    const size_t k0 = 64 * w, d2n = (size_t)dims[2];
                    const uint64_t m = want ? want[(i * (size_t)dims[1] + j) * words + w]
                                            : ~(uint64_t)0 >> (d2n - k0 < 64 ? 64 - (d2n - k0) : 0);
                    e.need[j * words + w] |= m;
                    e.need_k[w] |= m;
                }
        vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_env_y, &e);
        vox_team_run(ctx->team, width, (size_t)e.dims[1], VOX_SCHED_STATIC, edt_env_x, &e);
    }
    for (int t = 0; e.lines && t < width; t++) {
        free(e.lines[t].env);
        free(e.lines[t].f);
    }
    free(e.lines);
    free(e.need);
    free(e.need_k);
    return rc;
}

/* Depth of every group: s * sqrt(squared voxel steps to the nearest bulk
 * solvent voxel), max and mean over its voxels in their stored order. */
static vox_status depths(vox_ctx *ctx, const uint8_t *state, vox_result *r)
{
    const size_t rows = (size_t)r->dims[0] * (size_t)r->dims[1], row = (size_t)r->dims[2];
    const size_t words = (row + 63) / 64;
    const size_t padded = ((size_t)r->dims[0] + 2) * ((size_t)r->dims[1] + 2) * (row + 2);
    /* the components' queue and labels are free once the groups exist */
    uint32_t *work = vox_scratch_get(&ctx->ws[VOX_WS_QUEUE], (padded + VOX_DEPTH_SLACK) * sizeof *work);
    uint32_t *d2 = vox_scratch_get(&ctx->ws[VOX_WS_LABELS], rows * row * sizeof *d2);
    /* only the group voxels are read: a bit each, row by row */
    uint64_t *want = work && d2 ? calloc(rows * words, sizeof *want) : NULL;
    if (!want)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    for (size_t gi = 0; gi < r->n; gi++) {
        const vox_group *g = &r->groups[gi];
        for (size_t t = 0, end; t < g->n; t = end) {
            end = vox_row_end(g->voxels, g->n, t, row);
            const size_t base = (size_t)g->voxels[t] / row * row;
            uint64_t *bits = want + base / row * words;
            for (size_t u = t; u < end; u++) {
                const size_t k = g->voxels[u] - base;
                bits[k / 64] |= (uint64_t)1 << (k % 64);
            }
        }
    }
    vox_status rc = vox_bulk_distance2(ctx, state, r->dims, want, VOX_EDT_AUTO, work, d2);
    free(want);
    if (rc != VOX_OK)
        return rc;
    const double s = r->resolution;
    for (size_t gi = 0; gi < r->n; gi++) {
        vox_group *g = &r->groups[gi];
        double sum = 0.0, best = 0.0;
        for (size_t t = 0; t < g->n; t++) {
            const double d = s * sqrt((double)d2[g->voxels[t]]);
            sum += d;
            if (d > best) best = d;
        }
        g->d.depth_max = best;
        g->d.depth_mean = g->n ? sum / (double)g->n : 0.0;
    }
    return VOX_OK;
}

static void compute_bounds(const vox_result *r, size_t index, double lo[2][3], double hi[2][3]);

vox_status vox_describe_groups(vox_ctx *ctx, const vox_structure *st, const uint8_t *state, vox_result *r)
{
    if (r->n == 0) {
        r->has_desc = 1;
        return VOX_OK;
    }
    vox_status rc = depths(ctx, state, r);
    if (rc != VOX_OK)
        return rc;
    rc = vox_find_lining(ctx, st, r);
    if (rc != VOX_OK)
        return rc;
    for (size_t gi = 0; gi < r->n; gi++) {
        vox_group_desc *d = &r->groups[gi].d;
        compute_bounds(r, gi, d->bounds_lo, d->bounds_hi);
        d->has_bounds = 1;
    }
    r->has_desc = 1;
    return rc;
}

/* ---- read access ------------------------------------------------------- */

static const vox_group *described(const vox_result *r, size_t index)
{
    return r && r->has_desc && index < r->n ? &r->groups[index] : NULL;
}

vox_status vox_result_descriptors(const vox_result *r, size_t index, vox_descriptors *out)
{
    const vox_group *g = described(r, index);
    if (!g || !out || out->size < sizeof out->size)
        return VOX_E_INVALID_ARG;
    vox_descriptors d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.depth_max = g->d.depth_max;
    d.depth_mean = g->d.depth_mean;
    d.num_lining_atoms = g->d.nlining;
    d.num_lining_residues = g->d.nresidues;
    d.has_hydropathy = g->d.has_hydropathy;
    d.hydropathy = g->d.has_hydropathy ? g->d.hydropathy : NAN;
    const double n = (double)g->d.nlining;
    d.apolar_fraction = g->d.nlining ? (double)g->d.apolar / n : 0.0;
    d.polar_fraction = g->d.nlining ? (double)g->d.polar / n : 0.0;
    d.charged_fraction = g->d.nlining ? (double)g->d.charged / n : 0.0;
    d.has_openings = g->has_mouths;
    d.num_openings = g->has_mouths ? g->nmouths : 0;
    uint64_t faces = 0;
    for (size_t m = 0; m < d.num_openings; m++) faces += g->mouth_faces[m];
    d.opening_area = (double)faces * r->resolution * r->resolution;
    size_t len = out->size < sizeof d ? out->size : sizeof d;
    memcpy(out, &d, len);
    out->size = len;
    return VOX_OK;
}

size_t vox_result_lining_atoms(const vox_result *r, size_t index, size_t *atoms)
{
    const vox_group *g = described(r, index);
    if (!g)
        return 0;
    if (atoms && g->d.nlining)
        memcpy(atoms, g->d.lining, g->d.nlining * sizeof *atoms);
    return g->d.nlining;
}

size_t vox_result_lining_residues(const vox_result *r, size_t index, size_t *first_atoms)
{
    const vox_group *g = described(r, index);
    if (!g)
        return 0;
    if (first_atoms && g->d.nresidues)
        memcpy(first_atoms, g->d.residues, g->d.nresidues * sizeof *first_atoms);
    return g->d.nresidues;
}

size_t vox_result_openings(const vox_result *r, size_t index, double *areas)
{
    const vox_group *g = described(r, index);
    if (!g || !g->has_mouths)
        return 0;
    if (areas)
        for (size_t m = 0; m < g->nmouths; m++)
            areas[m] = (double)g->mouth_faces[m] * r->resolution * r->resolution;
    return g->nmouths;
}

static int ascending(const float *v, int n)
{
    for (int i = 1; i < n; i++)
        if (!(v[i - 1] <= v[i]))
            return 0;
    return 1;
}

/* One voxel centre of a row into the boxes: z its centre along z, s[a] the
 * first two terms of its input coordinate a (those of the row's x and y). */
static inline void bounds_end(const vox_result *r, const double s[3], double z, double lo[2][3], double hi[2][3])
{
    if (z < lo[0][2]) lo[0][2] = z;
    if (z > hi[0][2]) hi[0][2] = z;
    for (int a = 0; a < 3; a++) {
        const double in = s[a] + r->rot[2][a] * z + r->centroid[a];
        if (in < lo[1][a]) lo[1][a] = in;
        if (in > hi[1][a]) hi[1][a] = in;
    }
}

/* The voxel cubes' boxes: the extreme voxel centres, then half a voxel
 * edge along each grid axis.  In the input frame each centre c is mapped
 * with the result's transform, R[0][a] c0 + R[1][a] c1 + R[2][a] c2 +
 * centroid[a] (input = R^T aligned + centroid), and a cube of half edges h
 * reaches sum_b |R[b][a]| h[b] along input axis a.
 *
 * Only the first and last voxel of each grid row (one i and j, k
 * ascending) are looked at when the centres ascend along z, as the grid's
 * edges make them: along a row c[0] and c[1] are fixed, and each coordinate
 * of either frame is c[2] through correctly rounded operations that are
 * each monotone in it (a product by a fixed factor, sums with fixed terms),
 * so it moves one way along the row and the row's ends hold its extremes.
 * The sum's first two terms are the row's, formed once a row (the first
 * once a plane: the voxels ascend), and the aligned c[0] and c[1] are
 * compared once a plane and a row: the same operations in the same order
 * on the same values as voxel by voxel, so the same bits (with
 * -ffp-contract=off).  (Where an end and an inner voxel tie at +0 and -0
 * the zero kept may differ; the half voxel taken away or added next makes
 * them one number.) */
static void compute_bounds(const vox_result *r, size_t index, double lo[2][3], double hi[2][3])
{
    const vox_group *g = &r->groups[index];
    for (int f = 0; f < 2; f++)
        for (int a = 0; a < 3; a++) {
            lo[f][a] = INFINITY;
            hi[f][a] = -INFINITY;
        }
    const size_t row = (size_t)r->dims[2], d1 = (size_t)r->dims[1];
    const int by_rows = ascending(r->centres[2], r->dims[2]);
    size_t plane = SIZE_MAX;
    double p[3] = {0.0, 0.0, 0.0}; /* the plane's first terms */
    for (size_t t = 0, e; t < g->n; t = e) {
        e = by_rows ? vox_row_end(g->voxels, g->n, t, row) : t + 1;
        const size_t f = g->voxels[t], ij = f / row;
        if (ij / d1 != plane) {
            plane = ij / d1;
            const double x = r->centres[0][plane];
            if (x < lo[0][0]) lo[0][0] = x;
            if (x > hi[0][0]) hi[0][0] = x;
            for (int a = 0; a < 3; a++) p[a] = r->rot[0][a] * x;
        }
        const double y = r->centres[1][ij % d1];
        if (y < lo[0][1]) lo[0][1] = y;
        if (y > hi[0][1]) hi[0][1] = y;
        const double s[3] = {p[0] + r->rot[1][0] * y, p[1] + r->rot[1][1] * y, p[2] + r->rot[1][2] * y};
        bounds_end(r, s, r->centres[2][f % row], lo, hi);
        if (e - 1 > t)
            bounds_end(r, s, r->centres[2][g->voxels[e - 1] % row], lo, hi);
    }
    for (int a = 0; a < 3; a++) {
        double reach_al = 0.5 * r->step[a], reach_in = 0.0;
        for (int b = 0; b < 3; b++) reach_in += fabs(r->rot[b][a]) * 0.5 * r->step[b];
        if (!g->n)
            lo[0][a] = hi[0][a] = lo[1][a] = hi[1][a] = 0.0;
        lo[0][a] -= reach_al;
        hi[0][a] += reach_al;
        lo[1][a] -= reach_in;
        hi[1][a] += reach_in;
    }
}

void vox_volume_bounds(const vox_result *r, size_t index, double lo[2][3], double hi[2][3])
{
    const vox_group_desc *d = &r->groups[index].d;
    if (!d->has_bounds) {
        compute_bounds(r, index, lo, hi);
        return;
    }
    memcpy(lo, d->bounds_lo, sizeof d->bounds_lo);
    memcpy(hi, d->bounds_hi, sizeof d->bounds_hi);
}

vox_status vox_result_box(const vox_result *r, size_t index, vox_output_frame frame, double padding, vox_box *out)
{
    if (!r || !out || out->size < sizeof out->size || index >= r->n || !isfinite(padding) || padding < 0.0 ||
        padding > VOX_BOX_PADDING_MAX || (frame != VOX_FRAME_ALIGNED && frame != VOX_FRAME_INPUT))
        return VOX_E_INVALID_ARG;
    double lo[2][3], hi[2][3];
    vox_volume_bounds(r, index, lo, hi);
    const int f = frame == VOX_FRAME_INPUT;
    vox_box b;
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    for (int a = 0; a < 3; a++) {
        b.lo[a] = lo[f][a] - padding;
        b.hi[a] = hi[f][a] + padding;
        b.centre[a] = 0.5 * (b.lo[a] + b.hi[a]);
        b.extent[a] = b.hi[a] - b.lo[a];
    }
    size_t len = out->size < sizeof b ? out->size : sizeof b;
    memcpy(out, &b, len);
    out->size = len;
    return VOX_OK;
}
