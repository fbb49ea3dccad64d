/* psea.c - P-SEA secondary structure from CA positions (biotite's annotate_sse, §13.6),
 * reduced to the helix/strand/coil fractions of the CLI payload */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double DEG = M_PI / 180.0;


static float dist(const float *a, const float *b)
{
    float dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
    return sqrtf(dx * dx + dy * dy + dz * dz);
}

static void sub_norm(const float *from, const float *to, float out[3])
{
    for (int i = 0; i < 3; i++) out[i] = to[i] - from[i];
    float n = sqrtf(out[0] * out[0] + out[1] * out[1] + out[2] * out[2]);
    for (int i = 0; i < 3; i++) out[i] /= n;
}

static void crossf(const float *a, const float *b, float *o)
{
    o[0] = a[1] * b[2] - a[2] * b[1];
    o[1] = a[2] * b[0] - a[0] * b[2];
    o[2] = a[0] * b[1] - a[1] * b[0];
}

static int in_range(double v, double lo, double hi) { return v >= lo && v <= hi; } /* false for NaN */

/* Every element of every window of k consecutive trues. */
static void consecutive(const uint8_t *m, size_t n, size_t k, uint8_t *out)
{
    memset(out, 0, n);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        run = m[i] ? run + 1 : 0;
        if (run >= k)
            for (size_t j = i + 1 - k; j <= i; j++) out[j] = 1;
    }
}

/* Adds the element before and after each true run where ext holds. */
static void extend(uint8_t *base, const uint8_t *ext, size_t n)
{
    uint8_t *add = calloc(n + 1, 1);
    if (!add)
        return;
    for (size_t i = 0; i < n; i++) {
        int prev = i ? base[i - 1] : 0;
        if (base[i] && !prev && i > 0) add[i - 1] = 1;  /* left of a run start */
        if (!base[i] && prev) add[i] = 1;               /* right after a run end */
    }
    for (size_t i = 0; i < n; i++)
        if (add[i] && ext[i]) base[i] = 1;
    free(add);
}

/* CA contacts of residue j: every other residue whose CA lies at 4.2 < d <= 5.2. */
static long contacts_all(const float (*ca)[3], size_t L, size_t j)
{
    long n = 0;
    for (size_t q = 0; q < L; q++) {
        if (isnan(ca[q][0])) continue;
        float d = dist(ca[j], ca[q]);
        if (d > 4.2f && d <= 5.2f) n++;
    }
    return n;
}

/* The same counts from a grid of cubic cells at least CELL_MIN wide, so
 * only the 27 cells around a CA are searched: every pair closer than
 * 5.2 A (with a margin for rounding) lies in neighbouring cells, and each
 * distance is computed exactly as above, so the counts are identical. */
#define CELL_MIN 6.0f
typedef struct ca_cells {
    float lo[3], size;
    size_t dim[3];
    size_t *start; /* per cell, into order; ncells + 1 */
    size_t *order; /* residues with a CA, cell after cell */
} ca_cells;

static void cells_free(ca_cells *g)
{
    free(g->start);
    free(g->order);
}

static size_t cell_coord(const ca_cells *g, const float *p, int axis)
{
    float c = floorf((p[axis] - g->lo[axis]) / g->size);
    return c <= 0 ? 0 : (size_t)c >= g->dim[axis] ? g->dim[axis] - 1 : (size_t)c;
}

static size_t cell_of(const ca_cells *g, const float *p)
{
    return (cell_coord(g, p, 0) * g->dim[1] + cell_coord(g, p, 1)) * g->dim[2] + cell_coord(g, p, 2);
}

static int has_ca(const float *p) { return !isnan(p[0]) && !isnan(p[1]) && !isnan(p[2]); }

static int cells_build(ca_cells *g, const float (*ca)[3], size_t L)
{
    float hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    g->lo[0] = g->lo[1] = g->lo[2] = INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < L; i++) {
        if (!has_ca(ca[i])) continue;
        for (int a = 0; a < 3; a++) {
            if (ca[i][a] < g->lo[a]) g->lo[a] = ca[i][a];
            if (ca[i][a] > hi[a]) hi[a] = ca[i][a];
        }
        n++;
    }
    if (n == 0 || !isfinite(g->lo[0] + g->lo[1] + g->lo[2] + hi[0] + hi[1] + hi[2]))
        return 0;
    /* at most about 4 cells per CA: wider cells for sparse or far-flung structures */
    g->size = CELL_MIN;
    for (;;) {
        double cells = 1;
        for (int a = 0; a < 3; a++) cells *= floor((hi[a] - g->lo[a]) / g->size) + 1;
        if (cells <= 4.0 * (double)n + 64) break;
        g->size *= 2;
    }
    size_t ncells = 1;
    for (int a = 0; a < 3; a++) {
        g->dim[a] = (size_t)floorf((hi[a] - g->lo[a]) / g->size) + 1;
        ncells *= g->dim[a];
    }
    g->start = calloc(ncells + 2, sizeof *g->start);
    g->order = malloc((n + 1) * sizeof *g->order);
    if (!g->start || !g->order)
        return 0;
    for (size_t i = 0; i < L; i++)
        if (has_ca(ca[i])) g->start[cell_of(g, ca[i]) + 2]++;
    for (size_t c = 0; c < ncells; c++) g->start[c + 2] += g->start[c + 1];
    for (size_t i = 0; i < L; i++)
        if (has_ca(ca[i])) g->order[g->start[cell_of(g, ca[i]) + 1]++] = i;
    return 1; /* cell c holds order[start[c] .. start[c + 1]) */
}

static long cells_contacts(const ca_cells *g, const float (*ca)[3], size_t j)
{
    if (!has_ca(ca[j])) /* a NaN distance is never a contact */
        return 0;
    size_t c[3];
    for (int a = 0; a < 3; a++) c[a] = cell_coord(g, ca[j], a);
    long n = 0;
    for (size_t x = c[0] ? c[0] - 1 : 0; x <= c[0] + 1 && x < g->dim[0]; x++)
        for (size_t y = c[1] ? c[1] - 1 : 0; y <= c[1] + 1 && y < g->dim[1]; y++)
            for (size_t z = c[2] ? c[2] - 1 : 0; z <= c[2] + 1 && z < g->dim[2]; z++) {
                size_t cell = (x * g->dim[1] + y) * g->dim[2] + z;
                for (size_t k = g->start[cell]; k < g->start[cell + 1]; k++) {
                    float d = dist(ca[j], ca[g->order[k]]);
                    if (d > 4.2f && d <= 5.2f) n++;
                }
            }
    return n;
}

static void psea(const vox_structure *s, int all_pairs, double *alpha, double *beta, double *coil)
{
    *alpha = *beta = *coil = NAN;
    size_t na = s->atoms.n;
    if (!na)
        return;
    const vox_atom *at = s->atoms.a;
    size_t nres = 1;
    for (size_t i = 1; i < na; i++)
        if (!vox_same_residue(&at[i], &at[i - 1])) nres++;
    size_t nbreak = 0;
    for (size_t i = 1; i < na; i++) {
        long d = (long)at[i].res_id - at[i - 1].res_id;
        if (d != 0 && d != 1) nbreak++;
    }
    size_t L = nres + nbreak;
    float (*ca)[3] = malloc((L + 1) * sizeof *ca);
    uint8_t *real = calloc(L + 1, 1), *buf = calloc(12 * (L + 1), 1);
    double *m = malloc(5 * (L + 1) * sizeof *m);
    char *lab = malloc(L + 1);
    if (!ca || !real || !buf || !m || !lab)
        goto out;
    for (size_t i = 0; i < L; i++) ca[i][0] = ca[i][1] = ca[i][2] = NAN;
    /* residues in order, with a virtual NaN residue before each residue that
     * starts at a numbering break (a chain change with consecutive numbers is no break) */
    size_t r = 0;
    for (size_t i = 0; i < na; i++) {
        int start = i == 0 || !vox_same_residue(&at[i], &at[i - 1]);
        if (i > 0) {
            long d = (long)at[i].res_id - at[i - 1].res_id;
            if (d != 0 && d != 1) r++; /* the virtual residue */
        }
        if (start) {
            if (i > 0) r++;
            real[r] = 1;
        }
        if (at[i].name[0] == 'C' && at[i].name[1] == 'A' && !at[i].name[2] && vox_is_amino_acid(at[i].res_name))
            memcpy(ca[r], at[i].xyz, sizeof ca[r]);
    }
    if (nres <= 5) { /* every residue with a CA is coil */
        for (size_t i = 0; i < L; i++)
            if (real[i] && !isnan(ca[i][0])) {
                *alpha = 0.0; *beta = 0.0; *coil = 1.0;
                break;
            }
        goto out;
    }
    double *d2 = m, *d3 = m + L, *d4 = m + 2 * L, *ri = m + 3 * L, *ai = m + 4 * L;
    for (size_t i = 0; i < 5 * L; i++) m[i] = NAN;
    for (size_t i = 1; i + 1 < L; i++) {
        d2[i] = dist(ca[i - 1], ca[i + 1]);
        float u[3], v[3];
        sub_norm(ca[i], ca[i - 1], u);
        sub_norm(ca[i], ca[i + 1], v);
        ri[i] = acosf(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]);
    }
    for (size_t i = 1; i + 2 < L; i++) {
        d3[i] = dist(ca[i - 1], ca[i + 2]);
        float b1[3], b2[3], b3[3], n1[3], n2[3], x12[3];
        sub_norm(ca[i - 1], ca[i], b1);
        sub_norm(ca[i], ca[i + 1], b2);
        sub_norm(ca[i + 1], ca[i + 2], b3);
        crossf(b1, b2, n1);
        crossf(b2, b3, n2);
        crossf(n1, n2, x12);
        ai[i] = atan2f(x12[0] * b2[0] + x12[1] * b2[1] + x12[2] * b2[2], n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2]);
    }
    for (size_t i = 1; i + 3 < L; i++)
        d4[i] = dist(ca[i - 1], ca[i + 3]);
    uint8_t *rh = buf, *sh = buf + L, *rs = buf + 2 * L, *ss = buf + 3 * L, *helix = buf + 4 * L,
            *strand = buf + 5 * L, *cons3 = buf + 6 * L, *shortm = buf + 7 * L;
    for (size_t i = 0; i < L; i++) {
        int d3h = in_range(d3[i], 5.3 - 0.5, 5.3 + 0.5), d4h = in_range(d4[i], 6.4 - 0.6, 6.4 + 0.6);
        int rhh = in_range(ri[i], 77 * DEG, 101 * DEG), ahh = in_range(ai[i], 30 * DEG, 70 * DEG);
        rh[i] = d3h || rhh;
        sh[i] = (d3h && d4h) || (rhh && ahh);
        int d3s = in_range(d3[i], 9.9 - 0.9, 9.9 + 0.9);
        rs[i] = d3s;
        ss[i] = (in_range(d2[i], 6.7 - 0.6, 6.7 + 0.6) && d3s && in_range(d4[i], 12.4 - 1.1, 12.4 + 1.1)) ||
                (in_range(ri[i], 110 * DEG, 138 * DEG) &&
                 (in_range(ai[i], -180 * DEG, -125 * DEG) || in_range(ai[i], 145 * DEG, 180 * DEG)));
    }
    consecutive(sh, L, 5, helix);
    extend(helix, rh, L);
    consecutive(ss, L, 4, strand);
    consecutive(ss, L, 3, cons3);
    /* short strands: runs of cons3 whose CA contacts (4.2 < d <= 5.2) add up to >= 5 */
    memset(shortm, 0, L);
    ca_cells cells = {0};
    int have_cells = 0;
    for (size_t i = 0; i < L;) {
        if (!cons3[i]) { i++; continue; }
        if (!have_cells) have_cells = !all_pairs && cells_build(&cells, ca, L) ? 1 : -1;
        size_t j = i;
        long contacts = 0;
        while (j < L && cons3[j]) {
            if (!isnan(ca[j][0]))
                contacts += have_cells > 0 ? cells_contacts(&cells, ca, j) : contacts_all(ca, L, j);
            j++;
        }
        if (contacts >= 5)
            for (size_t q = i; q < j; q++) shortm[q] = 1;
        i = j;
    }
    for (size_t i = 0; i < L; i++) strand[i] = strand[i] || shortm[i];
    extend(strand, rs, L);
    size_t n = 0, a = 0, b = 0, c = 0;
    for (size_t i = 0; i < L; i++) {
        lab[i] = 'c';
        if (helix[i]) lab[i] = 'a';
        if (strand[i]) lab[i] = 'b';
        if (isnan(ca[i][0]) || isnan(ca[i][1]) || isnan(ca[i][2])) lab[i] = 0;
        if (!real[i] || !lab[i]) continue;
        n++;
        a += lab[i] == 'a';
        b += lab[i] == 'b';
        c += lab[i] == 'c';
    }
    if (n) {
        *alpha = (double)a / (double)n;
        *beta = (double)b / (double)n;
        *coil = (double)c / (double)n;
    }
    cells_free(&cells);
out:
    free(ca); free(real); free(buf); free(m); free(lab);
}

void vox_psea(const vox_structure *s, double *alpha, double *beta, double *coil) { psea(s, 0, alpha, beta, coil); }

void vox_psea_all_pairs(const vox_structure *s, double *alpha, double *beta, double *coil)
{
    psea(s, 1, alpha, beta, coil);
}
