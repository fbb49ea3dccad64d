/* prepare.c - cleaning (§3) and deterministic principal-axis alignment (§4)
 *
 * volumizer's axis signs come from LAPACK's Householder signs and change
 * with the BLAS build.  vox instead fixes each axis by a rule on the data:
 *   1. axes = eigenvectors of the f64 scatter matrix of the f32-centred
 *      coordinates, x = largest eigenvalue;
 *   2. within a group of near-equal eigenvalues (relative gap < 1e-9) the
 *      axes are rebuilt from the input frame's x, y, z projected into that
 *      subspace (Gram-Schmidt), so rounding noise cannot turn them;
 *   3. x and y point so that the third moment (sum of cubed projections) is
 *      positive; when it vanishes (|m3| <= 1e-12 * sum |p|^3) the largest
 *      component of the axis is made positive instead;
 *   4. z = x cross y (a proper rotation).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Keeps the amino-acid heavy atoms (§3) and remembers which input atom each
 * kept one is, so later frames (vox_structure_set_coords) and input-frame
 * outputs can find them. */
static vox_status clean(vox_ctx *ctx, vox_structure *s, int keep_non_protein, int md_names)
{
    size_t out = 0;
    size_t *kept = malloc((s->atoms.n ? s->atoms.n : 1) * sizeof *kept);
    if (!kept)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory preparing the structure");
    for (size_t i = 0; i < s->atoms.n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        if (!keep_non_protein && !(md_names ? vox_is_md_amino_acid(a->res_name) : vox_is_amino_acid(a->res_name)))
            continue;
        if (strcmp(a->element, "H") == 0)
            continue;
        kept[out] = i;
        s->atoms.a[out++] = *a;
    }
    s->atoms.n = out;
    free(s->kept);
    s->kept = kept;
    if (out == 0)
        return vox_fail(ctx, VOX_E_NO_ATOMS, "no %satoms left after cleaning (amino-acid filter, hydrogens removed)",
                        keep_non_protein ? "" : "protein ");
    return VOX_OK;
}

static void cross(const double a[3], const double b[3], double out[3])
{
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

static int normalize(double v[3])
{
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (n < 1e-12)
        return 0;
    for (int i = 0; i < 3; i++) v[i] /= n;
    return 1;
}

/* Replaces the axes [first, last] (columns of ax, as rows here) that span a
 * degenerate eigenspace with the projections of the input x, y, z axes. */
static void stabilize(double ax[3][3], int first, int last)
{
    int dim = last - first + 1;
    double basis[3][3];
    int nb = 0;
    for (int e = 0; e < 3 && nb < dim; e++) {
        double u[3] = {0, 0, 0};
        /* projection of e_e onto the subspace */
        for (int q = first; q <= last; q++)
            for (int i = 0; i < 3; i++)
                u[i] += ax[q][e] * ax[q][i];
        for (int b = 0; b < nb; b++) {
            double d = u[0] * basis[b][0] + u[1] * basis[b][1] + u[2] * basis[b][2];
            for (int i = 0; i < 3; i++) u[i] -= d * basis[b][i];
        }
        if (normalize(u))
            memcpy(basis[nb++], u, sizeof u);
    }
    if (nb == dim)
        for (int q = 0; q < dim; q++)
            memcpy(ax[first + q], basis[q], sizeof basis[q]);
}

vox_status vox_align_structure(vox_ctx *ctx, vox_structure *s)
{
    size_t n = s->atoms.n;
    if (n < 3)
        return vox_fail(ctx, VOX_E_TOO_FEW_ATOMS,
                        "alignment needs at least 3 atoms, the cleaned structure has %zu", n);
    /* f32 centroid, accumulated sequentially in f32 like numpy's column mean */
    float sum[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            sum[c] += s->atoms.a[i].xyz[c];
    float mean[3];
    for (int c = 0; c < 3; c++)
        mean[c] = sum[c] / (float)n;
    double k[3][3] = {{0}};
    for (size_t i = 0; i < n; i++) {
        float *x = s->atoms.a[i].xyz;
        for (int c = 0; c < 3; c++)
            x[c] = x[c] - mean[c];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                k[r][c] += (double)x[r] * (double)x[c];
    }
    double w[3], v[3][3];
    vox_eigh3(k, w, v);
    double ax[3][3]; /* ax[q] = axis q, largest eigenvalue first */
    double lam[3];
    for (int q = 0; q < 3; q++) {
        lam[q] = w[2 - q];
        for (int i = 0; i < 3; i++)
            ax[q][i] = v[i][2 - q];
    }
    double scale = fabs(lam[0]) > 0 ? fabs(lam[0]) : 1.0;
    int g0 = (lam[0] - lam[1]) <= 1e-9 * scale, g1 = (lam[1] - lam[2]) <= 1e-9 * scale;
    if (g0 && g1) stabilize(ax, 0, 2);
    else if (g0) stabilize(ax, 0, 1);
    else if (g1) stabilize(ax, 1, 2);
    for (int q = 0; q < 2; q++) {
        double m3 = 0.0, a3 = 0.0;
        for (size_t i = 0; i < n; i++) {
            const float *x = s->atoms.a[i].xyz;
            double p = (double)x[0] * ax[q][0] + (double)x[1] * ax[q][1] + (double)x[2] * ax[q][2];
            m3 += p * p * p;
            a3 += fabs(p * p * p);
        }
        int flip;
        if (fabs(m3) > 1e-12 * a3) {
            flip = m3 < 0;
        } else {
            int big = 0;
            for (int i = 1; i < 3; i++)
                if (fabs(ax[q][i]) > fabs(ax[q][big])) big = i;
            flip = ax[q][big] < 0;
        }
        if (flip)
            for (int i = 0; i < 3; i++) ax[q][i] = -ax[q][i];
    }
    cross(ax[0], ax[1], ax[2]);
    normalize(ax[2]);
    memcpy(s->rot, ax, sizeof ax);
    for (int c = 0; c < 3; c++)
        s->centroid[c] = mean[c];
    for (size_t i = 0; i < n; i++) {
        float *x = s->atoms.a[i].xyz;
        double c0 = x[0], c1 = x[1], c2 = x[2];
        for (int q = 0; q < 3; q++)
            x[q] = (float)(c0 * ax[q][0] + c1 * ax[q][1] + c2 * ax[q][2]);
    }
    return VOX_OK;
}

vox_status vox_prepare(vox_ctx *ctx, vox_structure *s, const vox_prepare_params *params)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!s)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_prepare: the structure is NULL");
    vox_clear_error(ctx);
    if (s->prepared)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "structure was already prepared");
    vox_prepare_params p;
    vox_prepare_params_init(&p);
    if (params)
        memcpy(&p, params, params->size && params->size < sizeof p ? params->size : sizeof p);
    double t0 = vox_now();
    vox_structure_reset_transform(s);
    vox_status st = clean(ctx, s, p.keep_non_protein, p.md_residue_names);
    if (st == VOX_OK && p.align)
        st = vox_align_structure(ctx, s);
    if (st == VOX_OK) {
        s->prepared = 1;
        s->prep = p;
    }
    ctx->stats.seconds[VOX_STAGE_PREPARE] = vox_now() - t0;
    return st;
}
