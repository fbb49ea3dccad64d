/* lapack_svd.h - the thin SVD with the exact arithmetic of reference LAPACK 3.11 (not installed)
 *
 * volumizer aligns a structure with numpy's linalg.svd, which calls LAPACK
 * dgesdd (JOBZ='S').  The axis signs it ends up with are decided by the last
 * bits of that computation, so lapack_svd.c performs the same floating-point
 * operations, in the same order, as reference LAPACK/BLAS 3.11.0 compiled
 * without fused multiply-add.  The pieces are exposed here so the unit tests
 * can check each one against the reference library itself, and so that
 * lapack_eig.c (dsyevd) uses the same dnrm2, dlarfg, dlartg and dlapy2.
 *
 * Conventions follow LAPACK: matrices are column-major with a leading
 * dimension, vectors have a stride (inc), sizes are int.  Nothing allocates.
 */
#ifndef VOX_LAPACK_SVD_H
#define VOX_LAPACK_SVD_H

#include <math.h>

#include "internal.h"

/* The largest n the SVD handles: dbdsdc solves bidiagonals up to this order
 * with dlasdq (SMLSIZ, ilaenv's value); larger ones go divide-and-conquer. */
#define VOX_LA_SVD_MAXN 25

/* dnrm2's running state: three sums of squares (values below tsml and above
 * tbig scaled by ssml and sbig, Blue's constants for binary64, so that their
 * squares neither underflow nor overflow), accumulated in the order the
 * values are added, so a norm can be summed inside another loop. */
typedef struct vox_la_nrm2_acc {
    double asml, amed, abig;
    int notbig;
} vox_la_nrm2_acc;

#define VOX_LA_NRM2_TSML 0x1p-511
#define VOX_LA_NRM2_TBIG 0x1p486
#define VOX_LA_NRM2_SSML 0x1p537
#define VOX_LA_NRM2_SBIG 0x1p-538

static inline void vox_la_nrm2_init(vox_la_nrm2_acc *a)
{
    a->asml = a->amed = a->abig = 0.0;
    a->notbig = 1;
}

static inline void vox_la_nrm2_add(vox_la_nrm2_acc *a, double x)
{
    double ax = fabs(x);
    if (ax > VOX_LA_NRM2_TBIG) {
        a->abig += (ax * VOX_LA_NRM2_SBIG) * (ax * VOX_LA_NRM2_SBIG);
        a->notbig = 0;
    } else if (ax < VOX_LA_NRM2_TSML) {
        if (a->notbig) a->asml += (ax * VOX_LA_NRM2_SSML) * (ax * VOX_LA_NRM2_SSML);
    } else {
        a->amed += ax * ax;
    }
}

/* What vox_la_dgesdd_sv3's first pass learns from column 1 (the dnrm2 of
 * rows 2..m, and dlange's largest |a| and NaN check): a caller that writes
 * column 1 anyway feeds each value in row order, row 1 first, and saves
 * that pass. */
typedef struct vox_la_col1 {
    vox_la_nrm2_acc nrm;
    double mx;
    int nan, rows;
} vox_la_col1;

static inline void vox_la_col1_init(vox_la_col1 *c)
{
    vox_la_nrm2_init(&c->nrm);
    c->mx = 0.0;
    c->nan = 0;
    c->rows = 0;
}

static inline void vox_la_col1_add(vox_la_col1 *c, double x)
{
    double ax = fabs(x);
    c->nan |= ax != ax;
    c->mx = ax > c->mx ? ax : c->mx;
    if (c->rows++ > 0)
        vox_la_nrm2_add(&c->nrm, x);
}

/* BLAS dnrm2 (the 2017 three-accumulator version shipped with 3.10+). */
VOX_HIDDEN double vox_la_dnrm2(int n, const double *x, int incx);
/* sqrt(x^2 + y^2) as dlapy2 computes it. */
VOX_HIDDEN double vox_la_dlapy2(double x, double y);
/* Householder reflector (dlarfg): on return alpha = beta, x = v(2:n), tau. */
VOX_HIDDEN void vox_la_dlarfg(int n, double *alpha, double *x, int incx, double *tau);
/* Plane rotation (dlartg.f90). */
VOX_HIDDEN void vox_la_dlartg(double f, double g, double *c, double *s, double *r);
/* Applies H = I - tau v v' from the left (side 'L') or the right ('R') to
 * the m-by-n matrix c (dlarf with reference dgemv/dger).  work: n ('L') or m ('R'). */
VOX_HIDDEN void vox_la_dlarf(char side, int m, int n, const double *v, int incv, double tau, double *c,
                             int ldc, double *work);
/* SVD of a 2-by-2 upper triangular matrix [f g; 0 h] (dlasv2) and its
 * singular values only (dlas2). */
VOX_HIDDEN void vox_la_dlasv2(double f, double g, double h, double *ssmin, double *ssmax, double *snr,
                              double *csr, double *snl, double *csl);
VOX_HIDDEN void vox_la_dlas2(double f, double g, double h, double *ssmin, double *ssmax);
/* dbdsqr('U', n, ncvt, nru, ncc = 0): SVD of the upper bidiagonal (d, e),
 * rotations applied to the rows of vt (n-by-ncvt) and the columns of u
 * (nru-by-n); ncvt + nru > 0.  work: 4*(n-1).  Returns LAPACK's INFO: 0, or
 * the number of off-diagonals that did not converge. */
VOX_HIDDEN int vox_la_dbdsqr(int n, int ncvt, int nru, double *d, double *e, double *vt, int ldvt, double *u,
                             int ldu, double *work);
/* dbdsdc('U', 'I') for 1 <= n <= VOX_LA_SVD_MAXN: u and vt (n-by-n) receive
 * the singular vectors of the upper bidiagonal (d, e); d the singular values,
 * decreasing.  work: 4*(n-1).  Returns INFO. */
VOX_HIDDEN int vox_la_dbdsdc(int n, double *d, double *e, double *u, int ldu, double *vt, int ldvt, double *work);

/* dgesdd with JOBZ='S' for m >= n, 1 <= n <= VOX_LA_SVD_MAXN: a (m-by-n,
 * destroyed) = u * diag(s) * vt.  s: n values, decreasing; vt: n-by-n;
 * u: m-by-n, or NULL when the left vectors are not wanted (they are then
 * not formed: the rest of the arithmetic is unchanged, as dgesdd computes
 * s and vt without looking at u).  work: m doubles.
 * Returns 0, LAPACK's INFO > 0 (no convergence), -4 for a NaN in a, -1 for an
 * unsupported shape, or -2 when max|a| lies outside [~6.7e-139, ~1.5e138]
 * (dgesdd would rescale there first; f32 data never gets there). */
VOX_HIDDEN int vox_la_dgesdd_s(int m, int n, double *a, int lda, double *s, double *u, int ldu, double *vt,
                               int ldvt, double *work);

/* The same as vox_la_dgesdd_s(m, 3, ...) with u = NULL (identical s and vt,
 * bit for bit), for the alignment's tall m-by-3 matrices: a is not modified,
 * and the QR factorisation streams over the columns five times instead of
 * about a dozen (four when col1 is given: the caller's accumulation of
 * column 1, all m rows, or NULL).  m >= 3; vt is 3-by-3 (leading dimension
 * 3); work: 4*m doubles.  Returns what vox_la_dgesdd_s returns (-1 also
 * when col1 did not see m rows). */
VOX_HIDDEN int vox_la_dgesdd_sv3(int m, const double *a, int lda, double *s, double vt[9], double *work,
                                 const vox_la_col1 *col1);

#endif
