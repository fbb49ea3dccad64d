/* structure.c - structures without files: built from a caller's arrays, read
 * atom by atom, given new coordinates frame after frame, and the record of
 * what vox_prepare did (kept atoms, input -> aligned transform) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

void vox_atom_arrays_init(vox_atom_arrays *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
}

void vox_structure_reset_transform(vox_structure *s)
{
    memset(s->rot, 0, sizeof s->rot);
    for (int i = 0; i < 3; i++) {
        s->rot[i][i] = 1.0;
        s->centroid[i] = 0.0;
    }
}

static int is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Copies a name into a fixed field; 0 when it does not fit (refused, never
 * truncated: a silently shortened name would be another residue).  Blanks
 * around the name are dropped as the PDB loader trims its columns (" C",
 * the element as columns 77-78 give it, is carbon), so the length counts
 * without them. */
static int copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    while (n > 0 && is_blank(src[n - 1])) n--;
    while (n > 0 && is_blank(*src)) {
        src++;
        n--;
    }
    if (n >= cap)
        return 0;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 1;
}

vox_status vox_check_coords(vox_ctx *ctx, const float *xyz, size_t n)
{
    const size_t i = vox_first_nonfinite(xyz, 3 * n);
    if (i < 3 * n)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "atom %zu (0-based): %c coordinate is not a finite number", i / 3,
                        "xyz"[i % 3]);
    return VOX_OK;
}

void vox_structure_stamp(vox_ctx *ctx, vox_structure *s)
{
    /* The identity results are checked against (vox_render): the address,
     * the time it was built and the context's count of structures, mixed
     * (splitmix64's finaliser).  No counter is shared between contexts (no
     * global state): a later structure at a freed one's address differs by
     * the time and the count, two contexts' structures by their addresses. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)(uintptr_t)s ^ ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) * 0x9E3779B97F4A7C15u;
    x ^= (uint64_t)(uintptr_t)ctx * 0xBF58476D1CE4E5B9u + ++ctx->structures_built;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    x ^= x >> 31;
    s->identity = x ? x : 1;
    s->generation = 0;
}

/* A unit cell given as three cell vectors (rows): one the annotated mmCIF can write as lengths
 * and angles (to 0.001 Å), or refused naming what is wrong.  The Python package checks the same
 * before it calls (it drops a Universe's cell that fails, rather than the Universe). */
static vox_status check_cell(vox_ctx *ctx, const float b[9])
{
    for (int k = 0; k < 9; k++)
        if (!isfinite(b[k]))
            return vox_fail(ctx, VOX_E_INVALID_ARG, "box[%d][%d] = %g is not a finite number", k / 3, k % 3,
                            (double)b[k]);
    float len[3];
    int zero = 1;
    for (int r = 0; r < 3; r++) {
        const float *v = b + 3 * r;
        len[r] = sqrtf(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); /* float32, as the mmCIF writer computes it */
        zero &= v[0] == 0.0f && v[1] == 0.0f && v[2] == 0.0f;
    }
    if (zero)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the box is all zeros: give none (box = NULL) for a structure "
                                                "without a unit cell");
    for (int r = 0; r < 3; r++) {
        if (!isfinite(len[r]))
            return vox_fail(ctx, VOX_E_INVALID_ARG, "box row %d: its length overflows float32 (%g %g %g)", r,
                            (double)b[3 * r], (double)b[3 * r + 1], (double)b[3 * r + 2]);
        if (!(len[r] > 0.0f))
            return vox_fail(ctx, VOX_E_INVALID_ARG, "box row %d is a zero-length cell vector", r);
        if (len[r] < 5e-4f)
            return vox_fail(ctx, VOX_E_INVALID_ARG, "box row %d is a cell vector %g A long, shorter than 0.0005 A "
                                                    "(the annotated mmCIF writes lengths to 0.001 A)", r, (double)len[r]);
    }
    /* vectors in one plane make no cell (a zero angle or volume): the determinant of the unit vectors */
    double u[3][3];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) u[r][c] = (double)b[3 * r + c] / (double)len[r];
    const double det = u[0][0] * (u[1][1] * u[2][2] - u[1][2] * u[2][1]) -
                       u[0][1] * (u[1][0] * u[2][2] - u[1][2] * u[2][0]) +
                       u[0][2] * (u[1][0] * u[2][1] - u[1][1] * u[2][0]);
    if (fabs(det) < 1e-6)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the box's cell vectors lie in one plane (no volume)");
    return VOX_OK;
}

vox_status vox_structure_from_arrays(vox_ctx *ctx, const vox_atom_arrays *in, vox_structure **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_structure_from_arrays: out is NULL");
    *out = NULL;
    vox_clear_error(ctx);
    if (!in)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "no atom arrays given (NULL)");
    vox_atom_arrays a;
    vox_atom_arrays_init(&a);
    vox_status taken = vox_params_take(ctx, &a, sizeof a, in, "vox_atom_arrays");
    if (taken != VOX_OK)
        return taken;
    if (a.count == 0)
        return vox_fail(ctx, VOX_E_NO_ATOMS, "the atom arrays hold no atoms (count 0)");
    const char *missing = !a.xyz ? "xyz" : !a.element ? "element" : !a.atom_name ? "atom_name"
                        : !a.res_name ? "res_name" : !a.res_id ? "res_id" : NULL;
    if (missing)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the atom arrays have no %s array (required)", missing);
    vox_status st = vox_check_coords(ctx, a.xyz, a.count);
    if (st == VOX_OK && a.box)
        st = check_cell(ctx, a.box);
    if (st != VOX_OK)
        return st;
    vox_structure *s = calloc(1, sizeof *s);
    if (!s || !vox_atoms_reserve(&s->atoms, a.count) ||
        (a.input_number && !(s->input_number = malloc(a.count * sizeof *s->input_number)))) {
        vox_structure_free(&s);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for %zu atoms", a.count);
    }
    if (a.input_number)
        memcpy(s->input_number, a.input_number, a.count * sizeof *s->input_number);
    vox_structure_stamp(ctx, s);
    for (size_t i = 0; i < a.count; i++) {
        vox_atom *t = &s->atoms.a[i];
        memset(t, 0, sizeof *t);
        memcpy(t->xyz, a.xyz + 3 * i, sizeof t->xyz);
        t->res_id = a.res_id[i];
        t->hetero = a.hetero ? (a.hetero[i] != 0) : 0;
        t->ins_code = a.ins_code && a.ins_code[i] != ' ' ? a.ins_code[i] : 0;
        const char *field = NULL, *value = NULL;
        size_t cap = 0;
        if (!a.element[i] || !copy_name(t->element, sizeof t->element, a.element[i]))
            field = "element", value = a.element[i], cap = sizeof t->element;
        else if (!a.atom_name[i] || !copy_name(t->name, sizeof t->name, a.atom_name[i]))
            field = "atom_name", value = a.atom_name[i], cap = sizeof t->name;
        else if (!a.res_name[i] || !copy_name(t->res_name, sizeof t->res_name, a.res_name[i]))
            field = "res_name", value = a.res_name[i], cap = sizeof t->res_name;
        else if (a.chain && (!a.chain[i] || !copy_name(t->chain, sizeof t->chain, a.chain[i])))
            field = "chain", value = a.chain[i], cap = sizeof t->chain;
        if (field) {
            vox_structure_free(&s);
            if (!value)
                return vox_fail(ctx, VOX_E_INVALID_ARG, "atom %zu: %s is NULL", i, field);
            return vox_fail(ctx, VOX_E_INVALID_ARG, "atom %zu: %s '%.40s' is longer than %zu characters", i, field,
                            value, cap - 1);
        }
        if (!t->element[0]) /* blank element columns: the PDB loader's guess from the name */
            vox_infer_element(t->name, t->element);
    }
    s->atoms.n = a.count;
    s->n_input = a.count;
    if (a.box) {
        memcpy(s->box, a.box, sizeof s->box);
        s->has_box = 1;
    }
    vox_structure_reset_transform(s);
    *out = s;
    return VOX_OK;
}

void vox_structure_free(vox_structure **s)
{
    if (!s || !*s)
        return;
    vox_atoms_free(&(*s)->atoms);
    free((*s)->kept);
    free((*s)->input_number);
    free(*s);
    *s = NULL;
}

vox_status vox_structure_copy(vox_ctx *ctx, const vox_structure *s, vox_structure **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!out || !s)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_structure_copy: %s is NULL", !out ? "out" : "s");
    *out = NULL;
    vox_clear_error(ctx);
    vox_structure *c = malloc(sizeof *c);
    if (!c)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory copying a structure of %zu atoms", s->atoms.n);
    *c = *s;
    memset(&c->atoms, 0, sizeof c->atoms);
    c->kept = NULL;
    c->input_number = NULL;
    if (!vox_atoms_reserve(&c->atoms, s->atoms.n ? s->atoms.n : 1) ||
        (s->kept && !(c->kept = malloc(s->atoms.n * sizeof *c->kept))) ||
        (s->input_number && !(c->input_number = malloc(s->n_input * sizeof *c->input_number)))) {
        vox_structure_free(&c);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory copying a structure of %zu atoms", s->atoms.n);
    }
    memcpy(c->atoms.a, s->atoms.a, s->atoms.n * sizeof *c->atoms.a);
    c->atoms.n = s->atoms.n;
    if (s->kept)
        memcpy(c->kept, s->kept, s->atoms.n * sizeof *c->kept);
    if (s->input_number)
        memcpy(c->input_number, s->input_number, s->n_input * sizeof *c->input_number);
    vox_structure_stamp(ctx, c); /* its own identity: a result names the structure it came from */
    *out = c;
    return VOX_OK;
}

size_t vox_structure_atom_count(const vox_structure *s) { return s ? s->atoms.n : 0; }
size_t vox_structure_input_atom_count(const vox_structure *s) { return s ? s->n_input : 0; }

void vox_structure_coords(const vox_structure *s, float *xyz)
{
    for (size_t i = 0; s && xyz && i < s->atoms.n; i++)
        memcpy(xyz + 3 * i, s->atoms.a[i].xyz, sizeof s->atoms.a[i].xyz);
}

int vox_structure_box(const vox_structure *s, float box[9])
{
    if (!s || !box || !s->has_box)
        return 0;
    memcpy(box, s->box, sizeof s->box);
    return 1;
}

static size_t input_index(const vox_structure *s, size_t i) { return s->kept ? s->kept[i] : i; }

size_t vox_structure_input_number(const vox_structure *s, size_t i)
{
    const size_t j = input_index(s, i);
    return s->input_number ? s->input_number[j] : j;
}

vox_status vox_structure_atom(const vox_structure *s, size_t index, vox_atom_info *out)
{
    /* a size under its own field's is no struct of ours: writing the field back would overrun it */
    if (!s || !out || out->size < sizeof out->size || index >= s->atoms.n)
        return VOX_E_INVALID_ARG;
    vox_atom_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    const vox_atom *a = &s->atoms.a[index];
    memcpy(info.xyz, a->xyz, sizeof info.xyz);
    info.res_id = a->res_id;
    info.ins_code = a->ins_code;
    info.hetero = a->hetero;
    memcpy(info.element, a->element, sizeof info.element);
    memcpy(info.atom_name, a->name, sizeof info.atom_name);
    memcpy(info.res_name, a->res_name, sizeof info.res_name);
    memcpy(info.chain, a->chain, sizeof info.chain);
    info.input_index = vox_structure_input_number(s, index);
    size_t n = out->size < sizeof info ? out->size : sizeof info;
    memcpy(out, &info, n);
    out->size = n;
    return VOX_OK;
}

size_t vox_structure_kept_atoms(const vox_structure *s, size_t *indices)
{
    if (!s)
        return 0;
    for (size_t i = 0; indices && i < s->atoms.n; i++)
        indices[i] = input_index(s, i);
    return s->atoms.n;
}

vox_status vox_transform_export(const double rot[3][3], const double centroid[3], vox_transform *out)
{
    if (!out || out->size < sizeof out->size) /* as vox_structure_atom */
        return VOX_E_INVALID_ARG;
    vox_transform t;
    t.size = sizeof t;
    memcpy(t.rotation, rot, sizeof t.rotation);
    memcpy(t.centroid, centroid, sizeof t.centroid);
    size_t n = out->size < sizeof t ? out->size : sizeof t;
    memcpy(out, &t, n);
    out->size = n;
    return VOX_OK;
}

vox_status vox_structure_transform(const vox_structure *s, vox_transform *out)
{
    return s ? vox_transform_export(s->rot, s->centroid, out) : VOX_E_INVALID_ARG;
}

void vox_transform_to_input(const vox_transform *t, float *xyz, size_t n)
{
    if (!t || !xyz)
        return;
    for (size_t i = 0; i < n; i++) {
        double p[3] = {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]};
        for (int c = 0; c < 3; c++)
            xyz[3 * i + c] = (float)(t->rotation[0][c] * p[0] + t->rotation[1][c] * p[1] +
                                     t->rotation[2][c] * p[2] + t->centroid[c]);
    }
}

vox_status vox_structure_set_coords(vox_ctx *ctx, vox_structure *s, const float *xyz, size_t n)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!s || !xyz)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_structure_set_coords: %s is NULL", !s ? "the structure" : "xyz");
    vox_clear_error(ctx);
    if (n != s->n_input)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the frame has %zu atoms, the structure's topology has %zu", n,
                        s->n_input);
    vox_status st = vox_check_coords(ctx, xyz, n);
    if (st != VOX_OK)
        return st;
    for (size_t i = 0; i < s->atoms.n; i++)
        memcpy(s->atoms.a[i].xyz, xyz + 3 * input_index(s, i), sizeof s->atoms.a[i].xyz);
    s->generation++; /* results computed before describe other coordinates now */
    s->unaligned_frame = 0;
    if (!s->prepared || !s->prep.align)
        return VOX_OK;
    double t0 = vox_now();
    vox_structure_reset_transform(s);
    st = vox_align_structure(ctx, s);
    /* the frame is taken but not aligned: analyses refuse it until a frame is */
    s->unaligned_frame = st != VOX_OK;
    ctx->stats.seconds[VOX_STAGE_PREPARE] = vox_now() - t0;
    return st;
}
