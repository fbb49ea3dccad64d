/* prepare.c - cleaning (§3) and principal-axis alignment (§4)
 *
 * Two frames are offered (vox_prepare_params.frame_signs):
 *
 * VOX_FRAME_SIGNS_VOLUMIZER (default) is volumizer's own alignment, step by
 * step (ALGORITHM.md §4.1): f32 centring; then up to 50 passes of a thin SVD
 * of the coordinates (sigma and V rounded to f32 on the first pass, as
 * numpy casts its f64 results back to the f32 input type), a stable
 * descending order of sigma, a Kabsch SVD of V P, the rotation Q = v w',
 * and a stop once Q is within numpy's isclose (atol 1e-5, rtol 1e-5) of the
 * identity, without applying it.  Both SVDs are lapack_svd.c, which computes
 * what reference LAPACK's dgesdd computes bit for bit, and the products are
 * summed in reference BLAS dgemm's order, so the aligned coordinates equal
 * volumizer's (run on reference LAPACK) bit for bit, axis signs included.
 *
 * VOX_FRAME_SIGNS_CANONICAL fixes each axis by a rule on the data instead,
 * so the frame does not depend on rounding noise at all:
 *   1. axes = eigenvectors of the f64 scatter matrix of the f32-centred
 *      coordinates, x = largest eigenvalue;
 *   2. within a group of near-equal eigenvalues (relative gap < 1e-9) the
 *      axes are rebuilt from the input frame's x, y, z projected into that
 *      subspace (Gram-Schmidt), so rounding noise cannot turn them;
 *   3. x and y point so that the third moment (sum of cubed projections) is
 *      positive; when it vanishes (|m3| <= 1e-12 * sum |p|^3) the largest
 *      component of the axis is made positive instead;
 *   4. z = x cross y (a proper rotation).
 *
 * Both are scalar f64 code with no FMA contraction (meson.build), so every
 * ISA and thread count gives the same frame.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lapack_svd.h"

/* Keeps the amino-acid heavy atoms (§3) and remembers which input atom each
 * kept one is, so later frames (vox_structure_set_coords) and input-frame
 * outputs can find them. */
static vox_status clean(vox_ctx *ctx, vox_structure *s, int keep_non_protein, int md_names)
{
    /* cleaned already by a vox_prepare whose alignment failed: the atoms it
     * removed are gone, so only the same cleaning can be repeated (which
     * removes nothing more), and kept goes on naming input atoms */
    if (s->cleaned && (keep_non_protein != s->cleaned_keep_non_protein || md_names != s->cleaned_md_names))
        return vox_fail(ctx, VOX_E_INVALID_ARG,
                        "vox_prepare: an earlier vox_prepare of this structure failed after cleaning it with "
                        "keep_non_protein = %d and md_residue_names = %d, and the atoms it removed are gone: prepare "
                        "it with the same settings, or load (or copy, before preparing) the structure again",
                        s->cleaned_keep_non_protein, s->cleaned_md_names);
    size_t out = 0;
    size_t *kept = malloc((s->atoms.n ? s->atoms.n : 1) * sizeof *kept);
    if (!kept)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory preparing the structure");
    /* a residue's atoms are consecutive: its name is looked up once per run
     * (kept as a copy: the loop compacts the atoms in place) */
    char run_name[8];
    int have_run = 0, run_amino = 0;
    for (size_t i = 0; i < s->atoms.n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        if (!keep_non_protein) {
            if (!have_run || !vox_same_name(run_name, a->res_name)) {
                memcpy(run_name, a->res_name, sizeof run_name);
                have_run = 1;
                run_amino = md_names ? vox_is_md_amino_acid(a->res_name) : vox_is_amino_acid(a->res_name);
            }
            if (!run_amino)
                continue;
        }
        if (a->element[0] == 'H' && a->element[1] == '\0')
            continue;
        kept[out] = s->kept ? s->kept[i] : i;
        s->atoms.a[out++] = *a;
    }
    s->atoms.n = out;
    free(s->kept);
    s->kept = kept;
    s->cleaned = 1;
    s->cleaned_keep_non_protein = keep_non_protein;
    s->cleaned_md_names = md_names;
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

/* §4.1 step 1: the f32 centroid, accumulated per column in atom order in an
 * f32 (numpy's mean over axis 0 of a C-ordered f32 array: no pairwise
 * summation across rows), divided by n in f32.  The atoms are centred in
 * f32 by the caller (x - mean), as numpy subtracts. */
/* The mean of the coordinates (f32 sums in atom order, as volumizer), and
 * how far the centred coordinates reach: the largest |x - mean| over every
 * axis, from each axis' extremes (f32 subtraction is monotonic), so the
 * overflow check below needs no pass of its own. */
static void centroid(vox_structure *s, float mean[3], float *reach)
{
    size_t n = s->atoms.n;
    float sum[3] = {0, 0, 0}, lo[3], hi[3];
    for (int c = 0; c < 3; c++) lo[c] = hi[c] = s->atoms.a[0].xyz[c];
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) {
            const float v = s->atoms.a[i].xyz[c];
            sum[c] += v;
            lo[c] = v < lo[c] ? v : lo[c];
            hi[c] = v > hi[c] ? v : hi[c];
        }
    *reach = 0.0f;
    for (int c = 0; c < 3; c++) {
        mean[c] = sum[c] / (float)n;
        s->centroid[c] = mean[c];
        const float far = fmaxf(hi[c] - mean[c], mean[c] - lo[c]);
        *reach = far > *reach || far != far ? far : *reach; /* NaN (an infinite mean) kept */
    }
}

/* The canonical frame (header comment): eigenvectors and a third-moment sign rule. */
static void align_canonical(vox_structure *s, const float mean[3])
{
    size_t n = s->atoms.n;
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
    for (size_t i = 0; i < n; i++) {
        float *x = s->atoms.a[i].xyz;
        double c0 = x[0], c1 = x[1], c2 = x[2];
        for (int q = 0; q < 3; q++)
            x[q] = (float)(c0 * ax[q][0] + c1 * ax[q][1] + c2 * ax[q][2]);
    }
}

/* The sign of a 3x3 determinant.  numpy's det goes through an LU
 * factorisation, but only the sign of det(v) det(w') is used, and both are
 * orthogonal (|det| = 1 to rounding), so any evaluation gives that sign. */
static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* c := a b for 3x3 matrices, each entry summed from zero in k order, as
 * reference BLAS dgemm (behind numpy's matmul) sums it. */
static void matmul3(const double a[3][3], const double b[3][3], double c[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double t = 0.0;
            for (int k = 0; k < 3; k++) t = t + a[i][k] * b[k][j];
            c[i][j] = t;
        }
}

/* (x, y, z) := (x, y, z) Q for every row, each entry summed from zero in k
 * order as reference dgemm sums it (numpy's matmul).  Q is copied into
 * scalars so the loop keeps it in registers; the new x column is fed to the
 * next SVD's first pass on the way (col1). */
static void rotate(size_t n, double *restrict x, double *restrict y, double *restrict z, const double q[3][3],
                   vox_la_col1 *col1)
{
    const double q00 = q[0][0], q01 = q[0][1], q02 = q[0][2], q10 = q[1][0], q11 = q[1][1], q12 = q[1][2],
                 q20 = q[2][0], q21 = q[2][1], q22 = q[2][2];
    vox_la_col1 acc = *col1; /* a local copy stays in registers: the stores below cannot touch it */
    for (size_t i = 0; i < n; i++) {
        double a = x[i], b = y[i], c = z[i], t0 = 0.0, t1 = 0.0, t2 = 0.0;
        t0 = t0 + a * q00;
        t0 = t0 + b * q10;
        t0 = t0 + c * q20;
        t1 = t1 + a * q01;
        t1 = t1 + b * q11;
        t1 = t1 + c * q21;
        t2 = t2 + a * q02;
        t2 = t2 + b * q12;
        t2 = t2 + c * q22;
        x[i] = t0;
        y[i] = t1;
        z[i] = t2;
        vox_la_col1_add(&acc, t0);
    }
    *col1 = acc;
}

/* volumizer's frame (header comment; ALGORITHM.md §4.1 steps 2-3) on the
 * centred atoms.  c holds the coordinates column-major (c[j*n + i] = atom
 * i, axis j) in f64. */
static vox_status align_volumizer(vox_ctx *ctx, vox_structure *s, const float mean[3])
{
    size_t n = s->atoms.n;
    if (n > (size_t)INT_MAX)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "alignment supports at most %d atoms, the structure has %zu",
                        INT_MAX, n);
    double *c = vox_scratch_get_written(&ctx->ws[VOX_WS_ALIGN], 7 * n * sizeof *c); /* every column filled */
    if (!c)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory aligning %zu atoms", n);
    double *work = c + 3 * n; /* 4n: the SVD's updated columns (or its copy for < 5 atoms) */
    vox_la_col1 col1, acc;
    vox_la_col1_init(&acc);
    for (size_t i = 0; i < n; i++) {
        const float *x = s->atoms.a[i].xyz;
        float cx = x[0] - mean[0], cy = x[1] - mean[1], cz = x[2] - mean[2];
        c[i] = cx;
        c[n + i] = cy;
        c[2 * n + i] = cz;
        vox_la_col1_add(&acc, cx);
    }
    col1 = acc;
    double total[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}; /* product of the applied rotations */
    for (int pass = 0; pass < 50; pass++) {
        /* a. thin SVD of C; only sigma and V' are used */
        double sigma[3], vt[9];
        int info = vox_la_dgesdd_sv3((int)n, c, (int)n, sigma, vt, work, &col1);
        if (info != 0)
            return vox_fail(ctx, VOX_E_INVALID_ARG, "alignment: the SVD of the coordinates %s (pass %d, info %d)",
                            info > 0 ? "did not converge" : "failed", pass + 1, info);
        if (pass == 0) {
            /* numpy returns the SVD of an f32 array as f32 */
            for (int k = 0; k < 3; k++) sigma[k] = (float)sigma[k];
            for (int k = 0; k < 9; k++) vt[k] = (float)vt[k];
        }
        /* b. idx = argsort(sigma)[::-1]: a stable ascending sort, reversed
         * (numpy sorts 3 elements by insertion, which is stable) */
        int asc[3] = {0, 1, 2}, idx[3];
        for (int i = 1; i < 3; i++)
            for (int j = i; j > 0 && sigma[asc[j - 1]] > sigma[asc[j]]; j--) {
                int t = asc[j]; asc[j] = asc[j - 1]; asc[j - 1] = t;
            }
        for (int k = 0; k < 3; k++) idx[k] = asc[2 - k];
        /* c. Kabsch: M = V P, i.e. M[i][j] = V'[idx[j]][i] (the product with
         * the permutation adds exact zeros: a -0 entry becomes +0) */
        double m[9], sk[3], v[9], wt[9], kwork[3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) m[j * 3 + i] = 0.0 + vt[i * 3 + idx[j]];
        info = vox_la_dgesdd_s(3, 3, m, 3, sk, v, 3, wt, 3, kwork);
        if (info != 0)
            return vox_fail(ctx, VOX_E_INVALID_ARG, "alignment: the Kabsch SVD %s (pass %d, info %d)",
                            info > 0 ? "did not converge" : "failed", pass + 1, info);
        double vm[3][3], wm[3][3], q[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                vm[i][j] = v[j * 3 + i];
                wm[i][j] = wt[j * 3 + i];
            }
        if (det3(vm) * det3(wm) < -0.0)
            for (int i = 0; i < 3; i++) vm[i][2] = -vm[i][2];
        matmul3(vm, wm, q);
        /* d. numpy.isclose(Q, I, atol=1e-5) everywhere: stop without applying Q */
        int close = 1;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double id = i == j ? 1.0 : 0.0;
                if (!(fabs(q[i][j] - id) <= 1e-5 + 1e-5 * fabs(id))) close = 0;
            }
        if (close)
            break;
        /* e. C := C Q, each entry summed from zero in k order (dgemm) */
        vox_la_col1_init(&col1);
        rotate(n, c, c + n, c + 2 * n, q, &col1);
        double next[3][3];
        matmul3(total, q, next);
        memcpy(total, next, sizeof next);
    }
    /* 3. the output coordinates are fl32(C); the rows of the transform are
     * the aligned axes, i.e. the columns of the accumulated rotation */
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++) s->atoms.a[i].xyz[j] = (float)c[j * n + i];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) s->rot[i][j] = total[j][i];
    return VOX_OK;
}

/* Alignment computes in f32 as volumizer does: finite coordinates near
 * FLT_MAX (an exploded or uninitialised frame) overflow their sum, their
 * centred values or their rotated ones.  Such a frame is refused by name
 * rather than aligned into infinities and NaN (which analysed as "no voxels
 * along x"), or failed by the SVD with a LAPACK argument number.  when says
 * which step; the atom is named by its input index, as the caller knows it. */
static vox_status too_large(vox_ctx *ctx, const vox_structure *s, size_t i, int axis, const char *when)
{
    return vox_fail(ctx, VOX_E_INVALID_ARG,
                    "alignment: the coordinates are too large for 32-bit floats: the %c coordinate of atom %zu "
                    "(0-based) is not finite %s (|coordinates| and their sums must stay well below 3.4e38)",
                    "xyz"[axis], s->kept ? s->kept[i] : i, when);
}

#define VOX_ALIGN_SAFE 1e30f

static vox_status check_finite(vox_ctx *ctx, const vox_structure *s, const float mean[3], const char *when)
{
    for (size_t i = 0; i < s->atoms.n; i++)
        for (int c = 0; c < 3; c++)
            if (!isfinite(s->atoms.a[i].xyz[c] - (mean ? mean[c] : 0.0f)))
                return too_large(ctx, s, i, c, when);
    return VOX_OK;
}

vox_status vox_align_structure(vox_ctx *ctx, vox_structure *s)
{
    size_t n = s->atoms.n;
    if (n < 3)
        return vox_fail(ctx, VOX_E_TOO_FEW_ATOMS,
                        "alignment needs at least 3 atoms, the cleaned structure has %zu", n);
    float mean[3], reach;
    centroid(s, mean, &reach);
    /* Coordinates within VOX_ALIGN_SAFE of their mean cannot overflow in the
     * alignment (a rotation keeps their norm, under 2e30 here): the checks
     * that name the atom run only past it, so a real structure pays nothing. */
    const int huge = !(reach < VOX_ALIGN_SAFE);
    vox_status st = huge ? check_finite(ctx, s, mean, "once centred on the atoms' mean") : VOX_OK;
    if (st != VOX_OK)
        return st;
    if (s->prep.frame_signs == VOX_FRAME_SIGNS_CANONICAL)
        align_canonical(s, mean);
    else if ((st = align_volumizer(ctx, s, mean)) != VOX_OK)
        return st;
    return huge ? check_finite(ctx, s, NULL, "once rotated onto the principal axes") : VOX_OK;
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
    vox_status taken = vox_params_take(ctx, &p, sizeof p, params, "vox_prepare_params");
    if (taken != VOX_OK)
        return taken;
    if (p.frame_signs != VOX_FRAME_SIGNS_VOLUMIZER && p.frame_signs != VOX_FRAME_SIGNS_CANONICAL)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "frame_signs: expected VOX_FRAME_SIGNS_VOLUMIZER (%d) or "
                        "VOX_FRAME_SIGNS_CANONICAL (%d), got %d", VOX_FRAME_SIGNS_VOLUMIZER,
                        VOX_FRAME_SIGNS_CANONICAL, (int)p.frame_signs);
    /* an earlier vox_prepare's alignment failed, perhaps once it had rotated the atoms: their
     * coordinates are no frame (a retry with align = 0 took them as one) until a new one is given */
    if (s->unaligned_frame)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_prepare: an earlier vox_prepare could not align this "
                        "structure's coordinates (it said why): give it a frame with vox_structure_set_coords "
                        "first");
    double t0 = vox_now();
    /* s->prep says how to align, here and for later frames (vox_structure_set_coords);
     * s->prepared stays 0 unless everything succeeds */
    vox_status st = clean(ctx, s, p.keep_non_protein, p.md_residue_names);
    if (st == VOX_OK) {
        vox_structure_reset_transform(s);
        s->prep = p;
    }
    if (st == VOX_OK && p.align && (st = vox_align_structure(ctx, s)) != VOX_OK)
        s->unaligned_frame = 1;
    if (st == VOX_OK)
        s->prepared = 1;
    ctx->stats.seconds[VOX_STAGE_PREPARE] = vox_now() - t0;
    return st;
}
