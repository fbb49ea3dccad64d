/* write_volumes.c - <label>.volumes.json: every volume with its descriptors, lining residues and
 * atoms, and its boxes in the input and the aligned frame (README "Descriptors")
 *
 * Strings from the structure file go through vox_json_string (every
 * control character, quote and backslash escaped, bytes that are not UTF-8
 * as lone surrogates, as Python's json writes them), numbers as Python's
 * repr, so the document parses everywhere and round-trips every name.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void put_num(vox_buf *b, double v)
{
    char s[64];
    if (!isfinite(v)) {
        vox_buf_puts(b, "null");
        return;
    }
    vox_fmt_repr(v, s);
    vox_buf_puts(b, s);
}

static void put_vec(vox_buf *b, const double v[3])
{
    vox_buf_putc(b, '[');
    for (int a = 0; a < 3; a++) {
        if (a) vox_buf_puts(b, ", ");
        put_num(b, v[a]);
    }
    vox_buf_putc(b, ']');
}

/* The residue fields of atom i, then its input index. */
static void put_residue_fields(vox_buf *b, const vox_structure *s, size_t i)
{
    const vox_atom *a = &s->atoms.a[i];
    char ins[2] = {a->ins_code, '\0'};
    vox_buf_puts(b, "\"chain\": ");
    vox_json_string(b, a->chain);
    vox_buf_printf(b, ", \"res_id\": %d, \"ins_code\": ", a->res_id);
    vox_json_string(b, ins);
    vox_buf_puts(b, ", \"res_name\": ");
    vox_json_string(b, a->res_name);
}

static size_t input_index(const vox_structure *s, size_t i) { return s->kept ? s->kept[i] : i; }

static void put_boxes(vox_buf *b, const vox_result *r, size_t index, double padding)
{
    static const char *const frames[2] = {"input", "aligned"};
    static const vox_output_frame kinds[2] = {VOX_FRAME_INPUT, VOX_FRAME_ALIGNED};
    vox_box bb[2], dock[2];
    for (int f = 0; f < 2; f++) {
        bb[f].size = dock[f].size = sizeof(vox_box);
        vox_result_box(r, index, kinds[f], 0.0, &bb[f]);
        vox_result_box(r, index, kinds[f], padding, &dock[f]);
    }
    vox_buf_puts(b, "      \"bounding_box\": {");
    for (int f = 0; f < 2; f++) {
        vox_buf_printf(b, "%s\"%s\": {\"min\": ", f ? ", " : "", frames[f]);
        put_vec(b, bb[f].lo);
        vox_buf_puts(b, ", \"max\": ");
        put_vec(b, bb[f].hi);
        vox_buf_putc(b, '}');
    }
    vox_buf_puts(b, "},\n      \"docking_box\": {");
    for (int f = 0; f < 2; f++) {
        vox_buf_printf(b, "%s\"%s\": {\"center\": ", f ? ", " : "", frames[f]);
        put_vec(b, dock[f].centre);
        vox_buf_puts(b, ", \"size\": ");
        put_vec(b, dock[f].extent);
        vox_buf_putc(b, '}');
    }
    vox_buf_puts(b, "},\n");
}

static void put_volume(vox_buf *b, const vox_structure *s, const vox_result *r, size_t index, double padding)
{
    const vox_group *g = &r->groups[index];
    vox_descriptors d;
    d.size = sizeof d;
    vox_result_descriptors(r, index, &d);
    vox_buf_printf(b, "    {\n      \"id\": %d, \"type\": \"%s\", \"num_voxels\": %zu, \"volume\": ", g->id,
                   vox_volume_type_name(g->type), g->n);
    put_num(b, g->volume);
    vox_buf_puts(b, ",\n      \"depth\": {\"max\": ");
    put_num(b, d.depth_max);
    vox_buf_puts(b, ", \"mean\": ");
    put_num(b, d.depth_mean);
    vox_buf_puts(b, "},\n      \"hydropathy\": ");
    put_num(b, d.has_hydropathy ? d.hydropathy : NAN);
    vox_buf_puts(b, ",\n      \"lining_atom_fractions\": {\"apolar\": ");
    put_num(b, d.apolar_fraction);
    vox_buf_puts(b, ", \"polar\": ");
    put_num(b, d.polar_fraction);
    vox_buf_puts(b, ", \"charged\": ");
    put_num(b, d.charged_fraction);
    vox_buf_puts(b, "},\n      \"openings\": ");
    if (d.has_openings) {
        vox_buf_printf(b, "{\"count\": %zu, \"area\": ", d.num_openings);
        put_num(b, d.opening_area);
        vox_buf_puts(b, ", \"areas\": [");
        for (size_t m = 0; m < g->nmouths; m++) {
            if (m) vox_buf_puts(b, ", ");
            put_num(b, (double)g->mouth_faces[m] * r->resolution * r->resolution);
        }
        vox_buf_puts(b, "]}");
    } else {
        vox_buf_puts(b, "null");
    }
    vox_buf_puts(b, ",\n");
    put_boxes(b, r, index, padding);
    vox_buf_puts(b, "      \"lining_residues\": [");
    for (size_t t = 0; t < g->d.nresidues; t++) {
        const size_t first = g->d.residues[t];
        vox_buf_puts(b, t ? ",\n        {" : "\n        {");
        put_residue_fields(b, s, first);
        vox_buf_printf(b, ", \"atom\": %zu, \"input_atom\": %zu}", first, input_index(s, first));
    }
    vox_buf_puts(b, g->d.nresidues ? "\n      ],\n" : "],\n");
    vox_buf_puts(b, "      \"lining_atoms\": [");
    for (size_t t = 0; t < g->d.nlining; t++) {
        const size_t i = g->d.lining[t];
        const vox_atom *a = &s->atoms.a[i];
        vox_buf_printf(b, "%s{\"atom\": %zu, \"input_atom\": %zu, ", t ? ",\n        " : "\n        ", i,
                       input_index(s, i));
        put_residue_fields(b, s, i);
        vox_buf_puts(b, ", \"atom_name\": ");
        vox_json_string(b, a->name);
        vox_buf_puts(b, ", \"element\": ");
        vox_json_string(b, a->element);
        vox_buf_putc(b, '}');
    }
    vox_buf_puts(b, g->d.nlining ? "\n      ]\n    }" : "]\n    }");
}

vox_status vox_render_volumes_json(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                                   vox_buf *b)
{
    vox_buf_printf(b, "{\n  \"format\": \"vox-volumes\",\n  \"schema\": 1,\n  \"vox_version\": \"%s\",\n  \"source\": ",
                   vox_version());
    if (p->source) vox_json_string(b, p->source);
    else vox_buf_puts(b, "null");
    vox_buf_puts(b, ",\n  \"resolution\": ");
    put_num(b, r->resolution);
    vox_buf_puts(b, ",\n  \"box_padding\": ");
    put_num(b, p->box_padding);
    vox_buf_puts(b, ",\n  \"hydropathy_scale\": \"Kyte-Doolittle\",\n"
                    "  \"input_to_aligned\": {\"rotation\": [");
    for (int a = 0; a < 3; a++) {
        if (a) vox_buf_puts(b, ", ");
        put_vec(b, r->rot[a]);
    }
    vox_buf_puts(b, "], \"centroid\": ");
    put_vec(b, r->centroid);
    vox_buf_puts(b, "},\n  \"volumes\": [");
    size_t shown = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->groups[i].type == VOX_HUB && !p->include_hubs)
            continue;
        vox_buf_puts(b, shown++ ? ",\n" : "\n");
        put_volume(b, s, r, i, p->box_padding);
    }
    vox_buf_puts(b, shown ? "\n  ]\n}\n" : "]\n}\n");
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
