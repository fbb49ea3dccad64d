/* reference.c - one reference frame for a whole trajectory (vox.h, "One
 * reference frame"): the reference is aligned exactly as vox_prepare aligns
 * a structure; every other frame is superposed onto the reference's input
 * coordinates (vox_superpose, on the fitted atoms) and then carried into the
 * reference's aligned frame:
 *     aligned = R0 * (U * (x - cm) + cref - c0)
 * with U, cm, cref the fit and R0, c0 the reference's alignment.  The
 * reference itself keeps the coordinates the alignment gave it: volumizer's
 * alignment is iterative in f32, so its output is not R0 * (x - c0) bit for
 * bit, and the reference frame must analyse as `vox analyze` would. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct vox_reference {
    size_t n_input;     /* atoms per frame */
    size_t nkept;
    size_t *kept;       /* input index of each analysed atom */
    float *aligned;     /* the reference's analysed atoms as the alignment left them */
    size_t nfit;
    size_t *fit;        /* input index of each fitted atom */
    float *fit_ref;     /* their reference coordinates (input frame) */
    double rot[3][3];   /* reference: input -> aligned */
    double centroid[3];
};

void vox_reference_params_init(vox_reference_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->fit = VOX_FIT_HEAVY;
    p->frame_signs = VOX_FRAME_SIGNS_VOLUMIZER;
}

void vox_reference_free(vox_reference **r)
{
    if (!r || !*r)
        return;
    free((*r)->kept);
    free((*r)->aligned);
    free((*r)->fit);
    free((*r)->fit_ref);
    free(*r);
    *r = NULL;
}

/* The reference aligned as vox_prepare aligns: a copy of s's analysed atoms
 * at the reference's coordinates, through the same alignment code. */
static vox_status align_reference(vox_ctx *ctx, const vox_structure *s, const float *xyz, int frame_signs,
                                  vox_reference *r)
{
    vox_structure t;
    memset(&t, 0, sizeof t);
    t.atoms.a = malloc((r->nkept ? r->nkept : 1) * sizeof *t.atoms.a);
    if (!t.atoms.a)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the reference frame (%zu atoms)", r->nkept);
    memcpy(t.atoms.a, s->atoms.a, r->nkept * sizeof *t.atoms.a);
    t.atoms.n = t.atoms.cap = r->nkept;
    for (size_t i = 0; i < r->nkept; i++) memcpy(t.atoms.a[i].xyz, xyz + 3 * r->kept[i], sizeof t.atoms.a[i].xyz);
    t.n_input = s->n_input;
    t.prep = s->prep;
    t.prep.align = 1;
    t.prep.frame_signs = frame_signs;
    vox_structure_reset_transform(&t);
    vox_status st = vox_align_structure(ctx, &t);
    if (st == VOX_OK) {
        for (size_t i = 0; i < r->nkept; i++) memcpy(r->aligned + 3 * i, t.atoms.a[i].xyz, sizeof t.atoms.a[i].xyz);
        memcpy(r->rot, t.rot, sizeof r->rot);
        memcpy(r->centroid, t.centroid, sizeof r->centroid);
    }
    free(t.atoms.a);
    return st;
}

vox_status vox_reference_create(vox_ctx *ctx, const vox_structure *s, const float *xyz, size_t n,
                                const vox_reference_params *params, vox_reference **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!out || !s || !xyz)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_reference_create: %s is NULL",
                        !out ? "out" : !s ? "the structure" : "xyz");
    *out = NULL;
    vox_clear_error(ctx);
    vox_reference_params p;
    vox_reference_params_init(&p);
    vox_status taken = vox_params_take(ctx, &p, sizeof p, params, "vox_reference_params");
    if (taken != VOX_OK)
        return taken;
    if (!s->prepared || s->prep.align)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_reference_create: the structure must be prepared with align = 0 "
                        "(it is %s)", s->prepared ? "aligned" : "not prepared");
    if (n != s->n_input)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the reference frame has %zu atoms, the structure's topology has %zu", n,
                        s->n_input);
    if (p.fit != VOX_FIT_HEAVY && p.fit != VOX_FIT_CA)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "fit: expected VOX_FIT_HEAVY (0) or VOX_FIT_CA (1), got %d", p.fit);
    if (p.frame_signs != VOX_FRAME_SIGNS_VOLUMIZER && p.frame_signs != VOX_FRAME_SIGNS_CANONICAL)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "frame_signs: expected VOX_FRAME_SIGNS_VOLUMIZER (0) or "
                        "VOX_FRAME_SIGNS_CANONICAL (1), got %d", p.frame_signs);
    vox_status st = vox_check_coords(ctx, xyz, n);
    if (st != VOX_OK)
        return st;
    vox_reference *r = calloc(1, sizeof *r);
    if (!r)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the reference frame");
    r->n_input = n;
    r->nkept = s->atoms.n;
    size_t m = r->nkept ? r->nkept : 1;
    r->kept = malloc(m * sizeof *r->kept);
    r->fit = malloc(m * sizeof *r->fit);
    r->aligned = malloc(3 * m * sizeof *r->aligned);
    r->fit_ref = malloc(3 * m * sizeof *r->fit_ref);
    if (!r->kept || !r->fit || !r->aligned || !r->fit_ref) {
        vox_reference_free(&r);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the reference frame (%zu atoms)", m);
    }
    vox_structure_kept_atoms(s, r->kept);
    for (size_t i = 0; i < r->nkept; i++) {
        const vox_atom *a = &s->atoms.a[i];
        if (p.fit == VOX_FIT_CA && (a->hetero || strcmp(a->name, "CA") != 0))
            continue;
        r->fit[r->nfit] = r->kept[i];
        memcpy(r->fit_ref + 3 * r->nfit, xyz + 3 * r->kept[i], 3 * sizeof *xyz);
        r->nfit++;
    }
    if (r->nfit < 3) {
        size_t nfit = r->nfit;
        vox_reference_free(&r);
        return vox_fail(ctx, VOX_E_INVALID_ARG, "a superposition needs at least 3 atoms to fit, the structure has %zu%s",
                        nfit, p.fit == VOX_FIT_CA ? " C-alpha atoms" : " heavy protein atoms");
    }
    st = align_reference(ctx, s, xyz, p.frame_signs, r);
    if (st != VOX_OK) {
        vox_reference_free(&r);
        return st;
    }
    *out = r;
    return VOX_OK;
}

vox_status vox_reference_apply(vox_ctx *ctx, const vox_reference *r, const float *xyz, size_t n, int is_reference,
                               float *out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!r || !xyz || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_reference_apply: %s is NULL",
                        !r ? "the reference" : !xyz ? "xyz" : "out");
    vox_clear_error(ctx);
    if (n != r->n_input)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the frame has %zu atoms, the reference's topology has %zu", n,
                        r->n_input);
    /* every input atom, as vox_structure_set_coords checks a frame with the
     * other alignments: a non-finite coordinate would spread through the
     * fit into every atom, and be reported against the first */
    vox_status st = vox_check_coords(ctx, xyz, n);
    if (st != VOX_OK)
        return st;
    memset(out, 0, 3 * n * sizeof *out);
    if (is_reference) {
        for (size_t i = 0; i < r->nkept; i++) memcpy(out + 3 * r->kept[i], r->aligned + 3 * i, 3 * sizeof *out);
        return VOX_OK;
    }
    /* the fitted atoms gathered in the calling thread's context: no allocation per frame (the
     * alignment's scratch, free here: the structure is aligned only after this returns) */
    float *mobile = vox_scratch_get(&ctx->ws[VOX_WS_ALIGN], 3 * r->nfit * sizeof *mobile);
    if (!mobile)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the superposition (%zu atoms)", r->nfit);
    for (size_t i = 0; i < r->nfit; i++) memcpy(mobile + 3 * i, xyz + 3 * r->fit[i], 3 * sizeof *mobile);
    vox_transform fit;
    fit.size = sizeof fit;
    double cref[3];
    st = vox_superpose(r->fit_ref, mobile, r->nfit, &fit, cref, NULL);
    if (st != VOX_OK)
        return vox_fail(ctx, st, "the superposition onto the reference failed");
    const double(*U)[3] = fit.rotation, (*R)[3] = r->rot;
    for (size_t i = 0; i < r->nkept; i++) {
        const float *x = xyz + 3 * r->kept[i];
        double d[3] = {x[0] - fit.centroid[0], x[1] - fit.centroid[1], x[2] - fit.centroid[2]}, y[3];
        for (int a = 0; a < 3; a++)
            y[a] = U[a][0] * d[0] + U[a][1] * d[1] + U[a][2] * d[2] + cref[a] - r->centroid[a];
        float *o = out + 3 * r->kept[i];
        for (int a = 0; a < 3; a++) o[a] = (float)(R[a][0] * y[0] + R[a][1] * y[1] + R[a][2] * y[2]);
    }
    /* finite coordinates near FLT_MAX (an exploded frame) superpose into
     * values past it: refused by name, as vox_prepare refuses such a frame,
     * rather than handed on as infinities */
    for (size_t i = 0; i < r->nkept; i++)
        for (int a = 0; a < 3; a++)
            if (vox_f32_nonfinite(out[3 * r->kept[i] + a]))
                return vox_fail(ctx, VOX_E_INVALID_ARG,
                                "superposition: the coordinates are too large for 32-bit floats: the %c coordinate "
                                "of atom %zu (0-based) is not finite once superposed onto the reference "
                                "(|coordinates| must stay well below 3.4e38)", "xyz"[a], r->kept[i]);
    return VOX_OK;
}

vox_status vox_reference_transform(const vox_reference *r, vox_transform *out)
{
    return r ? vox_transform_export(r->rot, r->centroid, out) : VOX_E_INVALID_ARG;
}
