/* write_html.h - the data and the text of vox's offline HTML report pages
 * (internal to the library; the `vox` command writes the pages, src/cli/report.c)
 *
 * A page is a template from share/report/ with placeholders, each naming the
 * context its value lands in, so the escaping is chosen by where the value
 * goes, never by the caller:
 *
 *   {{text:NAME}}   HTML text               & < > " ' as character references
 *   {{attr:NAME}}   a quoted HTML attribute  the same
 *   {{json:NAME}}   JSON inside <script type="application/json">: '<', '>'
 *                   and '&' as \u003c \u003e \u0026, so no "</script" or
 *                   "<!--" can appear
 *
 * Everything that comes from a structure file (title, names, chain ids, the
 * file name) is untrusted.  Strings are decoded as UTF-8 first: invalid bytes
 * and control characters become U+FFFD, so a page is always valid UTF-8.
 * JSON strings are written with every non-ASCII character as \uXXXX, which
 * keeps the embedded data pure ASCII. */
#ifndef VOX_WRITE_HTML_H
#define VOX_WRITE_HTML_H

#include "internal.h"

typedef struct vox_html_field {
    const char *name;
    const char *value; /* NUL-terminated; for json: valid JSON text */
} vox_html_field;

/* Fills a template: every placeholder must name one of fields (n of them),
 * with a known context; anything else is VOX_E_INVALID_ARG with a detail
 * naming the template and the placeholder. */
VOX_HIDDEN vox_status vox_html_fill(vox_ctx *ctx, const char *template_name, const char *tmpl, size_t len,
                                    const vox_html_field *fields, size_t n, vox_buf *out);

/* s (len bytes) escaped for HTML text or a quoted attribute value. */
VOX_HIDDEN void vox_html_text(vox_buf *b, const char *s, size_t len);
/* s as a JSON string literal: ASCII only, '<' '>' '&' '\'' escaped too. */
VOX_HIDDEN void vox_html_json_string(vox_buf *b, const char *s);

/* What a structure page says besides the structure and the result. */
typedef struct vox_html_info {
    const char *label;
    const char *title;      /* the structure file's title; NULL or "": none */
    const char *input_path; /* as given */
    int include_hubs;       /* hub rows, as in the payload */
} vox_html_info;

/* The page data of one structure: {"kind":"structure", ..., "protein":{...},
 * "volumes":[...]}, in the input frame (vox_result_transform +
 * vox_transform_to_input): the protein atoms and, per volume of the payload's
 * table, the centres of its voxels on the volume's outer layer (those with a
 * 6-neighbour outside the volume; the inner ones cannot be seen when voxels
 * are drawn as touching spheres). */
VOX_HIDDEN vox_status vox_html_structure_data(vox_ctx *ctx, const vox_structure *s, const vox_result *r,
                                              const vox_html_info *info, vox_buf *out);

/* Pieces for pages that show several frames of one topology:
 * the atoms' names, residues and chains ("protein" without coordinates) ... */
VOX_HIDDEN void vox_html_topology(vox_buf *b, const vox_structure *s);
/* ... coordinates as "xyz":[...] (centi-Å integers, each axis delta-coded
 * against the previous point); n points of xyz, mapped to the input frame by
 * to_input when it is not NULL ... */
VOX_HIDDEN vox_status vox_html_coords(vox_buf *b, const float *xyz, size_t n, const vox_transform *to_input);
/* ... and "volumes":[...] of a result, its voxels mapped by to_input (NULL:
 * the result's own transform, vox_result_transform); track_ids (NULL: none)
 * holds each table row's track (vox_tracker_add), written as "track". */
VOX_HIDDEN vox_status vox_html_volumes(vox_ctx *ctx, vox_buf *b, const vox_result *r, const vox_transform *to_input,
                                       int include_hubs, const int *track_ids);

#endif
