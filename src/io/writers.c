/* writers.c - public entry points of the writers: render to memory or write a file atomically */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

vox_status vox_render(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                      const vox_render_params *params, char **out, size_t *len)
{
    if (!ctx || !r || !out || ((doc == VOX_DOC_PAYLOAD_JSON || doc == VOX_DOC_PDB || doc == VOX_DOC_CIF) && !s))
        return VOX_E_INVALID_ARG;
    vox_clear_error(ctx);
    *out = NULL;
    if (len)
        *len = 0;
    vox_buf b = {0};
    vox_status st;
    vox_payload_info defaults;
    vox_payload_info_init(&defaults);
    vox_render_params rp = {sizeof rp, NULL, 0, VOX_FRAME_ALIGNED};
    if (params)
        memcpy(&rp, params, params->size && params->size < sizeof rp ? params->size : sizeof rp);
    if (rp.output_frame != VOX_FRAME_ALIGNED && rp.output_frame != VOX_FRAME_INPUT)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "unknown output frame %d", (int)rp.output_frame);
    const int input = rp.output_frame == VOX_FRAME_INPUT;
    switch (doc) {
    case VOX_DOC_DF_JSON: st = vox_render_df_json(r, &b); break;
    case VOX_DOC_PAYLOAD_JSON:
        st = vox_render_payload(s, r, rp.payload ? rp.payload : &defaults, &b);
        break;
    case VOX_DOC_PDB: st = vox_render_pdb(s, r, input, &b); break;
    case VOX_DOC_CIF: st = vox_render_cif(s, r, rp.include_hubs, input, &b); break;
    default: return vox_fail(ctx, VOX_E_INVALID_ARG, "unknown document kind %d", (int)doc);
    }
    if (st == VOX_OK && (b.oom || !b.data))
        st = b.oom ? VOX_E_NOMEM : VOX_OK;
    if (st != VOX_OK) {
        vox_buf_free(&b);
        return vox_fail(ctx, st, "cannot render document: %s", vox_strerror(st));
    }
    if (!b.data) { /* nothing was written: an empty string */
        b.data = calloc(1, 1);
        if (!b.data)
            return vox_fail(ctx, VOX_E_NOMEM, "out of memory");
    }
    *out = b.data;
    if (len)
        *len = b.len;
    return VOX_OK;
}

vox_status vox_write_document_sync(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                                   const vox_render_params *p, const char *path, unsigned sync)
{
    char *data;
    size_t len;
    vox_status st = vox_render(ctx, doc, s, r, p, &data, &len);
    if (st != VOX_OK)
        return st;
    st = vox_write_file_atomic_sync(ctx, path, data, len, sync);
    free(data);
    return st;
}

/* The public writers: each file on its own, so each is made durable (vox.h). */
static vox_status write_doc(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                            const vox_render_params *p, const char *path)
{
    return vox_write_document_sync(ctx, doc, s, r, p, path, VOX_SYNC_DATA);
}

vox_status vox_write_document(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                              const vox_render_params *params, const char *path)
{
    if (!ctx || !r || !path)
        return VOX_E_INVALID_ARG;
    return write_doc(ctx, doc, s, r, params, path);
}

vox_status vox_write_df_json(vox_ctx *ctx, const vox_result *r, const char *path)
{
    return write_doc(ctx, VOX_DOC_DF_JSON, NULL, r, NULL, path);
}

vox_status vox_write_annotation_payload(vox_ctx *ctx, const vox_structure *s, const vox_result *r,
                                        const vox_payload_info *info, const char *path)
{
    vox_render_params p = {sizeof p, info, 0, VOX_FRAME_ALIGNED};
    return write_doc(ctx, VOX_DOC_PAYLOAD_JSON, s, r, &p, path);
}

vox_status vox_write_annotated_pdb(vox_ctx *ctx, const vox_structure *s, const vox_result *r, const char *path)
{
    return write_doc(ctx, VOX_DOC_PDB, s, r, NULL, path);
}

vox_status vox_write_annotated_cif(vox_ctx *ctx, const vox_structure *s, const vox_result *r, int include_hubs,
                                   const char *path)
{
    vox_render_params p = {sizeof p, NULL, include_hubs, VOX_FRAME_ALIGNED};
    return write_doc(ctx, VOX_DOC_CIF, s, r, &p, path);
}

vox_status vox_secondary_structure(vox_ctx *ctx, const vox_structure *s, double *a, double *b, double *c)
{
    if (!ctx || !s || !a || !b || !c)
        return VOX_E_INVALID_ARG;
    vox_psea(s, a, b, c);
    return VOX_OK;
}
