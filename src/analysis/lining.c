/* lining.c - the atoms and residues that line each volume, their classes and hydropathy
 * (README "Descriptors")
 *
 * Rule: an atom lines a volume when its van der Waals sphere (the analysis'
 * radius, §5.1) comes within one voxel edge s of one of the volume's voxels:
 * the distance from the atom's centre to the voxel's cube (its centre
 * +- half the grid step per axis) is at most radius + s.  A volume's voxels
 * hold no point of any atom, and the protein voxels around them (its
 * walls) are one voxel thick: the atoms whose spheres make those walls are
 * the ones this takes in.  The test is a few f64 operations per (atom,
 * voxel) pair from the f32 atom and voxel coordinates, so it gives the same
 * answer on every ISA; chunks of consecutive atoms run on the context's
 * threads and their findings are joined in atom order, so every thread
 * count gives the same lists.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shells.h"
#include "team.h"

/* Kyte J, Doolittle RF (1982) J Mol Biol 157:105-132, table 2; MD force
 * fields' names of protonation and disulfide states count as their amino
 * acid, selenomethionine as methionine. */
static const struct {
    const char *name;
    double value;
} kyte_doolittle[] = {
    {"ALA", 1.8},  {"ARG", -4.5}, {"ASN", -3.5}, {"ASP", -3.5}, {"CYS", 2.5},  {"GLN", -3.5}, {"GLU", -3.5},
    {"GLY", -0.4}, {"HIS", -3.2}, {"ILE", 4.5},  {"LEU", 3.8},  {"LYS", -3.9}, {"MET", 1.9},  {"PHE", 2.8},
    {"PRO", -1.6}, {"SER", -0.8}, {"THR", -0.7}, {"TRP", -0.9}, {"TYR", -1.3}, {"VAL", 4.2},
    {"MSE", 1.9},  {"CYX", 2.5},  {"CYM", 2.5},  {"ASH", -3.5}, {"GLH", -3.5}, {"LYN", -3.9}, {"HID", -3.2},
    {"HIE", -3.2}, {"HIP", -3.2}, {"HSD", -3.2}, {"HSE", -3.2}, {"HSP", -3.2}, {"HISA", -3.2}, {"HISB", -3.2},
    {"HISD", -3.2}, {"HISE", -3.2}, {"HISH", -3.2},
};

/* Side-chain atoms that carry a formal charge at pH 7 (the doubly
 * protonated histidines of MD force fields included). */
static const struct {
    const char *res, *atom;
} charged_atoms[] = {
    {"ASP", "OD1"}, {"ASP", "OD2"}, {"GLU", "OE1"}, {"GLU", "OE2"}, {"LYS", "NZ"},   {"ARG", "NE"},
    {"ARG", "NH1"}, {"ARG", "NH2"}, {"HIP", "ND1"}, {"HIP", "NE2"}, {"HSP", "ND1"}, {"HSP", "NE2"},
    {"HISH", "ND1"}, {"HISH", "NE2"},
};

enum { CLASS_OTHER, CLASS_APOLAR, CLASS_POLAR, CLASS_CHARGED };

/* A name field as one number: its bytes through the first NUL, zeros after
 * it, so two fields hold the same string exactly when their keys are equal
 * (strcmp's answer as one comparison). */
static uint64_t name_key(const char *field, size_t n)
{
    const uint64_t x = vox_text_bits(field, n);
    return x & vox_text_upto(x);
}

/* The tables above as keys, made once per call: the class and hydropathy
 * lookups then compare numbers, not strings. */
typedef struct name_keys {
    uint64_t kd[sizeof kyte_doolittle / sizeof *kyte_doolittle];
    uint64_t charged_res[sizeof charged_atoms / sizeof *charged_atoms];
    uint64_t charged_atom[sizeof charged_atoms / sizeof *charged_atoms];
} name_keys;

static uint64_t literal_key(const char *text)
{
    char field[8] = {0};
    memcpy(field, text, strlen(text)); /* every name in the tables has 4 letters or fewer */
    return name_key(field, sizeof field);
}

static void make_name_keys(name_keys *k)
{
    for (size_t i = 0; i < sizeof kyte_doolittle / sizeof *kyte_doolittle; i++)
        k->kd[i] = literal_key(kyte_doolittle[i].name);
    for (size_t i = 0; i < sizeof charged_atoms / sizeof *charged_atoms; i++) {
        k->charged_res[i] = literal_key(charged_atoms[i].res);
        k->charged_atom[i] = literal_key(charged_atoms[i].atom);
    }
}

static int atom_class(const name_keys *k, const vox_atom *a)
{
    /* every charged atom's name starts with N or O: carbons, the most
     * common, skip the table */
    if (a->name[0] == 'N' || a->name[0] == 'O') {
        const uint64_t name = name_key(a->name, sizeof a->name), res = name_key(a->res_name, sizeof a->res_name);
        for (size_t i = 0; i < sizeof charged_atoms / sizeof *charged_atoms; i++)
            if (k->charged_atom[i] == name && k->charged_res[i] == res)
                return CLASS_CHARGED;
    }
    /* the element's letters without regard to case: "N", "O"; "C", "S", "SE"
     * (c | 0x20 is the lower case of a letter, and never a letter's for NUL) */
    const int e0 = a->element[0] | 0x20, e1 = a->element[1];
    if (e1 == 0)
        return e0 == 'n' || e0 == 'o' ? CLASS_POLAR : e0 == 'c' || e0 == 's' ? CLASS_APOLAR : CLASS_OTHER;
    return e0 == 's' && (e1 | 0x20) == 'e' && a->element[2] == 0 ? CLASS_APOLAR : CLASS_OTHER;
}

size_t vox_residue_end(const vox_structure *st, size_t first)
{
    size_t e = first + 1;
    while (e < st->atoms.n && vox_same_residue(&st->atoms.a[e], &st->atoms.a[first]))
        e++;
    return e;
}

/* Voxels along one axis within an atom's reach: far above (2 * (2.75 + s)
 * + 1.5 s) / s + 2 for the largest radius of the table at any resolution
 * down to 0.1 A. */
#define GAP_MAX 128

/* The radius the near bits are made for: sulfur's, the largest of the
 * amino acids' elements (C, N, O, S); an atom with a larger one
 * (selenium, ions, unknown elements) looks at every row in its reach
 * instead.  A larger radius here would widen every atom's band. */
#define NEAR_RADIUS 1.80

/* The analysis' radius of the last few elements seen (a structure has a
 * handful): the table lookup compares strings, this compares 4 bytes. */
typedef struct radius_cache {
    char element[8][4];
    double radius[8];
    int n, next;
} radius_cache;

static double radius_of(radius_cache *c, const char element[4])
{
    for (int i = 0; i < c->n; i++)
        if (!memcmp(c->element[i], element, 4))
            return c->radius[i];
    int slot = c->n < 8 ? c->n++ : (c->next++ & 7);
    memcpy(c->element[slot], element, 4);
    c->radius[slot] = vox_vdw_radius(element);
    return c->radius[slot];
}

/* How far a point at offset d from a voxel's centre lies outside the
 * voxel along that axis (half edge h): 0 inside. */
static double cube_gap(double d, double h)
{
    double e = fabs(d) - h;
    return e > 0.0 ? e : 0.0;
}

typedef struct growable {
    size_t *v;
    size_t n, cap;
} growable;

static int grow_push(growable *g, size_t x)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        size_t *p = realloc(g->v, cap * sizeof *p);
        if (!p)
            return 0;
        g->v = p;
        g->cap = cap;
    }
    g->v[g->n++] = x;
    return 1;
}

/* What summarise learns of an atom or a residue once, for every group it
 * lines: class + 1 per atom, hydropathy-table index + 2 per residue's first
 * atom (1: not in the table); 0 = not looked at yet.  The string
 * comparisons then run once per atom, not once per (atom, group). */
typedef struct lining_memo {
    uint8_t *atom_class;
    uint8_t *residue_scale;
    name_keys keys;
} lining_memo;

static int memo_class(lining_memo *m, const vox_structure *st, size_t atom)
{
    if (!m->atom_class[atom])
        m->atom_class[atom] = (uint8_t)(atom_class(&m->keys, &st->atoms.a[atom]) + 1);
    return m->atom_class[atom] - 1;
}

static int memo_hydropathy(lining_memo *m, const vox_structure *st, size_t first, double *out)
{
    if (!m->residue_scale[first]) {
        m->residue_scale[first] = 1;
        const char *res = st->atoms.a[first].res_name;
        const uint64_t key = name_key(res, sizeof st->atoms.a[first].res_name);
        for (size_t i = 0; i < sizeof kyte_doolittle / sizeof *kyte_doolittle; i++)
            if (m->keys.kd[i] == key) {
                m->residue_scale[first] = (uint8_t)(i + 2);
                break;
            }
    }
    if (m->residue_scale[first] == 1)
        return 0;
    *out = kyte_doolittle[m->residue_scale[first] - 2].value;
    return 1;
}

/* Residues, classes and hydropathy of group g from its lining atoms;
 * res_first[i]: the first atom of atom i's residue. */
static int summarise(const vox_structure *st, const size_t *res_first, lining_memo *memo, vox_group_desc *d)
{
    d->residues = malloc((d->nlining ? d->nlining : 1) * sizeof *d->residues);
    if (!d->residues)
        return 0;
    double sum = 0.0;
    size_t valued = 0;
    for (size_t t = 0; t < d->nlining; t++) {
        switch (memo_class(memo, st, d->lining[t])) {
        case CLASS_APOLAR: d->apolar++; break;
        case CLASS_POLAR: d->polar++; break;
        case CLASS_CHARGED: d->charged++; break;
        default: break;
        }
        /* atoms ascend, residues are runs: a new residue shows as a new first atom */
        size_t first = res_first[d->lining[t]];
        if (d->nresidues && d->residues[d->nresidues - 1] == first)
            continue;
        d->residues[d->nresidues++] = first;
        double h;
        if (memo_hydropathy(memo, st, first, &h)) {
            sum += h;
            valued++;
        }
    }
    d->has_hydropathy = valued > 0;
    d->hydropathy = valued ? sum / (double)valued : 0.0;
    return 1;
}

/* Voxels k of an axis whose centre may lie within reach of v: a superset
 * of them (the grid formula with a margin of 1e-3 voxel for the f32
 * rounding of the centres, far above it); the distance test decides.
 * (The near bits' band is sized from the same formula; if an ulp ever
 * made a range one voxel wider than the band, that atom would look at
 * every row in reach instead: slower, not wrong.) */
static void axis_range(const vox_result *r, int ax, double inv_step, double v, double reach, int *lo, int *hi)
{
    /* inv_step = 1 / step: a product in place of two divisions, an ulp
     * apart, far inside the margin */
    const double u = (v - r->origin[ax]) * inv_step - 0.5, w = reach * inv_step + 1e-3;
    const double a = u - w, b = u + w;
    /* ceil(a) and floor(b) + 1 (hi exclusive), clamped to the grid; the
     * casts truncate toward zero, hence the corrections */
    long l = a <= 0.0 ? 0 : (long)a + ((double)(long)a < a);
    long h = b < 0.0 ? 0 : (long)b + 1;
    if (l > r->dims[ax]) l = r->dims[ax];
    if (h > r->dims[ax]) h = r->dims[ax];
    *lo = (int)l;
    *hi = h > l ? (int)h : (int)l;
}

/* The search's shared, read-only view of the grid, and one chunk of atoms'
 * findings per item (chunks of consecutive atoms, so their lists joined in
 * chunk order are each group's lining atoms in ascending order whatever the
 * number of chunks or threads). */
typedef struct lining_job {
    const vox_structure *st;
    const vox_result *r;
    const int32_t *map;       /* voxel -> group, read only where row_bits has the voxel */
    const uint64_t *row_bits; /* per x-y row (i, j), words of it: bit k set where a group voxel is */
    size_t words;             /* words per row, one more than its bits need (always 0) */
    const int32_t *row_group; /* per row: its one group, or -2 (several), -1 (none) */
    /* per x-plane i and k, words of it: bit j set where row (i, j) has a
     * group voxel within band of k; band bounds the range of k of every
     * atom up to NEAR_RADIUS */
    const uint64_t *near;
    size_t near_words; /* per (i, k), one more than the bits need */
    int band;
    size_t chunk;     /* atoms per item */
    growable *lists;  /* [item * ngroups + group] */
    size_t *last;     /* [item * ngroups + group]: last atom added + 1 */
    int failed;
} lining_job;

/* The bits [k0, k0 + 64) of a row, bit 0 being k0: the row's spare last
 * word makes the second read always in bounds. */
static uint64_t row_window(const uint64_t *bits, int k0)
{
    const int w = k0 >> 6, off = k0 & 63;
    return (bits[w] >> off) | ((bits[w + 1] << 1) << (63 - off));
}

/* The low n bits, 1 <= n (64 and more: all). */
static uint64_t low_bits(int n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Atom ai against the group voxels of row (i, j) with k in [k0, k1),
 * z its coordinate, exy2 its squared gap along x and y.  0: out of memory. */
static int test_row(const lining_job *J, growable *lists, size_t *last, size_t ai, size_t q, int k0, int k1,
                    double z, double exy2, double reach2)
{
    const vox_result *r = J->r;
    const double h = 0.5 * r->step[2];
    const uint64_t *bits = J->row_bits + q * J->words;
    const int32_t *row = J->map + q * (size_t)r->dims[2];
    for (int k = k0; k < k1; k += 64) {
        uint64_t m = row_window(bits, k) & low_bits(k1 - k);
        while (m) {
            const int kk = k + __builtin_ctzll(m);
            m &= m - 1;
            const int32_t g = row[kk];
            if (last[g] == ai + 1)
                continue;
            const double e = cube_gap((double)r->centres[2][kk] - z, h);
            if (exy2 + e * e > reach2)
                continue;
            last[g] = ai + 1;
            if (!grow_push(&lists[g], ai))
                return 0;
        }
    }
    return 1;
}

static void lining_chunk(void *arg, size_t item, int thread)
{
    lining_job *J = arg;
    (void)thread;
    const vox_result *r = J->r;
    const size_t ng = r->n;
    growable *lists = J->lists + item * ng;
    size_t *last = J->last + item * ng;
    const size_t a0 = item * J->chunk, a1 = a0 + J->chunk < J->st->atoms.n ? a0 + J->chunk : J->st->atoms.n;
    const double s = r->resolution;
    const double h[3] = {0.5 * r->step[0], 0.5 * r->step[1], 0.5 * r->step[2]};
    const double inv_step[3] = {1.0 / r->step[0], 1.0 / r->step[1], 1.0 / r->step[2]};
    radius_cache radii;
    memset(&radii, 0, sizeof radii);
    for (size_t ai = a0; ai < a1; ai++) {
        const vox_atom *a = &J->st->atoms.a[ai];
        const double reach = radius_of(&radii, a->element) + s, reach2 = reach * reach;
        int lo[3], hi[3];
        for (int ax = 0; ax < 3; ax++) axis_range(r, ax, inv_step[ax], (double)a->xyz[ax], reach + h[ax], &lo[ax], &hi[ax]);
        if (hi[1] - lo[1] > GAP_MAX) { /* never for the table's radii */
            __atomic_store_n(&J->failed, 2, __ATOMIC_RELAXED);
            return;
        }
        if (hi[1] <= lo[1] || hi[2] <= lo[2])
            continue;
        /* the near bits of k = c cover [c - band, c + band], which holds
         * [lo[2], hi[2]) unless the radius is above the default: then
         * every row in reach is looked at */
        const int c = lo[2] + J->band < r->dims[2] ? lo[2] + J->band : r->dims[2] - 1;
        const int use_near = hi[2] - lo[2] <= 2 * J->band + 1;
        const double x = (double)a->xyz[0], y = (double)a->xyz[1], z = (double)a->xyz[2];
        const size_t plane_step = (size_t)r->dims[2] * J->near_words;
        const uint64_t *nb = J->near + ((size_t)lo[0] * (size_t)r->dims[2] + (size_t)c) * J->near_words;
        for (int i = lo[0]; i < hi[0]; i++, nb += plane_step) {
            double ex2 = -1.0; /* the plane's squared gap, once it has a row near */
            for (int j0 = lo[1]; j0 < hi[1]; j0 += 64) {
                /* only the rows with a group voxel near: most rows in reach have none */
                uint64_t m = (use_near ? row_window(nb, j0) : ~0ull) & low_bits(hi[1] - j0);
                if (m && ex2 < 0.0) {
                    const double ex = cube_gap((double)r->centres[0][i] - x, h[0]);
                    ex2 = ex * ex;
                }
                if (ex2 > reach2)
                    break;
                while (m) {
                    const int j = j0 + __builtin_ctzll(m);
                    m &= m - 1;
                    const double ey = cube_gap((double)r->centres[1][j] - y, h[1]);
                    const double exy2 = ex2 + ey * ey;
                    if (exy2 > reach2)
                        continue;
                    const size_t q = (size_t)i * (size_t)r->dims[1] + (size_t)j;
                    /* a row whose only group has this atom already adds nothing */
                    const int32_t only = J->row_group[q];
                    if (only == -1 || (only >= 0 && last[only] == ai + 1))
                        continue;
                    if (!test_row(J, lists, last, ai, q, lo[2], hi[2], z, exy2, reach2)) {
                        __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
                        return;
                    }
                }
            }
        }
    }
}

vox_status vox_find_lining(vox_ctx *ctx, const vox_structure *st, vox_result *r, int32_t *map)
{
    const size_t natoms = st->atoms.n, ng = r->n;
    const size_t nx = (size_t)r->dims[0], ny = (size_t)r->dims[1], nz = (size_t)r->dims[2], rows = nx * ny;
    /* chunks of at least 256 atoms, at most one per thread */
    const int width = vox_team_width(ctx->team, 0, natoms / 256 + 1);
    const size_t items = (size_t)width, chunk = natoms / items + 1;
    /* An atom's range of k lies within reach / step + 1e-3 (axis_range) of
     * a point: of width 2w it holds at most floor(2w) + 1 voxels, which
     * 2 * band + 1 covers for radii up to NEAR_RADIUS. */
    const double w = (NEAR_RADIUS + r->resolution + 0.5 * r->step[2]) / r->step[2] + 1e-3;
    const int band = ((int)(2.0 * w) + 1) / 2;
    lining_job J;
    memset(&J, 0, sizeof J);
    J.lists = calloc(items * ng, sizeof *J.lists);
    J.last = calloc(items * ng, sizeof *J.last);
    size_t *res_first = malloc((natoms ? natoms : 1) * sizeof *res_first);
    lining_memo memo = {calloc(natoms ? natoms : 1, 1), calloc(natoms ? natoms : 1, 1), {{0}, {0}, {0}}};
    make_name_keys(&memo.keys);
    const size_t words = (nz + 63) / 64 + 1, near_words = (ny + 63) / 64 + 1; /* + a spare word: row_window */
    uint64_t *row_bits = calloc(rows * words, sizeof *row_bits);
    int32_t *row_group = malloc(rows * sizeof *row_group);
    uint64_t *column_bits = calloc(nx * nz * near_words, sizeof *column_bits);
    uint64_t *near = calloc(nx * nz * near_words, sizeof *near);
    vox_status rc = VOX_OK;
    if (!J.lists || !J.last || !res_first || !memo.atom_class || !memo.residue_scale || !row_bits || !row_group ||
        !column_bits || !near) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
        goto out;
    }
    /* voxel -> group (the map is read only where a group voxel is: no fill
     * of the rest); per x-y row the bits of k and its only group; per
     * (i, k) the bits of j */
    for (size_t q = 0; q < rows; q++) row_group[q] = -1;
    for (size_t gi = 0; gi < ng; gi++)
        for (size_t t = 0; t < r->groups[gi].n; t++) {
            const uint32_t f = r->groups[gi].voxels[t];
            const size_t q = f / nz, k = f % nz, i = q / ny, j = q % ny;
            map[f] = (int32_t)gi;
            row_group[q] = row_group[q] == -1 || row_group[q] == (int32_t)gi ? (int32_t)gi : -2;
            row_bits[q * words + k / 64] |= 1ull << (k % 64);
            column_bits[(i * nz + k) * near_words + j / 64] |= 1ull << (j % 64);
        }
    /* near: the column bits of k - band .. k + band together */
    for (size_t i = 0; i < nx; i++)
        for (size_t k = 0; k < nz; k++) {
            const size_t k0 = k > (size_t)band ? k - (size_t)band : 0, k1 = k + (size_t)band < nz ? k + (size_t)band : nz - 1;
            uint64_t *to = near + (i * nz + k) * near_words;
            for (size_t kk = k0; kk <= k1; kk++) {
                const uint64_t *from = column_bits + (i * nz + kk) * near_words;
                for (size_t wd = 0; wd + 1 < near_words; wd++) to[wd] |= from[wd];
            }
        }
    J.st = st;
    J.r = r;
    J.map = map;
    J.row_bits = row_bits;
    J.words = words;
    J.row_group = row_group;
    J.near = near;
    J.near_words = near_words;
    J.band = band;
    J.chunk = chunk;
    vox_team_run(ctx->team, width, items, VOX_SCHED_STATIC, lining_chunk, &J);
    if (J.failed) {
        rc = J.failed == 2 ? vox_fail(ctx, VOX_E_INVALID_ARG, "lining atoms: a radius spans too many voxels")
                           : vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
        goto out;
    }
    for (size_t i = 0; i < natoms; i++)
        res_first[i] = i > 0 && vox_same_residue(&st->atoms.a[i], &st->atoms.a[i - 1]) ? res_first[i - 1] : i;
    for (size_t gi = 0; gi < ng && rc == VOX_OK; gi++) {
        vox_group_desc *d = &r->groups[gi].d;
        size_t n = 0;
        for (size_t it = 0; it < items; it++) n += J.lists[it * ng + gi].n;
        d->lining = malloc((n ? n : 1) * sizeof *d->lining);
        if (!d->lining) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
            break;
        }
        for (size_t it = 0; it < items; it++) { /* chunks in atom order */
            const growable *l = &J.lists[it * ng + gi];
            if (l->n)
                memcpy(d->lining + d->nlining, l->v, l->n * sizeof *l->v);
            d->nlining += l->n;
        }
        if (!summarise(st, res_first, &memo, d))
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining residues");
    }
out:
    if (J.lists)
        for (size_t q = 0; q < items * ng; q++) free(J.lists[q].v);
    free(J.lists);
    free(J.last);
    free(res_first);
    free(memo.atom_class);
    free(memo.residue_scale);
    free(row_bits);
    free(row_group);
    free(column_bits);
    free(near);
    return rc;
}
