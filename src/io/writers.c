/* writers.c - public entry points of the writers: render to memory or write a file atomically */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "utf8.h"

/* The documents other than the df JSON write the structure's atoms next to
 * the result's volumes: the structure must be the one the result was
 * computed from, in the state it was in (a mixture of two structures, or of
 * two frames, would be a valid-looking document that describes nothing). */
static vox_status check_structure(vox_ctx *ctx, const vox_structure *s, const vox_result *r)
{
    if (!s)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render: this document needs the structure the result was computed "
                                                "from (only the df JSON can do without it)");
    if (s->identity != r->structure_identity)
        return vox_fail(ctx, VOX_E_INVALID_ARG,
                        "vox_render: the result was computed from another structure: give the structure it was "
                        "analysed from");
    if (s->generation != r->structure_generation || s->prepared != r->structure_prepared)
        return vox_fail(ctx, VOX_E_INVALID_ARG,
                        "vox_render: the structure changed after the result was computed (%s): render the "
                        "documents that need it before changing it, or analyse it again",
                        s->prepared != r->structure_prepared ? "vox_prepare" : "vox_structure_set_coords");
    return VOX_OK;
}

void vox_render_params_init(vox_render_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->output_frame = VOX_FRAME_ALIGNED;
    p->box_padding = 4.0;
}

/* The length of the UTF-8 sequence at p (NUL-terminated) of a character a
 * script may hold in a file name, else 0: well formed, not a C1 control
 * (U+0085 ends a line for Python), and not one that Python takes for white
 * space (str.isspace: U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000), which would end a line (str.splitlines) or
 * split the name in two (ChimeraX's `open`).  A file's label keeps letters
 * of any script ("protéine"), and none of these bytes is a quote, a
 * separator or a slash to PyMOL or ChimeraX. */
static size_t utf8_name_char(const unsigned char *p)
{
    size_t len;
    const long cp = vox_utf8_next(p, 4, &len); /* a NUL inside the 4 bytes is no continuation: stops there */
    if (cp <= 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return 0;
    return len;
}

/* A path a script may open as it is: letters, digits and . _ - + /, and
 * the non-ASCII characters utf8_name_char allows, not starting with '-'
 * (no quoting rule of PyMOL or ChimeraX needed). */
static int plain_path(const char *p)
{
    if (!p || !*p || *p == '-')
        return 0;
    while (*p) {
        const unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
            c == '-' || c == '+' || c == '/') {
            p++;
            continue;
        }
        const size_t n = c >= 0x80 ? utf8_name_char((const unsigned char *)p) : 0;
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

/* A document as its users know it, for messages: a number says nothing to
 * whoever reads one. */
static const char *document_name(vox_document doc)
{
    switch (doc) {
    case VOX_DOC_DF_JSON: return "the df JSON";
    case VOX_DOC_PAYLOAD_JSON: return "the annotation JSON";
    case VOX_DOC_PDB: return "the annotated PDB";
    case VOX_DOC_CIF: return "the annotated mmCIF";
    case VOX_DOC_VOLUMES_JSON: return "the volumes JSON";
    case VOX_DOC_VINA: return "a Vina box";
    case VOX_DOC_PYMOL: return "the PyMOL script";
    case VOX_DOC_CHIMERAX: return "the ChimeraX script";
    case VOX_DOC_DX: return "an OpenDX map";
    }
    return "this document";
}

/* Whether path names a structure file by its extension: .cif, .mmcif, .pdb
 * or .ent, each maybe followed by .gz, in any case.  PyMOL's load and
 * ChimeraX's open choose what to do by extension, and both run a .py (or
 * .pml, .cxc) file they are given: a script of vox only ever opens a
 * structure. */
static int structure_extension(const char *path)
{
    static const char *const known[] = {".cif", ".mmcif", ".pdb", ".ent"};
    size_t n = strlen(path);
    if (n > 3 && !strcasecmp(path + n - 3, ".gz"))
        n -= 3;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        const size_t k = strlen(known[i]);
        if (n > k && path[n - k - 1] != '/' && !strncasecmp(path + n - k, known[i], k))
            return 1;
    }
    return 0;
}

/* What each document needs besides the result: NULL when it has it, else why not. */
static const char *missing_input(vox_document doc, const vox_structure *s, const vox_result *r,
                                 const vox_render_params *rp)
{
    const int needs_structure = doc == VOX_DOC_PAYLOAD_JSON || doc == VOX_DOC_PDB || doc == VOX_DOC_CIF ||
                                doc == VOX_DOC_VOLUMES_JSON || doc == VOX_DOC_PYMOL || doc == VOX_DOC_CHIMERAX;
    if (needs_structure && !s)
        return "this document needs the structure";
    if (doc == VOX_DOC_VOLUMES_JSON || doc == VOX_DOC_PYMOL || doc == VOX_DOC_CHIMERAX) {
        if (!r->has_desc)
            return "the result has no descriptors: analyse with vox_analyze_params.descriptors = 1";
        if (s->atoms.n != r->natoms)
            return "the structure is not the one the result was analysed from (atom counts differ)";
    }
    if ((doc == VOX_DOC_VINA || doc == VOX_DOC_DX) && rp->volume >= r->n)
        return "volume index out of range";
    if ((doc == VOX_DOC_VOLUMES_JSON || doc == VOX_DOC_VINA) &&
        (!isfinite(rp->box_padding) || rp->box_padding < 0 || rp->box_padding > VOX_BOX_PADDING_MAX))
        return "the box padding must be a number of angstroms from 0 to 1e6";
    if ((doc == VOX_DOC_PYMOL || doc == VOX_DOC_CHIMERAX) && !plain_path(rp->structure_file))
        return "structure_file must be a path of letters, digits and . _ - + / (non-ASCII UTF-8 too, but for white "
               "space; not starting with '-')";
    if ((doc == VOX_DOC_PYMOL || doc == VOX_DOC_CHIMERAX) && !structure_extension(rp->structure_file))
        return "structure_file must name a structure file: .cif, .mmcif, .pdb or .ent, maybe with .gz (PyMOL and "
               "ChimeraX run a .py, .pml or .cxc file they open)";
    return NULL;
}

vox_status vox_render(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                      const vox_render_params *params, char **out, size_t *len)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!r || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render: %s is NULL", !r ? "the result" : "out");
    vox_clear_error(ctx);
    *out = NULL;
    if (len)
        *len = 0;
    if (doc == VOX_DOC_PAYLOAD_JSON || doc == VOX_DOC_PDB || doc == VOX_DOC_CIF || doc == VOX_DOC_VOLUMES_JSON ||
        doc == VOX_DOC_PYMOL || doc == VOX_DOC_CHIMERAX) {
        vox_status st = check_structure(ctx, s, r);
        if (st != VOX_OK)
            return st;
    }
    vox_buf b = {0};
    vox_status st;
    vox_payload_info payload;
    vox_payload_info_init(&payload);
    vox_render_params rp;
    vox_render_params_init(&rp);
    st = vox_params_take(ctx, &rp, sizeof rp, params, "vox_render_params");
    if (st != VOX_OK)
        return st;
    if (rp.output_frame != VOX_FRAME_ALIGNED && rp.output_frame != VOX_FRAME_INPUT)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render: unknown output frame %d", (int)rp.output_frame);
    const char *why = missing_input(doc, s, r, &rp);
    if (why)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "cannot render %s: %s", document_name(doc), why);
    const int input = rp.output_frame == VOX_FRAME_INPUT;
    int replaced = 0;
    switch (doc) {
    case VOX_DOC_DF_JSON: st = vox_render_df_json(r, &b); break;
    case VOX_DOC_PAYLOAD_JSON:
        st = vox_params_take(ctx, &payload, sizeof payload, rp.payload, "vox_payload_info");
        if (st != VOX_OK)
            return st;
        st = vox_render_payload(s, r, &payload, &b);
        break;
    case VOX_DOC_PDB:
        st = vox_render_pdb(s, r, input, &b, &replaced);
        if (replaced) /* a PDB line is text: a line break or a byte that is not UTF-8 is not kept */
            vox_warn(ctx, "annotated PDB: line breaks and bytes that are not UTF-8 in some names were written as '?'");
        break;
    case VOX_DOC_CIF:
        st = vox_render_cif(s, r, rp.include_hubs, input, &b, &replaced);
        if (replaced) /* names are data: say where the file differs from them */
            vox_warn(ctx, "mmCIF output: characters that a one-line mmCIF value cannot hold (control characters, "
                          "bytes that are not UTF-8, or quotes that end both quote styles) were written as '?' in "
                          "some names");
        break;
    case VOX_DOC_VOLUMES_JSON:
        st = vox_render_volumes_json(s, r, &rp, &b, &replaced);
        if (replaced) /* a JSON string holds text: the bytes that are not are not kept */
            vox_warn(ctx, "volumes JSON: bytes that are not UTF-8 (in names or the source label) were written as U+FFFD");
        break;
    case VOX_DOC_VINA: st = vox_render_vina(r, &rp, &b); break;
    case VOX_DOC_PYMOL: st = vox_render_pymol(s, r, &rp, &b); break;
    case VOX_DOC_CHIMERAX: st = vox_render_chimerax(s, r, &rp, &b); break;
    case VOX_DOC_DX: st = vox_render_volume_dx(r, &rp, &b); break;
    default: return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render: unknown document kind %d", (int)doc);
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
    if (ctx && !path)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the output path is NULL");
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
    return write_doc(ctx, doc, s, r, params, path);
}

vox_status vox_write_df_json(vox_ctx *ctx, const vox_result *r, const char *path)
{
    return write_doc(ctx, VOX_DOC_DF_JSON, NULL, r, NULL, path);
}

vox_status vox_write_annotation_payload(vox_ctx *ctx, const vox_structure *s, const vox_result *r,
                                        const vox_payload_info *info, const char *path)
{
    vox_render_params p = {.size = sizeof p, .payload = info, .output_frame = VOX_FRAME_ALIGNED};
    return write_doc(ctx, VOX_DOC_PAYLOAD_JSON, s, r, &p, path);
}

vox_status vox_write_annotated_pdb(vox_ctx *ctx, const vox_structure *s, const vox_result *r, const char *path)
{
    return write_doc(ctx, VOX_DOC_PDB, s, r, NULL, path);
}

vox_status vox_write_annotated_cif(vox_ctx *ctx, const vox_structure *s, const vox_result *r, int include_hubs,
                                   const char *path)
{
    vox_render_params p = {.size = sizeof p, .include_hubs = include_hubs, .output_frame = VOX_FRAME_ALIGNED};
    return write_doc(ctx, VOX_DOC_CIF, s, r, &p, path);
}

vox_status vox_secondary_structure(vox_ctx *ctx, const vox_structure *s, double *a, double *b, double *c)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!s || !a || !b || !c)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_secondary_structure: %s is NULL",
                        !s ? "the structure" : "an output pointer");
    vox_clear_error(ctx);
    vox_psea(s, a, b, c);
    return VOX_OK;
}
