/* test_descriptors.c - per-volume descriptors and their exports through the library: the
 * depth transform against brute force, lining atoms against the rule evaluated pair by pair
 * (random atoms of every radius class and random groups, and the synthetic pocket) and
 * against the synthetic pocket's geometry, openings, boxes in both frames, atom classes
 * and hydropathy, DX read back, hostile names, ISA and thread independence, and the
 * volumizer outputs unchanged with descriptors on or off.
 *
 * Usage: test_descriptors GENERATED_DIR
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "check.h"
#include "script_safety.h"
#include "internal.h"
#include "shells.h"

static const char *dir;

static vox_ctx *context(const char *isa, int threads)
{
    vox_options o;
    vox_options_init(&o);
    o.isa = isa;
    o.threads = threads;
    o.profile = "";
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, &o);
    CHECK(st == VOX_OK, "context isa=%s threads=%d: %s", isa ? isa : "auto", threads, vox_strerror(st));
    return ctx;
}

static vox_structure *load(vox_ctx *ctx, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    vox_structure *s = NULL;
    vox_status st = vox_load_file(ctx, path, NULL, &s);
    CHECK(st == VOX_OK, "load %s: %s", path, vox_ctx_last_error_detail(ctx));
    return s;
}

static vox_result *analyse(vox_ctx *ctx, vox_structure *s, double res, int descriptors)
{
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    ap.descriptors = descriptors;
    vox_result *r = NULL;
    vox_status st = vox_analyze(ctx, s, &ap, &r);
    CHECK(st == VOX_OK, "analyze: %s", vox_ctx_last_error_detail(ctx));
    return r;
}

/* The first volume of a type, or -1. */
static long find_type(const vox_result *r, vox_volume_type t)
{
    for (size_t i = 0; i < vox_result_count(r); i++) {
        vox_volume v = {.size = sizeof v};
        vox_result_volume(r, i, &v);
        if (v.type == t && v.id == 0)
            return (long)i;
    }
    return -1;
}

static char *render(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                    const vox_render_params *p, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    vox_status st = vox_render(ctx, doc, s, r, p, &out, &n);
    CHECK(st == VOX_OK, "render %d: %s", (int)doc, vox_ctx_last_error_detail(ctx));
    if (len) *len = n;
    return out;
}

/* A structure from per-atom arrays (vox_structure_from_arrays); NULL, with
 * a failed check, when it is refused. */
static vox_structure *from_arrays(vox_ctx *ctx, size_t n, const float *xyz, const char **el, const char **an,
                                  const char **rn, const char **ch, const int32_t *rid)
{
    vox_atom_arrays aa;
    vox_atom_arrays_init(&aa);
    aa.count = n;
    aa.xyz = xyz;
    aa.element = el;
    aa.atom_name = an;
    aa.res_name = rn;
    aa.res_id = rid;
    aa.chain = ch;
    vox_structure *s = NULL;
    CHECK(vox_structure_from_arrays(ctx, &aa, &s) == VOX_OK, "from arrays: %s", vox_ctx_last_error_detail(ctx));
    return s;
}

/* ---- the depth transform against brute force ----------------------------- */

/* The squared distance from every grid voxel to the nearest bulk voxel,
 * over the list of the bulk voxels and the padding around the grid. */
static uint32_t *brute_distance2(const uint8_t *state, const int d[3])
{
    const int pd[3] = {d[0] + 2, d[1] + 2, d[2] + 2};
    const size_t n = (size_t)d[0] * d[1] * d[2];
    int (*bulk)[3] = malloc((size_t)pd[0] * pd[1] * pd[2] * sizeof *bulk);
    size_t nb = 0;
    for (int a = 0; a < pd[0]; a++)
        for (int b = 0; b < pd[1]; b++)
            for (int c = 0; c < pd[2]; c++) {
                int inner = a >= 1 && a <= d[0] && b >= 1 && b <= d[1] && c >= 1 && c <= d[2];
                if (!inner || (state[((size_t)(a - 1) * d[1] + (b - 1)) * d[2] + (c - 1)] & VOX_V_EXPOSED)) {
                    bulk[nb][0] = a - 1;
                    bulk[nb][1] = b - 1;
                    bulk[nb++][2] = c - 1;
                }
            }
    uint32_t *ref = malloc(n * sizeof *ref);
    for (int i = 0; i < d[0]; i++)
        for (int j = 0; j < d[1]; j++)
            for (int k = 0; k < d[2]; k++) {
                long best = -1;
                for (size_t t = 0; t < nb; t++) {
                    const long x = i - bulk[t][0], y = j - bulk[t][1], z = k - bulk[t][2];
                    const long e = x * x + y * y + z * z;
                    if (best < 0 || e < best) best = e;
                }
                ref[((size_t)i * d[1] + j) * d[2] + k] = (uint32_t)best;
            }
    free(bulk);
    return ref;
}

static void test_bulk_distance(void)
{
    /* the long lines give searches of many steps; axes of one voxel; density
     * 0 leaves only the padding as bulk (the deep cube: distances up to 13
     * steps along each axis), 1 makes every voxel bulk */
    static const int shapes[][3] = {{7, 5, 9},  {1, 1, 1},  {3, 8, 2},   {12, 4, 6}, {2, 2, 11}, {40, 3, 3},
                                    {3, 40, 3}, {3, 3, 40}, {18, 17, 5}, {1, 9, 7},  {8, 1, 5},  {6, 7, 1},
                                    {2, 3, 67}, {34, 12, 11}, {12, 30, 13}, {26, 27, 25}};
    static const double density[] = {0.0, 0.003, 0.01, 0.03, 0.2, 0.7, 1.0};
    static const char *const wants[] = {"every voxel (NULL)", "every voxel", "one in five", "one in fifty",
                                        "one y-plane", "one x-plane"};
    vox_ctx *ctxs[3] = {context(NULL, 1), context(NULL, 2), context(NULL, 3)};
    unsigned seed = 12345;
    for (size_t sh = 0; sh < sizeof shapes / sizeof *shapes; sh++)
        for (size_t dn = 0; dn < sizeof density / sizeof *density; dn++) {
            const int *d = shapes[sh];
            const size_t n = (size_t)d[0] * d[1] * d[2];
            const size_t pn = (size_t)(d[0] + 2) * (d[1] + 2) * (d[2] + 2);
            if (n > 5000 && density[dn] > 0.01)
                continue; /* the deep cube: empty, or a few bulk specks */
            const size_t words = ((size_t)d[2] + 63) / 64;
            uint8_t *state = malloc(n), *want = malloc(n);
            uint64_t *bits = malloc((size_t)d[0] * d[1] * words * sizeof *bits);
            uint32_t *d2 = malloc(n * sizeof *d2), *work = malloc((pn + VOX_DEPTH_SLACK) * sizeof *work);
            for (size_t f = 0; f < n; f++) {
                seed = seed * 1103515245u + 12345u;
                state[f] = ((seed >> 16) % 1000) < density[dn] * 1000 ? VOX_V_EXPOSED : VOX_V_BURIED;
            }
            uint32_t *ref = brute_distance2(state, d);
            for (int c = 0; c < 9; c++)
                for (size_t wi = 0; wi < sizeof wants / sizeof *wants; wi++) {
                    /* wanted voxels against brute force; the others untouched */
                    for (size_t f = 0; f < n; f++) {
                        const size_t i = f / ((size_t)d[1] * d[2]), j = f / (size_t)d[2] % (size_t)d[1];
                        seed = seed * 1103515245u + 12345u;
                        want[f] = wi < 2 || (wi == 2 && (seed >> 16) % 5 == 0) || (wi == 3 && (seed >> 16) % 50 == 0) ||
                                  (wi == 4 && j == (size_t)d[1] / 2) || (wi == 5 && i == (size_t)d[0] - 1);
                    }
                    /* the flags as the transform takes them: a bit per voxel, row by row */
                    memset(bits, 0, (size_t)d[0] * d[1] * words * sizeof *bits);
                    for (size_t f = 0; f < n; f++)
                        if (want[f])
                            bits[f / (size_t)d[2] * words + f % (size_t)d[2] / 64] |= (uint64_t)1 << (f % (size_t)d[2] % 64);
                    memset(d2, 0xab, n * sizeof *d2);
                    /* c: 1-3 threads, each method (searches, envelopes, the cheaper) */
                    CHECK(vox_bulk_distance2(ctxs[c % 3], state, d, wi == 0 ? NULL : bits,
                                             (int[]){VOX_EDT_SEARCH, VOX_EDT_ENVELOPE, VOX_EDT_AUTO}[c / 3], work,
                                             d2) == VOX_OK,
                          "transform");
                    size_t wrong = 0, touched = 0;
                    for (size_t f = 0; f < n; f++) {
                        wrong += want[f] && d2[f] != ref[f];
                        touched += !want[f] && d2[f] != 0xababababu;
                    }
                    CHECK(wrong == 0 && touched == 0,
                          "dims %dx%dx%d density %g, %d threads, method %d, %s wanted: %zu squared distances differ "
                          "from brute force, %zu others written",
                          d[0], d[1], d[2], density[dn], c % 3 + 1, c / 3, wants[wi], wrong, touched);
                }
            free(ref);
            free(state);
            free(want);
            free(bits);
            free(d2);
            free(work);
        }
    for (int c = 0; c < 3; c++) vox_ctx_destroy(&ctxs[c]);
}

/* ---- lining against the rule evaluated pair by pair -------------------------- */

/* The rule exactly as README "Descriptors" states it, in the same f64
 * operations: the lists must match bit for bit, with no tolerance. */
static int lines_rule(const vox_result *r, const vox_atom *a, const vox_group *g)
{
    const double reach = vox_vdw_radius(a->element) + r->resolution, reach2 = reach * reach;
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    for (size_t t = 0; t < g->n; t++) {
        const size_t f = g->voxels[t], ijk[3] = {f / sx, f / sy % (size_t)r->dims[1], f % sy};
        double e[3];
        for (int c = 0; c < 3; c++) {
            const double d = fabs((double)r->centres[c][ijk[c]] - (double)a->xyz[c]) - 0.5 * r->step[c];
            e[c] = d > 0.0 ? d : 0.0;
        }
        if (e[0] * e[0] + e[1] * e[1] + e[2] * e[2] <= reach2)
            return 1;
    }
    return 0;
}

/* Random atoms of every radius class (the amino acids' elements, selenium
 * and ions above sulfur's radius, unknown elements) in and around random
 * groups on grids whose rows and planes span more than one 64-bit word, at
 * one and three threads (several chunks of atoms).  Groups are scattered
 * voxels (blobs = 0) or overlapping random boxes, so that z-runs of many
 * voxels hold the atom's z, end below or above it (blobs = 1; one group's
 * list is then shuffled: the search must not need ascending voxels);
 * steps differ per axis on some grids, one has a single voxel along an
 * axis. */
static void test_lining_random(void)
{
    /* ngroups: 5, or past the 63 groups that have a bit of their own in the
     * search's row and plane masks (lining.c), where the rest share one */
    static const struct { int dims[3]; double res, step[3]; int blobs; size_t ngroups; } grids[] = {
        {{9, 7, 11}, 2.0, {2.0, 2.0, 2.0}, 0, 5},   {{6, 70, 66}, 1.0, {1.0, 1.0, 1.0}, 0, 5},
        {{20, 12, 9}, 0.7, {0.7, 0.7, 0.7}, 0, 5},  {{5, 130, 4}, 0.5, {0.5, 0.5, 0.5}, 0, 5},
        {{8, 8, 8}, 3.0, {3.0, 3.0, 3.0}, 0, 5},    {{14, 12, 16}, 2.0, {2.0, 2.0, 2.0}, 1, 5},
        {{10, 70, 40}, 1.0, {1.0, 1.0, 1.0}, 1, 5}, {{12, 11, 30}, 1.3, {1.1, 1.3, 0.9}, 1, 5},
        {{1, 15, 20}, 1.5, {1.5, 1.5, 1.5}, 1, 5},  {{15, 1, 20}, 1.5, {1.5, 1.7, 1.5}, 1, 5},
        {{15, 20, 1}, 1.5, {1.4, 1.5, 1.5}, 1, 5},  {{9, 9, 9}, 2.5, {2.5, 2.6, 2.3}, 0, 5},
        {{16, 14, 18}, 1.0, {1.0, 1.0, 1.0}, 0, 90}, {{18, 16, 20}, 1.2, {1.2, 1.2, 1.2}, 1, 70}};
    static const char *const elements[] = {"C", "N", "O", "S", "SE", "K", "ZN", "QQ"};
    unsigned seed = 777;
    for (int threads = 1; threads <= 3; threads += 2) {
        vox_ctx *ctx = context(NULL, threads);
        for (size_t gr = 0; gr < sizeof grids / sizeof *grids; gr++) {
            const int *d = grids[gr].dims;
            const size_t total = (size_t)d[0] * d[1] * d[2], natoms = 1500, ngroups = grids[gr].ngroups;
            vox_result r;
            memset(&r, 0, sizeof r);
            memcpy(r.dims, d, sizeof r.dims);
            r.resolution = grids[gr].res;
            for (int c = 0; c < 3; c++) {
                r.step[c] = grids[gr].step[c];
                r.origin[c] = -0.5 * d[c] * r.step[c] + 0.25 * c;
                r.centres[c] = malloc((size_t)d[c] * sizeof *r.centres[c]);
                for (int i = 0; i < d[c]; i++) r.centres[c][i] = (float)(r.origin[c] + (i + 0.5) * r.step[c]);
            }
            /* scattered: about one voxel in twelve in some group; blobs: six
             * boxes per group, a later box over an earlier one; ascending */
            r.n = ngroups;
            r.groups = calloc(ngroups, sizeof *r.groups);
            for (size_t g = 0; g < ngroups; g++) r.groups[g].voxels = malloc(total * sizeof *r.groups[g].voxels);
            int *owner = malloc(total * sizeof *owner);
            for (size_t f = 0; f < total; f++) {
                seed = seed * 1103515245u + 12345u;
                const unsigned x = (seed >> 16) % (unsigned)(12 * ngroups);
                owner[f] = grids[gr].blobs || x >= ngroups ? -1 : (int)x;
            }
            for (int b = 0; grids[gr].blobs && b < 6 * (int)ngroups; b++) {
                int lo[3], hi[3];
                for (int c = 0; c < 3; c++) {
                    seed = seed * 1103515245u + 12345u;
                    lo[c] = (int)((seed >> 16) % (unsigned)d[c]);
                    seed = seed * 1103515245u + 12345u;
                    hi[c] = lo[c] + 1 + (int)((seed >> 16) % (unsigned)(d[c] < 6 ? d[c] : 6));
                    if (hi[c] > d[c]) hi[c] = d[c];
                }
                for (int i = lo[0]; i < hi[0]; i++)
                    for (int j = lo[1]; j < hi[1]; j++)
                        for (int k = lo[2]; k < hi[2]; k++) owner[((size_t)i * d[1] + j) * d[2] + k] = b % (int)ngroups;
            }
            for (size_t f = 0; f < total; f++)
                if (owner[f] >= 0) r.groups[owner[f]].voxels[r.groups[owner[f]].n++] = (uint32_t)f;
            free(owner);
            if (grids[gr].blobs) /* reversed: runs come in pieces, in any order */
                for (size_t t = 0; t < r.groups[0].n / 2; t++) {
                    const uint32_t v = r.groups[0].voxels[t];
                    r.groups[0].voxels[t] = r.groups[0].voxels[r.groups[0].n - 1 - t];
                    r.groups[0].voxels[r.groups[0].n - 1 - t] = v;
                }
            float *xyz = malloc(3 * natoms * sizeof *xyz);
            const char **el = malloc(natoms * sizeof *el), **an = malloc(natoms * sizeof *an),
                       **rn = malloc(natoms * sizeof *rn), **ch = malloc(natoms * sizeof *ch);
            int32_t *rid = malloc(natoms * sizeof *rid);
            for (size_t i = 0; i < natoms; i++) {
                for (int c = 0; c < 3; c++) {
                    seed = seed * 1103515245u + 12345u;
                    /* a margin outside the grid; on the blobs' grids some atoms
                     * exactly on a centre or a voxel face */
                    double u = ((seed >> 8) % 1000000) / 1e6 * 1.2 - 0.1;
                    if (grids[gr].blobs && (seed >> 28) == 0)
                        u = (floor(u * d[c]) + ((seed >> 27) & 1) * 0.5) / d[c];
                    xyz[3 * i + c] = (float)(r.origin[c] + u * d[c] * r.step[c]);
                }
                seed = seed * 1103515245u + 12345u;
                el[i] = elements[(seed >> 16) % (sizeof elements / sizeof *elements)];
                an[i] = "CA";
                rn[i] = "ALA";
                ch[i] = "A";
                rid[i] = (int32_t)(i / 3) + 1;
            }
            vox_structure *s = from_arrays(ctx, natoms, xyz, el, an, rn, ch, rid);
            CHECK(vox_find_lining(ctx, s, &r) == VOX_OK, "lining: %s", vox_ctx_last_error_detail(ctx));
            size_t wrong = 0, lining = 0;
            for (size_t g = 0; g < ngroups; g++) {
                const vox_group *grp = &r.groups[g];
                size_t t = 0;
                for (size_t i = 0; i < s->atoms.n; i++)
                    if (lines_rule(&r, &s->atoms.a[i], grp)) {
                        wrong += t >= grp->d.nlining || grp->d.lining[t] != i;
                        t++;
                    }
                wrong += t != grp->d.nlining;
                lining += t;
            }
            CHECK(lining > 0 && wrong == 0, "grid %dx%dx%d at %g A, %d threads: %zu differences from the rule (%zu lining)",
                  d[0], d[1], d[2], r.resolution, threads, wrong, lining);
            for (size_t g = 0; g < ngroups; g++) vox_group_free(&r.groups[g]);
            free(r.groups);
            for (int c = 0; c < 3; c++) free(r.centres[c]);
            free(xyz); free(el); free(an); free(rn); free(ch); free(rid);
            vox_structure_free(&s);
        }
        vox_ctx_destroy(&ctx);
    }
}

/* Atom classes and hydropathy by name, against README "Descriptors" spelled
 * out case by case: every atom lines one voxel, each is its own residue. */
/* A result of one group, the centre voxel of a 3 x 3 x 3 grid at 2 A around the origin: atoms
 * there line it, whatever their names. */
static void one_voxel_result(vox_result *r)
{
    memset(r, 0, sizeof *r);
    r->resolution = 2.0;
    for (int c = 0; c < 3; c++) {
        r->dims[c] = 3;
        r->origin[c] = -3.0;
        r->step[c] = 2.0;
        r->centres[c] = malloc(3 * sizeof *r->centres[c]);
        for (int i = 0; i < 3; i++) r->centres[c][i] = (float)(-2.0 + 2.0 * i);
    }
    r->n = 1;
    r->groups = calloc(1, sizeof *r->groups);
    r->groups[0].voxels = malloc(sizeof *r->groups[0].voxels);
    r->groups[0].voxels[0] = 13; /* the centre voxel */
    r->groups[0].n = 1;
}

static void one_voxel_result_free(vox_result *r)
{
    vox_group_free(&r->groups[0]);
    free(r->groups);
    for (int c = 0; c < 3; c++) free(r->centres[c]);
}

/* The hydropathy of residues res[0 .. n) (one CA each), all lining one voxel. */
static double hydropathy_of(vox_ctx *ctx, const char **res, size_t n)
{
    vox_result r;
    one_voxel_result(&r);
    float xyz[3 * 8] = {0};
    const char *el[8], *an[8], *ch[8];
    int32_t rid[8];
    for (size_t i = 0; i < n && i < 8; i++) el[i] = "C", an[i] = "CA", ch[i] = "A", rid[i] = (int32_t)i + 1;
    vox_structure *s = from_arrays(ctx, n, xyz, el, an, res, ch, rid);
    double h = NAN;
    if (s && vox_find_lining(ctx, s, &r) == VOX_OK && r.groups[0].d.has_hydropathy)
        h = r.groups[0].d.hydropathy;
    one_voxel_result_free(&r);
    vox_structure_free(&s);
    return h;
}

/* A mean whose values cancel is 0: summed in doubles, -3.5 + 4.2 - 0.7 left 2.2e-16 (descriptors.csv
 * printed a hydropathy of -1.1e-16 for such residues). */
static void test_hydropathy_exact(void)
{
    vox_ctx *ctx = context(NULL, 1);
    const char *zero[3] = {"ASN", "VAL", "THR"}, *third[3] = {"ALA", "GLY", "GLY"};
    const double h = hydropathy_of(ctx, zero, 3), t = hydropathy_of(ctx, third, 3);
    CHECK(h == 0.0 && !signbit(h), "ASN VAL THR: hydropathy %.17g, want 0", h);
    CHECK(t == 1.0 / 3.0, "ALA GLY GLY: hydropathy %.17g, want 1/3 rounded once", t);
    vox_ctx_destroy(&ctx);
}

static void test_lining_names(void)
{
    enum { APOLAR, POLAR, CHARGED, OTHER };
    static const struct {
        const char *res, *atom, *element;
        int cls;
        double kd; /* 99: no value */
    } cases[] = {
        {"ASP", "OD1", "O", CHARGED, -3.5},  {"ASP", "OD2", "O", CHARGED, -3.5},  {"ASP", "OD3", "O", POLAR, -3.5},
        {"GLU", "OE1", "O", CHARGED, -3.5},  {"GLU", "OE2", "O", CHARGED, -3.5},  {"GLU", "OD1", "O", POLAR, -3.5},
        {"LYS", "NZ", "N", CHARGED, -3.9},   {"LYS", "NZ", "C", CHARGED, -3.9},   {"LYS", "NZ1", "N", POLAR, -3.9},
        {"ARG", "NE", "N", CHARGED, -4.5},   {"ARG", "NH1", "N", CHARGED, -4.5},  {"ARG", "NH2", "N", CHARGED, -4.5},
        {"ARG", "N", "N", POLAR, -4.5},      {"HIP", "ND1", "N", CHARGED, -3.2},  {"HIP", "NE2", "N", CHARGED, -3.2},
        {"HSP", "ND1", "N", CHARGED, -3.2},  {"HSP", "NE2", "N", CHARGED, -3.2},  {"HISH", "ND1", "N", CHARGED, -3.2},
        {"HISH", "NE2", "N", CHARGED, -3.2}, {"HIS", "ND1", "N", POLAR, -3.2},    {"HISHA", "NE2", "N", POLAR, 99},
        {"HI", "NE2", "N", POLAR, 99},       {"asp", "OD1", "O", POLAR, 99},      {"ASP", "od1", "O", POLAR, -3.5},
        {"ASPX", "OD1", "O", POLAR, 99},     {"ASP", "OD1X", "O", POLAR, -3.5},   {"SER", "OG", "o", POLAR, -0.8},
        {"MET", "SD", "S", APOLAR, 1.9},     {"MSE", "SE", "Se", APOLAR, 1.9},    {"MSE", "SE", "SE", APOLAR, 1.9},
        {"UNK", "SE", "sE", APOLAR, 99},     {"UNK", "C1", "c", APOLAR, 99},      {"UNK", "S", "s", APOLAR, 99},
        {"UNK", "CL", "CL", OTHER, 99},      {"UNK", "NA", "NA", OTHER, 99},      {"ZN", "ZN", "ZN", OTHER, 99},
        {"UNK", "P", "P", OTHER, 99},        {"UNK", "X", "SEX", OTHER, 99},      {"UNK", "X", "N1", OTHER, 99},
        {"UNK", "X", "", OTHER, 99},         {"UNK", "X", "H", OTHER, 99},        {"UNK", "X", "OS", OTHER, 99},
        {"ALA", "CB", "C", APOLAR, 1.8},     {"GLY", "CA", "C", APOLAR, -0.4},    {"ILE", "CD1", "C", APOLAR, 4.5},
        {"LEU", "CD1", "C", APOLAR, 3.8},    {"PHE", "CZ", "C", APOLAR, 2.8},     {"PRO", "CG", "C", APOLAR, -1.6},
        {"THR", "OG1", "O", POLAR, -0.7},    {"TRP", "NE1", "N", POLAR, -0.9},    {"TYR", "OH", "O", POLAR, -1.3},
        {"VAL", "CG1", "C", APOLAR, 4.2},    {"ASN", "ND2", "N", POLAR, -3.5},    {"GLN", "NE2", "N", POLAR, -3.5},
        {"CYS", "SG", "S", APOLAR, 2.5},     {"CYX", "SG", "S", APOLAR, 2.5},     {"CYM", "SG", "S", APOLAR, 2.5},
        {"ASH", "OD1", "O", POLAR, -3.5},    {"GLH", "OE1", "O", POLAR, -3.5},    {"LYN", "NZ", "N", POLAR, -3.9},
        {"HID", "ND1", "N", POLAR, -3.2},    {"HIE", "NE2", "N", POLAR, -3.2},    {"HSD", "ND1", "N", POLAR, -3.2},
        {"HSE", "NE2", "N", POLAR, -3.2},    {"HISA", "ND1", "N", POLAR, -3.2},   {"HISB", "ND1", "N", POLAR, -3.2},
        {"HISD", "ND1", "N", POLAR, -3.2},   {"HISE", "NE2", "N", POLAR, -3.2},   {"ala", "CB", "C", APOLAR, 99},
    };
    const size_t n = sizeof cases / sizeof *cases;
    vox_ctx *ctx = context(NULL, 2);
    vox_result r;
    one_voxel_result(&r);
    float *xyz = calloc(3 * n, sizeof *xyz); /* all at the centre */
    const char **el = malloc(n * sizeof *el), **an = malloc(n * sizeof *an), **rn = malloc(n * sizeof *rn),
               **ch = malloc(n * sizeof *ch);
    int32_t *rid = malloc(n * sizeof *rid);
    size_t counts[4] = {0, 0, 0, 0}, valued = 0;
    long tenths = 0; /* the values x 10, summed exactly: the mean is one division of them */
    for (size_t i = 0; i < n; i++) {
        el[i] = cases[i].element;
        an[i] = cases[i].atom;
        rn[i] = cases[i].res;
        ch[i] = "A";
        rid[i] = (int32_t)i + 1;
        counts[cases[i].cls]++;
        if (cases[i].kd != 99) {
            tenths += lround(cases[i].kd * 10.0);
            valued++;
        }
    }
    vox_structure *s = from_arrays(ctx, n, xyz, el, an, rn, ch, rid);
    CHECK(s && vox_find_lining(ctx, s, &r) == VOX_OK, "lining: %s", vox_ctx_last_error_detail(ctx));
    const vox_group_desc *d = &r.groups[0].d;
    CHECK(d->nlining == n && d->nresidues == n, "%zu lining atoms, %zu residues of %zu", d->nlining, d->nresidues, n);
    CHECK(d->apolar == counts[APOLAR] && d->polar == counts[POLAR] && d->charged == counts[CHARGED],
          "classes %zu %zu %zu, expected %zu %zu %zu", (size_t)d->apolar, (size_t)d->polar, (size_t)d->charged,
          counts[APOLAR], counts[POLAR], counts[CHARGED]);
    const double mean = (double)tenths / (10.0 * (double)valued);
    CHECK(d->has_hydropathy && d->hydropathy == mean, "hydropathy %.17g, expected %.17g", d->hydropathy, mean);
    one_voxel_result_free(&r);
    free(xyz); free(el); free(an); free(rn); free(ch); free(rid);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* ---- lining, depth, openings and boxes of the synthetic pocket ---------------- */

/* The grid step along each axis, from the voxel centres themselves. */
static void grid_steps(const vox_result *r, double step[3])
{
    int dims[3];
    double res;
    vox_result_grid(r, dims, &res);
    for (int a = 0; a < 3; a++) step[a] = res;
    /* two voxels of the largest volume apart along each axis give it exactly enough */
    size_t n = 0;
    vox_volume v = {.size = sizeof v};
    vox_result_volume(r, 0, &v);
    n = v.num_voxels;
    float *xyz = malloc(3 * n * sizeof *xyz);
    uint32_t *flat = malloc(n * sizeof *flat);
    vox_result_voxels(r, 0, xyz, NULL);
    vox_result_voxel_indices(r, 0, flat);
    for (int a = 0; a < 3; a++) {
        size_t lo = 0, hi = 0;
        long idx_lo = 0, idx_hi = 0;
        for (size_t t = 0; t < n; t++) {
            long ijk[3] = {(long)(flat[t] / ((uint32_t)dims[1] * dims[2])), (long)(flat[t] / dims[2] % dims[1]),
                           (long)(flat[t] % dims[2])};
            if (t == 0 || ijk[a] < idx_lo) { idx_lo = ijk[a]; lo = t; }
            if (t == 0 || ijk[a] > idx_hi) { idx_hi = ijk[a]; hi = t; }
        }
        if (idx_hi > idx_lo)
            step[a] = ((double)xyz[3 * hi + a] - (double)xyz[3 * lo + a]) / (double)(idx_hi - idx_lo);
    }
    free(xyz);
    free(flat);
}

static double cube_gap(double d, double h)
{
    double e = fabs(d) - h;
    return e > 0 ? e : 0;
}

/* The lining rule evaluated pair by pair: 1 lines, 0 does not, -1 within
 * 1e-4 A of the threshold (either answer is right). */
static int lines_brute(const vox_structure *s, size_t atom, const float *xyz, size_t n, double res, const double step[3])
{
    vox_atom_info a;
    a.size = sizeof a;
    vox_structure_atom(s, atom, &a);
    double radius = !strcmp(a.element, "C") ? 1.70 : !strcmp(a.element, "N") ? 1.55 : !strcmp(a.element, "O") ? 1.52 : 2.0;
    double reach = radius + res, best = INFINITY;
    for (size_t t = 0; t < n; t++) {
        double e2 = 0;
        for (int c = 0; c < 3; c++) {
            double e = cube_gap((double)xyz[3 * t + c] - (double)a.xyz[c], 0.5 * step[c]);
            e2 += e * e;
        }
        if (e2 < best) best = e2;
    }
    double dist = sqrt(best);
    return fabs(dist - reach) < 1e-4 ? -1 : dist <= reach;
}

static int size_t_in(const size_t *v, size_t n, size_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return 1;
    return 0;
}

/* Distance of a point of pocket_box's input frame to its carved region: the
 * hollow of radius 8 and the channel of radius 4.6 along +x (gen_structures.c). */
static double carved_distance(const double p[3])
{
    double hollow = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) - 8.0;
    double rr = sqrt(p[1] * p[1] + p[2] * p[2]);
    double channel = hypot(p[0] < 0 ? -p[0] : 0.0, rr > 4.6 ? rr - 4.6 : 0.0);
    double d = hollow < channel ? hollow : channel;
    return d > 0 ? d : 0;
}

static void test_pocket(void)
{
    vox_ctx *ctx = context(NULL, 2);
    vox_structure *raw = load(ctx, "pocket_box.pdb"); /* the input frame */
    vox_structure *s = load(ctx, "pocket_box.pdb");
    vox_prepare(ctx, s, NULL);
    const double res = 2.0;
    vox_result *r = analyse(ctx, s, res, 1);
    long pi = find_type(r, VOX_POCKET);
    CHECK(pi >= 0 && vox_result_count(r) >= 1, "pocket_box has a pocket");
    if (pi < 0) goto out;
    vox_volume v = {.size = sizeof v};
    vox_result_volume(r, (size_t)pi, &v);
    vox_descriptors d;
    d.size = sizeof d;
    CHECK(vox_result_descriptors(r, (size_t)pi, &d) == VOX_OK && d.size == sizeof d, "descriptors");
    /* depth: the hollow's centre is ~15 A from the block's faces along z */
    CHECK(d.depth_max >= 12.0 && d.depth_max <= 20.0, "pocket depth max %g A", d.depth_max);
    CHECK(d.depth_mean >= res && d.depth_mean <= d.depth_max, "pocket depth mean %g A", d.depth_mean);
    /* one opening, the channel's mouth: whole voxel faces */
    double areas[8];
    CHECK(d.has_openings && d.num_openings == 1, "pocket openings %zu", d.num_openings);
    CHECK(vox_result_openings(r, (size_t)pi, areas) == 1 && areas[0] == d.opening_area && d.opening_area > 0 &&
              fmod(d.opening_area, res * res) == 0.0,
          "opening area %g", d.opening_area);
    /* lining atoms: the rule pair by pair, for every atom */
    size_t nl = vox_result_lining_atoms(r, (size_t)pi, NULL);
    CHECK(nl == d.num_lining_atoms && nl > 0, "lining count %zu", nl);
    size_t *lining = malloc((nl + 1) * sizeof *lining);
    vox_result_lining_atoms(r, (size_t)pi, lining);
    float *xyz = malloc(3 * v.num_voxels * sizeof *xyz);
    vox_result_voxels(r, (size_t)pi, xyz, NULL);
    double step[3];
    grid_steps(r, step);
    size_t wrong = 0, ascending = 1, natoms = vox_structure_atom_count(s);
    for (size_t t = 1; t < nl; t++) ascending &= lining[t - 1] < lining[t];
    for (size_t i = 0; i < natoms; i++) {
        int want = lines_brute(s, i, xyz, v.num_voxels, res, step);
        if (want >= 0 && want != size_t_in(lining, nl, i)) wrong++;
    }
    CHECK(ascending, "lining atoms ascend");
    CHECK(wrong == 0, "%zu atoms disagree with the lining rule evaluated pair by pair", wrong);
    /* the geometry: lining atoms sit on the carved region's wall, and the
     * first layer around the hollow, away from the channel, lines it all */
    float *in = malloc(3 * vox_structure_atom_count(raw) * sizeof *in);
    vox_structure_coords(raw, in);
    size_t far = 0, first_layer = 0, first_missing = 0;
    for (size_t t = 0; t < nl; t++) {
        vox_atom_info a;
        a.size = sizeof a;
        vox_structure_atom(s, lining[t], &a);
        double p[3] = {in[3 * a.input_index], in[3 * a.input_index + 1], in[3 * a.input_index + 2]};
        far += carved_distance(p) > 3.1;
    }
    for (size_t i = 0; i < natoms; i++) {
        vox_atom_info a;
        a.size = sizeof a;
        vox_structure_atom(s, i, &a);
        double p[3] = {in[3 * a.input_index], in[3 * a.input_index + 1], in[3 * a.input_index + 2]};
        double rad = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
        if (rad >= 8.0 && rad <= 8.6 && p[0] < -2.0) {
            first_layer++;
            first_missing += !size_t_in(lining, nl, i);
        }
    }
    CHECK(far == 0, "%zu lining atoms more than 3.1 A from the carved region", far);
    CHECK(first_layer > 20 && first_missing == 0, "%zu of %zu first-layer atoms of the hollow are not lining",
          first_missing, first_layer);
    /* residues: the runs of the lining atoms, in order; all ALA */
    size_t nr = vox_result_lining_residues(r, (size_t)pi, NULL);
    size_t *res_first = malloc((nr + 1) * sizeof *res_first);
    vox_result_lining_residues(r, (size_t)pi, res_first);
    size_t expect = 0, prev = (size_t)-1, bad_res = 0;
    for (size_t t = 0; t < nl; t++) {
        vox_atom_info a, b;
        a.size = b.size = sizeof a;
        vox_structure_atom(s, lining[t], &a);
        size_t first = lining[t];
        while (first > 0) {
            vox_structure_atom(s, first - 1, &b);
            if (b.res_id != a.res_id || strcmp(b.chain, a.chain)) break;
            first--;
        }
        if (first != prev) {
            bad_res += expect >= nr || res_first[expect] != first;
            expect++;
            prev = first;
        }
    }
    CHECK(expect == nr && bad_res == 0 && nr == d.num_lining_residues, "lining residues %zu, expected %zu", nr, expect);
    CHECK(d.has_hydropathy && fabs(d.hydropathy - 1.8) < 1e-12, "hydropathy of ALA only %g", d.hydropathy);
    CHECK(d.apolar_fraction == 1.0 && d.polar_fraction == 0.0 && d.charged_fraction == 0.0, "carbon only");
    /* boxes */
    vox_box al, ip, dock;
    al.size = ip.size = dock.size = sizeof al;
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_ALIGNED, 0.0, &al) == VOX_OK, "aligned box");
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, 0.0, &ip) == VOX_OK, "input box");
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, 4.0, &dock) == VOX_OK, "docking box");
    size_t outside = 0, tight[6] = {0};
    vox_transform tr;
    tr.size = sizeof tr;
    vox_result_transform(r, &tr);
    float *vin = malloc(3 * v.num_voxels * sizeof *vin);
    memcpy(vin, xyz, 3 * v.num_voxels * sizeof *vin);
    vox_transform_to_input(&tr, vin, v.num_voxels);
    for (size_t t = 0; t < v.num_voxels; t++)
        for (int a = 0; a < 3; a++) {
            outside += xyz[3 * t + a] - 0.5 * step[a] < al.lo[a] - 1e-4 || xyz[3 * t + a] + 0.5 * step[a] > al.hi[a] + 1e-4;
            outside += vin[3 * t + a] < ip.lo[a] || vin[3 * t + a] > ip.hi[a];
            tight[2 * a] |= fabs(xyz[3 * t + a] - 0.5 * step[a] - al.lo[a]) < 1e-4;
            tight[2 * a + 1] |= fabs(xyz[3 * t + a] + 0.5 * step[a] - al.hi[a]) < 1e-4;
        }
    CHECK(outside == 0, "%zu voxel coordinates outside their boxes", outside);
    CHECK(tight[0] && tight[1] && tight[2] && tight[3] && tight[4] && tight[5], "the aligned box touches the voxels");
    for (int a = 0; a < 3; a++)
        CHECK(fabs(dock.lo[a] - (ip.lo[a] - 4.0)) < 1e-12 && fabs(dock.hi[a] - (ip.hi[a] + 4.0)) < 1e-12 &&
                  fabs(dock.extent[a] - (dock.hi[a] - dock.lo[a])) < 1e-12 &&
                  fabs(dock.centre[a] - 0.5 * (dock.lo[a] + dock.hi[a])) < 1e-12,
              "docking box = box + padding along %d", a);
    /* every lining atom, at its input coordinates, inside the docking box grown by a voxel */
    size_t escaped = 0;
    for (size_t t = 0; t < nl; t++) {
        vox_atom_info a;
        a.size = sizeof a;
        vox_structure_atom(s, lining[t], &a);
        for (int c = 0; c < 3; c++) {
            double p = in[3 * a.input_index + c];
            escaped += p < dock.lo[c] - res || p > dock.hi[c] + res;
        }
    }
    CHECK(escaped == 0, "%zu lining atom coordinates outside the docking box + a voxel", escaped);
    vox_box bad;
    bad.size = sizeof bad;
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, -1.0, &bad) == VOX_E_INVALID_ARG, "negative padding");
    CHECK(vox_result_box(r, (size_t)pi, (vox_output_frame)7, 0.0, &bad) == VOX_E_INVALID_ARG, "unknown frame");
    CHECK(vox_result_box(r, vox_result_count(r), VOX_FRAME_INPUT, 0.0, &bad) == VOX_E_INVALID_ARG, "index");
    /* a padding so large that the box's size overflows (1e308: inf) or its
     * centre is lost to rounding (1e17: whole angstroms) is refused, not
     * written as "size_x = inf" or a centre at 0; a million angstroms
     * still keeps the centre */
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, 1e308, &bad) == VOX_E_INVALID_ARG, "overflowing padding");
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, 1e17, &bad) == VOX_E_INVALID_ARG, "padding past 1e6 A");
    CHECK(vox_result_box(r, (size_t)pi, VOX_FRAME_INPUT, 1e6, &bad) == VOX_OK &&
              fabs(bad.centre[0] - ip.centre[0]) < 1e-6 && fabs(bad.extent[0] - (ip.extent[0] + 2e6)) < 1e-6,
          "a padding of 1e6 A keeps the box");
    {
        vox_render_params p;
        vox_render_params_init(&p);
        p.volume = (size_t)pi;
        p.output_frame = VOX_FRAME_INPUT;
        char *out = NULL;
        for (int k = 0; k < 2; k++) {
            p.box_padding = k ? 1e17 : 1e308;
            CHECK(vox_render(ctx, VOX_DOC_VINA, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG && !out &&
                      strstr(vox_ctx_last_error_detail(ctx), "padding"), "Vina box, padding %g refused", p.box_padding);
            CHECK(vox_render(ctx, VOX_DOC_VOLUMES_JSON, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG && !out,
                  "volumes JSON, padding %g refused", p.box_padding);
        }
    }
    free(lining); free(xyz); free(in); free(res_first); free(vin);
out:
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_structure_free(&raw);
    vox_ctx_destroy(&ctx);
}

static void test_openings(void)
{
    vox_ctx *ctx = context(NULL, 2);
    static const struct { const char *file; vox_volume_type type; size_t lo, hi; } cases[] = {
        {"cavity_box.pdb", VOX_CAVITY, 0, 0}, {"pore_box.pdb", VOX_PORE, 2, 2}, {"hub_box.pdb", VOX_HUB, 3, 99}};
    for (size_t c = 0; c < 3; c++) {
        vox_structure *s = load(ctx, cases[c].file);
        vox_prepare(ctx, s, NULL);
        vox_result *r = analyse(ctx, s, 2.0, 1);
        long i = find_type(r, cases[c].type);
        vox_descriptors d;
        d.size = sizeof d;
        CHECK(i >= 0 && vox_result_descriptors(r, (size_t)i, &d) == VOX_OK, "%s: a %s", cases[c].file,
              vox_volume_type_name(cases[c].type));
        if (i >= 0) {
            CHECK(d.has_openings && d.num_openings >= cases[c].lo && d.num_openings <= cases[c].hi,
                  "%s: %zu openings", cases[c].file, d.num_openings);
            CHECK((d.num_openings == 0) == (d.opening_area == 0.0), "%s: area %g", cases[c].file, d.opening_area);
            CHECK(d.depth_max >= 2.0 && d.num_lining_atoms > 0, "%s: depth %g, lining %zu", cases[c].file,
                  d.depth_max, d.num_lining_atoms);
        }
        /* occluded groups are never classified: no openings */
        for (size_t k = 0; k < vox_result_count(r); k++) {
            vox_volume v = {.size = sizeof v};
            vox_result_volume(r, k, &v);
            if (v.type == VOX_OCCLUDED) {
                vox_result_descriptors(r, k, &d);
                CHECK(!d.has_openings && vox_result_openings(r, k, NULL) == 0, "occluded: no openings");
            }
        }
        vox_result_free(&r);
        vox_structure_free(&s);
    }
    vox_ctx_destroy(&ctx);
}

/* ---- atom classes and hydropathy, on atoms built in memory ------------------- */

static vox_structure *renamed_box(vox_ctx *ctx, const char *const *chains, const char *const *names,
                                  const char *const *residues, size_t nvariants)
{
    vox_structure *raw = load(ctx, "pocket_box.pdb");
    size_t n = vox_structure_atom_count(raw);
    float *xyz = malloc(3 * n * sizeof *xyz);
    vox_structure_coords(raw, xyz);
    const char **el = malloc(n * sizeof *el), **an = malloc(n * sizeof *an), **rn = malloc(n * sizeof *rn),
               **ch = malloc(n * sizeof *ch);
    int32_t *rid = malloc(n * sizeof *rid);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        if (!chains) { /* classes by region: x < -3 Lys NZ, else y < 0 Ser OG, else Leu CD1 */
            k = xyz[3 * i] < -3.0f ? 0 : xyz[3 * i + 1] < 0.0f ? 1 : 2;
            static const char *const e[3] = {"N", "O", "C"}, *const a[3] = {"NZ", "OG", "CD1"},
                                     *const rr[3] = {"LYS", "SER", "LEU"};
            el[i] = e[k]; an[i] = a[k]; rn[i] = rr[k]; ch[i] = "A";
        } else {
            k = i % nvariants;
            el[i] = "C"; an[i] = names[k]; rn[i] = residues[k]; ch[i] = chains[k];
        }
        rid[i] = (int32_t)i + 1; /* every atom its own residue */
    }
    vox_structure *s = from_arrays(ctx, n, xyz, el, an, rn, ch, rid);
    free(xyz); free(el); free(an); free(rn); free(ch); free(rid);
    vox_structure_free(&raw);
    return s;
}

static void test_classes(void)
{
    vox_ctx *ctx = context(NULL, 2);
    vox_structure *s = renamed_box(ctx, NULL, NULL, NULL, 0);
    vox_prepare(ctx, s, NULL);
    vox_result *r = analyse(ctx, s, 2.0, 1);
    long pi = find_type(r, VOX_POCKET);
    CHECK(pi >= 0, "the renamed box keeps its pocket");
    if (pi >= 0) {
        size_t nl = vox_result_lining_atoms(r, (size_t)pi, NULL), counts[3] = {0, 0, 0};
        size_t *lining = malloc((nl + 1) * sizeof *lining);
        vox_result_lining_atoms(r, (size_t)pi, lining);
        long tenths = 0; /* the values x 10, summed exactly: the mean is one division of them */
        for (size_t t = 0; t < nl; t++) {
            vox_atom_info a;
            a.size = sizeof a;
            vox_structure_atom(s, lining[t], &a);
            int k = !strcmp(a.atom_name, "NZ") ? 0 : !strcmp(a.atom_name, "OG") ? 1 : 2;
            counts[k]++;
            tenths += k == 0 ? -39 : k == 1 ? -8 : 38; /* one residue per atom, in order */
        }
        const double sum = (double)tenths / 10.0;
        vox_descriptors d;
        d.size = sizeof d;
        vox_result_descriptors(r, (size_t)pi, &d);
        CHECK(counts[0] && counts[1] && counts[2], "all three classes line the pocket (%zu %zu %zu)", counts[0],
              counts[1], counts[2]);
        CHECK(d.charged_fraction == (double)counts[0] / (double)nl && d.polar_fraction == (double)counts[1] / (double)nl &&
                  d.apolar_fraction == (double)counts[2] / (double)nl,
              "fractions %g %g %g", d.charged_fraction, d.polar_fraction, d.apolar_fraction);
        const double mean = (double)tenths / (10.0 * (double)nl);
        CHECK(d.num_lining_residues == nl && d.has_hydropathy && d.hydropathy == mean,
              "Kyte-Doolittle mean %.17g, expected %.17g (sum %g)", d.hydropathy, mean, sum);
        free(lining);
    }
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* ---- names from the file are data ----------------------------------------- */

static void test_hostile_names(void)
{
    static const char *const chains[] = {"A;B", "'\"", "\\x", "/py", "p\ny", "#c", "_d", "."};
    static const char *const names[] = {"C;A", "C'\"", "C\\", "/C", "N\nX", "python", "C#", "O' x"};
    static const char *const residues[] = {"AL;A", "py\"th", "/res", "R\\S", "X\nY", "python", "$Z", "'Q"};
    vox_ctx *ctx = context(NULL, 2);
    vox_structure *s = renamed_box(ctx, chains, names, residues, 8);
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.keep_non_protein = 1; /* keep the residue names too */
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare");
    vox_result *r = analyse(ctx, s, 2.0, 1);
    vox_render_params p;
    vox_render_params_init(&p);
    p.structure_file = "hostile.annotated.cif";
    p.source = "so\"urce;\n";
    char *pml = render(ctx, VOX_DOC_PYMOL, s, r, &p, NULL), *cxc = render(ctx, VOX_DOC_CHIMERAX, s, r, &p, NULL);
    char *json = render(ctx, VOX_DOC_VOLUMES_JSON, s, r, &p, NULL);
    /* the scripts hold no name from the file: none of their characters, no line
     * that starts a PyMOL Python block but the one transform of numbers */
    const size_t bad = vox_test_unsafe_script(pml, stderr) + vox_test_unsafe_script(cxc, stderr);
    CHECK(bad == 0, "%zu unsafe characters or lines in the scripts", bad);
    CHECK(!strstr(pml, "python") && !strstr(cxc, "python"), "no name in the scripts");
    /* the JSON parses and gives every name back exactly */
    cJSON *doc = cJSON_Parse(json);
    CHECK(doc != NULL, "volumes JSON parses");
    size_t seen = 0, mismatched = 0;
    cJSON *atoms = cJSON_GetObjectItemCaseSensitive(doc, "atoms"), *row;
    cJSON_ArrayForEach(row, atoms) {
        size_t index = (size_t)cJSON_GetArrayItem(row, 0)->valuedouble;
        vox_atom_info a;
        a.size = sizeof a;
        vox_structure_atom(s, index, &a);
        const char *chain = cJSON_GetArrayItem(row, 2)->valuestring, *res = cJSON_GetArrayItem(row, 5)->valuestring,
                   *name = cJSON_GetArrayItem(row, 6)->valuestring;
        mismatched += !chain || !res || !name || strcmp(chain, a.chain) || strcmp(res, a.res_name) ||
                      strcmp(name, a.atom_name) || (size_t)cJSON_GetArrayItem(row, 1)->valuedouble != a.input_index;
        seen++;
    }
    CHECK(seen > 0 && mismatched == 0, "%zu of %zu lining atoms' names differ in the JSON", mismatched, seen);
    cJSON *src = cJSON_GetObjectItemCaseSensitive(doc, "source");
    CHECK(cJSON_IsString(src) && !strcmp(src->valuestring, p.source), "source label round trip");
    cJSON_Delete(doc);
    /* a structure file name a script cannot open as it is: refused */
    p.structure_file = "x;delete all.cif";
    char *out = NULL;
    CHECK(vox_render(ctx, VOX_DOC_PYMOL, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG && !out, "unsafe path refused");
    p.structure_file = "-x.cif";
    CHECK(vox_render(ctx, VOX_DOC_CHIMERAX, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG, "option-like path refused");
    /* a label keeps letters of any script (protéine.pdb, 蛋白.pdb): their
     * files open as they are; white space of any kind (it ends a line or
     * splits a name), C1 controls and bytes that are not UTF-8 do not */
    static const char *const letters[] = {"prot\xc3\xa9ine.annotated.cif", "\xe8\x9b\x8b\xe7\x99\xbd.cif",
                                          "./-neg.annotated.cif", "d/\xf0\x9f\x98\x80.cif"};
    for (size_t k = 0; k < sizeof letters / sizeof *letters; k++) {
        p.structure_file = letters[k];
        for (int d = VOX_DOC_PYMOL; d <= VOX_DOC_CHIMERAX; d++) {
            CHECK(vox_render(ctx, (vox_document)d, s, r, &p, &out, NULL) == VOX_OK && out && strstr(out, letters[k]),
                  "document %d opens '%s'", d, letters[k]);
            CHECK(out && vox_test_unsafe_script(out, stderr) == 0, "'%s': a safe script", letters[k]);
            vox_free(out);
            out = NULL;
        }
    }
    static const char *const refused[] = {
        "a\xc2\xa0" "b.cif",      /* U+00A0 no-break space */
        "a\xc2\x85" "b.cif",      /* U+0085 next line */
        "a\xe2\x80\xa8" "b.cif",  /* U+2028 line separator */
        "a\xe3\x80\x80" "b.cif",  /* U+3000 ideographic space */
        "a\xe2\x80\x83" "b.cif",  /* U+2003 em space */
        "a\xe9" "b.cif",          /* Latin-1, not UTF-8 */
        "a\xc3",                  /* a sequence cut short */
        "a\xc0\xbb" "b.cif",      /* overlong ';' */
        "a\xed\xa0\x80" "b.cif",  /* a surrogate */
    };
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        p.structure_file = refused[k];
        CHECK(vox_render(ctx, VOX_DOC_PYMOL, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG && !out,
              "structure file %zu refused", k);
    }
    /* PyMOL's load and ChimeraX's open run Python and command files: a
     * script opens structure files only, named by their extension */
    static const char *const runs[] = {"x.py", "x.pml", "x.cxc", "x.pyc", "x.cif.py", "x", ".cif", "d/.pdb",
                                       "x.gz", "x.cif.gz.py", "x.cifx"};
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        p.structure_file = runs[k];
        for (int d = VOX_DOC_PYMOL; d <= VOX_DOC_CHIMERAX; d++)
            CHECK(vox_render(ctx, (vox_document)d, s, r, &p, &out, NULL) == VOX_E_INVALID_ARG && !out &&
                      strstr(vox_ctx_last_error_detail(ctx), ".pml"),
                  "document %d refuses to open '%s': %s", d, runs[k], vox_ctx_last_error_detail(ctx));
    }
    static const char *const opened[] = {"x.CIF", "x.mmcif", "x.pdb", "d/x.ent", "x.cif.gz", "x.PDB.GZ"};
    for (size_t k = 0; k < sizeof opened / sizeof *opened; k++) {
        p.structure_file = opened[k];
        CHECK(vox_render(ctx, VOX_DOC_PYMOL, s, r, &p, &out, NULL) == VOX_OK && out, "'%s' opened", opened[k]);
        vox_free(out);
        out = NULL;
    }
    /* the annotated mmCIF the scripts open keeps every atom on its row */
    p.include_hubs = 0;
    char *cif = render(ctx, VOX_DOC_CIF, s, r, &p, NULL);
    size_t rows = 0;
    for (const char *l = cif; l; l = strchr(l, '\n')) {
        if (*l == '\n') l++;
        rows += !strncmp(l, "ATOM", 4) || !strncmp(l, "HETATM", 6);
    }
    size_t pseudo = 0;
    for (size_t k = 0; k < vox_result_count(r); k++) {
        vox_volume v = {.size = sizeof v};
        vox_result_volume(r, k, &v);
        if (v.type != VOX_HUB) pseudo += v.num_voxels;
    }
    CHECK(rows == vox_structure_atom_count(s) + pseudo, "mmCIF rows %zu, atoms %zu", rows,
          vox_structure_atom_count(s) + pseudo);
    vox_free(pml); vox_free(cxc); vox_free(json); vox_free(cif);
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* Names whose bytes are not UTF-8 (Latin-1 from old programs, a stray
 * byte): the volumes JSON holds U+FFFD for each such byte, so strict
 * parsers (cJSON refuses lone surrogates) read it, and a warning says so. */
static void count_replacement_warnings(void *cookie, const char *line)
{
    *(int *)cookie += strstr(line, "not UTF-8") != NULL;
}

/* How many bytes of text begin no well-formed UTF-8 sequence. */
static size_t bytes_not_utf8(const char *text)
{
    size_t bad = 0, n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        const unsigned char c = (unsigned char)text[i];
        if (c >= 0x80) {
            const int k = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
            int ok = k > 0 && i + (size_t)k < n;
            for (int q = 1; ok && q <= k; q++) ok = ((unsigned char)text[i + q] & 0xC0) == 0x80;
            if (ok) len = (size_t)k + 1;
            else bad++;
        }
        i += len;
    }
    return bad;
}

static void test_names_not_utf8(void)
{
    static const char *const chains[] = {"\xff", "A"};
    static const char *const names[] = {"C\xb8" "A", "CB"};
    static const char *const residues[] = {"AL\xe9", "GLY"};
    int warnings = 0;
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    o.log = count_replacement_warnings;
    o.log_cookie = &warnings;
    vox_ctx *ctx = NULL;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "context");
    vox_structure *s = renamed_box(ctx, chains, names, residues, 2);
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.keep_non_protein = 1;
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare");
    vox_result *r = analyse(ctx, s, 2.0, 1);
    char *json = render(ctx, VOX_DOC_VOLUMES_JSON, s, r, NULL, NULL);
    cJSON *doc = cJSON_Parse(json);
    CHECK(doc != NULL, "volumes JSON with names that are not UTF-8 parses (cJSON)");
    size_t rows = 0, replaced = 0;
    cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(doc, "atoms")) {
        const char *chain = cJSON_GetArrayItem(row, 2)->valuestring, *name = cJSON_GetArrayItem(row, 6)->valuestring;
        const size_t index = (size_t)cJSON_GetArrayItem(row, 0)->valuedouble;
        if (index % 2 == 0)
            replaced += chain && name && !strcmp(chain, "\xef\xbf\xbd") && !strcmp(name, "C\xef\xbf\xbd" "A");
        else
            replaced += chain && name && !strcmp(chain, "A") && !strcmp(name, "CB");
        rows++;
    }
    CHECK(rows > 0 && replaced == rows, "%zu of %zu rows with U+FFFD where the bytes are not UTF-8", replaced, rows);
    CHECK(warnings == 1, "one warning for the replaced bytes, have %d", warnings);
    /* the annotated mmCIF and PDB the scripts open are text as well: '?' for such bytes, a warning each (they
     * kept the raw bytes, which PyMOL could not decode) */
    for (int d = 0; d < 2; d++) {
        char *text = render(ctx, d ? VOX_DOC_PDB : VOX_DOC_CIF, s, r, NULL, NULL);
        const size_t bad = text ? bytes_not_utf8(text) : 1;
        CHECK(text && bad == 0 && strstr(text, "C?A") && strstr(text, "AL?"), "%s: valid UTF-8 with '?' (%zu bad)",
              d ? "PDB" : "mmCIF", bad);
        CHECK(warnings == 2 + d, "a warning for the %s, have %d", d ? "PDB" : "mmCIF", warnings);
        vox_free(text);
    }
    cJSON_Delete(doc);
    vox_free(json);
    vox_result_free(&r);
    vox_structure_free(&s);
    /* a UTF-8 name longer than the PDB's four atom-name columns is cut on a character boundary ("C" +
     * "é" + the first byte of the next "é" was written) */
    static const char *const utf8_chain[] = {"A"}, *const utf8_name[] = {"C\xc3\xa9\xc3\xa9"},
                             *const utf8_res[] = {"ALA"};
    s = renamed_box(ctx, utf8_chain, utf8_name, utf8_res, 1);
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare");
    r = analyse(ctx, s, 2.0, 1);
    char *pdb = render(ctx, VOX_DOC_PDB, s, r, NULL, NULL);
    CHECK(pdb && bytes_not_utf8(pdb) == 0 && strstr(pdb, " C\xc3\xa9 ALA"), "PDB atom names cut whole: %.60s",
          pdb ? strstr(pdb, "ATOM") : "");
    vox_free(pdb);
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* ---- DX read back ---------------------------------------------------------- */

static void test_dx(void)
{
    vox_ctx *ctx = context(NULL, 2);
    vox_structure *s = load(ctx, "hub_box.pdb");
    vox_prepare(ctx, s, NULL);
    vox_result *r = analyse(ctx, s, 2.0, 0); /* maps need no descriptors */
    vox_transform tr;
    tr.size = sizeof tr;
    vox_result_transform(r, &tr);
    for (size_t i = 0; i < vox_result_count(r); i++)
        for (int frame = 0; frame < 2; frame++) {
            vox_render_params p;
            vox_render_params_init(&p);
            p.volume = i;
            p.output_frame = frame ? VOX_FRAME_INPUT : VOX_FRAME_ALIGNED;
            char *dx = render(ctx, VOX_DOC_DX, s, r, &p, NULL);
            if (!dx) continue;
            long long n[3];
            double o[3], del[3][3];
            const char *at = strstr(dx, "counts");
            int ok = at && sscanf(at, "counts %lld %lld %lld", &n[0], &n[1], &n[2]) == 3;
            at = strstr(dx, "\norigin ");
            ok = ok && at && sscanf(at, "\norigin %lf %lf %lf", &o[0], &o[1], &o[2]) == 3;
            for (int a = 0; a < 3 && ok; a++) {
                at = strstr(at + 1, "\ndelta ");
                ok = at && sscanf(at, "\ndelta %lf %lf %lf", &del[a][0], &del[a][1], &del[a][2]) == 3;
            }
            at = ok ? strstr(dx, "data follows\n") : NULL;
            CHECK(at != NULL, "volume %zu: DX header", i);
            if (!at) { vox_free(dx); continue; }
            at += strlen("data follows\n");
            vox_volume v = {.size = sizeof v};
            vox_result_volume(r, i, &v);
            float *xyz = malloc(3 * v.num_voxels * sizeof *xyz);
            vox_result_voxels(r, i, xyz, NULL);
            if (frame) vox_transform_to_input(&tr, xyz, v.num_voxels);
            size_t ones = 0, placed = 0, values = 0;
            for (long long a = 0; a < n[0]; a++)
                for (long long b = 0; b < n[1]; b++)
                    for (long long c = 0; c < n[2]; c++) {
                        while (*at == ' ' || *at == '\n') at++;
                        int val = *at == '1';
                        values += *at == '0' || *at == '1';
                        at++;
                        if (!val) continue;
                        ones++;
                        double p[3];
                        for (int k = 0; k < 3; k++) p[k] = o[k] + a * del[0][k] + b * del[1][k] + c * del[2][k];
                        for (size_t t = 0; t < v.num_voxels; t++)
                            if (fabs(p[0] - xyz[3 * t]) < 1e-3 && fabs(p[1] - xyz[3 * t + 1]) < 1e-3 &&
                                fabs(p[2] - xyz[3 * t + 2]) < 1e-3) {
                                placed++;
                                break;
                            }
                    }
            CHECK(values == (size_t)(n[0] * n[1] * n[2]) && strstr(at, "class field") != NULL,
                  "volume %zu: %zu values for %lld points", i, values, n[0] * n[1] * n[2]);
            CHECK(ones == v.num_voxels && placed == ones, "volume %zu frame %d: %zu ones, %zu on voxel centres, %zu voxels",
                  i, frame, ones, placed, v.num_voxels);
            free(xyz);
            vox_free(dx);
        }
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* ---- the same bytes for every ISA and thread count; volumizer's outputs unchanged ---- */

typedef struct outputs {
    char *text;
    size_t len, cap;
} outputs;

static void append(outputs *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = 2 * (o->len + n + 1);
        o->text = realloc(o->text, o->cap);
    }
    memcpy(o->text + o->len, s, n);
    o->len += n;
}

static void all_exports(vox_ctx *ctx, const vox_structure *s, const vox_result *r, outputs *o)
{
    vox_render_params p;
    vox_render_params_init(&p);
    p.structure_file = "x.annotated.cif";
    p.include_hubs = 1;
    static const vox_document whole[] = {VOX_DOC_VOLUMES_JSON, VOX_DOC_PYMOL, VOX_DOC_CHIMERAX};
    for (size_t d = 0; d < 3; d++) {
        size_t n;
        char *t = render(ctx, whole[d], s, r, &p, &n);
        if (t) append(o, t, n);
        vox_free(t);
    }
    for (size_t i = 0; i < vox_result_count(r); i++)
        for (int frame = 0; frame < 2; frame++) {
            p.volume = i;
            p.output_frame = frame ? VOX_FRAME_INPUT : VOX_FRAME_ALIGNED;
            for (int d = 0; d < 2; d++) {
                size_t n;
                char *t = render(ctx, d ? VOX_DOC_DX : VOX_DOC_VINA, s, r, &p, &n);
                if (t) append(o, t, n);
                vox_free(t);
            }
        }
}

static void volumizer_outputs(vox_ctx *ctx, const vox_structure *s, const vox_result *r, outputs *o)
{
    vox_render_params p;
    vox_render_params_init(&p);
    p.include_hubs = 1;
    for (int d = VOX_DOC_DF_JSON; d <= VOX_DOC_CIF; d++) {
        size_t n;
        char *t = render(ctx, (vox_document)d, s, r, &p, &n);
        if (t) append(o, t, n);
        vox_free(t);
    }
}

static void test_identity(void)
{
    static const char *const files[] = {"pocket_box.pdb", "hub_box.pdb", "pore_box.pdb"};
    static const double resolutions[] = {2.0, 1.5};
    static const struct { const char *isa; int threads; } configs[] = {{"scalar", 1}, {NULL, 3}, {NULL, 1}, {"scalar", 2}};
    for (size_t f = 0; f < 3; f++)
        for (size_t q = 0; q < 2; q++) {
            outputs first = {0}, plain = {0};
            for (size_t c = 0; c < 4; c++) {
                vox_ctx *ctx = context(configs[c].isa, configs[c].threads);
                vox_structure *s = load(ctx, files[f]);
                vox_prepare(ctx, s, NULL);
                vox_result *r = analyse(ctx, s, resolutions[q], 1);
                outputs o = {0};
                all_exports(ctx, s, r, &o);
                if (c == 0) first = o;
                else {
                    CHECK(o.len == first.len && !memcmp(o.text, first.text, o.len), "%s at %g: isa %s threads %d differs",
                          files[f], resolutions[q], configs[c].isa ? configs[c].isa : "auto", configs[c].threads);
                    free(o.text);
                }
                /* volumizer's documents: the same bytes without descriptors */
                outputs with = {0}, without = {0};
                volumizer_outputs(ctx, s, r, &with);
                vox_result *r0 = analyse(ctx, s, resolutions[q], 0);
                volumizer_outputs(ctx, s, r0, &without);
                CHECK(with.len == without.len && !memcmp(with.text, without.text, with.len),
                      "%s: volumizer's outputs change with descriptors", files[f]);
                if (c == 0) plain = without;
                else free(without.text);
                free(with.text);
                /* without descriptors: no descriptors, clear refusals, boxes and maps still fine */
                if (c == 0) {
                    vox_descriptors d;
                    d.size = sizeof d;
                    CHECK(vox_result_descriptors(r0, 0, &d) == VOX_E_INVALID_ARG && vox_result_lining_atoms(r0, 0, NULL) == 0,
                          "no descriptors asked: none given");
                    vox_render_params p;
                    vox_render_params_init(&p);
                    p.structure_file = "x.cif";
                    char *out = NULL;
                    CHECK(vox_render(ctx, VOX_DOC_VOLUMES_JSON, s, r0, &p, &out, NULL) == VOX_E_INVALID_ARG &&
                              strstr(vox_ctx_last_error_detail(ctx), "cannot render the volumes JSON: ") &&
                              strstr(vox_ctx_last_error_detail(ctx), "descriptors"),
                          "volumes JSON refused: %s", vox_ctx_last_error_detail(ctx));
                    CHECK(vox_render(ctx, VOX_DOC_VINA, s, r0, &p, &out, NULL) == VOX_OK, "Vina box without descriptors");
                    vox_free(out);
                    p.volume = vox_result_count(r0);
                    CHECK(vox_render(ctx, VOX_DOC_DX, s, r0, &p, &out, NULL) == VOX_E_INVALID_ARG, "volume out of range");
                    p.volume = 0;
                    p.box_padding = -1;
                    CHECK(vox_render(ctx, VOX_DOC_VINA, s, r0, &p, &out, NULL) == VOX_E_INVALID_ARG, "negative padding");
                    CHECK(vox_render(ctx, VOX_DOC_PYMOL, NULL, r, &p, &out, NULL) == VOX_E_INVALID_ARG, "no structure");
                    vox_structure *other = load(ctx, "cavity_box.pdb");
                    p.box_padding = 4;
                    if (vox_structure_atom_count(other) != vox_structure_atom_count(s))
                        CHECK(vox_render(ctx, VOX_DOC_VOLUMES_JSON, other, r, &p, &out, NULL) == VOX_E_INVALID_ARG,
                              "a structure that is not the result's");
                    vox_structure_free(&other);
                }
                vox_result_free(&r0);
                vox_result_free(&r);
                vox_structure_free(&s);
                vox_ctx_destroy(&ctx);
            }
            free(first.text);
            free(plain.text);
        }
}

/* ---- a volume's boxes against every voxel ------------------------------- */

/* vox_volume_bounds as it was, visiting every voxel. */
static void bounds_brute(const vox_result *r, size_t index, double lo[2][3], double hi[2][3])
{
    const vox_group *g = &r->groups[index];
    for (int f = 0; f < 2; f++)
        for (int a = 0; a < 3; a++) {
            lo[f][a] = INFINITY;
            hi[f][a] = -INFINITY;
        }
    for (size_t t = 0; t < g->n; t++) {
        float c[3];
        vox_voxel_centre(r, g->voxels[t], c);
        for (int a = 0; a < 3; a++) {
            const double al = c[a];
            const double in = r->rot[0][a] * (double)c[0] + r->rot[1][a] * (double)c[1] +
                              r->rot[2][a] * (double)c[2] + r->centroid[a];
            if (al < lo[0][a]) lo[0][a] = al;
            if (al > hi[0][a]) hi[0][a] = al;
            if (in < lo[1][a]) lo[1][a] = in;
            if (in > hi[1][a]) hi[1][a] = in;
        }
    }
    for (int a = 0; a < 3; a++) {
        double reach_al = 0.5 * r->step[a], reach_in = 0.0;
        for (int b = 0; b < 3; b++) reach_in += fabs(r->rot[b][a]) * 0.5 * r->step[b];
        if (!g->n)
            lo[0][a] = hi[0][a] = lo[1][a] = hi[1][a] = 0.0;
        lo[0][a] -= reach_al;
        hi[0][a] += reach_al;
        lo[1][a] -= reach_in;
        hi[1][a] += reach_in;
    }
}

/* vox_volume_bounds looks at the ends of each grid row only: the same
 * doubles as the scan of every voxel, for every volume of the synthetic
 * boxes at several resolutions (rotated input frames, rows of every
 * length). */
static void test_bounds(void)
{
    static const char *const names[] = {"hub_box.pdb", "pore_box.pdb", "pocket_box.pdb", "cavity_box.pdb"};
    static const double res[] = {0.8, 0.9, 1.1, 1.3, 1.6, 2.0, 2.5, 3.0};
    vox_ctx *ctx = context(NULL, 1);
    size_t volumes = 0, differ = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        vox_structure *s = load(ctx, names[k]);
        if (s)
            vox_prepare(ctx, s, NULL);
        for (size_t q = 0; s && q < sizeof res / sizeof res[0]; q++) {
            vox_result *r = analyse(ctx, s, res[q], 0);
            for (size_t i = 0; r && i < r->n; i++) {
                double lo[2][3], hi[2][3], blo[2][3], bhi[2][3];
                vox_volume_bounds(r, i, lo, hi);
                bounds_brute(r, i, blo, bhi);
                volumes++;
                differ += memcmp(lo, blo, sizeof lo) != 0 || memcmp(hi, bhi, sizeof hi) != 0;
            }
            vox_result_free(&r);
        }
        vox_structure_free(&s);
    }
    CHECK(volumes > 25 && differ == 0, "volume boxes: %zu of %zu differ from the scan of every voxel", differ, volumes);
    vox_ctx_destroy(&ctx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_descriptors GENERATED_DIR\n");
        return 2;
    }
    dir = argv[1];
    test_bulk_distance();
    test_lining_random();
    test_lining_names();
    test_hydropathy_exact();
    test_pocket();
    test_openings();
    test_classes();
    test_hostile_names();
    test_names_not_utf8();
    test_dx();
    test_bounds();
    test_identity();
    return check_report();
}
