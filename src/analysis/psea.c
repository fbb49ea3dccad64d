/* psea.c - P-SEA secondary structure from CA positions (biotite's annotate_sse, §13.6),
 * reduced to the helix/strand/coil fractions of the CLI payload */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double DEG = M_PI / 180.0;

static int same_res(const vox_atom *a, const vox_atom *b)
{
    return a->res_id == b->res_id && a->ins_code == b->ins_code && strcmp(a->chain, b->chain) == 0 &&
           strcmp(a->res_name, b->res_name) == 0;
}

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

void vox_psea(const vox_structure *s, double *alpha, double *beta, double *coil)
{
    *alpha = *beta = *coil = NAN;
    size_t na = s->atoms.n;
    if (!na)
        return;
    const vox_atom *at = s->atoms.a;
    size_t nres = 1;
    for (size_t i = 1; i < na; i++)
        if (!same_res(&at[i], &at[i - 1])) nres++;
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
        int start = i == 0 || !same_res(&at[i], &at[i - 1]);
        if (i > 0) {
            long d = (long)at[i].res_id - at[i - 1].res_id;
            if (d != 0 && d != 1) r++; /* the virtual residue */
        }
        if (start) {
            if (i > 0) r++;
            real[r] = 1;
        }
        if (strcmp(at[i].name, "CA") == 0 && vox_is_amino_acid(at[i].res_name))
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
    for (size_t i = 0; i < L;) {
        if (!cons3[i]) { i++; continue; }
        size_t j = i;
        long contacts = 0;
        while (j < L && cons3[j]) {
            if (!isnan(ca[j][0]))
                for (size_t q = 0; q < L; q++) {
                    if (isnan(ca[q][0])) continue;
                    float d = dist(ca[j], ca[q]);
                    if (d > 4.2f && d <= 5.2f) contacts++;
                }
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
out:
    free(ca); free(real); free(buf); free(m); free(lab);
}
