/* write_json.c - volumizer's JSON documents: the library table (pandas to_json,
 * §13.1) and the CLI payload (json.dumps indent 2, §13.2) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void put_modp(vox_buf *b, double v)
{
    char s[64];
    vox_fmt_modp(v, s);
    vox_buf_puts(b, s);
}

static void df_column(vox_buf *b, const vox_result *r, const char *name, int col)
{
    vox_buf_printf(b, "\"%s\":{", name);
    for (size_t i = 0; i < r->n_typed; i++) {
        const vox_group *g = &r->groups[i];
        vox_buf_printf(b, "%s\"%zu\":", i ? "," : "", i);
        switch (col) {
        case 0: vox_buf_printf(b, "%d", g->id); break;
        case 1: vox_buf_printf(b, "\"%s\"", vox_volume_type_name(g->type)); break;
        case 2: put_modp(b, g->volume); break;
        case 3: case 4: case 5: put_modp(b, g->len[col - 3]); break;
        case 6: if (g->has_circ) put_modp(b, g->circ); else vox_buf_puts(b, "null"); break;
        case 7: if (g->has_unif) put_modp(b, g->unif); else vox_buf_puts(b, "null"); break;
        }
    }
    vox_buf_putc(b, '}');
}

vox_status vox_render_df_json(const vox_result *r, vox_buf *b)
{
    static const char *const cols[8] = {"id", "type", "volume", "x", "y", "z",
                                        "cross_section_circularity", "cross_section_uniformity"};
    if (r->n_typed == 0) {
        vox_buf_puts(b, "{}"); /* pandas writes an empty frame as {} */
        return b->oom ? VOX_E_NOMEM : VOX_OK;
    }
    vox_buf_putc(b, '{');
    for (int c = 0; c < 8; c++) {
        if (c) vox_buf_putc(b, ',');
        df_column(b, r, cols[c], c);
    }
    vox_buf_putc(b, '}');
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}

/* A float as json.dumps writes it after pandas' records round trip: the
 * modp digits re-parsed, then Python's repr. */
static void put_record_float(vox_buf *b, double v)
{
    char t[64];
    vox_fmt_repr(vox_record_value(v), t);
    vox_buf_puts(b, t);
}

static void put_repr_or_null(vox_buf *b, double v)
{
    char s[64];
    if (isnan(v)) {
        vox_buf_puts(b, "null");
        return;
    }
    vox_fmt_repr(v, s);
    vox_buf_puts(b, s);
}

vox_status vox_render_payload(const vox_structure *s, const vox_result *r, const vox_payload_info *info,
                              vox_buf *b)
{
    /* rows after hub removal (unless include_hubs) */
    size_t nrec = 0, largest = (size_t)-1;
    double best = -INFINITY;
    for (size_t i = 0; i < r->n_typed; i++) {
        if (r->groups[i].type == VOX_HUB && !info->include_hubs)
            continue;
        nrec++;
        if (r->groups[i].volume > best) {
            best = r->groups[i].volume;
            largest = i;
        }
    }
    vox_buf_puts(b, "{\n  \"source\": ");
    vox_json_string(b, info->source ? info->source : "structure");
    vox_buf_puts(b, ",\n  \"input_path\": ");
    vox_json_string(b, info->input_path ? info->input_path : "");
    vox_buf_puts(b, ",\n  \"output_structure_cif\": ");
    vox_json_string(b, info->output_structure_cif ? info->output_structure_cif : "");
    vox_buf_puts(b, ",\n  \"backend\": ");
    vox_json_string(b, info->backend ? info->backend : "native");
    vox_buf_puts(b, ",\n  \"resolution\": ");
    put_repr_or_null(b, r->resolution);
    vox_buf_printf(b, ",\n  \"num_volumes\": %zu", nrec);
    if (largest == (size_t)-1) {
        vox_buf_puts(b, ",\n  \"largest_type\": null,\n  \"largest_volume\": null");
    } else {
        vox_buf_printf(b, ",\n  \"largest_type\": \"%s\",\n  \"largest_volume\": ",
                       vox_volume_type_name(r->groups[largest].type));
        put_record_float(b, r->groups[largest].volume);
    }
    vox_buf_puts(b, ",\n  \"volumes\": [");
    size_t k = 0;
    for (size_t i = 0; i < r->n_typed; i++) {
        const vox_group *g = &r->groups[i];
        if (g->type == VOX_HUB && !info->include_hubs)
            continue;
        vox_buf_printf(b, "%s\n    {\n      \"id\": %d,\n      \"type\": \"%s\",\n      \"volume\": ", k++ ? "," : "",
                       g->id, vox_volume_type_name(g->type));
        put_record_float(b, g->volume);
        static const char *const axes[3] = {"x", "y", "z"};
        for (int a = 0; a < 3; a++) {
            vox_buf_printf(b, ",\n      \"%s\": ", axes[a]);
            put_record_float(b, g->len[a]);
        }
        vox_buf_puts(b, ",\n      \"cross_section_circularity\": ");
        if (g->has_circ) put_record_float(b, g->circ); else vox_buf_puts(b, "null");
        vox_buf_puts(b, ",\n      \"cross_section_uniformity\": ");
        if (g->has_unif) put_record_float(b, g->unif); else vox_buf_puts(b, "null");
        vox_buf_puts(b, "\n    }");
    }
    vox_buf_puts(b, k ? "\n  ]" : "]");
    double fa, fb, fc;
    vox_psea(s, &fa, &fb, &fc);
    vox_buf_puts(b, ",\n  \"frac_alpha\": ");
    put_repr_or_null(b, fa);
    vox_buf_puts(b, ",\n  \"frac_beta\": ");
    put_repr_or_null(b, fb);
    vox_buf_puts(b, ",\n  \"frac_coil\": ");
    put_repr_or_null(b, fc);
    vox_buf_puts(b, "\n}");
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
