/* test_lapack_svd.c - lapack_svd.c against reference LAPACK/BLAS itself, bit for bit
 *
 * The reference libraries are loaded by this test only, with dlopen, from
 * Debian's alternatives directories (…/blas/libblas.so.3 and
 * …/lapack/liblapack.so.3: the generic liblapack.so.3 may be OpenBLAS).  They
 * are never linked into libvox.  BLAS is loaded first and globally, so
 * LAPACK's own dependency on libblas.so.3 resolves to the reference one.
 * Absent (another distribution, aarch64 under qemu without arm64 packages):
 * the test reports SKIP (exit 77).
 *
 * Every piece gets seeded random inputs over several magnitude ranges plus
 * edge cases (zeros, exact ties, values that trigger the rescaling
 * branches), and every output is compared with memcmp, so even the sign of
 * a zero must agree.
 *   test_lapack_svd [--seed=N]
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lapack_svd.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown"
#endif

/* Fortran entry points: every argument by reference, string lengths appended (gfortran: size_t). */
typedef double (*dnrm2_fn)(const int *, const double *, const int *);
typedef void (*dlarfg_fn)(const int *, double *, double *, const int *, double *);
typedef void (*dlartg_fn)(const double *, const double *, double *, double *, double *);
typedef void (*dlarf_fn)(const char *, const int *, const int *, const double *, const int *, const double *, double *,
                         const int *, double *, size_t);
typedef void (*dlasv2_fn)(const double *, const double *, const double *, double *, double *, double *, double *,
                          double *, double *);
typedef void (*dlas2_fn)(const double *, const double *, const double *, double *, double *);
typedef void (*dbdsqr_fn)(const char *, const int *, const int *, const int *, const int *, double *, double *,
                          double *, const int *, double *, const int *, double *, const int *, double *, int *, size_t);
typedef void (*dbdsdc_fn)(const char *, const char *, const int *, double *, double *, double *, const int *,
                          double *, const int *, double *, int *, double *, int *, int *, size_t, size_t);
typedef void (*dsyevd_fn)(const char *, const char *, const int *, double *, const int *, double *, double *,
                          const int *, int *, const int *, int *, size_t, size_t);
typedef void (*dgesdd_fn)(const char *, const int *, const int *, double *, const int *, double *, double *,
                          const int *, double *, const int *, double *, const int *, int *, int *, size_t);

static struct {
    dnrm2_fn dnrm2;
    dlarfg_fn dlarfg;
    dlartg_fn dlartg;
    dlarf_fn dlarf;
    dlasv2_fn dlasv2;
    dlas2_fn dlas2;
    dbdsqr_fn dbdsqr;
    dbdsdc_fn dbdsdc;
    dgesdd_fn dgesdd;
    dsyevd_fn dsyevd;
} ref;

static uint64_t rng_state;

static uint64_t next(void)
{
    /* xorshift64*: reproducible from the seed on every platform */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double uniform(void) { return (double)(next() >> 11) * 0x1p-53; }

/* A random value: sign, a mantissa in [1, 2) and a binary exponent in [lo, hi];
 * one value in eight is exactly zero when zeros is set. */
static double value(int lo, int hi, int zeros)
{
    if (zeros && next() % 8 == 0)
        return 0.0;
    double m = 1.0 + uniform();
    int ex = lo + (int)(next() % (uint64_t)(hi - lo + 1));
    return (next() & 1 ? -1.0 : 1.0) * ldexp(m, ex);
}

/* The magnitude ranges the inputs are drawn from: ordinary, coordinate-like,
 * mixed, around dnrm2's tsml/tbig and dlarfg's safmin rescaling. */
static const int ranges[][2] = {{-2, 2}, {-10, 10}, {-30, 30}, {-540, -500}, {480, 500}, {-1060, -1000}, {-520, 490}};
#define NRANGES (int)(sizeof ranges / sizeof ranges[0])

static int same(const double *a, const double *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static void test_dnrm2(void)
{
    double x[128];
    for (int t = 0; t < 3000; t++) {
        int r = t % NRANGES, n = (int)(next() % 40), inc = 1 + (int)(next() % 2);
        for (int i = 0; i < n * inc; i++) x[i] = value(ranges[r][0], ranges[r][1], 1);
        if (t % 7 == 0 && n > 2) x[inc] = value(480, 500, 0); /* one huge value among the others */
        if (t % 11 == 0 && n > 2) x[0] = value(-540, -520, 0); /* one tiny value */
        double a = vox_la_dnrm2(n, x, inc), b = ref.dnrm2(&n, x, &inc);
        CHECK(same(&a, &b, 1), "dnrm2 case %d (n %d, inc %d): %a, reference %a", t, n, inc, a, b);
    }
}

static void test_dlarfg(void)
{
    double x[32], y[32];
    for (int t = 0; t < 3000; t++) {
        int r = t % NRANGES, n = 1 + (int)(next() % 8), inc = 1 + (int)(next() % 3);
        double a = value(ranges[r][0], ranges[r][1], 1), b = a, tau1, tau2;
        for (int i = 0; i < (n - 1) * inc; i++) x[i] = y[i] = value(ranges[r][0], ranges[r][1], t % 3 == 0);
        vox_la_dlarfg(n, &a, x, inc, &tau1);
        ref.dlarfg(&n, &b, y, &inc, &tau2);
        CHECK(same(&a, &b, 1) && same(&tau1, &tau2, 1) && same(x, y, (size_t)((n - 1) * inc)),
              "dlarfg case %d (n %d, inc %d): beta %a tau %a, reference %a %a", t, n, inc, a, tau1, b, tau2);
    }
}

static void test_2x2(void)
{
    for (int t = 0; t < 20000; t++) {
        int r = t % NRANGES;
        double f = value(ranges[r][0], ranges[r][1], 1), g = value(ranges[r][0], ranges[r][1], 1),
               h = value(ranges[r][0], ranges[r][1], 1);
        if (t % 5 == 0) g = ldexp(f, 60); /* |g| >> |f|: dlasv2's "g very large" branch */
        if (t % 13 == 0) h = f;           /* ties */
        double o1[6], o2[6];
        vox_la_dlartg(f, g, &o1[0], &o1[1], &o1[2]);
        ref.dlartg(&f, &g, &o2[0], &o2[1], &o2[2]);
        CHECK(same(o1, o2, 3), "dlartg(%a, %a): %a %a %a, reference %a %a %a", f, g, o1[0], o1[1], o1[2], o2[0], o2[1],
              o2[2]);
        vox_la_dlasv2(f, g, h, &o1[0], &o1[1], &o1[2], &o1[3], &o1[4], &o1[5]);
        ref.dlasv2(&f, &g, &h, &o2[0], &o2[1], &o2[2], &o2[3], &o2[4], &o2[5]);
        CHECK(same(o1, o2, 6), "dlasv2(%a, %a, %a) differs", f, g, h);
        vox_la_dlas2(f, g, h, &o1[0], &o1[1]);
        ref.dlas2(&f, &g, &h, &o2[0], &o2[1]);
        CHECK(same(o1, o2, 2), "dlas2(%a, %a, %a): %a %a, reference %a %a", f, g, h, o1[0], o1[1], o2[0], o2[1]);
    }
}

static void test_dlarf(void)
{
    enum { MAXD = 9 };
    double v[MAXD * MAXD], c1[MAXD * MAXD], c2[MAXD * MAXD], w1[MAXD], w2[MAXD];
    for (int t = 0; t < 4000; t++) {
        char side = t % 2 ? 'R' : 'L';
        int m = 1 + (int)(next() % (MAXD - 1)), n = 1 + (int)(next() % (MAXD - 1)), ldc = MAXD;
        int len = side == 'L' ? m : n, inc = 1 + (int)(next() % 3);
        for (int i = 0; i < len * inc; i++) v[i] = value(-3, 3, 1);
        v[0] = 1.0;
        if (t % 3 == 0) /* trailing zeros of v are skipped */
            for (int i = len / 2; i < len; i++) v[i * inc] = 0.0;
        for (int i = 0; i < MAXD * MAXD; i++) c1[i] = c2[i] = value(-3, 3, t % 4 == 0);
        if (t % 5 == 0) /* zero columns / rows at the end */
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++)
                    if ((side == 'L' && j >= n / 2) || (side == 'R' && i >= m / 2)) c1[j * ldc + i] = c2[j * ldc + i] = 0;
        double tau = t % 17 == 0 ? 0.0 : value(-1, 1, 0);
        vox_la_dlarf(side, m, n, v, inc, tau, c1, ldc, w1);
        ref.dlarf(&side, &m, &n, v, &inc, &tau, c2, &ldc, w2, 1);
        CHECK(same(c1, c2, MAXD * MAXD), "dlarf case %d (side %c, %dx%d, inc %d) differs", t, side, m, n, inc);
    }
}

/* Upper bidiagonals: random, graded (to exercise both chase directions and
 * the zero shift), with zeros, and with repeated values. */
static void bidiagonal(int t, int n, double *d, double *e)
{
    int kind = t % 5;
    for (int i = 0; i < n; i++) {
        d[i] = kind == 1 ? ldexp(1.0 + uniform(), -8 * i) : kind == 2 ? ldexp(1.0 + uniform(), 8 * i - 40)
                                                                      : value(-4, 4, kind == 3);
        if (kind == 4) d[i] = i % 2 ? 1.5 : -1.5;
        if (i < n - 1) e[i] = kind == 4 ? 0.25 : value(kind == 1 ? -30 : -4, 4, kind == 3);
    }
}

static void test_dbdsqr(void)
{
    enum { MAXN = 10 };
    double d1[MAXN], e1[MAXN], d2[MAXN], e2[MAXN], vt1[MAXN * MAXN], vt2[MAXN * MAXN], u1[MAXN * MAXN],
        u2[MAXN * MAXN], w1[4 * MAXN], w2[4 * MAXN], c = 0;
    for (int t = 0; t < 3000; t++) {
        int n = 1 + (int)(next() % MAXN), ncvt = (int)(next() % 4), nru = 1 + (int)(next() % 5), ldvt = MAXN,
            ldu = MAXN, ncc = 0, ldc = 1, info1, info2;
        bidiagonal(t, n, d1, e1);
        memcpy(d2, d1, sizeof d1);
        memcpy(e2, e1, sizeof e1);
        for (int i = 0; i < MAXN * MAXN; i++) vt1[i] = vt2[i] = value(-2, 2, 0), u1[i] = u2[i] = value(-2, 2, 0);
        info1 = vox_la_dbdsqr(n, ncvt, nru, d1, e1, vt1, ldvt, u1, ldu, w1);
        ref.dbdsqr("U", &n, &ncvt, &nru, &ncc, d2, e2, vt2, &ldvt, u2, &ldu, &c, &ldc, w2, &info2, 1);
        CHECK(info1 == info2 && same(d1, d2, (size_t)n) && same(vt1, vt2, MAXN * MAXN) && same(u1, u2, MAXN * MAXN),
              "dbdsqr case %d (n %d, ncvt %d, nru %d): info %d/%d, d[0] %a/%a", t, n, ncvt, nru, info1, info2, d1[0],
              d2[0]);
    }
}

static void test_dbdsdc(void)
{
    enum { MAXN = 12 };
    double d1[MAXN], e1[MAXN], d2[MAXN], e2[MAXN], vt1[MAXN * MAXN], vt2[MAXN * MAXN], u1[MAXN * MAXN],
        u2[MAXN * MAXN], w1[4 * MAXN], w2[3 * MAXN * MAXN + 4 * MAXN], q = 0;
    int iw[8 * MAXN], iq = 0;
    for (int t = 0; t < 2000; t++) {
        int n = 1 + (int)(next() % MAXN), ld = MAXN, info2;
        bidiagonal(t, n, d1, e1);
        memcpy(d2, d1, sizeof d1);
        memcpy(e2, e1, sizeof e1);
        memset(vt1, 0, sizeof vt1), memset(vt2, 0, sizeof vt2), memset(u1, 0, sizeof u1), memset(u2, 0, sizeof u2);
        int info1 = vox_la_dbdsdc(n, d1, e1, u1, ld, vt1, ld, w1);
        ref.dbdsdc("U", "I", &n, d2, e2, u2, &ld, vt2, &ld, &q, &iq, w2, iw, &info2, 1, 1);
        CHECK(info1 == info2 && same(d1, d2, (size_t)n) && same(vt1, vt2, MAXN * MAXN) && same(u1, u2, MAXN * MAXN),
              "dbdsdc case %d (n %d) differs", t, n);
    }
}

/* The whole SVD: both of dgesdd's paths for m >= n (QR first when m >= 11n/6),
 * with and without the left vectors, including N-by-3 coordinate clouds
 * rounded to f32 and near-permutation 3x3 matrices like the Kabsch step's. */
static void test_dgesdd(void)
{
    enum { MAXM = 3000, MAXN = 6 };
    static double a[MAXM * MAXN], a1[MAXM * MAXN], a2[MAXM * MAXN], u1[MAXM * MAXN], u2[MAXM * MAXN], work1[MAXM];
    double s1[MAXN], s2[MAXN], vt1[MAXN * MAXN], vt2[MAXN * MAXN];
    int iwork[8 * MAXN];
    for (int t = 0; t < 1500; t++) {
        int n = 1 + (int)(next() % MAXN), m = n + (int)(next() % 40), kind = t % 4;
        if (kind == 1) { /* a coordinate cloud: f32 values, centred by column */
            n = 3;
            m = 3 + (int)(next() % (t % 40 == 1 ? MAXM - 3 : 200));
        }
        if (kind == 2) n = m = 3;
        for (int j = 0; j < n; j++) {
            double mean = 0;
            for (int i = 0; i < m; i++) {
                double x = kind == 1 ? (double)(float)(value(-3, 6, 0) * (j + 1)) : value(-4, 4, t % 8 == 0);
                a[j * m + i] = x;
                mean += x;
            }
            if (kind == 1)
                for (int i = 0; i < m; i++) a[j * m + i] = (double)(float)(a[j * m + i] - (float)(mean / m));
        }
        if (kind == 2) { /* a signed permutation plus noise, as V P is near convergence */
            int p = (int)(next() % 6), perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 3; i++)
                    a[j * 3 + i] = (perm[p][j] == i ? (next() & 1 ? 1.0 : -1.0) : 0.0) +
                                   (t % 16 == 2 ? 0.0 : value(-40, -8, 1));
        }
        int lda = m, ldu = m, ldvt = n, lwork = -1, info2;
        double wq;
        memcpy(a1, a, (size_t)m * n * sizeof *a);
        memcpy(a2, a, (size_t)m * n * sizeof *a);
        ref.dgesdd("S", &m, &n, a2, &lda, s2, u2, &ldu, vt2, &ldvt, &wq, &lwork, iwork, &info2, 1);
        lwork = (int)wq;
        double *work2 = malloc((size_t)lwork * sizeof *work2);
        ref.dgesdd("S", &m, &n, a2, &lda, s2, u2, &ldu, vt2, &ldvt, work2, &lwork, iwork, &info2, 1);
        free(work2);
        int with_u = t % 2 == 0 || kind == 2;
        int info1 = vox_la_dgesdd_s(m, n, a1, lda, s1, with_u ? u1 : NULL, ldu, vt1, ldvt, work1);
        CHECK(info1 == info2 && same(s1, s2, (size_t)n) && same(vt1, vt2, (size_t)n * n) &&
                  (!with_u || same(u1, u2, (size_t)m * n)),
              "dgesdd case %d (%dx%d, %s path, %s u): info %d/%d, s[0] %a/%a", t, m, n,
              m >= (int)(n * 11.0 / 6.0) ? "QR" : "direct", with_u ? "with" : "without", info1, info2, s1[0], s2[0]);
        /* the left vectors do not change the rest: same s and vt without them */
        if (with_u) {
            double s3[MAXN], vt3[MAXN * MAXN];
            memcpy(a1, a, (size_t)m * n * sizeof *a);
            vox_la_dgesdd_s(m, n, a1, lda, s3, NULL, ldu, vt3, ldvt, work1);
            CHECK(same(s1, s3, (size_t)n) && same(vt1, vt3, (size_t)n * n), "dgesdd case %d: u changes vt", t);
        }
    }
    /* what the reference refuses or would rescale */
    double z[9] = {NAN, 0, 0, 0, 1, 0, 0, 0, 1}, s[3], vt[9], w[3];
    CHECK(vox_la_dgesdd_s(3, 3, z, 3, s, NULL, 3, vt, 3, w) == -4, "a NaN is refused");
    double big[9] = {1e200, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK(vox_la_dgesdd_s(3, 3, big, 3, s, NULL, 3, vt, 3, w) == -2, "a matrix dgesdd would rescale is refused");
    CHECK(vox_la_dgesdd_s(2, 3, big, 2, s, NULL, 2, vt, 3, w) == -1, "m < n is refused");
}

/* The alignment's streamed m-by-3 SVD: the same s and vt as the reference,
 * including columns and trailing rows of zeros, rank deficiency, and a
 * column so small that dlarfg rescales (the streamed QR then hands over to
 * the plain path). */
static void test_dgesdd_sv3(void)
{
    enum { MAXM = 5000 };
    static double a[3 * MAXM], a2[3 * MAXM], u2[3 * MAXM], work[4 * MAXM];
    double s1[3], s2[3], vt1[9], vt2[9], wq;
    int iwork[24];
    for (int t = 0; t < 1200; t++) {
        int m = 3 + (int)(next() % (t % 50 == 0 ? MAXM - 3 : 60)), n = 3, kind = t % 8;
        for (int i = 0; i < 3 * m; i++) a[i] = (double)(float)value(-4, 8, kind == 1);
        if (kind == 2) /* trailing zero rows */
            for (int i = m / 2; i < m; i++) a[i] = a[m + i] = a[2 * m + i] = 0.0;
        if (kind == 3) /* a zero column, or a zero first row */
            for (int i = 0; i < m; i++) a[(t / 8 % 3) * m + i] = 0.0;
        if (kind == 4) a[0] = a[m] = a[2 * m] = 0.0;
        if (kind == 5) /* rank 2 */
            for (int i = 0; i < m; i++) a[2 * m + i] = a[i];
        if (kind == 6) /* column 1 far below the others: dlarfg's rescaling */
            for (int i = 0; i < m; i++) a[i] = value(-1000, -990, 0);
        if (kind == 7) /* only the last row of column 1 non-zero below the diagonal */
            for (int i = 1; i < m - 1; i++) a[i] = 0.0;
        int lda = m, ldu = m, ldvt = 3, lwork = -1, info2;
        memcpy(a2, a, (size_t)3 * m * sizeof *a);
        ref.dgesdd("S", &m, &n, a2, &lda, s2, u2, &ldu, vt2, &ldvt, &wq, &lwork, iwork, &info2, 1);
        lwork = (int)wq;
        double *work2 = malloc((size_t)lwork * sizeof *work2);
        ref.dgesdd("S", &m, &n, a2, &lda, s2, u2, &ldu, vt2, &ldvt, work2, &lwork, iwork, &info2, 1);
        free(work2);
        memcpy(a2, a, (size_t)3 * m * sizeof *a);
        /* half the cases with column 1's first pass done by the caller */
        vox_la_col1 col1;
        vox_la_col1_init(&col1);
        for (int i = 0; i < m; i++) vox_la_col1_add(&col1, a[i]);
        int info1 = vox_la_dgesdd_sv3(m, a, lda, s1, vt1, work, t % 2 ? &col1 : NULL);
        if (kind == 6 && info1 == -2)
            continue; /* max|a| itself below dgesdd's scaling threshold: refused, as documented */
        CHECK(info1 == info2 && same(s1, s2, 3) && same(vt1, vt2, 9), "dgesdd_sv3 case %d (m %d, kind %d): info "
              "%d/%d, s %a %a %a / %a %a %a", t, m, kind, info1, info2, s1[0], s1[1], s1[2], s2[0], s2[1], s2[2]);
        CHECK(memcmp(a, a2, (size_t)3 * m * sizeof *a) == 0, "dgesdd_sv3 case %d modified its input", t);
    }
    /* refused as dgesdd refuses (a NaN anywhere) or would rescale (max|a| out of range) */
    for (int m = 3; m <= 40; m += 37)
        for (int where = 0; where < 3 * m; where += m / 2 + 1) {
            for (int i = 0; i < 3 * m; i++) a[i] = value(-4, 4, 0);
            a[where] = NAN;
            CHECK(vox_la_dgesdd_sv3(m, a, m, s1, vt1, work, NULL) == -4, "a NaN at %d (m %d) is refused", where, m);
            vox_la_col1 col1;
            vox_la_col1_init(&col1);
            for (int i = 0; i < m; i++) vox_la_col1_add(&col1, a[i]);
            CHECK(vox_la_dgesdd_sv3(m, a, m, s1, vt1, work, &col1) == -4, "a NaN at %d (m %d, column 1 given) is "
                  "refused", where, m);
            a[where] = 0x1p470;
            CHECK(vox_la_dgesdd_sv3(m, a, m, s1, vt1, work, NULL) == -2, "2^470 at %d (m %d) is refused", where, m);
        }
    vox_la_col1 short1;
    vox_la_col1_init(&short1);
    vox_la_col1_add(&short1, 1.0);
    CHECK(vox_la_dgesdd_sv3(40, a, 40, s1, vt1, work, &short1) == -1, "a column-1 pass over other rows is refused");
}

/* lapack_eig.c (numpy's eigh and eigvalsh: dsyevd, uplo 'L') shares dnrm2,
 * dlarfg, dlartg and dlapy2 with lapack_svd.c: its results against dsyevd
 * itself, on covariance-like, lattice-symmetric and random matrices. */
static void test_eig(void)
{
    double lwq;
    int liwq, lwork = -1, liwork = -1, n = 3, info;
    double q[9], w[3];
    ref.dsyevd("V", "L", &n, q, &n, w, &lwq, &lwork, &liwq, &liwork, &info, 1, 1);
    lwork = (int)lwq;
    liwork = liwq;
    double *work = malloc((size_t)lwork * sizeof *work);
    int *iwork = malloc((size_t)liwork * sizeof *iwork);
    for (int t = 0; t < 4000; t++) {
        double a[3][3];
        int kind = t % 4;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j <= i; j++) {
                double x = kind == 0 ? value(-4, 8, 1)
                           : kind == 1 ? (double)(next() % 9) - 4.0 /* small integers: ties, symmetric groups */
                           : kind == 2 ? (i == j ? 100.0 + (double)(next() % 3) : (double)(next() % 3) * 0.25)
                                       : value(-30, 30, 0);
                a[i][j] = a[j][i] = x;
            }
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 3; i++) q[j * 3 + i] = a[i][j];
        ref.dsyevd("V", "L", &n, q, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
        double w1[3], v1[3][3], v2[9];
        vox_eigh3(a, w1, v1);
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 3; i++) v2[j * 3 + i] = v1[i][j];
        CHECK(info == 0 && same(w1, w, 3) && same(v2, q, 9), "eigh3 case %d (kind %d): w %a %a %a / %a %a %a", t,
              kind, w1[0], w1[1], w1[2], w[0], w[1], w[2]);
        /* the 2x2 eigenvalues (dsyevd 'N' goes through dsterf) */
        double b[4] = {a[0][0], a[1][0], a[1][0], a[1][1]}, wb[2], lo, hi;
        int two = 2;
        ref.dsyevd("N", "L", &two, b, &two, wb, work, &lwork, iwork, &liwork, &info, 1, 1);
        vox_eigvalsh2(a[0][0], a[1][0], a[1][1], &lo, &hi);
        CHECK(info == 0 && same(&lo, &wb[0], 1) && same(&hi, &wb[1], 1), "eigvalsh2 case %d: %a %a / %a %a", t, lo, hi,
              wb[0], wb[1]);
    }
    free(work);
    free(iwork);
}

static void *load(const char *dir, const char *name, int global)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/lib/" MULTIARCH "/%s/%s", dir, name);
    return dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
}

int main(int argc, char **argv)
{
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--seed=", 7)) rng_state = strtoull(argv[i] + 7, NULL, 0) | 1;
    void *blas = load("blas", "libblas.so.3", 1);
    void *lapack = blas ? load("lapack", "liblapack.so.3", 0) : NULL;
    if (!blas || !lapack) {
        printf("SKIP: reference BLAS/LAPACK not found under /usr/lib/" MULTIARCH "/{blas,lapack} (Debian's libblas3, "
               "liblapack3): %s\n", dlerror());
        return 77;
    }
    *(void **)&ref.dnrm2 = dlsym(blas, "dnrm2_");
    *(void **)&ref.dlarfg = dlsym(lapack, "dlarfg_");
    *(void **)&ref.dlartg = dlsym(lapack, "dlartg_");
    *(void **)&ref.dlarf = dlsym(lapack, "dlarf_");
    *(void **)&ref.dlasv2 = dlsym(lapack, "dlasv2_");
    *(void **)&ref.dlas2 = dlsym(lapack, "dlas2_");
    *(void **)&ref.dbdsqr = dlsym(lapack, "dbdsqr_");
    *(void **)&ref.dbdsdc = dlsym(lapack, "dbdsdc_");
    *(void **)&ref.dgesdd = dlsym(lapack, "dgesdd_");
    *(void **)&ref.dsyevd = dlsym(lapack, "dsyevd_");
    if (!ref.dnrm2 || !ref.dlarfg || !ref.dlartg || !ref.dlarf || !ref.dlasv2 || !ref.dlas2 || !ref.dbdsqr ||
        !ref.dbdsdc || !ref.dgesdd || !ref.dsyevd) {
        printf("SKIP: the reference libraries lack an entry point: %s\n", dlerror());
        return 77;
    }
    /* the reference BLAS must be the one LAPACK calls (not an optimised libblas.so.3) */
    Dl_info info;
    void *used = dlsym(RTLD_DEFAULT, "dgemv_");
    CHECK(used && dladdr(used, &info) && strstr(info.dli_fname, "/blas/"), "LAPACK's BLAS is %s",
          used && dladdr(used, &info) ? info.dli_fname : "unknown");
    test_dnrm2();
    test_dlarfg();
    test_2x2();
    test_dlarf();
    test_dbdsqr();
    test_dbdsdc();
    test_dgesdd();
    test_dgesdd_sv3();
    test_eig();
    dlclose(lapack);
    dlclose(blas);
    return check_report();
}
