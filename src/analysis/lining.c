/* lining.c - the atoms and residues that line each volume, their classes and hydropathy
 * (README "Descriptors")
 *
 * Rule: an atom lines a volume when the centre of one of the volume's voxels
 * lies within the atom's van der Waals radius (the analysis' table, §5.1)
 * plus one voxel edge of the atom's centre.  A volume's voxels are solvent,
 * so no atom's sampled sphere reaches far into them; the extra voxel edge
 * takes in the atoms whose surface faces the volume across the protein
 * voxels around it.  The test is one f64 comparison per (atom, voxel) pair,
 * from the f32 atom and voxel coordinates, so it gives the same answer on
 * every ISA; atoms are visited in structure order on one thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shells.h"

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

static int hydropathy_of(const char *res_name, double *out)
{
    for (size_t i = 0; i < sizeof kyte_doolittle / sizeof *kyte_doolittle; i++)
        if (!strcmp(kyte_doolittle[i].name, res_name)) {
            *out = kyte_doolittle[i].value;
            return 1;
        }
    return 0;
}

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

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20))
            return 0;
    return *a == *b;
}

static int atom_class(const vox_atom *a)
{
    for (size_t i = 0; i < sizeof charged_atoms / sizeof *charged_atoms; i++)
        if (!strcmp(charged_atoms[i].res, a->res_name) && !strcmp(charged_atoms[i].atom, a->name))
            return CLASS_CHARGED;
    if (ieq(a->element, "N") || ieq(a->element, "O"))
        return CLASS_POLAR;
    if (ieq(a->element, "C") || ieq(a->element, "S") || ieq(a->element, "SE"))
        return CLASS_APOLAR;
    return CLASS_OTHER;
}

static int same_residue(const vox_atom *a, const vox_atom *b)
{
    return a->res_id == b->res_id && a->ins_code == b->ins_code && !strcmp(a->chain, b->chain) &&
           !strcmp(a->res_name, b->res_name);
}

size_t vox_residue_end(const vox_structure *st, size_t first)
{
    size_t e = first + 1;
    while (e < st->atoms.n && same_residue(&st->atoms.a[e], &st->atoms.a[first]))
        e++;
    return e;
}

/* First k with c[k] >= v (n when none); c ascending. */
static int lower_bound(const float *c, int n, double v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if ((double)c[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
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

/* Residues, classes and hydropathy of group g from its lining atoms;
 * res_first[i]: the first atom of atom i's residue. */
static int summarise(const vox_structure *st, const size_t *res_first, vox_group_desc *d)
{
    d->residues = malloc((d->nlining ? d->nlining : 1) * sizeof *d->residues);
    if (!d->residues)
        return 0;
    double sum = 0.0;
    size_t valued = 0;
    for (size_t t = 0; t < d->nlining; t++) {
        const vox_atom *a = &st->atoms.a[d->lining[t]];
        switch (atom_class(a)) {
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
        if (hydropathy_of(st->atoms.a[first].res_name, &h)) {
            sum += h;
            valued++;
        }
    }
    d->has_hydropathy = valued > 0;
    d->hydropathy = valued ? sum / (double)valued : 0.0;
    return 1;
}

vox_status vox_find_lining(vox_ctx *ctx, const vox_structure *st, vox_result *r, int32_t *map)
{
    const size_t natoms = st->atoms.n, total = (size_t)r->dims[0] * (size_t)r->dims[1] * (size_t)r->dims[2];
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    for (size_t f = 0; f < total; f++) map[f] = -1;
    for (size_t gi = 0; gi < r->n; gi++)
        for (size_t t = 0; t < r->groups[gi].n; t++) map[r->groups[gi].voxels[t]] = (int32_t)gi;
    growable *lists = calloc(r->n, sizeof *lists);
    size_t *last = malloc(r->n * sizeof *last); /* last atom added to each group, +1 (0: none) */
    size_t *res_first = malloc((natoms ? natoms : 1) * sizeof *res_first);
    vox_status rc = VOX_OK;
    if (!lists || !last || !res_first) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
        goto out;
    }
    memset(last, 0, r->n * sizeof *last);
    for (size_t i = 0; i < natoms; i++)
        res_first[i] = i > 0 && same_residue(&st->atoms.a[i], &st->atoms.a[i - 1]) ? res_first[i - 1] : i;

    const double s = r->resolution;
    for (size_t ai = 0; ai < natoms && rc == VOX_OK; ai++) {
        const vox_atom *a = &st->atoms.a[ai];
        const double reach = vox_vdw_radius(a->element) + s, reach2 = reach * reach;
        int lo[3], hi[3];
        /* a superset of the voxels in reach (one voxel wider than the
         * rounded bounds): the distance test alone decides */
        for (int ax = 0; ax < 3; ax++) {
            lo[ax] = lower_bound(r->centres[ax], r->dims[ax], (double)a->xyz[ax] - reach) - 1;
            hi[ax] = lower_bound(r->centres[ax], r->dims[ax], (double)a->xyz[ax] + reach) + 1;
            if (lo[ax] < 0) lo[ax] = 0;
            if (hi[ax] > r->dims[ax]) hi[ax] = r->dims[ax];
        }
        for (int i = lo[0]; i < hi[0]; i++) {
            const double dx = (double)r->centres[0][i] - (double)a->xyz[0], dx2 = dx * dx;
            for (int j = lo[1]; j < hi[1]; j++) {
                const double dy = (double)r->centres[1][j] - (double)a->xyz[1], dxy2 = dx2 + dy * dy;
                if (dxy2 > reach2)
                    continue;
                const int32_t *row = map + (size_t)i * sx + (size_t)j * sy;
                for (int k = lo[2]; k < hi[2]; k++) {
                    const int32_t g = row[k];
                    if (g < 0 || last[g] == ai + 1)
                        continue;
                    const double dz = (double)r->centres[2][k] - (double)a->xyz[2];
                    if (dxy2 + dz * dz > reach2)
                        continue;
                    last[g] = ai + 1;
                    if (!grow_push(&lists[g], ai)) {
                        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
                        break;
                    }
                }
            }
        }
    }
    for (size_t gi = 0; gi < r->n && rc == VOX_OK; gi++) {
        vox_group_desc *d = &r->groups[gi].d;
        d->lining = lists[gi].v;
        d->nlining = lists[gi].n;
        lists[gi].v = NULL;
        if (!summarise(st, res_first, d))
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining residues");
    }
out:
    if (lists)
        for (size_t gi = 0; gi < r->n; gi++) free(lists[gi].v);
    free(lists);
    free(last);
    free(res_first);
    return rc;
}
