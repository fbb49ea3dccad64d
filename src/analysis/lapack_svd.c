/* lapack_svd.c - the thin SVD (dgesdd, JOBZ='S') with the exact arithmetic of reference LAPACK 3.11
 *
 * Why: volumizer's principal-axis alignment (ALGORITHM.md §4.1) runs numpy's
 * linalg.svd, i.e. LAPACK dgesdd, on the N-by-3 coordinates and then on a
 * 3-by-3 matrix, and stops when a rotation is within 1e-5 of the identity.
 * Which way each axis ends up pointing depends on the last bits of those
 * SVDs (Householder signs, rotation order), so to give volumizer's frame
 * this file performs the same floating-point operations, in the same order,
 * as reference LAPACK/BLAS 3.11.0 built without fused multiply-add (as
 * Debian ships it; the project compiles with -ffp-contract=off):
 *
 *   dgesdd ('S', m >= n)  ->  m >= 11n/6: dgeqrf (dgeqr2) then dgebrd of R,
 *                             otherwise dgebrd (dgebd2) of a itself
 *                         ->  dbdsdc ('U', 'I', n <= 25) -> dlasdq -> dbdsqr
 *                         ->  dormbr: dorm2r (u), dorml2 (vt); dorg2r + dgemm for u
 *
 * With n <= 32 every blocked routine (dgeqrf, dgebrd, dormqr, dormlq, dorgqr)
 * takes its unblocked path whatever the workspace, which is why only the
 * unblocked routines appear here.  Written from the published algorithms;
 * matrices are column-major, indices 1-based (as in the descriptions)
 * through the macros.  gfortran keeps Fortran's left-to-right evaluation
 * and parentheses, and x**2 is x*x, so each expression below is written in
 * the reference's grouping.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "lapack_svd.h"

#define EPS (0x1p-53)      /* dlamch('E'): relative machine precision (rounding) */
#define PREC (0x1p-52)     /* dlamch('P') = eps * radix */
#define SAFMIN (0x1p-1022) /* dlamch('S') */
#define MAXITR 6           /* dbdsqr's iterations per singular value */

/* 1-based column-major element, and the i-th element of a strided vector */
#define AT(a, ld, i, j) (a)[((ptrdiff_t)(j) - 1) * (ptrdiff_t)(ld) + ((ptrdiff_t)(i) - 1)]
#define EL(x, inc, i) (x)[((ptrdiff_t)(i) - 1) * (ptrdiff_t)(inc)]

static double sign(double a, double b) { return copysign(fabs(a), b); }
static double dmax(double a, double b) { return a > b ? a : b; }
static double dmin(double a, double b) { return a < b ? a : b; }

/* ---- BLAS level 1 and 2, reference order ---------------------------------- */

/* dnrm2's closing step: the norm from the three sums */
static double nrm2_result(const vox_la_nrm2_acc *a)
{
    double asml = a->asml, amed = a->amed, abig = a->abig, scl, sumsq;
    if (abig > 0) {
        if (amed > 0 || amed != amed) abig += (amed * VOX_LA_NRM2_SBIG) * VOX_LA_NRM2_SBIG;
        scl = 1.0 / VOX_LA_NRM2_SBIG;
        sumsq = abig;
    } else if (asml > 0) {
        if (amed > 0 || amed != amed) {
            amed = sqrt(amed);
            asml = sqrt(asml) / VOX_LA_NRM2_SSML;
            double ymin = asml > amed ? amed : asml, ymax = asml > amed ? asml : amed;
            scl = 1.0;
            sumsq = ymax * ymax * (1.0 + (ymin / ymax) * (ymin / ymax));
        } else {
            scl = 1.0 / VOX_LA_NRM2_SSML;
            sumsq = asml;
        }
    } else {
        scl = 1.0;
        sumsq = amed;
    }
    return scl * sqrt(sumsq);
}

double vox_la_dnrm2(int n, const double *x, int incx)
{
    if (n <= 0)
        return 0.0;
    vox_la_nrm2_acc a;
    vox_la_nrm2_init(&a);
    for (int i = 1; i <= n; i++) vox_la_nrm2_add(&a, EL(x, incx, i));
    return nrm2_result(&a);
}

/* x := da * x; dscal returns early for da == 1 (same values either way). */
static void dscal(int n, double da, double *x, int incx)
{
    if (n <= 0 || incx <= 0 || da == 1.0)
        return;
    for (int i = 1; i <= n; i++) EL(x, incx, i) = da * EL(x, incx, i);
}

static void dswap(int n, double *x, int incx, double *y, int incy)
{
    for (int i = 1; i <= n; i++) {
        double t = EL(x, incx, i);
        EL(x, incx, i) = EL(y, incy, i);
        EL(y, incy, i) = t;
    }
}

static void drot(int n, double *x, int incx, double *y, int incy, double c, double s)
{
    for (int i = 1; i <= n; i++) {
        double t = c * EL(x, incx, i) + s * EL(y, incy, i);
        EL(y, incy, i) = c * EL(y, incy, i) - s * EL(x, incx, i);
        EL(x, incx, i) = t;
    }
}

/* y := A' x (alpha 1, beta 0): one dot product per column, summed from row 1 down. */
static void dgemv_t(int m, int n, const double *a, int lda, const double *x, int incx, double *y)
{
    if (m == 0 || n == 0)
        return;
    for (int j = 1; j <= n; j++) y[j - 1] = 0.0;
    for (int j = 1; j <= n; j++) {
        double temp = 0.0;
        for (int i = 1; i <= m; i++) temp = temp + AT(a, lda, i, j) * EL(x, incx, i);
        y[j - 1] = y[j - 1] + 1.0 * temp;
    }
}

/* y := A x (alpha 1, beta 0): column by column, as axpys. */
static void dgemv_n(int m, int n, const double *a, int lda, const double *x, int incx, double *y)
{
    if (m == 0 || n == 0)
        return;
    for (int i = 1; i <= m; i++) y[i - 1] = 0.0;
    for (int j = 1; j <= n; j++) {
        double temp = 1.0 * EL(x, incx, j);
        for (int i = 1; i <= m; i++) y[i - 1] = y[i - 1] + temp * AT(a, lda, i, j);
    }
}

/* A := A + alpha x y'; columns whose y is zero are skipped. */
static void dger(int m, int n, double alpha, const double *x, int incx, const double *y, int incy, double *a,
                 int lda)
{
    if (m == 0 || n == 0 || alpha == 0.0)
        return;
    for (int j = 1; j <= n; j++) {
        if (EL(y, incy, j) != 0.0) {
            double temp = alpha * EL(y, incy, j);
            for (int i = 1; i <= m; i++) AT(a, lda, i, j) = AT(a, lda, i, j) + EL(x, incx, i) * temp;
        }
    }
}

/* C := A B (alpha 1, beta 0), A m-by-k, B k-by-n. */
static void dgemm_nn(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c, int ldc)
{
    for (int j = 1; j <= n; j++) {
        for (int i = 1; i <= m; i++) AT(c, ldc, i, j) = 0.0;
        for (int l = 1; l <= k; l++) {
            double temp = 1.0 * AT(b, ldb, l, j);
            for (int i = 1; i <= m; i++) AT(c, ldc, i, j) = AT(c, ldc, i, j) + temp * AT(a, lda, i, l);
        }
    }
}

/* ---- LAPACK auxiliaries ---------------------------------------------------- */

double vox_la_dlapy2(double x, double y)
{
    if (isnan(x) || isnan(y))
        return isnan(y) ? y : x;
    double xa = fabs(x), ya = fabs(y);
    double w = dmax(xa, ya), z = dmin(xa, ya);
    if (z == 0.0 || w > 0x1.fffffffffffffp1023)
        return w;
    return w * sqrt(1.0 + (z / w) * (z / w));
}

void vox_la_dlarfg(int n, double *alpha, double *x, int incx, double *tau)
{
    if (n <= 1) {
        *tau = 0.0;
        return;
    }
    double xnorm = vox_la_dnrm2(n - 1, x, incx);
    if (xnorm == 0.0) {
        *tau = 0.0;
        return;
    }
    double beta = -sign(vox_la_dlapy2(*alpha, xnorm), *alpha);
    const double safmin = SAFMIN / EPS;
    int knt = 0;
    if (fabs(beta) < safmin) {
        /* xnorm and beta may be inaccurate: scale x up and recompute */
        double rsafmn = 1.0 / safmin;
        do {
            knt++;
            dscal(n - 1, rsafmn, x, incx);
            beta = beta * rsafmn;
            *alpha = *alpha * rsafmn;
        } while (fabs(beta) < safmin && knt < 20);
        xnorm = vox_la_dnrm2(n - 1, x, incx);
        beta = -sign(vox_la_dlapy2(*alpha, xnorm), *alpha);
    }
    *tau = (beta - *alpha) / beta;
    dscal(n - 1, 1.0 / (*alpha - beta), x, incx);
    for (int j = 1; j <= knt; j++) beta = beta * safmin;
    *alpha = beta;
}

void vox_la_dlartg(double f, double g, double *c, double *s, double *r)
{
    const double safmax = 1.0 / SAFMIN;
    const double rtmin = sqrt(SAFMIN), rtmax = sqrt(safmax / 2);
    double f1 = fabs(f), g1 = fabs(g);
    if (g == 0.0) {
        *c = 1.0;
        *s = 0.0;
        *r = f;
    } else if (f == 0.0) {
        *c = 0.0;
        *s = sign(1.0, g);
        *r = g1;
    } else if (f1 > rtmin && f1 < rtmax && g1 > rtmin && g1 < rtmax) {
        double d = sqrt(f * f + g * g);
        *c = f1 / d;
        *r = sign(d, f);
        *s = g / *r;
    } else {
        double u = dmin(safmax, dmax(SAFMIN, dmax(f1, g1)));
        double fs = f / u, gs = g / u, d = sqrt(fs * fs + gs * gs);
        *c = fabs(fs) / d;
        *r = sign(d, f);
        *s = gs / *r;
        *r = *r * u;
    }
}

/* Last non-zero column of the m-by-n a (iladlc); 0 when a is zero. */
static int iladlc(int m, int n, const double *a, int lda)
{
    if (n == 0)
        return 0;
    if (AT(a, lda, 1, n) != 0.0 || AT(a, lda, m, n) != 0.0)
        return n;
    for (int j = n; j >= 1; j--)
        for (int i = 1; i <= m; i++)
            if (AT(a, lda, i, j) != 0.0) return j;
    return 0;
}

/* Last non-zero row of the m-by-n a (iladlr); 0 when a is zero. */
static int iladlr(int m, int n, const double *a, int lda)
{
    if (m == 0)
        return 0;
    if (AT(a, lda, m, 1) != 0.0 || AT(a, lda, m, n) != 0.0)
        return m;
    int last = 0;
    for (int j = 1; j <= n; j++) {
        int i = m;
        while (i >= 1 && AT(a, lda, i, j) == 0.0) i--;
        if (i > last) last = i;
    }
    return last;
}

void vox_la_dlarf(char side, int m, int n, const double *v, int incv, double tau, double *c, int ldc,
                  double *work)
{
    int left = side == 'L', lastv = 0, lastc = 0;
    if (tau != 0.0) {
        /* trailing zeros of v and the zero rows/columns of c they meet are skipped */
        lastv = left ? m : n;
        while (lastv > 0 && EL(v, incv, lastv) == 0.0) lastv--;
        if (lastv > 0)
            lastc = left ? iladlc(lastv, n, c, ldc) : iladlr(m, lastv, c, ldc);
    }
    if (lastv <= 0)
        return;
    if (left) {
        dgemv_t(lastv, lastc, c, ldc, v, incv, work);
        dger(lastv, lastc, -tau, v, incv, work, 1, c, ldc);
    } else {
        dgemv_n(lastc, lastv, c, ldc, v, incv, work);
        dger(lastc, lastv, -tau, work, 1, v, incv, c, ldc);
    }
}

void vox_la_dlas2(double f, double g, double h, double *ssmin, double *ssmax)
{
    double fa = fabs(f), ga = fabs(g), ha = fabs(h);
    double fhmn = dmin(fa, ha), fhmx = dmax(fa, ha);
    if (fhmn == 0.0) {
        *ssmin = 0.0;
        if (fhmx == 0.0) {
            *ssmax = ga;
        } else {
            double q = dmin(fhmx, ga) / dmax(fhmx, ga);
            *ssmax = dmax(fhmx, ga) * sqrt(1.0 + q * q);
        }
    } else if (ga < fhmx) {
        double as = 1.0 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, q = ga / fhmx, au = q * q;
        double c = 2.0 / (sqrt(as * as + au) + sqrt(at * at + au));
        *ssmin = fhmn * c;
        *ssmax = fhmx / c;
    } else {
        double au = fhmx / ga;
        if (au == 0.0) {
            /* fhmx/ga underflowed: avoid the overflow of fhmn*fhmx/ga below */
            *ssmin = (fhmn * fhmx) / ga;
            *ssmax = ga;
        } else {
            double as = 1.0 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
            double p = as * au, q = at * au;
            double c = 1.0 / (sqrt(1.0 + p * p) + sqrt(1.0 + q * q));
            *ssmin = (fhmn * c) * au;
            *ssmin = *ssmin + *ssmin;
            *ssmax = ga / (c + c);
        }
    }
}

void vox_la_dlasv2(double f, double g, double h, double *ssmin, double *ssmax, double *snr, double *csr,
                   double *snl, double *csl)
{
    double ft = f, fa = fabs(ft), ht = h, ha = fabs(h);
    double clt, crt, slt, srt;
    int pmax = 1, swap = ha > fa;
    if (swap) {
        /* work on the transpose-like ordering where |f| >= |h| */
        pmax = 3;
        double t = ft; ft = ht; ht = t;
        t = fa; fa = ha; ha = t;
    }
    double gt = g, ga = fabs(gt);
    if (ga == 0.0) {
        *ssmin = ha;
        *ssmax = fa;
        clt = 1.0; crt = 1.0; slt = 0.0; srt = 0.0;
    } else {
        int gasmal = 1;
        if (ga > fa) {
            pmax = 2;
            if (fa / ga < EPS) {
                /* g is very large compared with f and h */
                gasmal = 0;
                *ssmax = ga;
                if (ha > 1.0) *ssmin = fa / (ga / ha);
                else *ssmin = (fa / ga) * ha;
                clt = 1.0;
                slt = ht / gt;
                srt = 1.0;
                crt = ft / gt;
            }
        }
        if (gasmal) {
            double d = fa - ha;
            double l = d == fa ? 1.0 : d / fa; /* copes with infinite f or h */
            double m = gt / ft, t = 2.0 - l, mm = m * m, tt = t * t;
            double s = sqrt(tt + mm);
            double r = l == 0.0 ? fabs(m) : sqrt(l * l + mm);
            double a = 0.5 * (s + r);
            *ssmin = ha / a;
            *ssmax = fa * a;
            if (mm == 0.0) {
                /* m is tiny */
                if (l == 0.0) t = sign(2.0, ft) * sign(1.0, gt);
                else t = gt / sign(d, ft) + m / t;
            } else {
                t = (m / (s + t) + m / (r + l)) * (1.0 + a);
            }
            l = sqrt(t * t + 4.0);
            crt = 2.0 / l;
            srt = t / l;
            clt = (crt + srt * m) / a;
            slt = (ht / ft) * srt / a;
        }
    }
    if (swap) {
        *csl = srt; *snl = crt; *csr = slt; *snr = clt;
    } else {
        *csl = clt; *snl = slt; *csr = crt; *snr = srt;
    }
    /* correct the signs of ssmax and ssmin */
    double tsign = 1.0;
    if (pmax == 1) tsign = sign(1.0, *csr) * sign(1.0, *csl) * sign(1.0, f);
    if (pmax == 2) tsign = sign(1.0, *snr) * sign(1.0, *csl) * sign(1.0, g);
    if (pmax == 3) tsign = sign(1.0, *snr) * sign(1.0, *snl) * sign(1.0, h);
    *ssmax = sign(*ssmax, tsign);
    *ssmin = sign(*ssmin, tsign * sign(1.0, f) * sign(1.0, h));
}

/* dlasr with pivot 'V': the plane rotations (c(j), s(j)) in planes (j, j+1),
 * forward ('F') or backward ('B'), from the left ('L', rows of the m-by-n a)
 * or the right ('R', columns). */
static void dlasr_v(char side, char direct, int m, int n, const double *c, const double *s, double *a, int lda)
{
    int left = side == 'L', count = (left ? m : n) - 1;
    for (int jj = 1; jj <= count; jj++) {
        int j = direct == 'F' ? jj : count + 1 - jj;
        double ct = c[j - 1], st = s[j - 1];
        if (ct == 1.0 && st == 0.0)
            continue;
        if (left) {
            for (int i = 1; i <= n; i++) {
                double t = AT(a, lda, j + 1, i);
                AT(a, lda, j + 1, i) = ct * t - st * AT(a, lda, j, i);
                AT(a, lda, j, i) = st * t + ct * AT(a, lda, j, i);
            }
        } else {
            for (int i = 1; i <= m; i++) {
                double t = AT(a, lda, i, j + 1);
                AT(a, lda, i, j + 1) = ct * t - st * AT(a, lda, i, j);
                AT(a, lda, i, j) = st * t + ct * AT(a, lda, i, j);
            }
        }
    }
}

/* ---- bidiagonal SVD -------------------------------------------------------- */

int vox_la_dbdsqr(int n, int ncvt, int nru, double *d, double *e, double *vt, int ldvt, double *u, int ldu,
                  double *work)
{
    /* 1-based views of d, e and work */
#define D(i) d[(i) - 1]
#define E(i) e[(i) - 1]
#define W(i) work[(i) - 1]
    if (n <= 0)
        return 0;
    if (n > 1) {
        const int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
        const double eps = EPS, unfl = SAFMIN;
        int idir = 0;
        /* tol > 0: relative accuracy (the reference's negative-tol branches never run) */
        double tolmul = dmax(10.0, dmin(100.0, pow(eps, -0.125)));
        double tol = tolmul * eps;
        double smax = 0.0;
        for (int i = 1; i <= n; i++) smax = dmax(smax, fabs(D(i)));
        for (int i = 1; i <= n - 1; i++) smax = dmax(smax, fabs(E(i)));
        /* a lower bound on the smallest singular value, for the threshold */
        double sminoa = fabs(D(1)), mu;
        if (sminoa != 0.0) {
            mu = sminoa;
            for (int i = 2; i <= n; i++) {
                mu = fabs(D(i)) * (mu / (mu + fabs(E(i - 1))));
                sminoa = dmin(sminoa, mu);
                if (sminoa == 0.0) break;
            }
        }
        sminoa = sminoa / sqrt((double)n);
        double thresh = dmax(tol * sminoa, MAXITR * (n * (n * unfl)));
        int maxitdivn = MAXITR * n, iterdivn = 0, iter = -1, oldll = -1, oldm = -1, m = n;
        double sminl = 0.0;
        for (;;) {
            if (m <= 1)
                break;
            if (iter >= n) {
                iter = iter - n;
                iterdivn++;
                if (iterdivn >= maxitdivn) {
                    int info = 0;
                    for (int i = 1; i <= n - 1; i++)
                        if (E(i) != 0.0) info++;
                    return info;
                }
            }
            /* find the diagonal block to work on */
            smax = fabs(D(m));
            int ll = 0, split = 0;
            for (int lll = 1; lll <= m - 1; lll++) {
                ll = m - lll;
                double abss = fabs(D(ll)), abse = fabs(E(ll));
                if (abse <= thresh) {
                    split = 1;
                    break;
                }
                smax = dmax(smax, dmax(abss, abse));
            }
            if (split) {
                E(ll) = 0.0;
                if (ll == m - 1) { /* the bottom singular value converged */
                    m = m - 1;
                    continue;
                }
            } else {
                ll = 0;
            }
            ll = ll + 1;
            /* the block is d(ll..m) */
            if (ll == m - 1) {
                /* 2-by-2 block: handle it separately */
                double sigmn, sigmx, sinr, cosr, sinl, cosl;
                vox_la_dlasv2(D(m - 1), E(m - 1), D(m), &sigmn, &sigmx, &sinr, &cosr, &sinl, &cosl);
                D(m - 1) = sigmx;
                E(m - 1) = 0.0;
                D(m) = sigmn;
                if (ncvt > 0) drot(ncvt, &AT(vt, ldvt, m - 1, 1), ldvt, &AT(vt, ldvt, m, 1), ldvt, cosr, sinr);
                if (nru > 0) drot(nru, &AT(u, ldu, 1, m - 1), 1, &AT(u, ldu, 1, m), 1, cosl, sinl);
                m = m - 2;
                continue;
            }
            /* a new block: chase the bulge towards the smaller end */
            if (ll > oldm || m < oldll) idir = fabs(D(ll)) >= fabs(D(m)) ? 1 : 2;
            int converged = 0;
            if (idir == 1) {
                /* top to bottom: convergence test on the bottom */
                if (fabs(E(m - 1)) <= fabs(tol) * fabs(D(m))) {
                    E(m - 1) = 0.0;
                    continue;
                }
                mu = fabs(D(ll));
                sminl = mu;
                for (int lll = ll; lll <= m - 1; lll++) {
                    if (fabs(E(lll)) <= tol * mu) {
                        E(lll) = 0.0;
                        converged = 1;
                        break;
                    }
                    mu = fabs(D(lll + 1)) * (mu / (mu + fabs(E(lll))));
                    sminl = dmin(sminl, mu);
                }
            } else {
                /* bottom to top: convergence test on the top */
                if (fabs(E(ll)) <= fabs(tol) * fabs(D(ll))) {
                    E(ll) = 0.0;
                    continue;
                }
                mu = fabs(D(m));
                sminl = mu;
                for (int lll = m - 1; lll >= ll; lll--) {
                    if (fabs(E(lll)) <= tol * mu) {
                        E(lll) = 0.0;
                        converged = 1;
                        break;
                    }
                    mu = fabs(D(lll)) * (mu / (mu + fabs(E(lll))));
                    sminl = dmin(sminl, mu);
                }
            }
            if (converged)
                continue;
            oldll = ll;
            oldm = m;
            /* the shift: zero when it would ruin relative accuracy */
            double shift, r;
            if (n * tol * (sminl / smax) <= dmax(eps, 0.01 * tol)) {
                shift = 0.0;
            } else {
                double sll;
                if (idir == 1) {
                    sll = fabs(D(ll));
                    vox_la_dlas2(D(m - 1), E(m - 1), D(m), &shift, &r);
                } else {
                    sll = fabs(D(m));
                    vox_la_dlas2(D(ll), E(ll), D(ll + 1), &shift, &r);
                }
                if (sll > 0.0 && (shift / sll) * (shift / sll) < eps)
                    shift = 0.0;
            }
            iter = iter + m - ll;
            if (shift == 0.0) {
                /* zero-shift QR sweep */
                double cs = 1.0, oldcs = 1.0, sn = 0.0, oldsn = 0.0, h;
                if (idir == 1) {
                    for (int i = ll; i <= m - 1; i++) {
                        vox_la_dlartg(D(i) * cs, E(i), &cs, &sn, &r);
                        if (i > ll) E(i - 1) = oldsn * r;
                        vox_la_dlartg(oldcs * r, D(i + 1) * sn, &oldcs, &oldsn, &D(i));
                        W(i - ll + 1) = cs;
                        W(i - ll + 1 + nm1) = sn;
                        W(i - ll + 1 + nm12) = oldcs;
                        W(i - ll + 1 + nm13) = oldsn;
                    }
                    h = D(m) * cs;
                    D(m) = h * oldcs;
                    E(m - 1) = h * oldsn;
                    if (ncvt > 0) dlasr_v('L', 'F', m - ll + 1, ncvt, &W(1), &W(n), &AT(vt, ldvt, ll, 1), ldvt);
                    if (nru > 0) dlasr_v('R', 'F', nru, m - ll + 1, &W(nm12 + 1), &W(nm13 + 1), &AT(u, ldu, 1, ll), ldu);
                    if (fabs(E(m - 1)) <= thresh) E(m - 1) = 0.0;
                } else {
                    for (int i = m; i >= ll + 1; i--) {
                        vox_la_dlartg(D(i) * cs, E(i - 1), &cs, &sn, &r);
                        if (i < m) E(i) = oldsn * r;
                        vox_la_dlartg(oldcs * r, D(i - 1) * sn, &oldcs, &oldsn, &D(i));
                        W(i - ll) = cs;
                        W(i - ll + nm1) = -sn;
                        W(i - ll + nm12) = oldcs;
                        W(i - ll + nm13) = -oldsn;
                    }
                    h = D(ll) * cs;
                    D(ll) = h * oldcs;
                    E(ll) = h * oldsn;
                    if (ncvt > 0) dlasr_v('L', 'B', m - ll + 1, ncvt, &W(nm12 + 1), &W(nm13 + 1), &AT(vt, ldvt, ll, 1), ldvt);
                    if (nru > 0) dlasr_v('R', 'B', nru, m - ll + 1, &W(1), &W(n), &AT(u, ldu, 1, ll), ldu);
                    if (fabs(E(ll)) <= thresh) E(ll) = 0.0;
                }
            } else {
                /* shifted QR sweep */
                double f, g, cosr, sinr, cosl, sinl;
                if (idir == 1) {
                    f = (fabs(D(ll)) - shift) * (sign(1.0, D(ll)) + shift / D(ll));
                    g = E(ll);
                    for (int i = ll; i <= m - 1; i++) {
                        vox_la_dlartg(f, g, &cosr, &sinr, &r);
                        if (i > ll) E(i - 1) = r;
                        f = cosr * D(i) + sinr * E(i);
                        E(i) = cosr * E(i) - sinr * D(i);
                        g = sinr * D(i + 1);
                        D(i + 1) = cosr * D(i + 1);
                        vox_la_dlartg(f, g, &cosl, &sinl, &r);
                        D(i) = r;
                        f = cosl * E(i) + sinl * D(i + 1);
                        D(i + 1) = cosl * D(i + 1) - sinl * E(i);
                        if (i < m - 1) {
                            g = sinl * E(i + 1);
                            E(i + 1) = cosl * E(i + 1);
                        }
                        W(i - ll + 1) = cosr;
                        W(i - ll + 1 + nm1) = sinr;
                        W(i - ll + 1 + nm12) = cosl;
                        W(i - ll + 1 + nm13) = sinl;
                    }
                    E(m - 1) = f;
                    if (ncvt > 0) dlasr_v('L', 'F', m - ll + 1, ncvt, &W(1), &W(n), &AT(vt, ldvt, ll, 1), ldvt);
                    if (nru > 0) dlasr_v('R', 'F', nru, m - ll + 1, &W(nm12 + 1), &W(nm13 + 1), &AT(u, ldu, 1, ll), ldu);
                    if (fabs(E(m - 1)) <= thresh) E(m - 1) = 0.0;
                } else {
                    f = (fabs(D(m)) - shift) * (sign(1.0, D(m)) + shift / D(m));
                    g = E(m - 1);
                    for (int i = m; i >= ll + 1; i--) {
                        vox_la_dlartg(f, g, &cosr, &sinr, &r);
                        if (i < m) E(i) = r;
                        f = cosr * D(i) + sinr * E(i - 1);
                        E(i - 1) = cosr * E(i - 1) - sinr * D(i);
                        g = sinr * D(i - 1);
                        D(i - 1) = cosr * D(i - 1);
                        vox_la_dlartg(f, g, &cosl, &sinl, &r);
                        D(i) = r;
                        f = cosl * E(i - 1) + sinl * D(i - 1);
                        D(i - 1) = cosl * D(i - 1) - sinl * E(i - 1);
                        if (i > ll + 1) {
                            g = sinl * E(i - 2);
                            E(i - 2) = cosl * E(i - 2);
                        }
                        W(i - ll) = cosr;
                        W(i - ll + nm1) = -sinr;
                        W(i - ll + nm12) = cosl;
                        W(i - ll + nm13) = -sinl;
                    }
                    E(ll) = f;
                    if (fabs(E(ll)) <= thresh) E(ll) = 0.0;
                    if (ncvt > 0) dlasr_v('L', 'B', m - ll + 1, ncvt, &W(nm12 + 1), &W(nm13 + 1), &AT(vt, ldvt, ll, 1), ldvt);
                    if (nru > 0) dlasr_v('R', 'B', nru, m - ll + 1, &W(1), &W(n), &AT(u, ldu, 1, ll), ldu);
                }
            }
        }
    }
    /* all singular values converged: make them positive ... */
    for (int i = 1; i <= n; i++) {
        if (D(i) < 0.0) {
            D(i) = -D(i);
            if (ncvt > 0) dscal(ncvt, -1.0, &AT(vt, ldvt, i, 1), ldvt);
        }
    }
    /* ... and sort them into decreasing order (selection sort, one swap per position) */
    for (int i = 1; i <= n - 1; i++) {
        int isub = 1;
        double smin = D(1);
        for (int j = 2; j <= n + 1 - i; j++) {
            if (D(j) <= smin) {
                isub = j;
                smin = D(j);
            }
        }
        if (isub != n + 1 - i) {
            D(isub) = D(n + 1 - i);
            D(n + 1 - i) = smin;
            if (ncvt > 0) dswap(ncvt, &AT(vt, ldvt, isub, 1), ldvt, &AT(vt, ldvt, n + 1 - i, 1), ldvt);
            if (nru > 0) dswap(nru, &AT(u, ldu, 1, isub), 1, &AT(u, ldu, 1, n + 1 - i), 1);
        }
    }
    return 0;
#undef D
#undef E
#undef W
}

/* dlasdq('U', sqre 0, ncc 0): dbdsqr, then LAPACK's ascending selection sort
 * (dbdsdc sorts back into decreasing order; the pair decides tie order). */
static int dlasdq_upper(int n, int ncvt, int nru, double *d, double *e, double *vt, int ldvt, double *u, int ldu,
                        double *work)
{
    int info = vox_la_dbdsqr(n, ncvt, nru, d, e, vt, ldvt, u, ldu, work);
    for (int i = 1; i <= n; i++) {
        int isub = i;
        double smin = d[i - 1];
        for (int j = i + 1; j <= n; j++) {
            if (d[j - 1] < smin) {
                isub = j;
                smin = d[j - 1];
            }
        }
        if (isub != i) {
            d[isub - 1] = d[i - 1];
            d[i - 1] = smin;
            if (ncvt > 0) dswap(ncvt, &AT(vt, ldvt, isub, 1), ldvt, &AT(vt, ldvt, i, 1), ldvt);
            if (nru > 0) dswap(nru, &AT(u, ldu, 1, isub), 1, &AT(u, ldu, 1, i), 1);
        }
    }
    return info;
}

int vox_la_dbdsdc(int n, double *d, double *e, double *u, int ldu, double *vt, int ldvt, double *work)
{
    if (n <= 0 || n > VOX_LA_SVD_MAXN)
        return n == 0 ? 0 : -1;
    if (n == 1) {
        AT(u, ldu, 1, 1) = sign(1.0, d[0]);
        AT(vt, ldvt, 1, 1) = 1.0;
        d[0] = fabs(d[0]);
        return 0;
    }
    /* n <= SMLSIZ: u = vt = I, then the QR iteration of dlasdq */
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) {
            AT(u, ldu, i, j) = i == j;
            AT(vt, ldvt, i, j) = i == j;
        }
    int info = dlasdq_upper(n, n, n, d, e, vt, ldvt, u, ldu, work);
    /* selection sort into decreasing order */
    for (int ii = 2; ii <= n; ii++) {
        int i = ii - 1, kk = i;
        double p = d[i - 1];
        for (int j = ii; j <= n; j++) {
            if (d[j - 1] > p) {
                kk = j;
                p = d[j - 1];
            }
        }
        if (kk != i) {
            d[kk - 1] = d[i - 1];
            d[i - 1] = p;
            dswap(n, &AT(u, ldu, 1, i), 1, &AT(u, ldu, 1, kk), 1);
            dswap(n, &AT(vt, ldvt, i, 1), ldvt, &AT(vt, ldvt, kk, 1), ldvt);
        }
    }
    return info;
}

/* ---- reductions and back-transformations ---------------------------------- */

/* QR factorisation, unblocked (dgeqr2): R in the upper triangle, the
 * reflectors below it.  work: n. */
static void dgeqr2(int m, int n, double *a, int lda, double *tau, double *work)
{
    int k = m < n ? m : n;
    for (int i = 1; i <= k; i++) {
        vox_la_dlarfg(m - i + 1, &AT(a, lda, i, i), &AT(a, lda, i + 1 < m ? i + 1 : m, i), 1, &tau[i - 1]);
        if (i < n) {
            double aii = AT(a, lda, i, i);
            AT(a, lda, i, i) = 1.0;
            vox_la_dlarf('L', m - i + 1, n - i, &AT(a, lda, i, i), 1, tau[i - 1], &AT(a, lda, i, i + 1), lda, work);
            AT(a, lda, i, i) = aii;
        }
    }
}

/* Reduction to upper bidiagonal form, m >= n, unblocked (dgebd2).  work: m. */
static void dgebd2_upper(int m, int n, double *a, int lda, double *d, double *e, double *tauq, double *taup,
                         double *work)
{
    for (int i = 1; i <= n; i++) {
        /* H(i) annihilates a(i+1:m, i) */
        vox_la_dlarfg(m - i + 1, &AT(a, lda, i, i), &AT(a, lda, i + 1 < m ? i + 1 : m, i), 1, &tauq[i - 1]);
        d[i - 1] = AT(a, lda, i, i);
        AT(a, lda, i, i) = 1.0;
        if (i < n)
            vox_la_dlarf('L', m - i + 1, n - i, &AT(a, lda, i, i), 1, tauq[i - 1], &AT(a, lda, i, i + 1), lda, work);
        AT(a, lda, i, i) = d[i - 1];
        if (i < n) {
            /* G(i) annihilates a(i, i+2:n) */
            vox_la_dlarfg(n - i, &AT(a, lda, i, i + 1), &AT(a, lda, i, i + 2 < n ? i + 2 : n), lda, &taup[i - 1]);
            e[i - 1] = AT(a, lda, i, i + 1);
            AT(a, lda, i, i + 1) = 1.0;
            vox_la_dlarf('R', m - i, n - i, &AT(a, lda, i, i + 1), lda, taup[i - 1], &AT(a, lda, i + 1, i + 1), lda,
                         work);
            AT(a, lda, i, i + 1) = e[i - 1];
        } else {
            taup[i - 1] = 0.0;
        }
    }
}

/* C := Q C with Q = H(1)...H(k) from a QR-like factorisation (dorm2r 'L', 'N'). */
static void dorm2r_ln(int m, int n, int k, double *a, int lda, const double *tau, double *c, int ldc, double *work)
{
    for (int i = k; i >= 1; i--) {
        double aii = AT(a, lda, i, i);
        AT(a, lda, i, i) = 1.0;
        vox_la_dlarf('L', m - i + 1, n, &AT(a, lda, i, i), 1, tau[i - 1], &AT(c, ldc, i, 1), ldc, work);
        AT(a, lda, i, i) = aii;
    }
}

/* C := C P' with the row reflectors G(i) of an LQ-like factorisation
 * (dorml2 'R', 'N', reached from dormbr('P', 'R', 'T')). */
static void dorml2_rn(int m, int n, int k, double *a, int lda, const double *tau, double *c, int ldc, double *work)
{
    for (int i = k; i >= 1; i--) {
        double aii = AT(a, lda, i, i);
        AT(a, lda, i, i) = 1.0;
        vox_la_dlarf('R', m, n - i + 1, &AT(a, lda, i, i), lda, tau[i - 1], &AT(c, ldc, 1, i), ldc, work);
        AT(a, lda, i, i) = aii;
    }
}

/* The m-by-n Q of dgeqr2's reflectors, in place (dorg2r, k = n). */
static void dorg2r(int m, int n, double *a, int lda, const double *tau, double *work)
{
    for (int i = n; i >= 1; i--) {
        if (i < n) {
            AT(a, lda, i, i) = 1.0;
            vox_la_dlarf('L', m - i + 1, n - i, &AT(a, lda, i, i), 1, tau[i - 1], &AT(a, lda, i, i + 1), lda, work);
        }
        if (i < m)
            dscal(m - i, -tau[i - 1], &AT(a, lda, i + 1, i), 1);
        AT(a, lda, i, i) = 1.0 - tau[i - 1];
        for (int l = 1; l <= i - 1; l++) AT(a, lda, l, i) = 0.0;
    }
}

/* Path 3 after the QR factorisation: the SVD of the n-by-n upper triangular
 * r (destroyed): s, vt, and when ubd is not NULL the left vectors of r
 * (n-by-n, to be multiplied by Q). */
static int svd_of_r(int n, double *r, double *s, double *ubd, double *vt, int ldvt, double *work)
{
    enum { NMAX = VOX_LA_SVD_MAXN };
    double e[NMAX], tauq[NMAX], taup[NMAX], bdwork[4 * NMAX], ub[NMAX * NMAX];
    dgebd2_upper(n, n, r, n, s, e, tauq, taup, work);
    int info = vox_la_dbdsdc(n, s, e, ubd ? ubd : ub, n, vt, ldvt, bdwork);
    if (ubd)
        dorm2r_ln(n, n, n, r, n, tauq, ubd, n, work);
    if (n > 1)
        dorml2_rn(n, n - 1, n - 1, &AT(r, n, 1, 2), n, taup, &AT(vt, ldvt, 1, 2), ldvt, work);
    return info;
}

int vox_la_dgesdd_s(int m, int n, double *a, int lda, double *s, double *u, int ldu, double *vt, int ldvt,
                    double *work)
{
    enum { NMAX = VOX_LA_SVD_MAXN };
    if (n < 1 || n > NMAX || m < n || lda < m || ldvt < n || (u && ldu < m))
        return -1;
    /* dlange('M'): a NaN anywhere is an argument error */
    double anrm = 0.0;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= m; i++) {
            double t = fabs(AT(a, lda, i, j));
            if (anrm < t || isnan(t)) anrm = t;
        }
    if (isnan(anrm))
        return -4;
    const double smlnum = sqrt(SAFMIN) / PREC, bignum = 1.0 / smlnum;
    if ((anrm > 0.0 && anrm < smlnum) || anrm > bignum)
        return -2; /* dgesdd would scale a first (dlascl); not needed for our data */
    int mnthr = (int)(n * 11.0 / 6.0), info;
    if (m >= mnthr) {
        /* path 3: a = Q R, then the SVD of the n-by-n R */
        double tau[NMAX], r[NMAX * NMAX], ubd[NMAX * NMAX];
        dgeqr2(m, n, a, lda, tau, work);
        for (int j = 1; j <= n; j++)
            for (int i = 1; i <= n; i++) AT(r, n, i, j) = i <= j ? AT(a, lda, i, j) : 0.0;
        if (u)
            dorg2r(m, n, a, lda, tau, work);
        info = svd_of_r(n, r, s, u ? ubd : NULL, vt, ldvt, work);
        if (u)
            dgemm_nn(m, n, n, a, lda, ubd, n, u, ldu);
    } else {
        /* path 5: bidiagonalise a directly */
        double e[NMAX], tauq[NMAX], taup[NMAX], bdwork[4 * NMAX], ubd[NMAX * NMAX];
        dgebd2_upper(m, n, a, lda, s, e, tauq, taup, work);
        if (u) {
            for (int j = 1; j <= n; j++)
                for (int i = 1; i <= m; i++) AT(u, ldu, i, j) = 0.0;
            info = vox_la_dbdsdc(n, s, e, u, ldu, vt, ldvt, bdwork);
            dorm2r_ln(m, n, n, a, lda, tauq, u, ldu, work);
        } else {
            info = vox_la_dbdsdc(n, s, e, ubd, n, vt, ldvt, bdwork);
        }
        if (n > 1)
            dorml2_rn(n, n - 1, n - 1, &AT(a, lda, 1, 2), lda, taup, &AT(vt, ldvt, 1, 2), ldvt, work);
    }
    return info;
}

/* ---- the alignment's m-by-3 SVD, streamed ---------------------------------- */

/* R of the QR factorisation of [c1 c2 c3] (m >= 3 rows), with exactly the
 * operations of dgeqr2 -> dlarfg / dlarf -> dnrm2, dscal, dgemv, dger, but in
 * five streaming passes instead of about a dozen, and without storing the
 * reflectors (only R is needed for s and vt).  A reflector entry v(i) is
 * scal*x(i), recomputed where it is used: the same product, the same value.
 * Every sum is still accumulated in row order, one accumulator per sum as in
 * the reference; only independent loops were merged.  w2, w3: m doubles
 * (the updated columns 2 and 3).  Returns -1 when a rescaling branch of
 * dlarfg would run (|beta| < 2^-969: never for coordinates); the caller
 * then takes the plain path.  dgesdd's own first look at a (dlange: the
 * largest |a|, or a NaN) rides along in the passes that read every entry
 * anyway: *anrm and *nan are set whenever the return is 0. */
static int qr3_r(int m, const double *restrict c1, const double *restrict c2, const double *restrict c3,
                 double *restrict w2, double *restrict w3, double r[9], double *anrm, int *nan,
                 const vox_la_col1 *pre)
{
    const double safmin = SAFMIN / EPS;
    /* column 1: dlarfg(m, c1(1), c1(2:m)); its dnrm2 (and dlange's look at
     * column 1) may come from the caller's own pass over the column */
    vox_la_col1 col1;
    if (pre) {
        col1 = *pre;
    } else {
        vox_la_col1_init(&col1);
        for (int i = 0; i < m; i++) vox_la_col1_add(&col1, c1[i]);
    }
    vox_la_nrm2_acc acc = col1.nrm;
    double mx1 = col1.mx, mx2 = 0.0, mx3 = 0.0; /* a maximum does not depend on the order it is taken in */
    int nans = col1.nan;
    double xnorm = nrm2_result(&acc), alpha = c1[0], beta = alpha, tau = 0.0, scal = 1.0;
    if (xnorm != 0.0) {
        beta = -sign(vox_la_dlapy2(alpha, xnorm), alpha);
        if (fabs(beta) < safmin)
            return -1;
        tau = (beta - alpha) / beta;
        scal = 1.0 / (alpha - beta);
    }
    r[0] = beta;
    /* dlarf('L', m, 2, v, tau, [c2 c3]) with v = (1, scal*c1(2:m)) */
    int lastv = 0, lastc = 0;
    double y2 = 0.0, y3 = 0.0;
    if (tau != 0.0) {
        lastv = m;
        while (lastv > 1 && scal * c1[lastv - 1] == 0.0) lastv--;
        /* iladlc(lastv, 2, [c2 c3]) */
        if (c3[0] != 0.0 || c3[lastv - 1] != 0.0) {
            lastc = 2;
        } else {
            for (int i = 0; i < lastv && !lastc; i++) if (c3[i] != 0.0) lastc = 2;
            for (int i = 0; i < lastv && !lastc; i++) if (c2[i] != 0.0) lastc = 1;
        }
        /* dgemv('T'): one dot product per column, row order, v(1) = 1 */
        double t2 = 0.0, t3 = 0.0;
        if (lastc >= 1) t2 = t2 + c2[0] * 1.0;
        if (lastc >= 2) t3 = t3 + c3[0] * 1.0;
        if (lastc == 2) {
            for (int i = 1; i < lastv; i++) {
                double v = scal * c1[i];
                t2 = t2 + c2[i] * v;
                t3 = t3 + c3[i] * v;
            }
        } else if (lastc == 1) {
            for (int i = 1; i < lastv; i++) t2 = t2 + c2[i] * (scal * c1[i]);
        }
        if (lastc >= 1) y2 = 0.0 + 1.0 * t2;
        if (lastc >= 2) y3 = 0.0 + 1.0 * t3;
    }
    /* dger: c := c - tau v y' for the columns with y != 0, rows 1..lastv;
     * fused with column 2's dnrm2 over rows 3..m */
    double k2 = -tau * y2, k3 = -tau * y3;
    int up2 = lastc >= 1 && y2 != 0.0, up3 = lastc >= 2 && y3 != 0.0;
    vox_la_nrm2_init(&acc);
    for (int i = 0; i < m; i++) {
        double v = i == 0 ? 1.0 : scal * c1[i];
        int in = i < lastv;
        w2[i] = up2 && in ? c2[i] + v * k2 : c2[i];
        w3[i] = up3 && in ? c3[i] + v * k3 : c3[i];
        if (i >= 2) vox_la_nrm2_add(&acc, w2[i]);
        double t2 = fabs(c2[i]), t3 = fabs(c3[i]);
        nans |= (t2 != t2) | (t3 != t3);
        mx2 = t2 > mx2 ? t2 : mx2;
        mx3 = t3 > mx3 ? t3 : mx3;
    }
    *anrm = dmax(mx1, dmax(mx2, mx3));
    *nan = nans;
    r[3] = w2[0];
    r[6] = w3[0];
    /* column 2: dlarfg(m-1, w2(2), w2(3:m)) */
    xnorm = nrm2_result(&acc);
    alpha = w2[1];
    beta = alpha;
    tau = 0.0;
    scal = 1.0;
    if (xnorm != 0.0) {
        beta = -sign(vox_la_dlapy2(alpha, xnorm), alpha);
        if (fabs(beta) < safmin)
            return -1;
        tau = (beta - alpha) / beta;
        scal = 1.0 / (alpha - beta);
    }
    r[4] = beta;
    /* dlarf('L', m-1, 1, v, tau, w3(2:m)), v = (1, scal*w2(3:m)) */
    double y = 0.0;
    lastv = 0;
    lastc = 0;
    if (tau != 0.0) {
        lastv = m - 1; /* rows 2..lastv+1 */
        while (lastv > 1 && scal * w2[lastv] == 0.0) lastv--;
        lastc = w3[1] != 0.0 || w3[lastv] != 0.0;
        for (int i = 1; i <= lastv && !lastc; i++) lastc = w3[i] != 0.0;
        if (lastc) {
            double t = 0.0;
            t = t + w3[1] * 1.0;
            for (int i = 2; i <= lastv; i++) t = t + w3[i] * (scal * w2[i]);
            y = 0.0 + 1.0 * t;
        }
    }
    /* dger on column 3, fused with column 3's dnrm2 over rows 4..m */
    double k = -tau * y;
    int up = lastc && y != 0.0;
    vox_la_nrm2_init(&acc);
    double a32 = up ? w3[1] + 1.0 * k : w3[1], a33 = w3[2];
    if (up && lastv >= 2) a33 = w3[2] + (scal * w2[2]) * k;
    for (int i = 3; i < m; i++) {
        double x = up && i <= lastv ? w3[i] + (scal * w2[i]) * k : w3[i];
        vox_la_nrm2_add(&acc, x);
    }
    r[7] = a32;
    /* column 3: dlarfg(m-2, w3(3), w3(4:m)) gives only beta = R(3,3) */
    xnorm = m > 3 ? nrm2_result(&acc) : 0.0;
    beta = a33;
    if (xnorm != 0.0) {
        beta = -sign(vox_la_dlapy2(a33, xnorm), a33);
        if (fabs(beta) < safmin)
            return -1;
    }
    r[8] = beta;
    r[1] = r[2] = r[5] = 0.0;
    return 0;
}

int vox_la_dgesdd_sv3(int m, const double *a, int lda, double *s, double vt[9], double *work,
                      const vox_la_col1 *col1)
{
    if (m < 3 || lda < m || (col1 && col1->rows != m))
        return -1;
    const double *c1 = a, *c2 = a + lda, *c3 = a + 2 * (ptrdiff_t)lda;
    const double smlnum = sqrt(SAFMIN) / PREC, bignum = 1.0 / smlnum;
    double r[9], anrm;
    int nan;
    if (m >= 5 && qr3_r(m, c1, c2, c3, work, work + m, r, &anrm, &nan, col1) == 0) {
        /* dgesdd checks these before anything else; the answer is the same */
        if (nan)
            return -4;
        if ((anrm > 0.0 && anrm < smlnum) || anrm > bignum)
            return -2;
        return svd_of_r(3, r, s, NULL, vt, 3, work);
    }
    /* path 5 (m < 11*3/6), or a rescaling dlarfg: the plain transcription on a copy */
    for (int j = 0; j < 3; j++) memcpy(work + (ptrdiff_t)j * m, a + (ptrdiff_t)j * lda, (size_t)m * sizeof *a);
    return vox_la_dgesdd_s(m, 3, work, m, s, NULL, m, vt, 3, work + 3 * (ptrdiff_t)m);
}
