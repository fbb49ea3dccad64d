/* metrics.c - per-group volume metrics: axial lengths and cross-section shape (ALGORITHM.md §11)
 *
 * Everything follows volumizer's numpy code, including its bin-count bug
 * (range / nx instead of range / voxel size), because the golden outputs do.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Eigenvalue ratio of the 2x2 covariance of one slice. */
static double slice_circularity(const double *y1, const double *y2, const size_t *idx, size_t cnt)
{
    double m1 = 0, m2 = 0;
    for (size_t t = 0; t < cnt; t++) { m1 += y1[idx[t]]; m2 += y2[idx[t]]; }
    m1 /= (double)cnt;
    m2 /= (double)cnt;
    double a = 0, b = 0, d = 0;
    for (size_t t = 0; t < cnt; t++) {
        double u = y1[idx[t]] - m1, v = y2[idx[t]] - m2;
        a += u * u; b += u * v; d += v * v;
    }
    a /= (double)cnt; b /= (double)cnt; d /= (double)cnt;
    double lmin, lmax;
    vox_eigvalsh2(a, b, d, &lmin, &lmax);
    return lmax > 1e-12 ? lmin / lmax : 1.0;
}

int vox_group_metrics(const vox_kernels *k, vox_group *g, float *const centres[3], const int dims[3],
                      vox_scratch *scratch)
{
    size_t n = g->n;
    double mean[3], scatter[6];
    k->moments((const float *const *)centres, dims, g->voxels, n, mean, scatter);
    memcpy(g->centre, mean, sizeof mean);
    g->len[0] = g->len[1] = g->len[2] = 0.0;
    g->has_circ = g->has_unif = 0;
    if (n < 3)
        return 1;
    double cov[3][3] = {{scatter[0], scatter[1], scatter[2]},
                        {scatter[1], scatter[3], scatter[4]},
                        {scatter[2], scatter[4], scatter[5]}};
    double w[3], v[3][3];
    vox_eigh3(cov, w, v);
    /* axes by descending eigenvalue: columns 2, 1, 0 */
    double ax[3][3];
    for (int q = 0; q < 3; q++)
        for (int i = 0; i < 3; i++)
            ax[i][q] = v[i][2 - q];
    /* scratch: y[3n] projections, idx[n], bin[n] */
    double *y = vox_scratch_get_written(scratch, n * (3 * sizeof(double) + 2 * sizeof(size_t)));
    if (!y)
        return 0;
    size_t *idx = (size_t *)(y + 3 * n), *bin = idx + n;
    const size_t sx = (size_t)dims[1] * dims[2], sy = (size_t)dims[2];
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t t = 0; t < n; t++) {
        size_t f = g->voxels[t];
        double x0 = (double)centres[0][f / sx] - mean[0];
        double x1 = (double)centres[1][(f / sy) % (size_t)dims[1]] - mean[1];
        double x2 = (double)centres[2][f % sy] - mean[2];
        for (int q = 0; q < 3; q++) {
            double p = x0 * ax[0][q] + x1 * ax[1][q] + x2 * ax[2][q];
            y[q * n + t] = p;
            if (p < lo[q]) lo[q] = p;
            if (p > hi[q]) hi[q] = p;
        }
    }
    double len[3];
    for (int q = 0; q < 3; q++)
        len[q] = vox_round3_np(hi[q] - lo[q]);
    qsort(len, 3, sizeof len[0], cmp_desc);
    memcpy(g->len, len, sizeof len);

    /* cross-sections along the primary axis */
    double range = hi[0] - lo[0];
    if (range < 1e-9) {
        g->has_circ = g->has_unif = 1;
        g->circ = g->unif = 1.0;
        return 1;
    }
    long nb = (long)rint(range / (double)dims[0]); /* volumizer divides by nx, not the voxel size */
    if (nb < 3)
        nb = 3;
    double step = (hi[0] - lo[0]) / (double)nb;
    double *vals = malloc(2 * (size_t)nb * sizeof *vals + ((size_t)nb + 1) * sizeof(size_t));
    if (!vals)
        return 0;
    double *counts = vals + nb;
    size_t *first = (size_t *)(counts + nb); /* bin b's voxels: idx[first[b] .. first[b+1]) */
    for (size_t t = 0; t < n; t++) {
        /* numpy digitize on the inner edges e[1..nb-1]: count of edges <= p */
        double p = y[t];
        long b = 0;
        for (long e = 1; e < nb; e++) {
            double edge = (double)e * step + lo[0];
            if (edge <= p) b = e;
            else break;
        }
        bin[t] = (size_t)b;
    }
    /* group the voxels by bin in one pass, each bin in voxel order */
    memset(first, 0, ((size_t)nb + 1) * sizeof *first);
    for (size_t t = 0; t < n; t++) first[bin[t] + 1]++;
    for (long b = 0; b < nb; b++) first[b + 1] += first[b];
    for (size_t t = 0; t < n; t++) idx[first[bin[t]]++] = t;
    for (long b = nb; b > 0; b--) first[b] = first[b - 1]; /* the fill advanced each start to the next bin's */
    first[0] = 0;
    size_t nvals = 0, ncounts = 0;
    for (long b = 0; b < nb; b++) {
        size_t cnt = first[b + 1] - first[b];
        if (!cnt)
            continue;
        counts[ncounts++] = (double)cnt;
        if (cnt >= 3)
            vals[nvals++] = slice_circularity(y + n, y + 2 * n, idx + first[b], cnt);
    }
    if (nvals) {
        double s = 0;
        for (size_t i = 0; i < nvals; i++) s += vals[i];
        g->has_circ = 1;
        g->circ = vox_round4(s / (double)nvals);
    }
    if (ncounts >= 2) {
        double s = 0;
        for (size_t i = 0; i < ncounts; i++) s += counts[i];
        double m = s / (double)ncounts;
        double ss = 0;
        for (size_t i = 0; i < ncounts; i++) ss += (counts[i] - m) * (counts[i] - m);
        double sd = sqrt(ss / (double)ncounts);
        if (m != 0.0) {
            double u = 1.0 - sd / m;
            g->has_unif = 1;
            g->unif = vox_round4(u > 0.0 ? u : 0.0);
        }
    }
    free(vals);
    return 1;
}
