/* lapack_eig.c - symmetric eigen-decompositions with the exact arithmetic of reference LAPACK 3.11
 *
 * Why: volumizer measures each volume with numpy's eigh/eigvalsh, which call
 * LAPACK dsyevd (uplo 'L').  For the lattice-symmetric voxel groups that
 * are common here (flat or square blobs), the voxel projections fall exactly
 * on cross-section bin edges and the last bit of an eigenvector decides the
 * bin.  Any other eigensolver gives other bins and other golden numbers, so
 * this file performs the same floating-point operations in the same order
 * as the reference path dsyevd -> dsytd2 -> dsteqr -> dorm2r (vectors) and
 * dsyevd -> dsterf (values), for the small symmetric matrices we need.
 * Written from the published algorithms; matrices are column-major and the
 * indexing 1-based (as in the algorithm descriptions) through the macros.
 */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "lapack_svd.h" /* dnrm2, dlarfg, dlartg, dlapy2: shared with the SVD */

#define EPS (0x1p-53)           /* dlamch('E'): relative machine precision (rounding) */
#define SAFMIN (0x1p-1022)      /* dlamch('S') */
#define MAXIT 30

/* 1-based column-major element access */
#define AT(a, ld, i, j) (a)[((j) - 1) * (ld) + ((i) - 1)]

static double sign(double a, double b) { return copysign(fabs(a), b); }

/* Dot product, unrolled by 5 as the reference BLAS sums it. */
static double ddot(int n, const double *x, const double *y)
{
    double t = 0.0;
    int m = n % 5;
    for (int i = 0; i < m; i++) t += x[i] * y[i];
    for (int i = m; i + 4 < n; i += 5)
        t = t + x[i] * y[i] + x[i + 1] * y[i + 1] + x[i + 2] * y[i + 2] + x[i + 3] * y[i + 3] + x[i + 4] * y[i + 4];
    return t;
}

/* y := alpha*A*x (beta = 0), A symmetric, lower triangle stored. */
static void dsymv_lower(int n, double alpha, const double *a, int lda, const double *x, double *y)
{
    for (int i = 1; i <= n; i++) y[i - 1] = 0.0;
    if (alpha == 0.0) return;
    for (int j = 1; j <= n; j++) {
        double t1 = alpha * x[j - 1], t2 = 0.0;
        y[j - 1] = y[j - 1] + t1 * AT(a, lda, j, j);
        for (int i = j + 1; i <= n; i++) {
            y[i - 1] = y[i - 1] + t1 * AT(a, lda, i, j);
            t2 = t2 + AT(a, lda, i, j) * x[i - 1];
        }
        y[j - 1] = y[j - 1] + alpha * t2;
    }
}

/* A := alpha*x*y' + alpha*y*x' + A, lower triangle. */
static void dsyr2_lower(int n, double alpha, const double *x, const double *y, double *a, int lda)
{
    for (int j = 1; j <= n; j++) {
        if (x[j - 1] != 0.0 || y[j - 1] != 0.0) {
            double t1 = alpha * y[j - 1], t2 = alpha * x[j - 1];
            for (int i = j; i <= n; i++)
                AT(a, lda, i, j) = AT(a, lda, i, j) + x[i - 1] * t1 + y[i - 1] * t2;
        }
    }
}

/* Tridiagonal reduction (unblocked, lower). */
static void dsytd2_lower(int n, double *a, int lda, double *d, double *e, double *tau)
{
    for (int i = 1; i <= n - 1; i++) {
        double taui;
        int xi = i + 2 < n ? i + 2 : n;
        vox_la_dlarfg(n - i, &AT(a, lda, i + 1, i), &AT(a, lda, xi, i), 1, &taui);
        e[i - 1] = AT(a, lda, i + 1, i);
        if (taui != 0.0) {
            AT(a, lda, i + 1, i) = 1.0;
            dsymv_lower(n - i, taui, &AT(a, lda, i + 1, i + 1), lda, &AT(a, lda, i + 1, i), &tau[i - 1]);
            double alpha = -0.5 * taui * ddot(n - i, &tau[i - 1], &AT(a, lda, i + 1, i));
            for (int k = 0; k < n - i; k++)
                tau[i - 1 + k] = tau[i - 1 + k] + alpha * AT(a, lda, i + 1 + k, i);
            dsyr2_lower(n - i, -1.0, &AT(a, lda, i + 1, i), &tau[i - 1], &AT(a, lda, i + 1, i + 1), lda);
            AT(a, lda, i + 1, i) = e[i - 1];
        }
        d[i - 1] = AT(a, lda, i, i);
        tau[i - 1] = taui;
    }
    d[n - 1] = AT(a, lda, n, n);
}

static void dlae2(double a, double b, double c, double *rt1, double *rt2)
{
    double sm = a + c, df = a - c, adf = fabs(df), tb = b + b, ab = fabs(tb);
    double acmx, acmn, rt;
    if (fabs(a) > fabs(c)) { acmx = a; acmn = c; } else { acmx = c; acmn = a; }
    if (adf > ab) rt = adf * sqrt(1.0 + (ab / adf) * (ab / adf));
    else if (adf < ab) rt = ab * sqrt(1.0 + (adf / ab) * (adf / ab));
    else rt = ab * sqrt(2.0);
    if (sm < 0.0) {
        *rt1 = 0.5 * (sm - rt);
        *rt2 = (acmx / *rt1) * acmn - (b / *rt1) * b;
    } else if (sm > 0.0) {
        *rt1 = 0.5 * (sm + rt);
        *rt2 = (acmx / *rt1) * acmn - (b / *rt1) * b;
    } else {
        *rt1 = 0.5 * rt;
        *rt2 = -0.5 * rt;
    }
}

static void dlaev2(double a, double b, double c, double *rt1, double *rt2, double *cs1, double *sn1)
{
    double sm = a + c, df = a - c, adf = fabs(df), tb = b + b, ab = fabs(tb);
    double acmx, acmn, rt, cs, ct, tn;
    int sgn1, sgn2;
    if (fabs(a) > fabs(c)) { acmx = a; acmn = c; } else { acmx = c; acmn = a; }
    if (adf > ab) rt = adf * sqrt(1.0 + (ab / adf) * (ab / adf));
    else if (adf < ab) rt = ab * sqrt(1.0 + (adf / ab) * (adf / ab));
    else rt = ab * sqrt(2.0);
    if (sm < 0.0) {
        *rt1 = 0.5 * (sm - rt);
        sgn1 = -1;
        *rt2 = (acmx / *rt1) * acmn - (b / *rt1) * b;
    } else if (sm > 0.0) {
        *rt1 = 0.5 * (sm + rt);
        sgn1 = 1;
        *rt2 = (acmx / *rt1) * acmn - (b / *rt1) * b;
    } else {
        *rt1 = 0.5 * rt;
        *rt2 = -0.5 * rt;
        sgn1 = 1;
    }
    if (df >= 0.0) { cs = df + rt; sgn2 = 1; } else { cs = df - rt; sgn2 = -1; }
    if (fabs(cs) > ab) {
        ct = -tb / cs;
        *sn1 = 1.0 / sqrt(1.0 + ct * ct);
        *cs1 = ct * *sn1;
    } else if (ab == 0.0) {
        *cs1 = 1.0;
        *sn1 = 0.0;
    } else {
        tn = -cs / tb;
        *cs1 = 1.0 / sqrt(1.0 + tn * tn);
        *sn1 = tn * *cs1;
    }
    if (sgn1 == sgn2) {
        tn = *cs1;
        *cs1 = -*sn1;
        *sn1 = tn;
    }
}

/* A := A*P for the rotation sequence (side R, pivot V), columns 1..n of A (m rows). */
static void dlasr_rv(int backward, int m, int n, const double *c, const double *s, double *a, int lda)
{
    for (int jj = 1; jj <= n - 1; jj++) {
        int j = backward ? n - jj : jj;
        double ct = c[j - 1], st = s[j - 1];
        if (ct != 1.0 || st != 0.0) {
            for (int i = 1; i <= m; i++) {
                double t = AT(a, lda, i, j + 1);
                AT(a, lda, i, j + 1) = ct * t - st * AT(a, lda, i, j);
                AT(a, lda, i, j) = st * t + ct * AT(a, lda, i, j);
            }
        }
    }
}

static double max_abs(int n, const double *d, int ne, const double *e)
{
    double m = 0.0;
    for (int i = 0; i < n; i++) if (fabs(d[i]) > m || isnan(d[i])) m = fabs(d[i]);
    for (int i = 0; i < ne; i++) if (fabs(e[i]) > m || isnan(e[i])) m = fabs(e[i]);
    return m;
}

/* Implicit QL/QR on the tridiagonal (d, e) accumulating rotations into z
 * (compz 'I': z starts as the identity).  work holds 2*(n-1). */
static void dsteqr_i(int n, double *d, double *e, double *z, int ldz, double *work)
{
    const double eps = EPS, eps2 = eps * eps, safmin = SAFMIN;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) AT(z, ldz, i, j) = i == j;
    if (n <= 1)
        return;
    int nmaxit = n * MAXIT, jtot = 0, l1 = 1, nm1 = n - 1;
    while (l1 <= n) {
        if (l1 > 1) e[l1 - 2] = 0.0;
        int m;
        for (m = l1; m <= nm1; m++) {
            double tst = fabs(e[m - 1]);
            if (tst == 0.0) break;
            if (tst <= (sqrt(fabs(d[m - 1])) * sqrt(fabs(d[m]))) * eps) {
                e[m - 1] = 0.0;
                break;
            }
        }
        if (m > nm1) m = n;
        int l = l1, lsv = l, lend = m, lendsv = lend;
        l1 = m + 1;
        if (lend == l)
            continue;
        /* Scaling is needed only outside [~3e-123, ~4.5e153]; covariances of
         * voxel centres never get there (zero is skipped below). */
        double anorm = max_abs(lend - l + 1, &d[l - 1], lend - l, &e[l - 1]);
        if (anorm == 0.0)
            continue;
        if (fabs(d[lend - 1]) < fabs(d[l - 1])) {
            lend = lsv;
            l = lendsv;
        }
        if (lend > l) { /* QL iteration */
            for (;;) {
                if (l != lend) {
                    for (m = l; m <= lend - 1; m++) {
                        double tst = fabs(e[m - 1]) * fabs(e[m - 1]);
                        if (tst <= (eps2 * fabs(d[m - 1])) * fabs(d[m]) + safmin) break;
                    }
                    if (m > lend - 1) m = lend;
                } else {
                    m = lend;
                }
                if (m < lend) e[m - 1] = 0.0;
                double p = d[l - 1];
                if (m == l) {
                    d[l - 1] = p;
                    l++;
                    if (l <= lend) continue;
                    break;
                }
                if (m == l + 1) {
                    double rt1, rt2, c, s;
                    dlaev2(d[l - 1], e[l - 1], d[l], &rt1, &rt2, &c, &s);
                    work[l - 1] = c;
                    work[n - 1 + l - 1] = s;
                    dlasr_rv(1, n, 2, &work[l - 1], &work[n - 1 + l - 1], &AT(z, ldz, 1, l), ldz);
                    d[l - 1] = rt1;
                    d[l] = rt2;
                    e[l - 1] = 0.0;
                    l += 2;
                    if (l <= lend) continue;
                    break;
                }
                if (jtot == nmaxit) break;
                jtot++;
                double g = (d[l] - p) / (2.0 * e[l - 1]);
                double r = vox_la_dlapy2(g, 1.0);
                g = d[m - 1] - p + (e[l - 1] / (g + sign(r, g)));
                double s = 1.0, c = 1.0;
                p = 0.0;
                for (int i = m - 1; i >= l; i--) {
                    double f = s * e[i - 1], b = c * e[i - 1];
                    vox_la_dlartg(g, f, &c, &s, &r);
                    if (i != m - 1) e[i] = r;
                    g = d[i] - p;
                    r = (d[i - 1] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i] = g + p;
                    g = c * r - b;
                    work[i - 1] = c;
                    work[n - 1 + i - 1] = -s;
                }
                dlasr_rv(1, n, m - l + 1, &work[l - 1], &work[n - 1 + l - 1], &AT(z, ldz, 1, l), ldz);
                d[l - 1] = d[l - 1] - p;
                e[l - 1] = g;
            }
        } else { /* QR iteration */
            for (;;) {
                if (l != lend) {
                    for (m = l; m >= lend + 1; m--) {
                        double tst = fabs(e[m - 2]) * fabs(e[m - 2]);
                        if (tst <= (eps2 * fabs(d[m - 1])) * fabs(d[m - 2]) + safmin) break;
                    }
                    if (m < lend + 1) m = lend;
                } else {
                    m = lend;
                }
                if (m > lend) e[m - 2] = 0.0;
                double p = d[l - 1];
                if (m == l) {
                    d[l - 1] = p;
                    l--;
                    if (l >= lend) continue;
                    break;
                }
                if (m == l - 1) {
                    double rt1, rt2, c, s;
                    dlaev2(d[l - 2], e[l - 2], d[l - 1], &rt1, &rt2, &c, &s);
                    work[m - 1] = c;
                    work[n - 1 + m - 1] = s;
                    dlasr_rv(0, n, 2, &work[m - 1], &work[n - 1 + m - 1], &AT(z, ldz, 1, l - 1), ldz);
                    d[l - 2] = rt1;
                    d[l - 1] = rt2;
                    e[l - 2] = 0.0;
                    l -= 2;
                    if (l >= lend) continue;
                    break;
                }
                if (jtot == nmaxit) break;
                jtot++;
                double g = (d[l - 2] - p) / (2.0 * e[l - 2]);
                double r = vox_la_dlapy2(g, 1.0);
                g = d[m - 1] - p + (e[l - 2] / (g + sign(r, g)));
                double s = 1.0, c = 1.0;
                p = 0.0;
                for (int i = m; i <= l - 1; i++) {
                    double f = s * e[i - 1], b = c * e[i - 1];
                    vox_la_dlartg(g, f, &c, &s, &r);
                    if (i != m) e[i - 2] = r;
                    g = d[i - 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i - 1] = g + p;
                    g = c * r - b;
                    work[i - 1] = c;
                    work[n - 1 + i - 1] = s;
                }
                dlasr_rv(0, n, l - m + 1, &work[m - 1], &work[n - 1 + m - 1], &AT(z, ldz, 1, m), ldz);
                d[l - 1] = d[l - 1] - p;
                e[l - 2] = g;
            }
        }
        if (jtot >= nmaxit)
            break;
    }
    /* selection sort, ascending, swapping vectors along */
    for (int ii = 2; ii <= n; ii++) {
        int i = ii - 1, k = i;
        double p = d[i - 1];
        for (int j = ii; j <= n; j++)
            if (d[j - 1] < p) { k = j; p = d[j - 1]; }
        if (k != i) {
            d[k - 1] = d[i - 1];
            d[i - 1] = p;
            for (int r = 1; r <= n; r++) {
                double t = AT(z, ldz, r, i);
                AT(z, ldz, r, i) = AT(z, ldz, r, k);
                AT(z, ldz, r, k) = t;
            }
        }
    }
}

/* C := H*C, H = I - tau*v*v' (left side), skipping trailing zeros as dlarf does. */
static void dlarf_left(int m, int n, const double *v, double tau, double *c, int ldc, double *work)
{
    if (tau == 0.0)
        return;
    int lastv = m;
    while (lastv > 0 && v[lastv - 1] == 0.0) lastv--;
    int lastc = n;
    if (lastv > 0 && !(AT(c, ldc, 1, n) != 0.0 || AT(c, ldc, lastv, n) != 0.0)) {
        for (lastc = n; lastc >= 1; lastc--) {
            int nz = 0;
            for (int i = 1; i <= lastv && !nz; i++) nz = AT(c, ldc, i, lastc) != 0.0;
            if (nz) break;
        }
    }
    if (lastv <= 0 || lastc <= 0)
        return;
    /* work := C' v (dgemv 'T', beta 0) */
    for (int j = 1; j <= lastc; j++) {
        double t = 0.0;
        for (int i = 1; i <= lastv; i++) t = t + AT(c, ldc, i, j) * v[i - 1];
        work[j - 1] = 0.0 + 1.0 * t;
    }
    /* C := C - tau v work' (dger) */
    for (int j = 1; j <= lastc; j++) {
        if (work[j - 1] != 0.0) {
            double t = -tau * work[j - 1];
            for (int i = 1; i <= lastv; i++) AT(c, ldc, i, j) = AT(c, ldc, i, j) + v[i - 1] * t;
        }
    }
}

void vox_eigh3(const double sym[3][3], double w[3], double v[3][3])
{
    enum { N = 3 };
    double a[N * N], d[N], e[N], tau[N], z[N * N], work[2 * N];
    for (int j = 1; j <= N; j++)
        for (int i = 1; i <= N; i++) AT(a, N, i, j) = sym[i - 1][j - 1];
    /* dsyevd's scaling applies only to max |a| outside [1.5e-146, 6.7e145] */
    dsytd2_lower(N, a, N, d, e, tau);
    dsteqr_i(N, d, e, z, N, work);
    /* dormtr('L', 'L', 'N'): Q from the reflectors, applied to rows 2..N of z
     * (dorm2r, left, no transpose: reflectors in reverse order) */
    for (int i = N - 1; i >= 1; i--) {
        int mi = (N - 1) - i + 1;
        double *col = &AT(a, N, i + 1, i); /* reflector i: A(i+1:N, i) with v(1) = 1 */
        double aii = col[0];
        col[0] = 1.0;
        dlarf_left(mi, N, col, tau[i - 1], &AT(z, N, i + 1, 1), N, work);
        col[0] = aii;
    }
    for (int k = 0; k < N; k++) {
        w[k] = d[k];
        for (int r = 0; r < N; r++) v[r][k] = AT(z, N, r + 1, k + 1);
    }
}

void vox_eigvalsh2(double a11, double a21, double a22, double *lo, double *hi)
{
    /* dsytd2 leaves a 2x2 as it is (tau = 0): d = (a11, a22), e = a21; then dsterf */
    const double eps = EPS, eps2 = eps * eps;
    double d1 = a11, d2 = a22, e = a21, r1 = d1, r2 = d2;
    double anorm = fabs(d1);
    if (fabs(d2) > anorm) anorm = fabs(d2);
    if (fabs(e) > anorm) anorm = fabs(e);
    int split = fabs(e) <= (sqrt(fabs(d1)) * sqrt(fabs(d2))) * eps || anorm == 0.0;
    if (!split) {
        double e2 = e * e; /* dsterf works on squared off-diagonals */
        if (!(fabs(e2) <= eps2 * fabs(d1 * d2)))
            dlae2(d1, sqrt(e2), d2, &r1, &r2);
    }
    *lo = r1 < r2 ? r1 : r2;
    *hi = r1 < r2 ? r2 : r1;
}
