/* eigen.c - symmetric 3x3 eigen-decomposition by cyclic Jacobi rotations (f64)
 *
 * Jacobi is used rather than a closed form because it is accurate to a few
 * ulps for every eigenvector, including nearly degenerate ones, and it returns
 * the exact coordinate axes for a diagonal matrix (as LAPACK does), which the
 * metrics of symmetric groups rely on (ALGORITHM.md §11).
 */
#include <math.h>
#include <string.h>

#include "internal.h"

void vox_eigen_sym3(const double a_in[3][3], double w[3], double v[3][3])
{
    double a[3][3];
    memcpy(a, a_in, sizeof a);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            v[i][j] = i == j;
    for (int sweep = 0; sweep < 64; sweep++) {
        double off = fabs(a[0][1]) + fabs(a[0][2]) + fabs(a[1][2]);
        if (off == 0.0)
            break;
        for (int p = 0; p < 2; p++) {
            for (int q = p + 1; q < 3; q++) {
                if (a[p][q] == 0.0)
                    continue;
                double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                if (isinf(theta))
                    t = 0.0;
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                if (t == 0.0) {
                    a[p][q] = a[q][p] = 0.0;
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++) {
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                a[p][q] = a[q][p] = 0.0;
                for (int k = 0; k < 3; k++) {
                    double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    for (int i = 0; i < 3; i++)
        w[i] = a[i][i];
    /* ascending order, stable for ties (LAPACK's order) */
    for (int i = 1; i < 3; i++) {
        for (int j = i; j > 0 && w[j - 1] > w[j]; j--) {
            double t = w[j]; w[j] = w[j - 1]; w[j - 1] = t;
            for (int k = 0; k < 3; k++) {
                double tv = v[k][j]; v[k][j] = v[k][j - 1]; v[k][j - 1] = tv;
            }
        }
    }
}
