/* superpose.c - least-squares superposition of one point set onto another
 * (Kabsch's problem), for `--align reference`: every frame of a trajectory
 * is fitted onto the first before it is analysed.
 *
 * Solved with Horn's unit quaternion: the rotation is the eigenvector of the
 * largest eigenvalue of a symmetric 4x4 matrix built from the cross
 * covariance.  A cyclic Jacobi iteration in f64 finds it - a fixed sequence
 * of operations, so the result is the same on every machine and ISA, and a
 * quaternion can never give a reflection. */
#include <math.h>
#include <string.h>

#include "internal.h"

/* Eigen-decomposition of the symmetric 4x4 a (destroyed): eigenvalues in
 * w, eigenvectors as the columns of v. */
static void jacobi4(double a[4][4], double w[4], double v[4][4])
{
    memset(v, 0, 16 * sizeof(double));
    for (int i = 0; i < 4; i++) v[i][i] = 1.0;
    for (int sweep = 0; sweep < 64; sweep++) {
        double off = 0.0;
        for (int p = 0; p < 4; p++)
            for (int q = p + 1; q < 4; q++) off += a[p][q] * a[p][q];
        if (off == 0.0)
            break;
        for (int p = 0; p < 4; p++)
            for (int q = p + 1; q < 4; q++) {
                if (a[p][q] == 0.0)
                    continue;
                double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < 4; k++) { /* columns p, q */
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 4; k++) { /* rows p, q */
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 4; k++) {
                    double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < 4; i++) w[i] = a[i][i];
}

static void centroid(const float *xyz, size_t n, double c[3])
{
    c[0] = c[1] = c[2] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) c[a] += xyz[3 * i + a];
    for (int a = 0; a < 3; a++) c[a] /= (double)n;
}

vox_status vox_superpose(const float *reference, const float *mobile, size_t n, vox_transform *out,
                         double reference_centroid[3], double *rmsd)
{
    if (!reference || !mobile || !out || out->size < sizeof out->size || !reference_centroid || n < 3)
        return VOX_E_INVALID_ARG;
    /* a coordinate that is not finite has no fit: it would come out as a NaN
     * rotation with an RMSD of 0 (the clamp below takes NaN to 0) */
    for (size_t i = 0; i < 3 * n; i++)
        if (!isfinite(reference[i]) || !isfinite(mobile[i]))
            return VOX_E_INVALID_ARG;
    double cr[3], cm[3];
    centroid(reference, n, cr);
    centroid(mobile, n, cm);
    /* cross covariance S[a][b] = sum (m_a - cm_a) (r_b - cr_b) */
    double S[3][3] = {{0}};
    double e0 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double m[3], r[3];
        for (int a = 0; a < 3; a++) {
            m[a] = mobile[3 * i + a] - cm[a];
            r[a] = reference[3 * i + a] - cr[a];
            e0 += m[a] * m[a] + r[a] * r[a];
        }
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) S[a][b] += m[a] * r[b];
    }
    double N[4][4] = {
        {S[0][0] + S[1][1] + S[2][2], S[1][2] - S[2][1], S[2][0] - S[0][2], S[0][1] - S[1][0]},
        {S[1][2] - S[2][1], S[0][0] - S[1][1] - S[2][2], S[0][1] + S[1][0], S[2][0] + S[0][2]},
        {S[2][0] - S[0][2], S[0][1] + S[1][0], -S[0][0] + S[1][1] - S[2][2], S[1][2] + S[2][1]},
        {S[0][1] - S[1][0], S[2][0] + S[0][2], S[1][2] + S[2][1], -S[0][0] - S[1][1] + S[2][2]}};
    double w[4], v[4][4];
    jacobi4(N, w, v);
    int best = 0;
    for (int i = 1; i < 4; i++)
        if (w[i] > w[best])
            best = i;
    double q0 = v[0][best], q1 = v[1][best], q2 = v[2][best], q3 = v[3][best];
    double qn = sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
    q0 /= qn, q1 /= qn, q2 /= qn, q3 /= qn;
    vox_transform t;
    memset(&t, 0, sizeof t);
    t.size = sizeof t;
    t.rotation[0][0] = q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3;
    t.rotation[0][1] = 2.0 * (q1 * q2 - q0 * q3);
    t.rotation[0][2] = 2.0 * (q1 * q3 + q0 * q2);
    t.rotation[1][0] = 2.0 * (q1 * q2 + q0 * q3);
    t.rotation[1][1] = q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3;
    t.rotation[1][2] = 2.0 * (q2 * q3 - q0 * q1);
    t.rotation[2][0] = 2.0 * (q1 * q3 - q0 * q2);
    t.rotation[2][1] = 2.0 * (q2 * q3 + q0 * q1);
    t.rotation[2][2] = q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3;
    memcpy(t.centroid, cm, sizeof cm);
    size_t keep = out->size < sizeof t ? out->size : sizeof t;
    memcpy(out, &t, keep);
    out->size = keep;
    memcpy(reference_centroid, cr, sizeof cr);
    if (rmsd) {
        double e = e0 - 2.0 * w[best];
        *rmsd = sqrt((e > 0.0 ? e : 0.0) / (double)n);
    }
    return VOX_OK;
}
