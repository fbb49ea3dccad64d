/* shells.c - atom radii, sample counts and Fibonacci-sphere offset tables (ALGORITHM.md §5)
 *
 * The offsets are computed once per (radius, sample count) in binary32 with
 * glibc's acosf/cosf/sinf, in exactly volumizer's native operation order:
 * the goldens depend on those bits, and SLEEF's vector trig differs from
 * glibc in the last ulp for a few percent of inputs (TOOLCHAIN.md §4).  The
 * tables are tiny (tens of points) and shared by every kernel variant.
 */
#include <math.h>
#include <sleef.h>
#include <stdlib.h>
#include <string.h>

#include "shells.h"

/* volumizer's van der Waals table, matched case-sensitively: "SE", "ZN" ...
 * as written in PDB files never hit the mixed-case keys and get 2.0. */
static const struct { const char *el; double r; } vdw[] = {
    {"H", 1.11}, {"He", 1.40}, {"Li", 1.82}, {"Be", 1.53}, {"B", 1.92}, {"C", 1.70}, {"N", 1.55},
    {"O", 1.52}, {"F", 1.47}, {"Na", 2.27}, {"Mg", 1.73}, {"Al", 1.84}, {"Si", 2.10}, {"P", 1.80},
    {"S", 1.80}, {"Cl", 1.75}, {"K", 2.75}, {"Ca", 2.31}, {"Ni", 1.63}, {"Cu", 1.40}, {"Zn", 1.39},
    {"Se", 1.90}, {"Br", 1.85}, {"I", 1.98}, {"X", 2.00},
};
#define DEFAULT_RADIUS 2.0
#define MAX_SAMPLES (1 << 22)

double vox_vdw_radius(const char *element)
{
    for (size_t i = 0; i < sizeof vdw / sizeof vdw[0]; i++)
        if (strcmp(vdw[i].el, element) == 0)
            return vdw[i].r;
    return DEFAULT_RADIUS;
}

double vox_max_vdw_radius(void)
{
    double m = DEFAULT_RADIUS;
    for (size_t i = 0; i < sizeof vdw / sizeof vdw[0]; i++)
        if (vdw[i].r > m) m = vdw[i].r;
    return m;
}

/* Distance between the first two points of the f64 sphere (§5.2).  The
 * trig goes through SLEEF's deterministic portable entry points (cinz,
 * no FMA), so the sample counts are the same bits on every machine and
 * libm; a count only changes when a gap is within an ulp of the voxel size. */
static double first_gap(double r, int n)
{
    const double g = (1.0 + Sleef_cinz_sqrtd1_u05purec(5.0)) / 4.0;
    double p[2][3];
    for (int i = 0; i < 2; i++) {
        double phi = Sleef_cinz_acosd1_u10purec(1.0 - 2.0 * (i + 0.5) / n);
        double th = M_PI * i / g;
        double sp = Sleef_cinz_sind1_u10purec(phi), cp = Sleef_cinz_cosd1_u10purec(phi);
        p[i][0] = Sleef_cinz_cosd1_u10purec(th) * sp * r;
        p[i][1] = Sleef_cinz_sind1_u10purec(th) * sp * r;
        p[i][2] = cp * r;
    }
    double dx = p[0][0] - p[1][0], dy = p[0][1] - p[1][1], dz = p[0][2] - p[1][2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

int vox_samples_for(double radius, double s)
{
    int n = 20;
    while (first_gap(radius, n) > s) {
        if (n >= MAX_SAMPLES)
            return -1;
        n *= 2;
    }
    return n;
}

void vox_fib_offsets(double radius, int n, float *ox, float *oy, float *oz)
{
    const float g32 = (1.0f + sqrtf(5.0f)) / 4.0f;
    const float pi32 = (float)M_PI;
    const float r32 = (float)radius;
    for (int i = 0; i < n; i++) {
        float fi = (float)i;
        float w = 1.0f - ((2.0f * (fi + 0.5f)) / (float)n);
        float phi = acosf(w);
        float th = (pi32 * fi) / g32;
        ox[i] = (cosf(th) * sinf(phi)) * r32;
        oy[i] = (sinf(th) * sinf(phi)) * r32;
        oz[i] = cosf(phi) * r32;
    }
}

void vox_shells_free(vox_shells *sh)
{
    for (size_t i = 0; i < sh->nsets; i++) {
        free(sh->sets[i].ox);
    }
    free(sh->sets);
    free(sh->elem_cx);
    free(sh->elem_start);
    memset(sh, 0, sizeof *sh);
}

typedef struct offset_key {
    float x, y, z;
} offset_key;

static int cmp_offset_key(const void *pa, const void *pb)
{
    const offset_key *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    return (a->z > b->z) - (a->z < b->z);
}

/* Offsets by ascending x: a thread binning a slab finds the offsets that
 * can reach it from a group of atoms by binary search.  Binning fills a
 * set of voxels, so the order of the points never matters. */
static int sort_offsets_by_x(vox_shell_set *set)
{
    offset_key *key = malloc((size_t)set->n * sizeof *key);
    if (!key)
        return 0;
    for (int i = 0; i < set->n; i++) key[i] = (offset_key){set->ox[i], set->oy[i], set->oz[i]};
    qsort(key, (size_t)set->n, sizeof *key, cmp_offset_key);
    for (int i = 0; i < set->n; i++) {
        set->ox[i] = key[i].x;
        set->oy[i] = key[i].y;
        set->oz[i] = key[i].z;
    }
    free(key);
    return 1;
}

/* x as an unsigned key in the same order as the float compares (-0 as +0,
 * which compare equal; coordinates are finite). */
static uint32_t x_order_key(float x)
{
    if (x == 0.0f)
        x = 0.0f;
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/* order[lo..hi) (atom indices, ascending) sorted by ascending x, equal x in
 * index order: four stable counting passes over the bytes of the x key.
 * The same order as a comparison sort on (x, index), in linear time. */
static void sort_by_x(size_t *order, uint32_t *key, size_t *tmp_order, uint32_t *tmp_key, size_t lo, size_t hi)
{
    size_t *o = order + lo, *to = tmp_order + lo;
    uint32_t *k = key + lo, *tk = tmp_key + lo;
    const size_t n = hi - lo;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[((k[i] >> shift) & 255u) + 1]++;
        if (count[((k[0] >> shift) & 255u) + 1] == n)
            continue; /* one bucket: this byte is the same everywhere */
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            const size_t at = count[(k[i] >> shift) & 255u]++;
            to[at] = o[i];
            tk[at] = k[i];
        }
        size_t *so = o;
        o = to;
        to = so;
        uint32_t *sk = k;
        k = tk;
        tk = sk;
    }
    if (o != order + lo) /* an odd number of passes moved: the result is in the scratch */
        memcpy(order + lo, o, n * sizeof *o);
}

vox_status vox_shells_build(vox_ctx *ctx, const vox_structure *st, double s, vox_shells *sh)
{
    memset(sh, 0, sizeof *sh);
    size_t n = st->atoms.n;
    /* distinct elements in order of first appearance */
    char (*els)[4] = calloc(n + 1, sizeof *els); /* zeroed: compared as whole 4-byte fields */
    int *el_of = malloc((n + 1) * sizeof *el_of);
    if (!els || !el_of) {
        free(els); free(el_of);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
    }
    size_t nel = 0;
    for (size_t a = 0; a < n; a++) {
        const char *e = st->atoms.a[a].element;
        size_t k = 0;
        while (k < nel && !vox_same_element(els[k], e)) k++;
        if (k == nel) strcpy(els[nel++], e);
        el_of[a] = (int)k;
    }
    /* atoms of each element (structure of arrays), element after element */
    sh->elem_start = calloc(nel + 1, sizeof *sh->elem_start);
    sh->elem_cx = malloc(3 * (n + 1) * sizeof(float));
    vox_status rc = VOX_OK;
    if (!sh->elem_start || !sh->elem_cx) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
        goto out;
    }
    for (size_t a = 0; a < n; a++) sh->elem_start[el_of[a] + 1]++;
    for (size_t k = 0; k < nel; k++) sh->elem_start[k + 1] += sh->elem_start[k];
    sh->nelem = nel;
    sh->natoms = n;
    float *cx = sh->elem_cx, *cy = cx + n, *cz = cy + n;
    {
        /* element by element, each element's atoms by ascending x: a thread
         * binning a slab of x-planes finds its atoms by binary search */
        size_t *order = malloc(2 * (n + 1) * sizeof *order);
        uint32_t *key = malloc(2 * (n + 1) * sizeof *key);
        size_t *next = malloc((nel + 1) * sizeof *next);
        if (!order || !key || !next) {
            free(order); free(key); free(next);
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
            goto out;
        }
        memcpy(next, sh->elem_start, (nel + 1) * sizeof *next);
        for (size_t a = 0; a < n; a++) { /* by element, atoms in index order */
            const size_t pos = next[el_of[a]]++;
            order[pos] = a;
            key[pos] = x_order_key(st->atoms.a[a].xyz[0]);
        }
        for (size_t k = 0; k < nel; k++)
            if (sh->elem_start[k + 1] > sh->elem_start[k])
                sort_by_x(order, key, order + n + 1, key + n + 1, sh->elem_start[k], sh->elem_start[k + 1]);
        for (size_t pos = 0; pos < n; pos++) {
            const vox_atom *at = &st->atoms.a[order[pos]];
            cx[pos] = at->xyz[0];
            cy[pos] = at->xyz[1];
            cz[pos] = at->xyz[2];
        }
        free(order);
        free(key);
        free(next);
    }
    for (size_t k = 0; k < nel; k++) {
        double vdw_r = vox_vdw_radius(els[k]);
        for (int step = 0;; step++) {
            double r = vdw_r - s * step;
            int ns = vox_samples_for(r, s);
            if (ns < 0) {
                rc = vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "resolution %g A needs more than %d sphere samples per radius",
                              s, MAX_SAMPLES);
                goto out;
            }
            vox_shell_set *ns_set = realloc(sh->sets, (sh->nsets + 1) * sizeof *ns_set);
            if (!ns_set) {
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
                goto out;
            }
            sh->sets = ns_set;
            vox_shell_set *set = &sh->sets[sh->nsets++];
            memset(set, 0, sizeof *set);
            set->elem = (int)k;
            set->radius = r;
            set->n = ns;
            set->ox = malloc(3 * (size_t)ns * sizeof(float));
            if (!set->ox) {
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
                goto out;
            }
            set->oy = set->ox + ns;
            set->oz = set->oy + ns;
            vox_fib_offsets(r, ns, set->ox, set->oy, set->oz);
            if (!sort_offsets_by_x(set)) {
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory building shells");
                goto out;
            }
            for (int a = 0; a < 3; a++) {
                const float *o = a == 0 ? set->ox : a == 1 ? set->oy : set->oz;
                set->omin[a] = set->omax[a] = o[0];
                for (int i = 1; i < ns; i++) {
                    if (o[i] < set->omin[a]) set->omin[a] = o[i];
                    if (o[i] > set->omax[a]) set->omax[a] = o[i];
                }
            }
            sh->points += (uint64_t)ns * (sh->elem_start[k + 1] - sh->elem_start[k]);
            if (!(r > s))
                break; /* the last radius is <= s */
        }
    }
    sh->points += n;
out:
    free(els);
    free(el_of);
    if (rc != VOX_OK)
        vox_shells_free(sh);
    return rc;
}

void vox_cloud_bounds(const vox_shells *sh, float lo0[3], float hi0[3])
{
    /* f32 bounding box of the cloud without materialising it: fl32(c + o)
     * is monotonic in c and in o, so a set's extremes are its element's
     * extreme centres plus its extreme offsets, rounded once */
    const float *cc[3] = {sh->elem_cx, sh->elem_cx + sh->natoms, sh->elem_cx + 2 * sh->natoms};
    for (int a = 0; a < 3; a++) {
        lo0[a] = hi0[a] = cc[a][0];
        for (size_t i = 1; i < sh->natoms; i++) {
            if (cc[a][i] < lo0[a]) lo0[a] = cc[a][i];
            if (cc[a][i] > hi0[a]) hi0[a] = cc[a][i];
        }
    }
    float emin[3] = {0, 0, 0}, emax[3] = {0, 0, 0};
    for (size_t q = 0; q < sh->nsets; q++) {
        const vox_shell_set *set = &sh->sets[q];
        if (q == 0 || set->elem != sh->sets[q - 1].elem) { /* an element's sets are consecutive */
            size_t i0 = sh->elem_start[set->elem], i1 = sh->elem_start[set->elem + 1];
            for (int a = 0; a < 3; a++) {
                emin[a] = emax[a] = cc[a][i0];
                for (size_t i = i0 + 1; i < i1; i++) {
                    if (cc[a][i] < emin[a]) emin[a] = cc[a][i];
                    if (cc[a][i] > emax[a]) emax[a] = cc[a][i];
                }
            }
        }
        for (int a = 0; a < 3; a++) {
            float lo = emin[a] + set->omin[a], hi = emax[a] + set->omax[a];
            if (lo < lo0[a]) lo0[a] = lo;
            if (hi > hi0[a]) hi0[a] = hi;
        }
    }
}
