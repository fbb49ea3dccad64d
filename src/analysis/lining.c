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
 *
 * The search: the volumes' voxels as runs along z per x-y row, and per
 * x-plane and z the rows with a run near (bits); an atom looks at the rows
 * in its reach that have one, and tests each run once, at the run's voxel
 * nearest the atom's z, which gives the run's smallest value of the test
 * (nearest_centre says why), so the lists are the rule's, voxel by voxel.
 * Before that, the groups that may be in its reach at all (candidates: one
 * bit per group, the first 63, per row and block of 8 z grown by the
 * reach) are looked up once: an atom with none (a protein's core) is done,
 * a row whose groups the atom lines already or cannot reach is passed over
 * untested, and the search ends once every candidate is found (most atoms
 * line one volume, and most of those are done at their first hit).  An
 * answer known needs no test; each shortcut only leaves out tests that
 * could not pass.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shells.h"
#include "team.h"

/* Kyte J, Doolittle RF (1982) J Mol Biol 157:105-132, table 2; MD force
 * fields' names of protonation and disulfide states count as their amino
 * acid, selenomethionine as methionine.  Kept in tenths: a mean is then one
 * division of an exact sum (in doubles, -3.5 + 4.2 - 0.7 came to 2.2e-16, not 0). */
static const struct {
    const char *name;
    int tenths; /* the value x 10: every value has one decimal, so sums of them are exact */
} kyte_doolittle[] = {
    {"ALA", 18},  {"ARG", -45}, {"ASN", -35}, {"ASP", -35}, {"CYS", 25},  {"GLN", -35}, {"GLU", -35},
    {"GLY", -4}, {"HIS", -32}, {"ILE", 45},  {"LEU", 38},  {"LYS", -39}, {"MET", 19},  {"PHE", 28},
    {"PRO", -16}, {"SER", -8}, {"THR", -7}, {"TRP", -9}, {"TYR", -13}, {"VAL", 42},
    {"MSE", 19},  {"CYX", 25},  {"CYM", 25},  {"ASH", -35}, {"GLH", -35}, {"LYN", -39}, {"HID", -32},
    {"HIE", -32}, {"HIP", -32}, {"HSD", -32}, {"HSE", -32}, {"HSP", -32}, {"HISA", -32}, {"HISB", -32},
    {"HISD", -32}, {"HISE", -32}, {"HISH", -32},
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
    uint64_t charged_names; /* bit name_bit(key) of every charged atom's name */
    uint64_t charged_res[sizeof charged_atoms / sizeof *charged_atoms];
    uint64_t charged_atom[sizeof charged_atoms / sizeof *charged_atoms];
} name_keys;

static uint64_t literal_key(const char *text)
{
    char field[8] = {0};
    memcpy(field, text, strlen(text)); /* every name in the tables has 4 letters or fewer */
    return name_key(field, sizeof field);
}

/* One of 64 bits for a name key: the names of the charged atoms set 10 of
 * them, so most other names are told apart without the table. */
static unsigned name_bit(uint64_t key)
{
    return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 58);
}

static void make_name_keys(name_keys *k)
{
    k->charged_names = 0;
    for (size_t i = 0; i < sizeof kyte_doolittle / sizeof *kyte_doolittle; i++)
        k->kd[i] = literal_key(kyte_doolittle[i].name);
    for (size_t i = 0; i < sizeof charged_atoms / sizeof *charged_atoms; i++) {
        k->charged_res[i] = literal_key(charged_atoms[i].res);
        k->charged_atom[i] = literal_key(charged_atoms[i].atom);
        k->charged_names |= 1ull << name_bit(k->charged_atom[i]);
    }
}

static int atom_class(const name_keys *k, const vox_atom *a)
{
    /* every charged atom's name starts with N or O: carbons, the most
     * common, skip the table */
    if (a->name[0] == 'N' || a->name[0] == 'O') {
        const uint64_t name = name_key(a->name, sizeof a->name);
        if (k->charged_names >> name_bit(name) & 1) {
            const uint64_t res = name_key(a->res_name, sizeof a->res_name);
            for (size_t i = 0; i < sizeof charged_atoms / sizeof *charged_atoms; i++)
                if (k->charged_atom[i] == name && k->charged_res[i] == res)
                    return CLASS_CHARGED;
        }
    }
    /* the element's letters without regard to case: "N", "O"; "C", "S", "SE"
     * (c | 0x20 is the lower case of a letter, and never a letter's for NUL) */
    const int e0 = a->element[0] | 0x20, e1 = a->element[1];
    if (e1 == 0)
        return e0 == 'n' || e0 == 'o' ? CLASS_POLAR : e0 == 'c' || e0 == 's' ? CLASS_APOLAR : CLASS_OTHER;
    return e0 == 's' && (e1 | 0x20) == 'e' && a->element[2] == 0 ? CLASS_APOLAR : CLASS_OTHER;
}

/* The radius the near bits are made for: sulfur's, the largest of the
 * amino acids' elements (C, N, O, S); an atom with a larger one
 * (selenium, ions, unknown elements) looks at every row in its reach
 * instead.  A larger radius here would widen every atom's band. */
#define NEAR_RADIUS 1.80

/* What the search needs of an element, for the last few seen (a structure
 * has a handful), in slots picked by the element's 4 bytes: the table
 * lookup compares strings, this one number.  reach2: (radius + s)^2, the
 * rule's; per axis, w: the half-width in voxels of the centres in reach,
 * width: the most voxels of a range of span. */
typedef struct element_reach {
    uint64_t key; /* the element's bytes + 2^32; 0: empty */
    double reach2;
    double w[3];
    int width[3];
    int near; /* the box fits the bands on every axis (lining_job.candidates) */
} element_reach;

#define REACH_SLOTS 8

static const element_reach *reach_of(element_reach *slots, const char element[4], double s, const double h[3],
                                     const double inv_step[3], const int bands[3])
{
    uint32_t bytes;
    memcpy(&bytes, element, 4);
    element_reach *e = &slots[(bytes * 2654435761u) >> 29];
    if (e->key != (uint64_t)bytes + (1ull << 32)) {
        const double reach = vox_vdw_radius(element) + s;
        e->key = (uint64_t)bytes + (1ull << 32);
        e->reach2 = reach * reach;
        /* inv_step = 1 / step: a product in place of two divisions, an ulp
         * apart, far inside the margin of span */
        for (int ax = 0; ax < 3; ax++) {
            e->w[ax] = (reach + h[ax]) * inv_step[ax] + 1e-3;
            /* the ends of span's formula lie 2w + 1e-6 apart: at most
             * floor(that) + 1 whole numbers from one to below the other
             * (0.01: room for rounding, and never less) */
            const double width = 2.0 * e->w[ax] + 0.01;
            e->width[ax] = width < 1e9 ? (int)width + 1 : 1000000000;
        }
        e->near = 1;
        for (int ax = 0; ax < 3; ax++) e->near &= e->width[ax] <= 2 * bands[ax] + 1;
    }
    return e;
}

/* How far a point at offset d from a voxel's centre lies outside the
 * voxel along that axis (half edge h): 0 inside. */
static double cube_gap(double d, double h)
{
    const double e = fabs(d) - h;
    /* max(e, 0) without a branch, exactly: e + |e| is 2e or 0 */
    return (e + fabs(e)) * 0.5;
}

/* What summarise learns of a residue once, for every group it lines:
 * hydropathy-table index + 2 per residue's first atom (1: not in the
 * table); 0 = not looked at yet.  The name comparisons then run once per
 * residue, not once per (residue, group). */
typedef struct lining_memo {
    uint8_t *residue_scale;
    name_keys keys;
} lining_memo;

static int memo_hydropathy(lining_memo *m, const vox_structure *st, size_t first, int *tenths)
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
    *tenths = kyte_doolittle[m->residue_scale[first] - 2].tenths;
    return 1;
}

/* vox_same_residue, the common answers first: atoms of different residues
 * mostly differ in number, and a residue's atoms mostly hold the same
 * bytes in the whole chain and residue name fields, which says they agree
 * without finding where the names end (bytes after the terminator only
 * decide which way is taken, never the answer). */
static int same_residue(const vox_atom *a, const vox_atom *b)
{
    if (a->res_id != b->res_id || a->ins_code != b->ins_code)
        return 0;
    uint64_t ca, cb, na, nb;
    memcpy(&ca, a->chain, 8);
    memcpy(&cb, b->chain, 8);
    memcpy(&na, a->res_name, 8);
    memcpy(&nb, b->res_name, 8);
    return (ca == cb && na == nb) || vox_same_residue(a, b);
}

/* Residues and hydropathy of group g from its lining atoms (the classes
 * are counted as the atoms are dealt out); res_first[i]: the first atom of
 * atom i's residue (a residue: consecutive atoms with the same chain,
 * number, insertion code and name). */
static int summarise(const vox_structure *st, const size_t *res_first, lining_memo *memo, vox_group_desc *d)
{
    const size_t room = d->nlining ? d->nlining : 1;
    d->residues = malloc(room * sizeof *d->residues);
    d->residue_ends = malloc(room * sizeof *d->residue_ends);
    if (!d->residues || !d->residue_ends)
        return 0;
    long long sum = 0; /* tenths: exact */
    size_t valued = 0;
    for (size_t t = 0; t < d->nlining; t++) {
        /* atoms ascend, residues are runs: a new residue shows as a new first atom */
        size_t first = res_first[d->lining[t]];
        if (d->nresidues && d->residues[d->nresidues - 1] == first)
            continue;
        size_t end = first + 1;
        while (end < st->atoms.n && res_first[end] == first) end++;
        d->residue_ends[d->nresidues] = end;
        d->residues[d->nresidues++] = first;
        int h;
        if (memo_hydropathy(memo, st, first, &h)) {
            sum += h;
            valued++;
        }
    }
    d->has_hydropathy = valued > 0;
    d->hydropathy = valued ? (double)sum / (10.0 * (double)valued) : 0.0;
    return 1;
}

/* Voxels [lo, hi) of an axis of n (nd = n as a double) whose centre may
 * lie within reach of a point u voxels from the first centre (u = (v -
 * origin) / step - 0.5), w the half-width: a superset of them.  The grid
 * formula, ceil(u - w) .. floor(u + w), with a margin of 1e-3 voxel in w
 * for the f32 rounding of the centres, far above it, gives lo (the cast
 * rounds the end outward where it is within 1e-6 of a whole number); hi is
 * lo + width (the most voxels the formula's range holds, element_reach),
 * one more than the formula's end at times, which saves a second cast and
 * clamp: the distance test decides.  (The near bits' band is sized from
 * the same formula; if width ever came out over the band, that atom would
 * look at every row in reach instead: slower, not wrong.) */
static inline void span(double u, double w, int width, double nd, int n, int *lo, int *hi)
{
    /* clamped to [0, n] before the cast, which truncates; a start clamped
     * up to 0 keeps every voxel below lo + width */
    double a = u - w + 0.999999;
    a = a > 0.0 ? a : 0.0;
    a = a < nd ? a : nd;
    *lo = (int)a;
    *hi = *lo < n - width ? *lo + width : n;
}

/* One run of a group's voxels along z in one x-y row: k0 .. k1. */
typedef struct lining_run {
    int32_t k0, k1, g, pad; /* 16 bytes: cheaper to index */
} lining_run;

/* One x-y row of the grid for the search: its runs, runs[first .. end),
 * and group_bit of each of their groups. */
typedef struct lining_row {
    uint64_t groups;
    uint32_t first, end;
} lining_row;

/* One chunk's findings, in atom order (each atom's groups in the order
 * found): atom lines group. */
typedef struct lining_hit {
    size_t atom;
    size_t group;
} lining_hit;

typedef struct lining_hits {
    lining_hit *v;
    size_t n, cap;
} lining_hits;

/* Room for m more hits; 0 on allocation failure. */
static int hits_reserve(lining_hits *h, size_t m)
{
    if (h->cap - h->n >= m)
        return 1;
    const size_t cap = 2 * h->cap > h->n + m ? 2 * h->cap : h->n + m + 64;
    lining_hit *v = realloc(h->v, cap * sizeof *v);
    if (!v)
        return 0;
    h->v = v;
    h->cap = cap;
    return 1;
}

/* The search's shared, read-only view of the grid, and one chunk of atoms'
 * findings per item (chunks of consecutive atoms, so their hits joined in
 * chunk order are each group's lining atoms in ascending order whatever the
 * number of chunks or threads). */
typedef struct lining_job {
    const vox_structure *st;
    const vox_result *r;
    const lining_row *rows; /* per x-y row q = i * ny + j */
    const lining_run *runs;
    /* per x-plane i and k, an entry of near_words + 1 words: the near
     * bits, bit j set where row (i, j) has a group voxel within band of k,
     * and a word of none (probe_box reads two words); band bounds the range
     * of k of every atom up to NEAR_RADIUS */
    const uint64_t *near;
    size_t near_words;
    size_t plane_step;   /* nz * (near_words + 1): from one plane's entry to the next's */
    const uint64_t *all; /* the entry of an atom that looks at every row: ones, rows past ny none */
    /* per x-y row q and block b of 8 k, at q * blocks + b: group_bit of
     * every group with a voxel in reach of an atom up to NEAR_RADIUS whose
     * box is centred in that row, within bands[] rows along x and y, and
     * whose centre k lies in the block (the atom's box lies within the
     * bands of its centre on every axis: lining_chunk) */
    const uint64_t *candidates;
    size_t blocks;
    int bands[3];
    /* the grid, once for every atom: centres, half steps (h), 1 / step,
     * origin / step + 0.5 (bias: u = v / step - bias, an ulp from the
     * formula, far inside span's margin), dims as doubles (nd) */
    const float *c[3];
    double h[3], inv_step[3], bias[3], nd[3];
    int nx, ny, nz;
    size_t chunk;      /* atoms per item */
    lining_hits *hits; /* [item] */
    size_t *last;      /* [item * ngroups + group]: last atom that lines it + 1 */
    int failed;
} lining_job;

/* Of the n centres c (ascending), the one that makes the smallest gap to v
 * for every run of voxels that holds it, u being v's place in voxel units
 * (about: it only starts the search).  Why one voxel per run is enough: the
 * f64 difference c - v rounds monotonically, so along a run the test's
 * value falls up to the last centre at or below v (kb) and rises from the
 * next; a run's smallest is at its end nearest v, or, when the run holds
 * both kb and kb + 1, at the nearer of the two.  Clamping this index into
 * the run picks that voxel in each case. */
static __attribute__((noinline)) int nearest_centre(const float *c, int n, double nd, double v, double u)
{
    /* floor(u), the estimate, as a cast of u + 1 clamped to [0, n] */
    double f = u + 1.0;
    f = f > 0.0 ? f : 0.0;
    f = f < nd ? f : nd;
    int kb = (int)f - 1;
    /* nearly always right: one comparison each way says so */
    while (kb + 1 < n && (double)c[kb + 1] <= v) kb++;
    while (kb >= 0 && (double)c[kb] > v) kb--;
    if (kb < 0 || kb == n - 1)
        return kb < 0 ? 0 : kb;
    return (double)c[kb + 1] - v < v - (double)c[kb] ? kb + 1 : kb;
}

/* Bit g of a group g below 63; every other group shares bit 63, which an
 * atom's found bits never hold, so a row with such a group is never
 * skipped (below). */
static uint64_t group_bit(size_t g)
{
    return g < 63 ? 1ull << g : 1ull << 63;
}

/* One atom's search: what the rows of its planes need. */
typedef struct atom_probe {
    double x, y, z, uz, reach2;
    size_t atom;
    uint64_t found; /* group_bit of the groups below 63 it lines */
    uint64_t want;  /* group_bit of every group that may be in its reach */
    int kz;         /* the voxel nearest z (nearest_centre); -1: not yet found */
} atom_probe;

/* Row j of plane i of the atom's box, ex2 the plane's squared gap along
 * x: passed over when the atom lines all its wanted groups already or
 * cannot reach them, else each run of a group the atom may line and was
 * not found to line yet, tested at its voxel nearest z; the hits added
 * from n on.  Returns the new n. */
static inline __attribute__((always_inline)) size_t probe_row(const lining_job *J, atom_probe *P, int i, int j,
                                                               double ex2, size_t *last, lining_hit *hv, size_t n)
{
    const size_t q = (size_t)i * (size_t)J->ny + (size_t)j;
    if (!(J->rows[q].groups & P->want & ~P->found))
        return n;
    const double ey = cube_gap((double)J->c[1][j] - P->y, J->h[1]);
    const double exy2 = ex2 + ey * ey;
    if (P->kz < 0)
        P->kz = nearest_centre(J->c[2], J->nz, J->nd[2], P->z, P->uz);
    const int kz = P->kz;
    const size_t tag = P->atom + 1;
    for (const lining_run *run = J->runs + J->rows[q].first, *end = J->runs + J->rows[q].end; run < end; run++) {
        const int g = run->g;
        if (last[g] == tag || !(group_bit((size_t)g) & P->want))
            continue;
        int k = kz < run->k0 ? run->k0 : kz;
        k = k > run->k1 ? run->k1 : k;
        const double e = cube_gap((double)J->c[2][k] - P->z, J->h[2]);
        if (exy2 + e * e > P->reach2)
            continue;
        last[g] = tag;
        P->found |= group_bit((size_t)g) & ~(1ull << 63);
        hv[n].atom = P->atom;
        hv[n++].group = (size_t)g;
    }
    return n;
}

/* The rows [lo1, lo1 + wy) of the wx planes from lo0, whose near bits are
 * at nb (nb + step: the next plane's), for a box of at most 8 x 8 rows:
 * the rows with a group voxel near as bit 8 t + r of one word (row lo1 + r
 * of plane lo0 + t), taken in one loop (loops per plane and per row
 * guessed wrong at most planes, which cost more than the tests); a row
 * whose groups are all found or not wanted passed over, and the search
 * ended when every wanted group is found. */
static size_t probe_box(const lining_job *J, atom_probe *P, const uint64_t *nb, size_t step, int lo0, int wx,
                        int lo1, int wy, size_t *last, lining_hit *hv, size_t n)
{
    /* bits lo1 .. lo1 + 63 of a plane's near bits: its word and the next
     * (every entry ends in a word of none) */
    const size_t word = (size_t)(lo1 >> 6);
    const int s = lo1 & 63;
    const uint64_t ymask = (1ull << wy) - 1;
    uint64_t box = 0;
    for (int t = 0; t < wx; t++, nb += step)
        box |= (((nb[word] >> s) | ((nb[word + 1] << 1) << (63 - s))) & ymask) << (8 * t);
    for (; box; box &= box - 1) {
        const int b = __builtin_ctzll(box), i = lo0 + (b >> 3);
        const double ex = cube_gap((double)J->c[0][i] - P->x, J->h[0]);
        n = probe_row(J, P, i, lo1 + (b & 7), ex * ex, last, hv, n);
        if (!(P->want & ~P->found))
            break;
    }
    return n;
}

/* probe_box for a box of any size: plane by plane, and the rows of each
 * with a group voxel near word by word of its near bits. */
static size_t probe_planes(const lining_job *J, atom_probe *P, const uint64_t *nb, size_t step, int lo0, int hi0,
                           int lo1, int hi1, size_t *last, lining_hit *hv, size_t n)
{
    const int w0 = lo1 >> 6, w1 = (hi1 - 1) >> 6;
    const uint64_t first = ~0ull << (lo1 & 63), final = ~0ull >> (63 - ((hi1 - 1) & 63));
    for (int i = lo0; i < hi0; i++, nb += step) {
        const double ex = cube_gap((double)J->c[0][i] - P->x, J->h[0]), ex2 = ex * ex;
        for (int w = w0; w <= w1; w++) {
            uint64_t m = nb[w] & (w == w0 ? first : ~0ull) & (w == w1 ? final : ~0ull);
            for (; m; m &= m - 1) n = probe_row(J, P, i, (w << 6) + __builtin_ctzll(m), ex2, last, hv, n);
        }
    }
    return n;
}

static void lining_chunk(void *arg, size_t item, int thread)
{
    lining_job *J = arg;
    (void)thread;
    const size_t ng = J->r->n;
    lining_hits *hits = &J->hits[item];
    size_t *last = J->last + item * ng;
    const size_t a0 = item * J->chunk, a1 = a0 + J->chunk < J->st->atoms.n ? a0 + J->chunk : J->st->atoms.n;
    const vox_atom *const atoms = J->st->atoms.a;
    element_reach slots[REACH_SLOTS];
    memset(slots, 0, sizeof slots);
    size_t n = hits->n;
    /* about one hit per atom: room for that, grown below if need be */
    if (a1 <= a0)
        return;
    if (!hits_reserve(hits, (a1 - a0) + ng)) {
        __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    /* an atom lines each group at most once: room for all of them (n at
     * most full), so the loops below make no call */
    size_t full = hits->cap - ng;
    lining_hit *hv = hits->v;
    for (size_t ai = a0; ai < a1; ai++) {
        if (n > full) {
            hits->n = n;
            if (!hits_reserve(hits, ng)) {
                __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
                return;
            }
            full = hits->cap - ng;
            hv = hits->v;
        }
        const vox_atom *a = &atoms[ai];
        const element_reach *el = reach_of(slots, a->element, J->r->resolution, J->h, J->inv_step, J->bands);
        atom_probe P;
        P.x = (double)a->xyz[0];
        P.y = (double)a->xyz[1];
        P.z = (double)a->xyz[2];
        P.uz = P.z * J->inv_step[2] - J->bias[2];
        int lo0, hi0, lo1, hi1, lo2, hi2;
        span(P.x * J->inv_step[0] - J->bias[0], el->w[0], el->width[0], J->nd[0], J->nx, &lo0, &hi0);
        span(P.y * J->inv_step[1] - J->bias[1], el->w[1], el->width[1], J->nd[1], J->ny, &lo1, &hi1);
        span(P.uz, el->w[2], el->width[2], J->nd[2], J->nz, &lo2, &hi2);
        if (lo0 == hi0 || lo1 == hi1 || lo2 == hi2)
            continue;
        /* the box [lo, hi) lies within the bands of c = lo + band (or the
         * last voxel) on each axis unless the radius is above the default:
         * then every group is a candidate and every row in reach is looked
         * at */
        const uint64_t *nb = J->all;
        size_t nb_step = 0;
        P.want = ~0ull;
        if (el->near) {
            const int c0 = lo0 + J->bands[0] < J->nx ? lo0 + J->bands[0] : J->nx - 1;
            const int c1 = lo1 + J->bands[1] < J->ny ? lo1 + J->bands[1] : J->ny - 1;
            const int c2 = lo2 + J->bands[2] < J->nz ? lo2 + J->bands[2] : J->nz - 1;
            P.want = J->candidates[((size_t)c0 * (size_t)J->ny + (size_t)c1) * J->blocks + (size_t)(c2 >> 3)];
            /* no group near: most atoms of a protein's core */
            if (!P.want)
                continue;
            nb = J->near + ((size_t)lo0 * (size_t)J->nz + (size_t)c2) * (J->near_words + 1);
            nb_step = J->plane_step;
        }
        P.reach2 = el->reach2;
        P.atom = ai;
        P.found = 0;
        P.kz = -1;
        const int wx = hi0 - lo0, wy = hi1 - lo1;
        n = wx <= 8 && wy <= 8 ? probe_box(J, &P, nb, nb_step, lo0, wx, lo1, wy, last, hv, n)
                               : probe_planes(J, &P, nb, nb_step, lo0, hi0, lo1, hi1, last, hv, n);
    }
    hits->n = n;
}

/* The candidates of each row and block grown by bands[1] rows along y,
 * then bands[0] along x (through spread, the same size): each entry then
 * holds the groups of every row within the bands of its own.  A plane's
 * rows are one run of words, so a row d away is the same run shifted by d
 * rows: each step is an OR of two runs of words. */
static void candidates_spread(uint64_t *cand, uint64_t *spread, size_t nx, size_t ny, size_t blocks,
                              const int bands[3])
{
    const size_t b0 = (size_t)bands[0], b1 = (size_t)bands[1], plane = ny * blocks;
    for (size_t i = 0; i < nx; i++) {
        const uint64_t *from = cand + i * plane;
        uint64_t *to = spread + i * plane;
        memcpy(to, from, plane * sizeof *to);
        for (size_t d = 1; d <= b1 && d < ny; d++) {
            const size_t shift = d * blocks;
            for (size_t t = shift; t < plane; t++) to[t] |= from[t - shift];
            for (size_t t = 0; t + shift < plane; t++) to[t] |= from[t + shift];
        }
    }
    for (size_t i = 0; i < nx; i++) {
        const size_t i0 = i > b0 ? i - b0 : 0, i1 = i + b0 < nx ? i + b0 : nx - 1;
        uint64_t *to = cand + i * plane;
        memcpy(to, spread + i0 * plane, plane * sizeof *to);
        for (size_t ii = i0 + 1; ii <= i1; ii++) {
            const uint64_t *from = spread + ii * plane;
            for (size_t t = 0; t < plane; t++) to[t] |= from[t];
        }
    }
}

vox_status vox_find_lining(vox_ctx *ctx, const vox_structure *st, vox_result *r)
{
    const size_t natoms = st->atoms.n, ng = r->n;
    const size_t nx = (size_t)r->dims[0], ny = (size_t)r->dims[1], nz = (size_t)r->dims[2], rows = nx * ny;
    /* chunks of at least 256 atoms, at most one per thread */
    const int width = vox_team_width(ctx->team, 0, natoms / 256 + 1);
    const size_t items = (size_t)width, chunk = natoms / items + 1;
    /* An atom's range along an axis lies within reach / step + 1e-3
     * (span) of a point: of width 2w it holds at most floor(2w) + 1
     * voxels, which 2 * band + 1 covers for radii up to NEAR_RADIUS. */
    int bands[3];
    for (int ax = 0; ax < 3; ax++) {
        const double w = (NEAR_RADIUS + r->resolution + 0.5 * r->step[ax]) / r->step[ax] + 1e-3;
        bands[ax] = ((int)(2.0 * w) + 1) / 2;
    }
    const int band = bands[2];
    const size_t blocks = (nz + 7) / 8;
    size_t nvox = 0;
    for (size_t gi = 0; gi < ng; gi++) nvox += r->groups[gi].n;
    lining_job J;
    memset(&J, 0, sizeof J);
    J.hits = calloc(items, sizeof *J.hits);
    J.last = calloc(items * ng, sizeof *J.last);
    size_t *count = calloc(4 * ng, sizeof *count); /* 4 per group: classes below */
    size_t **fill = malloc((ng ? ng : 1) * sizeof *fill);
    size_t *res_first = malloc((natoms ? natoms : 1) * sizeof *res_first);
    lining_memo memo;
    memo.residue_scale = calloc(natoms ? natoms : 1, 1);
    make_name_keys(&memo.keys);
    const size_t near_words = (ny + 63) / 64;
    lining_row *rowv = calloc(rows ? rows : 1, sizeof *rowv);
    uint32_t *run_row = malloc((nvox ? nvox : 1) * sizeof *run_row);
    lining_run *found = malloc((nvox ? nvox : 1) * sizeof *found), *runs = malloc((nvox ? nvox : 1) * sizeof *runs);
    const size_t entry = near_words + 1;
    uint64_t *near = calloc(nx * nz * entry + entry, sizeof *near);
    uint64_t *candidates = calloc(rows * blocks + 1, sizeof *candidates);
    uint64_t *spread = malloc((rows * blocks + 1) * sizeof *spread);
    vox_status rc = VOX_OK;
    if (!J.hits || !J.last || !count || !fill || !res_first || !memo.residue_scale || !rowv || !run_row ||
        !found || !runs || !near || !candidates || !spread) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
        goto out;
    }
    /* The groups' runs along z, counted per row (a voxel list in ascending
     * order gives each run once; any order would still cover every voxel),
     * then placed row by row; the near bits of each run's row, band wider
     * than the run on either side, and its group's bit in the candidates
     * of the blocks those k fall in. */
    size_t nruns = 0;
    for (size_t gi = 0; gi < ng; gi++) {
        const uint32_t *v = r->groups[gi].voxels;
        const size_t nv = r->groups[gi].n;
        for (size_t t = 0; t < nv;) {
            const size_t q = v[t] / nz, k0 = v[t] - q * nz;
            /* the run: v[t] + 1, v[t] + 2, ... while in the list and the row */
            const size_t stop = nz - k0 < nv - t ? t + (nz - k0) : nv;
            uint32_t next = v[t] + 1;
            size_t e = t + 1;
            while (e < stop && v[e] == next) {
                e++;
                next++;
            }
            found[nruns].k0 = (int32_t)k0;
            found[nruns].k1 = (int32_t)(k0 + (e - 1 - t));
            found[nruns].g = (int32_t)gi;
            found[nruns].pad = 0;
            run_row[nruns++] = (uint32_t)q;
            rowv[q].end++; /* a count until placed */
            rowv[q].groups |= group_bit(gi);
            t = e;
        }
    }
    for (size_t q = 0, first = 0; q < rows; q++) {
        const size_t count_q = rowv[q].end;
        rowv[q].first = rowv[q].end = (uint32_t)first; /* end: the next free place until all are placed */
        first += count_q;
    }
    for (size_t t = 0; t < nruns; t++) {
        const size_t q = run_row[t];
        runs[rowv[q].end++] = found[t];
        const size_t i = q / ny, j = q % ny;
        const size_t k0 = found[t].k0 > band ? (size_t)(found[t].k0 - band) : 0;
        const size_t k1 = (size_t)found[t].k1 + (size_t)band < nz ? (size_t)found[t].k1 + (size_t)band : nz - 1;
        const uint64_t gbit = group_bit((size_t)found[t].g), jbit = 1ull << (j % 64);
        uint64_t *to = near + (i * nz + k0) * entry;
        for (size_t k = k0; k <= k1; k++, to += entry) {
            to[j / 64] |= jbit;
        }
        /* an atom whose box is centred at k reaches the run when k is in
         * [k0, k1], the run grown by band: the blocks those k fall in */
        for (size_t b = k0 / 8; b <= k1 / 8; b++) candidates[q * blocks + b] |= gbit;
    }
    candidates_spread(candidates, spread, nx, ny, blocks, bands);
    J.st = st;
    J.r = r;
    J.rows = rowv;
    J.runs = runs;
    J.near = near;
    J.near_words = near_words;
    J.all = near + nx * nz * entry;
    J.plane_step = nz * entry;
    for (int ax = 0; ax < 3; ax++) {
        J.c[ax] = r->centres[ax];
        J.h[ax] = 0.5 * r->step[ax];
        J.inv_step[ax] = 1.0 / r->step[ax];
        J.bias[ax] = r->origin[ax] * J.inv_step[ax] + 0.5;
        J.nd[ax] = (double)r->dims[ax];
    }
    J.nx = r->dims[0];
    J.ny = r->dims[1];
    J.nz = r->dims[2];
    /* the entry of an atom that looks at every row: every row's bit (none
     * past ny, as in every entry) */
    for (size_t j = 0; j < ny; j++) near[nx * nz * entry + j / 64] |= 1ull << (j % 64);
    J.candidates = candidates;
    J.blocks = blocks;
    memcpy(J.bands, bands, sizeof bands);
    J.chunk = chunk;
    vox_team_run(ctx->team, width, items, VOX_SCHED_STATIC, lining_chunk, &J);
    if (J.failed) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
        goto out;
    }
    for (size_t i = 0, first = 0; i < natoms; i++) {
        if (i > 0 && !same_residue(&st->atoms.a[i], &st->atoms.a[i - 1]))
            first = i;
        res_first[i] = first;
    }
    /* each group's lining atoms: the chunks' hits in chunk order; the
     * classes counted on the way */
    for (size_t it = 0; it < items; it++) {
        const lining_hit *hv = J.hits[it].v;
        for (size_t t = 0, n = J.hits[it].n; t < n; t++) count[hv[t].group]++;
    }
    for (size_t gi = 0; gi < ng; gi++) {
        r->groups[gi].d.lining = malloc((count[gi] ? count[gi] : 1) * sizeof *r->groups[gi].d.lining);
        if (!r->groups[gi].d.lining) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
            goto out;
        }
    }
    /* count: now each group's next free place (fill) and its atoms per
     * class (classes, 4 per group), written to the groups after */
    size_t *classes = count;
    for (size_t gi = 0; gi < ng; gi++) {
        fill[gi] = r->groups[gi].d.lining;
        r->groups[gi].d.nlining = count[gi];
    }
    memset(classes, 0, 4 * ng * sizeof *classes);
    for (size_t it = 0; it < items; it++) {
        const lining_hit *hv = J.hits[it].v;
        size_t atom = SIZE_MAX;
        int cls = CLASS_OTHER;
        for (size_t t = 0, n = J.hits[it].n; t < n; t++) {
            if (hv[t].atom != atom) { /* an atom's hits are together: its class once */
                atom = hv[t].atom;
                cls = atom_class(&memo.keys, &st->atoms.a[atom]);
            }
            *fill[hv[t].group]++ = atom;
            classes[4 * hv[t].group + (size_t)cls]++;
        }
    }
    for (size_t gi = 0; gi < ng; gi++) {
        r->groups[gi].d.apolar = classes[4 * gi + CLASS_APOLAR];
        r->groups[gi].d.polar = classes[4 * gi + CLASS_POLAR];
        r->groups[gi].d.charged = classes[4 * gi + CLASS_CHARGED];
    }
    for (size_t gi = 0; gi < ng && rc == VOX_OK; gi++)
        if (!summarise(st, res_first, &memo, &r->groups[gi].d))
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining residues");
out:
    if (J.hits)
        for (size_t it = 0; it < items; it++) free(J.hits[it].v);
    free(J.hits);
    free(count);
    free(fill);
    free(J.last);
    free(res_first);
    free(memo.residue_scale);
    free(rowv);
    free(run_row);
    free(found);
    free(runs);
    free(near);
    free(candidates);
    free(spread);
    return rc;
}
